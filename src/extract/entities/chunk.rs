//! First pass over a text: capitalised spans ("chunks") are cut at titles and roles and
//! classified by the gazetteer, organisation suffixes, given names and cue words. What
//! one span cannot settle alone (a lone capitalised word, an acronym, a two-word span
//! without a cue) is kept for the second pass, which knows every name the article gives.

use std::num::NonZeroUsize;

use super::entity::EntityKind;
use super::gazetteer::{gazetteer, Entry};
use super::lexicon::{lexicon, LEGAL_SUFFIXES};
use super::tokens::{Shape, Token, Tokens};

/// A mention the first pass is sure of.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub kind: EntityKind,
    /// The normalised name (the gazetteer's canonical name for places and known orgs).
    pub name: String,
    /// Token range of the name.
    pub first: usize,
    pub end: usize,
    /// Role words that announced a person ("president", "mr").
    pub roles: Vec<String>,
    /// A country named inside an organisation's name ("U.S." in "U.S. Agriculture
    /// Department"): a mention of its own that overlaps the organisation's.
    pub nested: bool,
}

/// What the first pass leaves to the second.
#[derive(Clone, Debug)]
pub(crate) enum Pending {
    /// One capitalised word; `place` is its gazetteer entry when it names a place.
    Single { tok: usize, place: Option<usize> },
    /// Several capitalised words with no cue ("Riyad Mansour" without a role).
    Multi { first: usize, end: usize },
    /// A word in capitals inside ordinary text ("EEP", "ICO").
    Acronym { tok: usize },
}

#[derive(Debug, Default)]
pub(crate) struct Pass1 {
    pub found: Vec<Found>,
    pub pending: Vec<Pending>,
}

/// A gazetteer match aligned to tokens.
#[derive(Clone, Copy, Debug)]
struct TokHit {
    end: usize,
    entry: usize,
}

/// A [`TokHit`] as kept for each token: its end is never 0, so that `Option` of it takes
/// no more room than the hit itself.
#[derive(Clone, Copy, Debug)]
struct KeptHit {
    end: NonZeroUsize,
    entry: usize,
}

struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Token],
    /// Gazetteer match starting at each token, if any.
    hits: Vec<Option<KeptHit>>,
    out: Pass1,
}

/// Runs the first pass over `text`, already tokenised.
pub(crate) fn first_pass(text: &str, tokens: &Tokens) -> Pass1 {
    let toks = &tokens.tokens;
    let mut scanner = Scanner {
        text,
        toks,
        hits: align_hits(text, toks),
        out: Pass1::default(),
    };
    for para in &tokens.paragraphs {
        if para.headline {
            scanner.headline(para.first, para.end);
        } else {
            scanner.paragraph(para.first, para.end);
        }
    }
    scanner.out
}

fn align_hits(text: &str, toks: &[Token]) -> Vec<Option<KeptHit>> {
    let mut hits = vec![None; toks.len()];
    let g = gazetteer();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let Some(hit) = t
            .is_capitalised()
            .then(|| g.match_at(text, t.start))
            .flatten()
        else {
            i += 1;
            continue;
        };
        let last = (i..toks.len())
            .take_while(|&k| toks[k].start < hit.end && toks[k].para == t.para)
            .last()
            .filter(|&k| toks[k].end == hit.end);
        match last {
            Some(last) => {
                hits[i] = NonZeroUsize::new(last + 1).map(|end| KeptHit {
                    end,
                    entry: hit.entry,
                });
                i = last + 1;
            }
            None => i += 1,
        }
    }
    hits
}

