// newsearch's page: the search box, results grouped by story (or article), the facet
// sidebar, the date histogram and the article view, all drawn from the JSON API.
//
// The whole view lives in the URL (`/?q=Rafah&person=…&page=2&article=…`), so a link
// reproduces it and Back works. Corpus text is hostile input: it only ever reaches the
// page through `textContent` and text nodes, never as markup, and a corpus URL becomes a
// link only when its scheme is http or https.
"use strict";

(() => {
  /** Articles (or stories) a page shows. */
  const PAGE_SIZE = 10;
  /** Passages shown under each article. */
  const PER_ARTICLE = 2;
  /** Characters of each passage around its best match. */
  const SNIPPET_CHARS = 280;
  /** The API's largest `offset`, which bounds paging. */
  const MAX_OFFSET = 100000;
  const MAX_PAGE = Math.floor(MAX_OFFSET / PAGE_SIZE) + 1;
  /** Facet entries fetched, and shown before "more". */
  const FACET_TOP = 40;
  const FACET_SHOWN = 8;
  /** Filters that repeat, named as in the API. */
  const LIST_FILTERS = ["person", "org", "place", "source", "mentions_date"];
  const FILTER_LABELS = {
    person: "Person",
    org: "Organisation",
    place: "Place",
    source: "Source",
    mentions_date: "Mentions",
  };
  const KIND_TITLES = { person: "People", org: "Organisations", place: "Places" };
  /** The widest a histogram bar grows (in CSS pixels, gap included). */
  const BAR_MAX_WIDTH = 72;
  /** Responses kept for Back and for retyping a query. */
  const CACHE_SIZE = 60;
  const ARTICLE_ID = /^[0-9a-f]{16}$/;

  const $ = (id) => document.getElementById(id);
  const ui = {
    form: $("searchform"),
    q: $("q"),
    sort: $("sort"),
    corpus: $("corpus"),
    error: $("error"),
    active: $("active"),
    chips: $("chips"),
    clearFilters: $("clear-filters"),
    histogram: $("histogram"),
    axis: $("axis"),
    range: $("range"),
    undated: $("undated"),
    clearDates: $("clear-dates"),
    status: $("status"),
    results: $("results"),
    pager: $("pager"),
    article: $("article"),
    help: $("help"),
    main: $("main"),
  };
  const numbers = new Intl.NumberFormat("en");

  // ---- DOM helpers: text only, never markup ------------------------------------------

  /** An element with a class and children (strings become text nodes). */
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  /** Text that may be missing or not a string in a hostile document. */
  function str(value) {
    return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  }

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  /**
   * The text with its `highlights` marked. Ranges count Unicode code points (what the API
   * counts), not the UTF-16 units JavaScript strings index by.
   */
  function highlighted(text, ranges) {
    const chars = Array.from(str(text));
    const spans = list(ranges)
      .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]))
      .map((r) => [Math.max(0, r[0]), Math.min(chars.length, r[1])])
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]);
    const out = document.createDocumentFragment();
    let at = 0;
    for (const [start, end] of spans) {
      const from = Math.max(start, at);
      if (end <= from) continue;
      if (from > at) out.append(chars.slice(at, from).join(""));
      out.append(el("mark", null, chars.slice(from, end).join("")));
      at = end;
    }
    if (at < chars.length) out.append(chars.slice(at).join(""));
    return out;
  }

  /** A link for a corpus URL, or plain text when its scheme is not http(s). */
  function externalLink(url) {
    const text = str(url);
    let parsed = null;
    try {
      parsed = new URL(text);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return el("span", "url", text);
    }
    const a = el("a", "url", text);
    a.href = parsed.href;
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    return a;
  }

  function formatDate(date) {
    return str(date) || "undated";
  }

  // ---- State and the URL --------------------------------------------------------------

  function emptyState() {
    const state = { q: "", sort: "relevance", from: "", to: "", page: 1, article: "" };
    for (const key of LIST_FILTERS) state[key] = [];
    return state;
  }

  function readState(search) {
    const params = new URLSearchParams(search);
    const state = emptyState();
    state.q = params.get("q") || "";
    state.sort = params.get("sort") === "date" ? "date" : "relevance";
    state.from = params.get("from") || "";
    state.to = params.get("to") || "";
    const page = Number.parseInt(params.get("page") || "1", 10);
    state.page = Number.isFinite(page) ? Math.min(Math.max(page, 1), MAX_PAGE) : 1;
    const article = params.get("article") || "";
    state.article = ARTICLE_ID.test(article) ? article : "";
    for (const key of LIST_FILTERS) {
      state[key] = [...new Set(params.getAll(key).filter((v) => v.trim() !== ""))];
    }
    return state;
  }

  /** The filter parameters, named as the API names them. */
  function filterParams(state, params) {
    for (const key of LIST_FILTERS) for (const value of state[key]) params.append(key, value);
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    return params;
  }

  function hasFilters(state) {
    return Boolean(state.from || state.to || LIST_FILTERS.some((key) => state[key].length));
  }

  /** The page's own URL for a state. */
  function pageUrl(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    filterParams(state, params);
    if (state.sort !== "relevance") params.set("sort", state.sort);
    if (state.page > 1) params.set("page", String(state.page));
    if (state.article) params.set("article", state.article);
    const query = params.toString();
    return query ? `/?${query}` : "/";
  }

  function withChanges(state, changes) {
    const next = { ...state, page: 1, article: "" };
    for (const key of LIST_FILTERS) next[key] = [...state[key]];
    return Object.assign(next, changes);
  }

  let state = readState(location.search);
  /** While a query is being typed, its keystrokes replace one history entry. */
  let typing = false;
  let typingTimer = 0;

  /** Shows `next` and records it in the history (a new entry unless `replace`). */
  function navigate(next, { replace = false, fromResults = false } = {}) {
    typing = false;
    const url = pageUrl(next);
    const marker = { newsearch: true, fromResults };
    if (replace) history.replaceState(marker, "", url);
    else history.pushState(marker, "", url);
    state = next;
    update();
  }

  /** The query being typed: one history entry per query, not per keystroke. */
  function typed(q, keystrokeAt) {
    const next = withChanges(state, { q });
    const url = pageUrl(next);
    if (typing) history.replaceState({ newsearch: true }, "", url);
    else history.pushState({ newsearch: true }, "", url);
    typing = true;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typing = false;
    }, 1200);
    state = next;
    update(keystrokeAt);
  }

  // ---- Talking to the API -------------------------------------------------------------

  /** Successful responses by URL, most recent last. */
  const cache = new Map();

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function getJson(url, signal) {
    if (cache.has(url)) {
      const hit = cache.get(url);
      cache.delete(url);
      cache.set(url, hit);
      return hit;
    }
    const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok || body === null) {
      const message = body && typeof body.error === "string" ? body.error : `the server answered ${response.status}`;
      throw new ApiError(response.status, message);
    }
    cache.set(url, body);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
    return body;
  }

  let stats = null;

  const ready = getJson("/api/stats").then(
    (body) => {
      stats = body;
      showCorpus();
    },
    () => {},
  );

  /** Whether a state asks for results: a query, or filters alone (newest first). */
  function wantsResults(st) {
    return Boolean(st.q.trim()) || hasFilters(st);
  }

  function searchUrl(st) {
    const params = new URLSearchParams();
    if (st.q.trim()) params.set("q", st.q);
    filterParams(st, params);
    if (st.sort !== "relevance") params.set("sort", st.sort);
    // A page is PAGE_SIZE stories, each shown by its best article.
    params.set("group", "story");
    params.set("offset", String((st.page - 1) * PAGE_SIZE));
    params.set("limit", String(PAGE_SIZE));
    params.set("per_article", String(PER_ARTICLE));
    params.set("snippet_chars", String(SNIPPET_CHARS));
    return `/api/search?${params}`;
  }

  function facetsUrl(st) {
    const params = new URLSearchParams();
    if (st.q) params.set("q", st.q);
    filterParams(st, params);
    params.set("top", String(FACET_TOP));
    params.set("interval", histogramInterval(st));
    return `/api/facets?${params}`;
  }

  // ---- Dates --------------------------------------------------------------------------

  /** Days since 1970 of a YYYY, YYYY-MM or YYYY-MM-DD date, at its start or its end. */
  function dayNumber(text, end) {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(str(text));
    if (!m) return null;
    const year = Number(m[1]);
    const month = m[2] ? Number(m[2]) - 1 : end ? 11 : 0;
    let ms;
    if (m[3]) ms = Date.UTC(year, month, Number(m[3]));
    else if (end) ms = Date.UTC(year, month + 1, 0);
    else ms = Date.UTC(year, month, 1);
    const date = new Date(ms);
    if (year < 100) date.setUTCFullYear(year);
    return Math.round(date.getTime() / 86400000);
  }

  function isoDay(days) {
    const date = new Date(days * 86400000);
    const y = String(date.getUTCFullYear()).padStart(4, "0");
    const m = String(date.getUTCMonth() + 1).padStart(2, "0");
    const d = String(date.getUTCDate()).padStart(2, "0");
    return `${y}-${m}-${d}`;
  }

  /** A histogram interval that gives a readable number of bars for the dates in view. */
  function histogramInterval(st) {
    const first = dayNumber(st.from, false) ?? dayNumber(stats && stats.first_date, false);
    const last = dayNumber(st.to, true) ?? dayNumber(stats && stats.last_date, true);
    if (first === null || last === null) return "month";
    const span = last - first;
    if (span <= 62) return "day";
    if (span <= 366) return "week";
    if (span <= 12 * 366) return "month";
    return "year";
  }

  /** The first and last day a histogram bucket covers, as `from`/`to` parameters. */
  function bucketRange(key, interval) {
    if (interval === "week" && /^\d{4}-\d{2}-\d{2}$/.test(key)) {
      return [key, isoDay(dayNumber(key, false) + 6)];
    }
    return [key, key];
  }

  // ---- Rendering ----------------------------------------------------------------------

  function showCorpus() {
    if (!stats) return;
    const span = stats.first_date && stats.last_date ? ` · ${stats.first_date} – ${stats.last_date}` : "";
    ui.corpus.textContent = `${numbers.format(Number(stats.articles) || 0)} articles${span}`;
  }

  function showError(message) {
    ui.error.hidden = !message;
    ui.error.textContent = message || "";
  }

  function syncControls() {
    if (!typing && ui.q.value !== state.q) ui.q.value = state.q;
    ui.sort.value = state.sort;
    document.title = state.q ? `${state.q} – newsearch` : "newsearch";
    renderChips();
  }

  function renderChips() {
    const chips = [];
    for (const key of LIST_FILTERS) {
      for (const value of state[key]) {
        chips.push(chip(FILTER_LABELS[key], value, () => toggleFilter(key, value)));
      }
    }
    if (state.from || state.to) {
      chips.push(chip("Published", rangeLabel(state.from, state.to), () => setDates("", "")));
    }
    ui.chips.replaceChildren(...chips);
    ui.active.hidden = chips.length === 0;
  }

  function chip(label, value, remove) {
    const button = el("button", "chip", el("span", "chip-label", label), el("span", "chip-value", value), el("span", "chip-x", "×"));
    button.type = "button";
    button.title = `Remove ${label.toLowerCase()} filter`;
    button.addEventListener("click", remove);
    return el("li", null, button);
  }

  function rangeLabel(from, to) {
    if (from && to) return from === to ? from : `${from} – ${to}`;
    if (from) return `from ${from}`;
    if (to) return `until ${to}`;
    return "";
  }

  function setStatus(text) {
    ui.status.textContent = text;
  }

  /** Passages grouped by article (consecutive results of one article). */
  function groupResults(results) {
    const groups = [];
    for (const result of list(results)) {
      const last = groups[groups.length - 1];
      if (last && last.id === result.article_id) last.passages.push(result);
      else groups.push({ id: result.article_id, first: result, passages: [result] });
    }
    return groups;
  }

  function articleLink(id, text, className) {
    const a = el("a", className, text);
    const target = { ...state, article: str(id) };
    a.href = pageUrl(target);
    a.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(target, { fromResults: !state.article });
    });
    return a;
  }

  function metaLine(source, date, extra) {
    const line = el("p", "meta");
    if (str(source)) line.append(el("span", "source", str(source)), el("span", "sep", "·"));
    const time = el("time", "date", formatDate(date));
    if (date) time.dateTime = str(date);
    line.append(time);
    for (const item of extra || []) {
      line.append(el("span", "sep", "·"), item);
    }
    return line;
  }

  function renderResults(doc) {
    const shown = groupResults(doc.results);
    const start = (state.page - 1) * PAGE_SIZE;
    const items = shown.map((group, i) => resultItem(group, Number(group.first.rank) || start + i + 1));
    ui.results.replaceChildren(...items);
    const articles = Number(doc.total_articles) || 0;
    const stories = Number(doc.total_stories) || articles;
    const counted = (n, one, many) => `${numbers.format(n)} ${n === 1 ? one : many}`;
    const matching =
      stories === articles
        ? `${counted(articles, "article matches", "articles match")}`
        : `${counted(articles, "article", "articles")} in ${counted(stories, "story", "stories")} match`;
    if (articles === 0) {
      setStatus(`No article matches ${describeQuery()}.`);
    } else if (shown.length === 0) {
      setStatus(`${matching}; this page is past the last one.`);
    } else {
      const pages = Math.ceil(stories / PAGE_SIZE);
      const pageText = pages > 1 ? ` · page ${state.page} of ${numbers.format(pages)}` : "";
      setStatus(`${matching}${pageText}`);
    }
    renderPager(stories);
  }

  function describeQuery() {
    const parts = [];
    if (state.q) parts.push(`“${state.q}”`);
    if (hasFilters(state)) parts.push("these filters");
    return parts.join(" with ") || "the query";
  }

  function resultItem(group, number) {
    const first = group.first;
    const item = el("li", "result");
    item.dataset.articleId = str(group.id);
    item.append(metaLine(first.source, first.date, []));
    const title = el("h3", "title", articleLink(group.id, str(first.title) || "Untitled", "title-link"));
    title.prepend(el("span", "number", `${number}.`));
    item.append(title);
    for (const passage of group.passages) {
      item.append(el("blockquote", "passage", highlighted(passage.text, passage.highlights)));
    }
    const story = storyLine(first.story, first);
    if (story) item.append(story);
    return item;
  }

  /**
   * "Also reported by" for a result whose story spans several outlets or articles: the
   * outlets, the story's size and its dates (the article view lists the other articles).
   */
  function storyLine(story, result) {
    if (!story || typeof story !== "object") return null;
    const size = Number(story.size) || 1;
    if (size < 2) return null;
    const own = str(result.source).toLowerCase();
    const outlets = [...new Set(list(story.sources).map(str))].filter((s) => s && s.toLowerCase() !== own);
    const box = el("div", "story");
    const heading = el("p", "story-head");
    if (outlets.length) heading.append(el("span", "story-label", "Also reported by"), ` ${outlets.join(", ")}`);
    else heading.append(el("span", "story-label", "Same story"));
    const span = story.first_date && story.last_date && story.first_date !== story.last_date ? `, ${str(story.first_date)} – ${str(story.last_date)}` : "";
    heading.append(el("span", "story-size", ` · ${numbers.format(size)} articles in this story${span}`));
    box.append(heading);
    return box;
  }

  function renderPager(total) {
    const pages = Math.min(Math.ceil(total / PAGE_SIZE), MAX_PAGE);
    const links = [];
    if (pages > 1) {
      links.push(pageLink(state.page - 1, "‹ Previous", state.page <= 1));
      const first = Math.max(1, Math.min(state.page - 3, pages - 6));
      const last = Math.min(pages, first + 6);
      for (let p = first; p <= last; p++) links.push(pageLink(p, String(p), false, p === state.page));
      links.push(pageLink(state.page + 1, "Next ›", state.page >= pages));
    }
    if (Math.ceil(total / PAGE_SIZE) > MAX_PAGE) {
      links.push(el("span", "pager-note", `The first ${numbers.format(MAX_PAGE * PAGE_SIZE)} stories are shown; narrow the query to see others.`));
    }
    ui.pager.replaceChildren(...links);
  }

  function pageLink(page, label, disabled, current) {
    if (disabled || current) {
      const span = el("span", current ? "page current" : "page disabled", label);
      if (current) span.setAttribute("aria-current", "page");
      return span;
    }
    const target = { ...state, page, article: "" };
    const a = el("a", "page", label);
    a.href = pageUrl(target);
    a.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      navigate(target);
      window.scrollTo(0, 0);
    });
    return a;
  }

  // ---- Facets -------------------------------------------------------------------------

  const expanded = new Set();

  function renderFacets(doc) {
    const facets = (doc && doc.facets) || {};
    for (const kind of ["person", "org", "place", "source"]) {
      renderFacet(kind, kind, list(facets[kind]).map((f) => ({ value: str(f.name), count: f.count, aliases: list(f.aliases) })));
    }
    renderFacet("mentioned", "mentions_date", list(facets.mentioned).map((f) => ({ value: str(f.key), count: f.count, aliases: [] })));
    renderHistogram(list(facets.date));
  }

  function renderFacet(section, filter, entries) {
    const box = $(`facet-${section}`);
    const ul = box.querySelector("ul");
    const active = state[filter];
    // A filter in force stays listed even when the counts no longer name it.
    const seen = new Set(entries.map((e) => e.value.toLowerCase()));
    for (const value of active) {
      if (!seen.has(value.toLowerCase())) entries.unshift({ value, count: null, aliases: [] });
    }
    const all = expanded.has(section);
    const items = entries.filter((e) => e.value).slice(0, all ? entries.length : FACET_SHOWN);
    const max = Math.max(1, ...entries.map((e) => Number(e.count) || 0));
    ul.replaceChildren(
      ...items.map((entry) => {
        const on = active.some((v) => v.toLowerCase() === entry.value.toLowerCase());
        const button = el("button", "facet-item", el("span", "facet-name", entry.value), el("span", "facet-count", entry.count === null ? "" : numbers.format(entry.count)));
        button.type = "button";
        button.dataset.filter = filter;
        button.dataset.value = entry.value;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        if (entry.aliases.length) button.title = `Also: ${entry.aliases.join(", ")}`;
        const bar = el("span", "facet-bar");
        bar.style.width = `${((Number(entry.count) || 0) / max) * 100}%`;
        button.prepend(bar);
        button.addEventListener("click", () => toggleFilter(filter, entry.value));
        return el("li", null, button);
      }),
    );
    if (entries.length > FACET_SHOWN) {
      const more = el("button", "link more", all ? "Fewer" : `${entries.length - FACET_SHOWN} more`);
      more.type = "button";
      more.addEventListener("click", () => {
        if (expanded.has(section)) expanded.delete(section);
        else expanded.add(section);
        renderFacet(section, filter, entries.filter((e) => e.count !== null));
      });
      ul.append(el("li", null, more));
    }
    box.hidden = items.length === 0;
  }

  function toggleFilter(filter, value) {
    const values = state[filter];
    const on = values.some((v) => v.toLowerCase() === value.toLowerCase());
    const next = withChanges(state, {});
    next[filter] = on ? values.filter((v) => v.toLowerCase() !== value.toLowerCase()) : [...values, value];
    navigate(next);
  }

  function setDates(from, to) {
    navigate(withChanges(state, { from, to }));
  }

  // ---- The date histogram -------------------------------------------------------------

  let histogram = { buckets: [], interval: "month", unknown: 0 };

  /**
   * Bars over the results' publication dates. With a range in force the bars span that
   * range, so a click or drag narrows it further; "All dates" widens it again.
   */
  function renderHistogram(dates) {
    const interval = histogramInterval(state);
    const buckets = dates.filter((d) => d && d.key !== "unknown").map((d) => ({ key: str(d.key), count: Number(d.count) || 0 }));
    const unknown = dates.filter((d) => d && d.key === "unknown").reduce((n, d) => n + (Number(d.count) || 0), 0);
    histogram = { buckets, interval, unknown };
    const max = Math.max(1, ...buckets.map((b) => b.count));
    ui.histogram.replaceChildren(
      ...buckets.map((bucket, index) => {
        const [from, to] = bucketRange(bucket.key, interval);
        const button = el("button", "bucket");
        button.type = "button";
        button.dataset.index = String(index);
        button.title = `${rangeLabel(from, to)}: ${numbers.format(bucket.count)} article${bucket.count === 1 ? "" : "s"}`;
        button.setAttribute("aria-label", button.title);
        const bar = el("span", "bucket-bar");
        bar.style.height = bucket.count ? `${Math.max(4, (bucket.count / max) * 100)}%` : "0";
        button.append(bar);
        if (bucket.count === 0) button.classList.add("empty");
        return button;
      }),
    );
    // Few bars keep a bar's width rather than stretching across the page.
    const width = buckets.length ? `${buckets.length * BAR_MAX_WIDTH}px` : "";
    ui.histogram.style.maxWidth = width;
    ui.axis.style.maxWidth = width;
    const [first, last] = [buckets[0], buckets[buckets.length - 1]];
    ui.axis.replaceChildren(el("span", null, first ? first.key : ""), el("span", null, last && last !== first ? last.key : ""));
    ui.undated.textContent = unknown ? `${numbers.format(unknown)} undated` : "";
    ui.range.textContent = rangeLabel(state.from, state.to);
    ui.clearDates.hidden = !(state.from || state.to);
  }

  /** A click on a bar or a drag across bars sets the date range. */
  function bucketAt(clientX) {
    const rect = ui.histogram.getBoundingClientRect();
    const n = histogram.buckets.length;
    if (n === 0 || rect.width === 0) return -1;
    return Math.min(n - 1, Math.max(0, Math.floor(((clientX - rect.left) / rect.width) * n)));
  }

  let drag = null;

  function paintDrag() {
    const [lo, hi] = drag ? [Math.min(drag.start, drag.end), Math.max(drag.start, drag.end)] : [-1, -1];
    for (const button of ui.histogram.children) {
      const i = Number(button.dataset.index);
      button.classList.toggle("dragging", i >= lo && i <= hi);
    }
  }

  ui.histogram.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    const index = bucketAt(event.clientX);
    if (index < 0) return;
    event.preventDefault();
    drag = { start: index, end: index, pointer: event.pointerId };
    ui.histogram.setPointerCapture(event.pointerId);
    paintDrag();
  });
  ui.histogram.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const index = bucketAt(event.clientX);
    if (index >= 0 && index !== drag.end) {
      drag.end = index;
      paintDrag();
    }
  });
  ui.histogram.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const { start, end } = drag;
    drag = null;
    paintDrag();
    chooseBuckets(Math.min(start, end), Math.max(start, end));
  });
  ui.histogram.addEventListener("pointercancel", () => {
    drag = null;
    paintDrag();
  });
  // Keyboard users press a bar (Enter or Space); a pointer click arrives as pointerup.
  ui.histogram.addEventListener("click", (event) => {
    if (event.detail !== 0) return;
    const button = event.target.closest(".bucket");
    if (!button) return;
    const index = Number(button.dataset.index);
    chooseBuckets(index, index);
  });

  function chooseBuckets(lo, hi) {
    const { buckets, interval } = histogram;
    if (!buckets[lo] || !buckets[hi]) return;
    const from = bucketRange(buckets[lo].key, interval)[0];
    const to = bucketRange(buckets[hi].key, interval)[1];
    // Clicking the one bar already chosen clears the range.
    if (from === state.from && to === state.to) setDates("", "");
    else setDates(from, to);
  }

  // ---- The article view ---------------------------------------------------------------

  /** The passages of this article that the results showed, with their highlights. */
  function matchedPassages(id) {
    const found = new Map();
    for (const [url, doc] of cache) {
      if (!url.startsWith("/api/search?")) continue;
      for (const result of list(doc.results)) {
        if (result.article_id === id && !found.has(result.passage_index)) found.set(result.passage_index, result);
      }
    }
    return found;
  }

  /** Shows an article once it and the results (whose highlights it borrows) are in. */
  async function showArticle(id, signal, searched) {
    let doc;
    try {
      doc = await getJson(`/api/articles/${encodeURIComponent(id)}`, signal);
    } catch (error) {
      if (error.name === "AbortError") return;
      ui.article.replaceChildren(backLink(), el("p", "error-text", error.status === 404 ? "This article is no longer in the index." : str(error.message)));
      return;
    }
    await searched;
    if (signal.aborted || state.article !== id) return;
    renderArticle(doc);
  }

  function backLink() {
    const target = { ...state, article: "" };
    const a = el("a", "back", "← Results");
    a.href = pageUrl(target);
    a.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey) return;
      event.preventDefault();
      closeArticle();
    });
    return el("p", "back-line", a);
  }

  function closeArticle() {
    if (history.state && history.state.fromResults) history.back();
    else navigate({ ...state, article: "" });
  }

  function renderArticle(doc) {
    const id = str(doc.article_id);
    const extras = [];
    if (doc.author) extras.push(el("span", "author", `By ${str(doc.author)}`));
    const view = [backLink(), metaLine(doc.source, doc.date, extras), el("h1", "article-title", str(doc.title) || "Untitled")];

    const facts = el("dl", "facts");
    const fact = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      facts.append(el("dt", null, label), el("dd", null, value));
    };
    if (doc.url) fact("URL", externalLink(doc.url));
    fact("File", str(doc.path) + (doc.record !== null && doc.record !== undefined ? ` (record ${str(doc.record)})` : ""));
    if (doc.date) fact("Date from", str(doc.date_source) || "unknown");
    fact("Id", id + (doc.external_id ? ` · own id ${str(doc.external_id)}` : ""));
    view.push(facts);

    const body = el("div", "article-body");
    const matched = matchedPassages(id);
    list(doc.passages).forEach((passage, index) => {
      const text = str(passage);
      const snippet = matched.get(index);
      const p = el("p", snippet ? "matched" : null, snippet ? highlighted(text, snippetOnPassage(text, snippet)) : text);
      body.append(p);
    });

    const side = el("aside", "article-side");
    const story = doc.story && typeof doc.story === "object" ? doc.story : null;
    if (story) {
      const others = list(story.articles).filter((o) => o && typeof o === "object" && o.article_id !== id);
      if (others.length) {
        const ul = el("ul", "story-others");
        for (const other of others) {
          ul.append(el("li", null, el("span", "source", str(other.source) || "Unknown source"), " ", articleLink(other.article_id, str(other.title) || "Untitled"), " ", el("time", "date", formatDate(other.date))));
        }
        side.append(el("section", "side-section", el("h2", null, "Same story"), ul));
      }
    }
    for (const kind of ["person", "org", "place"]) {
      const entities = list(doc.entities).filter((e) => e && e.kind === kind);
      if (!entities.length) continue;
      const ul = el("ul", "entities");
      for (const entity of entities) {
        const name = str(entity.name);
        const button = el("button", "link entity", name);
        button.type = "button";
        button.title = `Show articles that mention ${name}`;
        button.addEventListener("click", () => {
          const next = withChanges(state, {});
          if (!next[kind].some((v) => v.toLowerCase() === name.toLowerCase())) next[kind].push(name);
          navigate(next);
        });
        const mentions = [...new Set(list(entity.mentions).map(str))];
        ul.append(el("li", null, button, el("span", "mentions", mentions.map((m) => `“${m}”`).join(" "))));
      }
      side.append(el("section", "side-section", el("h2", null, KIND_TITLES[kind]), ul));
    }
    const dates = list(doc.mentioned_dates);
    if (dates.length) {
      const ul = el("ul", "mentioned");
      for (const date of dates) {
        const shown = date.granularity === "month" ? str(date.date).slice(0, 7) : str(date.date);
        ul.append(el("li", null, el("time", "date", shown), " ", el("span", "mentions", `“${str(date.text)}”`)));
      }
      side.append(el("section", "side-section", el("h2", null, "Dates mentioned"), ul));
    }
    view.push(el("div", "article-grid", body, side));
    ui.article.replaceChildren(...view);
    document.title = `${str(doc.title) || "Article"} – newsearch`;
  }

  /**
   * A result's snippet is a piece of the passage (perhaps with an ellipsis at either
   * end); its highlights, moved to where that piece sits in the whole passage.
   */
  function snippetOnPassage(passage, snippet) {
    const chars = Array.from(str(snippet.text));
    let lead = 0;
    let trail = chars.length;
    while (lead < trail && (chars[lead] === "…" || chars[lead] === " ")) lead++;
    while (trail > lead && (chars[trail - 1] === "…" || chars[trail - 1] === " ")) trail--;
    const core = chars.slice(lead, trail).join("");
    if (!core) return [];
    const at = passage.indexOf(core);
    if (at < 0) return [];
    const shift = Array.from(passage.slice(0, at)).length - lead;
    return list(snippet.highlights).filter((r) => Array.isArray(r)).map((r) => [r[0] + shift, r[1] + shift]);
  }

  // ---- One update of the whole view ---------------------------------------------------

  let controller = null;
  let loadingTimer = 0;

  async function update(keystrokeAt) {
    if (controller) controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    const st = state;
    syncControls();
    showError("");
    let searchDone = () => {};
    const searched = new Promise((resolve) => {
      searchDone = resolve;
    });
    signal.addEventListener("abort", searchDone);
    const reading = Boolean(st.article);
    ui.article.hidden = !reading;
    ui.main.classList.toggle("reading", reading);
    if (reading) {
      if (ui.article.dataset.id !== st.article) {
        ui.article.dataset.id = st.article;
        ui.article.replaceChildren(el("p", "loading-text", "Loading the article…"));
        window.scrollTo(0, 0);
      }
      showArticle(st.article, signal, searched);
    } else {
      delete ui.article.dataset.id;
    }
    ui.main.setAttribute("aria-busy", "true");
    await ready;
    if (signal.aborted) return;
    clearTimeout(loadingTimer);
    loadingTimer = setTimeout(() => ui.main.classList.add("loading"), 150);

    // The counts are asked for once the results are in: on two cores they would slow the
    // results down, and a keystroke that follows soon spares the server them altogether.
    const countFacets = () =>
      getJson(facetsUrl(st), signal).then(
        (doc) => {
          if (state === st) renderFacets(doc);
        },
        () => {},
      );

    if (!wantsResults(st)) {
      searchDone();
      ui.main.classList.remove("stale");
      ui.results.replaceChildren();
      ui.pager.replaceChildren();
      ui.help.hidden = false;
      setStatus("");
      await countFacets();
      finish(st);
      return;
    }
    ui.help.hidden = true;
    try {
      const doc = await getJson(searchUrl(st), signal);
      if (state !== st) return;
      renderResults(doc);
      if (keystrokeAt !== undefined) markKeystroke(keystrokeAt);
      ui.main.classList.remove("stale");
    } catch (error) {
      if (error.name === "AbortError" || state !== st) return;
      // The last good results stay, dimmed, while a query is half typed ("ground att).
      ui.main.classList.add("stale");
      showError(error.status === 400 ? `Cannot read this query: ${error.message}` : `The search failed: ${error.message}`);
    }
    searchDone();
    await countFacets();
    finish(st);
  }

  /** The view is complete: results and counts alike (tests wait for `aria-busy`). */
  function finish(st) {
    if (state !== st) return;
    clearTimeout(loadingTimer);
    ui.main.classList.remove("loading");
    ui.main.setAttribute("aria-busy", "false");
  }

  /** Records how long a keystroke took to reach the screen (read by the benchmarks). */
  function markKeystroke(keystrokeAt) {
    requestAnimationFrame(() => {
      setTimeout(() => {
        performance.measure("newsearch:keystroke-to-results", { start: keystrokeAt, end: performance.now() });
      }, 0);
    });
  }

  // ---- Events -------------------------------------------------------------------------

  ui.q.addEventListener("input", (event) => {
    typed(ui.q.value, event.timeStamp);
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    typing = false;
    if (ui.q.value !== state.q) navigate(withChanges(state, { q: ui.q.value }));
  });
  ui.sort.addEventListener("change", () => navigate(withChanges(state, { sort: ui.sort.value })));
  ui.clearFilters.addEventListener("click", () => {
    const next = withChanges(state, { from: "", to: "" });
    for (const key of LIST_FILTERS) next[key] = [];
    navigate(next);
  });
  ui.clearDates.addEventListener("click", () => setDates("", ""));
  $("home").addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    navigate(emptyState());
    ui.q.focus();
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const editing = target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
    if (event.key === "/" && !editing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      ui.q.focus();
      ui.q.select();
    } else if (event.key === "Escape" && state.article && !editing) {
      closeArticle();
    }
  });

  window.addEventListener("popstate", () => {
    typing = false;
    state = readState(location.search);
    ui.q.value = state.q;
    update();
  });

  ui.q.value = state.q;
  history.replaceState({ newsearch: true, fromResults: false }, "", pageUrl(state));
  update();
  if (!state.article) ui.q.focus();
})();