/// Joins the text of tokens `first..end` with single spaces.
pub(crate) fn span_text(text: &str, toks: &[Token], first: usize, end: usize) -> String {
    let raw = &text[toks[first].start..toks[end - 1].end];
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// An initial such as "A." or "J.".
pub(crate) fn is_initial(text: &str, tok: &Token) -> bool {
    let raw = &text[tok.start..tok.end];
    raw.len() <= 3 && raw.ends_with('.') && tok.key.char_count() == 1 && tok.shape == Shape::Cap
}

impl Scanner<'_> {
    /// A gazetteer match at `i` whose case fits ordinary text.
    fn hit(&self, i: usize, headline: bool) -> Option<(TokHit, &'static Entry)> {
        let hit = self.hits.get(i).copied().flatten().map(|h| TokHit {
            end: h.end.get(),
            entry: h.entry,
        })?;
        let entry = gazetteer().entry(hit.entry);
        let raw = &self.text[self.toks[i].start..self.toks[hit.end - 1].end];
        let ok = if headline {
            !(entry.weak || entry.acronym && entry.common && !raw.contains('.'))
        } else if entry.acronym {
            !raw.chars().any(char::is_lowercase)
        } else {
            self.toks[i..hit.end].iter().all(|t| {
                t.is_capitalised()
                    || !t.is_word()
                    || (t.shape == Shape::Lower && lexicon().is_connector(&t.key))
                    || t.key.contains(|c: char| c.is_uppercase())
            }) && self.toks[i].is_capitalised()
        };
        ok.then_some((hit, entry))
    }

    /// Headline text: company names ending with a legal suffix ("OHIO EDISON CO") and
    /// gazetteer matches count here; names the article gives elsewhere are found by the
    /// second pass.
    fn headline(&mut self, first: usize, end: usize) {
        let lex = lexicon();
        let mut taken = vec![false; end - first];
        let mut run_start: Option<usize> = None;
        for i in first..end {
            let t = &self.toks[i];
            let joins = matches!(t.key.as_ref(), "and" | "&" | "of")
                && run_start.is_some_and(|s| i - s <= 3);
            let breaks = !t.is_word()
                || t.shape == Shape::Lower
                || lex.is_function_word(&t.key)
                || lex.is_headline_verb(&t.key)
                || lex.is_not_name_word(&t.key);
            if joins {
                continue;
            }
            if breaks {
                run_start = None;
                continue;
            }
            let start = *run_start.get_or_insert(i);
            if i > start && LEGAL_SUFFIXES.contains(&t.key.as_ref()) {
                let words: Vec<String> = (start..=i)
                    .map(|k| title_case(&self.text[self.toks[k].start..self.toks[k].end]))
                    .collect();
                self.found(
                    EntityKind::Org,
                    org_name(&words.join(" ")),
                    start,
                    i + 1,
                    Vec::new(),
                );
                taken[start - first..=i - first]
                    .iter_mut()
                    .for_each(|x| *x = true);
                run_start = None;
            } else if t.possessive {
                run_start = None;
            }
        }
        let mut i = first;
        while i < end {
            // A town's name opens many company headlines ("BURLINGTON COAT FACTORY"): in
            // capitals a town needs a preposition ("IN BURLINGTON") unless well known.
            let located = (first..i)
                .rev()
                .find(|&k| self.toks[k].is_word())
                .is_some_and(|k| lex.is_locative(&self.toks[k].key));
            match self.hit(i, true) {
                Some((_, entry)) if entry.city && !entry.major && !located => i += 1,
                Some((hit, entry))
                    if !taken[i - first..hit.end.min(end) - first]
                        .iter()
                        .any(|&x| x) =>
                {
                    self.found(entry.kind, entry.canonical.clone(), i, hit.end, Vec::new());
                    i = hit.end;
                }
                _ => i += 1,
            }
        }
    }

    fn paragraph(&mut self, first: usize, end: usize) {
        let mut i = first;
        while i < end {
            if !self.toks[i].is_capitalised() {
                i += 1;
                continue;
            }
            let chunk_end = self.chunk_end(i, end);
            self.classify(i, chunk_end);
            i = chunk_end.max(i + 1);
        }
    }

    /// The end of the capitalised span starting at `i`.
    fn chunk_end(&self, i: usize, para_end: usize) -> usize {
        let lex = lexicon();
        let toks = self.toks;
        let mut last = i;
        let mut j = i + 1;
        if !toks[i].possessive {
            while j < para_end {
                let t = &toks[j];
                if t.sent_start {
                    break;
                }
                if t.is_capitalised() {
                    last = j;
                    j += 1;
                    if t.possessive {
                        break;
                    }
                    continue;
                }
                let joins = (t.shape == Shape::Lower && lex.is_connector(&t.key))
                    || (t.shape == Shape::Punct && t.key == "&");
                let next_cap = toks.get(j + 1).is_some_and(|n| {
                    n.is_capitalised()
                        && !n.sent_start
                        && !lex.is_month(&n.key)
                        && !lex.is_not_name(&n.key)
                        && !lex.is_filler(&n.key)
                });
                let after_of = j > i && matches!(toks[j - 1].key.as_ref(), "of" | "for");
                let joins = joins && (t.key != "the" || after_of);
                if joins && next_cap {
                    if matches!(t.key.as_ref(), "and" | "&") && !self.and_joins(i, j, para_end) {
                        break;
                    }
                    j += 1;
                    continue;
                }
                break;
            }
        }
        let mut end = last + 1;
        // A gazetteer name that runs past the span ("Trinidad and Tobago").
        let mut k = i;
        while k < end {
            if let Some((hit, _)) = self.hit(k, false) {
                end = end.max(hit.end.min(para_end));
                k = hit.end;
            } else {
                k += 1;
            }
        }
        end
    }

    /// "and" joins two capitalised runs only into a company's name ("Procter and Gamble
    /// Co", "Hondo Oil and Gas Co"): one to three words before it that hold no legal form
    /// and are no person's full name, a short run ending with a legal form after it. Never
    /// two names ("Israel and Hamas", "Paul Volcker and International Monetary Fund").
    fn and_joins(&self, start: usize, and: usize, para_end: usize) -> bool {
        let lex = lexicon();
        let left: Vec<&Token> = self.toks[start..and]
            .iter()
            .filter(|t| t.is_capitalised())
            .collect();
        let person_first = left.len() >= 2 && lex.is_given(&left[0].key);
        if left.is_empty()
            || left.len() > 3
            || left
                .iter()
                .any(|t| LEGAL_SUFFIXES.contains(&t.key.as_ref()) || lex.is_role_word(&t.key))
            || person_first
            || self.hit(start, false).is_some()
        {
            return false;
        }
        let mut j = and + 1;
        let mut last = None;
        while j < para_end && j <= and + 4 && self.toks[j].is_capitalised() {
            last = Some(j);
            if self.toks[j].possessive {
                break;
            }
            j += 1;
        }
        last.is_some_and(|l| {
            let key = self.toks[l].key.as_ref();
            LEGAL_SUFFIXES.contains(&key) || matches!(key, "group" | "bank" | "trust" | "company")
        })
    }

    fn found(
        &mut self,
        kind: EntityKind,
        name: String,
        first: usize,
        end: usize,
        roles: Vec<String>,
    ) {
        if name.is_empty() {
            return;
        }
        self.out.found.push(Found {
            kind,
            name,
            first,
            end,
            roles,
            nested: false,
        });
    }

    /// Countries named inside an organisation's or another name ("U.S." in
    /// "U.S. Agriculture Department", "Japan" in "Bank of Japan"): mentions of their own.
    fn nested_regions(&mut self, first: usize, end: usize) {
        let mut k = first;
        while k < end {
            let mut step = 1;
            for n in (1..=3).rev() {
                if k + n > end || !self.toks[k..k + n].iter().all(Token::is_capitalised) {
                    continue;
                }
                let raw = &self.text[self.toks[k].start..self.toks[k + n - 1].end];
                let after_new = k > first && self.toks[k - 1].key == "new";
                let Some(entry) = gazetteer().country(raw).filter(|_| !after_new) else {
                    continue;
                };
                if entry.acronym && raw.chars().any(char::is_lowercase) {
                    continue;
                }
                let canonical = entry.canonical.clone();
                self.found(EntityKind::Place, canonical, k, k + n, Vec::new());
                if let Some(place) = self.out.found.last_mut() {
                    place.nested = true;
                }
                step = n;
                break;
            }
            k += step;
        }
    }

    /// A lower-case role word right before the span ("spokesman John Kirby").
    fn role_before(&self, first: usize) -> Option<String> {
        let prev = first.checked_sub(1).map(|p| &self.toks[p])?;
        (prev.shape == Shape::Lower && lexicon().is_person_cue_before(&prev.key))
            .then(|| prev.key.to_string())
    }

    /// A title or role starting at `pos` ("Prime Minister", "Secretary of State",
    /// "Major General"): its end and its head words.
    fn role_run(&self, pos: usize, end: usize) -> Option<(usize, Vec<String>)> {
        let mut heads = Vec::new();
        let run_end = self.role_run_with(pos, end, |head| heads.push(head.to_string()))?;
        Some((run_end, heads))
    }

    /// The end of the title or role starting at `pos`, as [`Self::role_run`] finds it.
    fn role_run_end(&self, pos: usize, end: usize) -> Option<usize> {
        self.role_run_with(pos, end, |_| {})
    }

    /// [`Self::role_run`], handing each head word to `head` rather than collecting them.
    fn role_run_with(&self, pos: usize, end: usize, mut head: impl FnMut(&str)) -> Option<usize> {
        let lex = lexicon();
        let toks = self.toks;
        let mut j = pos;
        let mut last = pos;
        let mut any_head = false;
        let mut all_ambiguous = true;
        while j < end {
            let t = &toks[j];
            let key = &t.key;
            if t.is_capitalised() && lex.is_role_head(key) {
                any_head = true;
                all_ambiguous &= lex.is_ambiguous_head(key);
                head(key.as_str());
            } else if t.is_capitalised() && lex.is_role_modifier(key) {
            } else if j > pos
                && t.shape == Shape::Lower
                && matches!(key.as_str(), "of" | "for" | "the" | "and")
                && toks.get(j + 1).is_some_and(|n| {
                    n.key == "the" || (n.is_capitalised() && lex.is_role_word(&n.key))
                })
            {
                j += 1;
                continue;
            } else {
                break;
            }
            last = j;
            j += 1;
            if t.possessive {
                break;
            }
        }
        if !any_head {
            return None;
        }
        let run_end = last + 1;
        if all_ambiguous {
            let named = run_end < end
                && (self.is_name_token(run_end, false) || lex.is_given(&toks[run_end].key));
            if !named || self.is_suffix_run(run_end, end) {
                return None;
            }
        }
        Some(run_end)
    }

    /// The next index after `pos` where a role starts, else `end`.
    fn next_role(&self, pos: usize, end: usize) -> usize {
        (pos + 1..end)
            .find(|&k| self.toks[k].is_capitalised() && self.role_run_end(k, end).is_some())
            .unwrap_or(end)
    }

    /// Whether `from..end` holds only organisation suffix words ("Department").
    fn is_suffix_run(&self, from: usize, end: usize) -> bool {
        let lex = lexicon();
        from < end
            && self.toks[from..end]
                .iter()
                .all(|t| !t.is_word() || lex.is_org_suffix(&t.key) || lex.is_connector(&t.key))
    }

    /// An organisation spanning `pos..stop`: ends with a suffix after a name ("Cargill
    /// Inc", "Israel Defense Forces"), or reads "Bank of England". Returns its end.
    fn org_span(&self, pos: usize, stop: usize) -> Option<usize> {
        let lex = lexicon();
        let toks = self.toks;
        let mut end = stop;
        while end > pos && !toks[end - 1].is_capitalised() {
            end -= 1;
        }
        if end <= pos + 1 {
            return None;
        }
        if let Some(role_end) = self.role_run_end(pos, end) {
            let mut rest = role_end;
            while rest < end && toks[rest].shape == Shape::Lower {
                rest += 1;
            }
            // "Chairman of the Federal Reserve Board": a role, then an organisation.
            // "Queen Elizabeth College": an organisation named after a person.
            let named_after = rest == role_end && end - rest <= 3;
            if rest < end && !self.is_suffix_run(rest, end) && !named_after {
                return None;
            }
        }
        let last = &toks[end - 1];
        // In capitals only a legal form marks a company ("BRAZIL SOYBEAN OIL" is no name).
        let all_caps = toks[pos..end].iter().all(|t| t.shape != Shape::Cap);
        if all_caps && !LEGAL_SUFFIXES.contains(&last.key.as_ref()) {
            return None;
        }
        let named_before = toks[pos..end - 1].iter().any(|t| {
            t.is_capitalised() && !lex.is_org_suffix(&t.key) && !lex.is_function_word(&t.key)
        }) || toks[pos..end - 1].iter().any(|t| t.shape == Shape::Upper);
        if lex.is_org_suffix(&last.key) && named_before {
            return Some(end);
        }
        let head = (pos..end.saturating_sub(2)).find(|&k| {
            toks[k].is_capitalised()
                && lex.is_org_head_of(&toks[k].key)
                && matches!(toks[k + 1].key.as_ref(), "of" | "for" | "on")
                && toks[k + 1].shape == Shape::Lower
                && toks[k + 2..end].iter().any(Token::is_capitalised)
        })?;
        // "Bank of England Robin Leigh-Pemberton": the name ends where a person begins.
        let mut org_end = end;
        for j in head + 3..end {
            if self.person_by_given(j, end).is_some() {
                org_end = j;
                break;
            }
        }
        while org_end > head + 2 && !toks[org_end - 1].is_capitalised() {
            org_end -= 1;
        }
        (org_end > head + 2).then_some(org_end)
    }

    /// Words never names on their own at `pos`: function words, days, demonyms, a
    /// sentence's first word when it is a common English word.
    fn is_junk(&self, pos: usize, end: usize, cued: bool) -> bool {
        let lex = lexicon();
        let t = &self.toks[pos];
        let key = &t.key;
        if !t.is_word() || t.shape == Shape::Lower {
            return true;
        }
        if is_initial(self.text, t) {
            return false;
        }
        if key.char_count() == 1 || lex.is_function_word(key) || lex.is_not_name(key) {
            return true;
        }
        if lex.is_month(key) && !cued {
            return true;
        }
        t.sent_start
            && pos + 1 < end
            && lex.is_common(key)
            && !lex.is_given(key)
            && !lex.is_surname(key)
    }

    fn is_name_token(&self, i: usize, lenient: bool) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| name_like(self.text, t, lenient))
    }

    /// The end of a run of name-like words from `pos`: stops at roles, function words,
    /// acronyms and (outside a person context) at gazetteer names.
    fn name_run_end(&self, pos: usize, end: usize, person: bool) -> usize {
        let lex = lexicon();
        let toks = self.toks;
        let mut last = pos;
        let mut j = pos;
        while j < end {
            let t = &toks[j];
            if j > pos {
                if !t.is_word() {
                    break;
                }
                if t.shape == Shape::Lower {
                    let next_cap =
                        toks.get(j + 1).is_some_and(Token::is_capitalised) && j + 1 < end;
                    if lex.is_connector(&t.key)
                        && next_cap
                        && !matches!(t.key.as_ref(), "and" | "of" | "for" | "the" | "on")
                    {
                        j += 1;
                        continue;
                    }
                    break;
                }
                if t.shape == Shape::Upper && !is_initial(self.text, t) {
                    break;
                }
                let at_end = j + 1 == end;
                if self.role_run_end(j, end).is_some() && !(person && at_end) {
                    break;
                }
                if lex.is_function_word(&t.key) || lex.is_not_name(&t.key) {
                    break;
                }
                if lex.is_month(&t.key) && !person {
                    break;
                }
                // A company's one-word name after a first name is a surname ("Keikichi
                // Honda", "Roy Disney").
                let surname = j == pos + 1
                    && self.hit(j, false).is_some_and(|(h, e)| {
                        e.kind == EntityKind::Org && h.end == j + 1 && !e.acronym
                    });
                if !person && !surname && self.hit(j, false).is_some() {
                    break;
                }
            }
            last = j;
            j += 1;
            if t.possessive {
                break;
            }
        }
        last + 1
    }

    /// A person named by a given name ("Joe Biden", "Jake Sullivan", "Theresa May").
    fn person_by_given(&self, pos: usize, end: usize) -> Option<usize> {
        let lex = lexicon();
        let t = &self.toks[pos];
        let key = &t.key;
        if t.shape != Shape::Cap
            || !lex.is_given(key)
            || lex.is_function_word(key)
            || lex.is_not_name(key)
            || lex.is_month(key)
            || lex.is_role_word(key)
        {
            return None;
        }
        // "China Daily", "Jordan Valley": a country, then a word, names something else.
        let country = self
            .hit(pos, false)
            .is_some_and(|(h, e)| e.country && h.end == pos + 1);
        if country
            && self
                .toks
                .get(pos + 1)
                .is_some_and(|n| lex.is_common(&n.key))
        {
            return None;
        }
        let run_end = self.name_run_end(pos, end, true);
        let names: Vec<usize> = (pos..run_end)
            .filter(|&k| self.toks[k].shape != Shape::Lower)
            .collect();
        if names.len() < 2 || names.len() > 5 {
            return None;
        }
        let last = *names.last()?;
        let last_key = &self.toks[last].key;
        if lex.is_place_suffix(last_key)
            || lex.is_org_suffix(last_key)
            || lex.is_event_suffix(last_key)
        {
            return None;
        }
        // "Val Verde counties", "Dean Witter unit": the name of a place or a company.
        let after = self.toks.get(run_end).filter(|t| t.shape == Shape::Lower);
        if after.is_some_and(|t| {
            lex.is_place_suffix(&t.key)
                || lex.is_org_suffix(&t.key)
                || matches!(
                    t.key.as_ref(),
                    "counties" | "cars" | "models" | "shares" | "stock"
                )
        }) {
            return None;
        }
        let ok = names[1..].iter().all(|&k| {
            self.is_name_token(k, false)
                || (k == last
                    && lex.is_month(&self.toks[k].key)
                    && lex.is_surname(&self.toks[k].key))
        });
        ok.then_some(run_end)
    }

    /// Whether a capitalised word at `i` continues a name past a gazetteer match
    /// ("Washington Post", "China Daily").
    fn continues_name(&self, i: usize, end: usize) -> bool {
        let lex = lexicon();
        i < end
            && !self.toks[i - 1].possessive
            && self.toks[i].shape == Shape::Cap
            && !self.toks[i].sent_start
            && !lex.is_not_name(&self.toks[i].key)
            && !lex.is_month(&self.toks[i].key)
            && self.role_run_end(i, end).is_none()
            && self.hit(i, false).is_none()
    }

    fn person_name(&self, first: usize, end: usize) -> String {
        span_text(self.text, self.toks, first, end)
            .trim_end_matches([',', ';'])
            .to_string()
    }

    /// Classifies the chunk `first..end`.
    fn classify(&mut self, first: usize, end: usize) {
        let lex = lexicon();
        let mut roles: Vec<String> = self.role_before(first).into_iter().collect();
        let mut pos = first;
        while pos < end {
            let t = &self.toks[pos];
            if t.shape == Shape::Lower || !t.is_word() {
                // "Minister for Work Jane Kennedy", "Ambassador for Tennis": what follows
                // "for" is a portfolio, not the name the role announces.
                if t.key == "for" {
                    roles.clear();
                }
                pos += 1;
                continue;
            }
            let cued = !roles.is_empty();
            // 1. An organisation: "Federal Reserve Board", "Bank of England".
            let stop = self.next_role(pos, end);
            let gazetteer_claims =
                |org_end: usize| self.hit(pos, false).is_some_and(|(h, _)| h.end >= org_end);
            if let Some(org_end) = self.org_span(pos, stop).filter(|&e| !gazetteer_claims(e)) {
                let mut start = pos;
                while start < org_end
                    && self.toks[start].shape == Shape::Cap
                    && lex.is_filler(&self.toks[start].key)
                {
                    start += 1;
                }
                if start < org_end {
                    let name = org_name(&span_text(self.text, self.toks, start, org_end));
                    self.found(EntityKind::Org, name, start, org_end, Vec::new());
                    self.nested_regions(start, org_end);
                }
                pos = org_end;
                roles.clear();
                continue;
            }
            // 2. A person by a given name: "Joe Biden" (a gazetteer name of several words,
            // "Hong Kong", "Costa Rica", wins).
            let long_hit = self.hit(pos, false).is_some_and(|(h, _)| h.end > pos + 1);
            if !cued && !long_hit {
                if let Some(person_end) = self.person_by_given(pos, end) {
                    let name = self.person_name(pos, person_end);
                    self.found(EntityKind::Person, name, pos, person_end, Vec::new());
                    pos = person_end;
                    continue;
                }
            }
            // 3. A gazetteer name: "US", "White House", "Rafah" (not "Wales" in "New South
            // Wales" when the longer name is unknown).
            let before = |k: usize| (k > first).then(|| self.toks[k - 1].key.as_ref());
            let after_new = before(pos) == Some("new")
                || (matches!(before(pos), Some("south" | "north" | "west" | "east"))
                    && before(pos - 1) == Some("new"));
            // "Wells Fargo": a place name glued to a name before it is part of that name.
            let glued = pos > first && {
                let prev = &self.toks[pos - 1];
                prev.shape == Shape::Cap
                    && !prev.possessive
                    && !lex.is_filler(&prev.key)
                    && !lex.is_not_name(&prev.key)
                    && !lex.is_role_word(&prev.key)
                    && (pos - 1 == first || !self.toks[pos - 2].is_capitalised())
            };
            // "the Uruguay round" names trade talks, not the place.
            let names_talks = self
                .toks
                .get(pos + 1)
                .is_some_and(|t| t.shape == Shape::Lower && t.key == "round");
            if glued || names_talks {
                if let Some((hit, _)) = self.hit(pos, false) {
                    pos = hit.end;
                    roles.clear();
                    continue;
                }
            }
            if let Some((hit, entry)) = self.hit(pos, false).filter(|_| !after_new) {
                let single_place = entry.kind == EntityKind::Place && hit.end == pos + 1;
                let person_here = cued && single_place && t.shape == Shape::Cap;
                if entry.country && !person_here && self.continues_name(hit.end, end) {
                    // "Hong Kong Hilton Hotel": the place, inside a name of something else.
                    self.nested_regions(pos, hit.end);
                }
                if !person_here && !self.continues_name(hit.end, end) {
                    if single_place {
                        self.out.pending.push(Pending::Single {
                            tok: pos,
                            place: Some(hit.entry),
                        });
                    } else {
                        self.found(
                            entry.kind,
                            entry.canonical.clone(),
                            pos,
                            hit.end,
                            Vec::new(),
                        );
                        if entry.kind == EntityKind::Org {
                            self.nested_regions(pos, hit.end);
                        }
                    }
                    pos = hit.end;
                    roles.clear();
                    continue;
                }
            }
            // 4. A title or role: its words announce the person after it.
            if let Some((role_end, heads)) = self.role_run(pos, end) {
                roles.extend(heads);
                pos = role_end;
                continue;
            }
            // 5. Words that are never names.
            if self.is_junk(pos, end, cued) {
                if !lex.is_demonym(&t.key) {
                    roles.clear();
                }
                pos += 1;
                continue;
            }
            // 6. A run of name-like words, up to a person named by a given name
            // ("Budget James Miller").
            let mut run_end = self.name_run_end(pos, end, cued);
            if !cued {
                if let Some(k) =
                    (pos + 1..run_end).find(|&k| self.person_by_given(k, end).is_some())
                {
                    run_end = k;
                }
            }
            let names = (pos..run_end)
                .filter(|&k| self.toks[k].shape != Shape::Lower)
                .count();
            let last_key = self.toks[run_end - 1].key.to_string();
            // After a title, a name may hold one common word ("Mr Joab Gallant"), not
            // several ("Sgt. York Division Air Defense").
            let common_words = (pos + 1..run_end)
                .filter(|&k| {
                    let key = &self.toks[k].key;
                    self.toks[k].shape == Shape::Cap
                        && ((lex.is_common(key) && !lex.is_surname(key) && !lex.is_given(key))
                            || lex.is_org_suffix(key))
                })
                .count();
            if cued
                && t.shape == Shape::Cap
                && names <= 4
                && common_words <= 1
                && self.is_name_token(pos, true)
            {
                let name = self.person_name(pos, run_end);
                let taken = std::mem::take(&mut roles);
                self.found(EntityKind::Person, name, pos, run_end, taken);
            } else if names >= 2 && lex.is_place_suffix(&last_key) {
                let name = span_text(self.text, self.toks, pos, run_end);
                self.found(EntityKind::Place, name, pos, run_end, Vec::new());
            } else if names == 1 && t.shape == Shape::Upper && !is_initial(self.text, t) {
                self.out.pending.push(Pending::Acronym { tok: pos });
            } else if names == 1 {
                let place = self
                    .hit(pos, false)
                    .filter(|(h, e)| h.end == pos + 1 && e.kind == EntityKind::Place)
                    .map(|(h, _)| h.entry);
                self.out.pending.push(Pending::Single { tok: pos, place });
            } else if names >= 2 {
                self.out.pending.push(Pending::Multi {
                    first: pos,
                    end: run_end,
                });
            }
            roles.clear();
            pos = run_end.max(pos + 1);
        }
    }
}

/// "LEIGH-PEMBERTON" → "Leigh-Pemberton", "O'KENNEDY" → "O'Kennedy".
pub(crate) fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '-' | '\'' | '’');
    }
    out
}

/// A word that can be part of a person's name. `lenient` (after a title or role) also
/// admits common words and months ("Mrs May", "Mr Gallant").
pub(crate) fn name_like(text: &str, t: &Token, lenient: bool) -> bool {
    let lex = lexicon();
    if is_initial(text, t) {
        return true;
    }
    if is_plural_acronym(&text[t.start..t.end]) {
        return false;
    }
    let key = &t.key;
    if t.shape != Shape::Cap
        || key.char_count() < 2
        || lex.is_function_word(key)
        || lex.is_not_name(key)
        || lex.is_role_head(key)
    {
        return false;
    }
    if lenient {
        return true;
    }
    !lex.is_month(key)
        && !lex.is_org_suffix(key)
        && (!lex.is_common(key) || lex.is_surname(key) || lex.is_given(key) || t.hyphen_caps)
}

/// "MPs", "MEPs", "CEOs": capitals and a plural "s", a group of people, not a name.
fn is_plural_acronym(word: &str) -> bool {
    word.strip_suffix('s')
        .is_some_and(|stem| stem.chars().count() >= 2 && stem.chars().all(|c| c.is_uppercase()))
}

/// An organisation's name as the article gives it, normalised: "The" dropped, a final
/// abbreviation dot dropped ("Corp." → "Corp"), mapped through the alias table.
pub(crate) fn org_name(raw: &str) -> String {
    let mut name = raw.trim();
    for article in ["The ", "the ", "THE "] {
        if let Some(rest) = name.strip_prefix(article) {
            name = rest;
        }
    }
    let name = name.trim_end_matches('.').trim_end_matches(',');
    match gazetteer().canonical(EntityKind::Org, name) {
        Some(canonical) => canonical.to_string(),
        None => name.to_string(),
    }
}
