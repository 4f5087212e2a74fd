//! Printers: query results as text, JSON or JSON lines, articles, stats and index
//! summaries, each over any `impl Write` so tests print into a `Vec<u8>`; plus the
//! stderr reporter (progress bar and warnings). Corpus text is sanitised before it
//! reaches a terminal.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use chrono::NaiveDateTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::alert::Alert;
use crate::aliases::{EntityNames, ShownEntity};
use crate::index::{IndexStats, StoredPassage};
use crate::ingest::Problem;
use crate::pipeline::{IndexSummary, Reporter};
use crate::schema::SCHEMA_VERSION;
use crate::search::facets::{EntityCount, Facets};
use crate::search::{Hit, SearchResults};

/// Query output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    Text,
    Json,
    Jsonl,
}

/// How text output marks highlighted words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Highlight {
    Ansi,
    Markdown,
    Html,
    None,
}

const MATCH_STYLE: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const TITLE_STYLE: Style = Style::new().bold();
const DIM_STYLE: Style = Style::new().dimmed();

/// The JSON form of one result (documented in docs/output-schema.md).
#[derive(Debug, Serialize)]
pub struct ResultJson<'a> {
    pub rank: usize,
    pub score: f32,
    pub article_id: &'a str,
    pub path: &'a str,
    pub title: &'a str,
    pub source: Option<&'a str>,
    pub date: Option<String>,
    pub passage_index: u64,
    pub text: &'a str,
    pub highlights: Vec<[usize; 2]>,
}

#[derive(Serialize)]
struct QueryJson<'a> {
    schema_version: u32,
    query: &'a str,
    total_articles: usize,
    results: Vec<ResultJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<&'a Facets>,
}

#[derive(Serialize)]
struct ResultLine<'a> {
    schema_version: u32,
    query: &'a str,
    #[serde(flatten)]
    result: ResultJson<'a>,
}

fn day(date: Option<NaiveDateTime>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

fn result_json(hit: &Hit) -> ResultJson<'_> {
    ResultJson {
        rank: hit.rank,
        score: hit.score,
        article_id: &hit.article_id,
        path: &hit.path,
        title: &hit.title,
        source: hit.source.as_deref(),
        date: day(hit.date),
        passage_index: hit.passage_index,
        text: &hit.text,
        highlights: hit.highlights.iter().map(|&(s, e)| [s, e]).collect(),
    }
}

/// Prints query results in the chosen format.
pub fn print_results(
    out: &mut impl Write,
    results: &SearchResults,
    format: QueryFormat,
    highlight: Highlight,
    color: bool,
) -> io::Result<()> {
    match format {
        QueryFormat::Json => {
            let json = QueryJson {
                schema_version: SCHEMA_VERSION,
                query: &results.query,
                total_articles: results.total_articles,
                results: results.hits.iter().map(result_json).collect(),
                facets: results.facets.as_ref(),
            };
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        }
        QueryFormat::Jsonl => {
            for hit in &results.hits {
                let line = ResultLine {
                    schema_version: SCHEMA_VERSION,
                    query: &results.query,
                    result: result_json(hit),
                };
                serde_json::to_writer(&mut *out, &line)?;
                writeln!(out)?;
            }
            Ok(())
        }
        QueryFormat::Text => {
            print_text(out, results, highlight, color)?;
            if let Some(facets) = &results.facets {
                writeln!(out)?;
                print_facets_text(out, facets)?;
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct FacetsJson<'a> {
    schema_version: u32,
    total_articles: usize,
    facets: &'a Facets,
}

/// Prints facet counts as JSON or as text with a bar chart of the date histogram.
pub fn print_facets(
    out: &mut impl Write,
    total_articles: usize,
    facets: &Facets,
    json: bool,
) -> io::Result<()> {
    if json {
        let document = FacetsJson {
            schema_version: SCHEMA_VERSION,
            total_articles,
            facets,
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        return writeln!(out);
    }
    writeln!(out, "{total_articles} articles")?;
    print_facets_text(out, facets)
}

/// Widest bar of the text histogram, in characters.
const BAR_WIDTH: u64 = 40;

fn print_facets_text(out: &mut impl Write, facets: &Facets) -> io::Result<()> {
    for (heading, list) in [
        ("people", &facets.person),
        ("organisations", &facets.org),
        ("places", &facets.place),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{heading}")?;
        for item in list {
            let aliases = if item.aliases.is_empty() {
                String::new()
            } else {
                format!("  (also {})", sanitize(&item.aliases.join(", ")))
            };
            writeln!(
                out,
                "  {:>7}  {}{aliases}",
                item.count,
                sanitize(&item.name)
            )?;
        }
    }
    if !facets.source.is_empty() {
        writeln!(out, "\nsource")?;
        for item in &facets.source {
            writeln!(out, "  {:>7}  {}", item.count, sanitize(&item.name))?;
        }
    }
    if !facets.date.is_empty() {
        writeln!(out, "\ndate")?;
        let max = facets
            .date
            .iter()
            .map(|b| b.count)
            .max()
            .unwrap_or(0)
            .max(1);
        let width = facets.date.iter().map(|b| b.key.len()).max().unwrap_or(0);
        for bucket in &facets.date {
            let bar = "█".repeat((bucket.count * BAR_WIDTH).div_ceil(max) as usize);
            writeln!(out, "  {:<width$} {:>7} {bar}", bucket.key, bucket.count)?;
        }
    }
    if !facets.mentioned.is_empty() {
        writeln!(out, "\nmentioned dates")?;
        for item in &facets.mentioned {
            writeln!(out, "  {:>7}  {}", item.count, item.key)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct ExportLine<'a> {
    schema_version: u32,
    article_id: &'a str,
    path: &'a str,
    record: Option<u64>,
    title: &'a str,
    date: Option<String>,
    date_source: Option<&'a str>,
    source: Option<&'a str>,
    url: Option<&'a str>,
    author: Option<&'a str>,
    mentioned_dates: &'a [crate::extract::dates::MentionedDate],
    entities: EntityNames,
}

/// Prints one article of `export` as a JSON line, from its first passage, with its
/// entities under their corpus-wide names.
pub fn print_export_line(
    out: &mut impl Write,
    first: &StoredPassage,
    entities: &[ShownEntity],
) -> io::Result<()> {
    let line = ExportLine {
        schema_version: SCHEMA_VERSION,
        article_id: &first.article_id,
        path: &first.path,
        record: first.record,
        title: &first.title,
        date: day(first.date),
        date_source: first.date_source.as_deref(),
        source: first.source.as_deref(),
        url: first.url.as_deref(),
        author: first.author.as_deref(),
        mentioned_dates: &first.mentions,
        entities: EntityNames::of(entities),
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// Text output: passages grouped under their article, articles in the order of their
/// best passage.
fn print_text(
    out: &mut impl Write,
    results: &SearchResults,
    highlight: Highlight,
    color: bool,
) -> io::Result<()> {
    let mut order: Vec<&str> = Vec::new();
    for hit in &results.hits {
        if !order.contains(&hit.article_id.as_str()) {
            order.push(&hit.article_id);
        }
    }
    for (n, id) in order.iter().enumerate() {
        let hits: Vec<&Hit> = results
            .hits
            .iter()
            .filter(|h| h.article_id == *id)
            .collect();
        let first = hits[0];
        if n > 0 {
            writeln!(out)?;
        }
        let date = day(first.date)
            .map(|d| format!("  {d}"))
            .unwrap_or_default();
        let source = first
            .source
            .as_deref()
            .map(|s| format!("  {}", sanitize(s)))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{}{}{source}{date}",
            paint(TITLE_STYLE, color),
            sanitize(&first.title),
            reset(TITLE_STYLE, color)
        )?;
        writeln!(
            out,
            "{}{}  {}{}",
            paint(DIM_STYLE, color),
            sanitize(&first.path),
            first.article_id,
            reset(DIM_STYLE, color)
        )?;
        for hit in hits {
            writeln!(out, "  {:>2}. {}", hit.rank, marked_text(hit, highlight))?;
        }
    }
    Ok(())
}

fn paint(style: Style, color: bool) -> String {
    if color {
        style.render().to_string()
    } else {
        String::new()
    }
}

fn reset(style: Style, color: bool) -> String {
    if color {
        style.render_reset().to_string()
    } else {
        String::new()
    }
}

/// The snippet with its highlights marked and unsafe characters removed, with "…" where
/// the passage was cut.
fn marked_text(hit: &Hit, highlight: Highlight) -> String {
    let (open, close) = match highlight {
        Highlight::Ansi => (
            MATCH_STYLE.render().to_string(),
            MATCH_STYLE.render_reset().to_string(),
        ),
        Highlight::Markdown => ("**".to_string(), "**".to_string()),
        Highlight::Html => ("<mark>".to_string(), "</mark>".to_string()),
        Highlight::None => (String::new(), String::new()),
    };
    let mut out = String::new();
    if hit.cut_before {
        out.push('…');
    }
    let mut spans = hit.highlights.iter().peekable();
    let mut open_until: Option<usize> = None;
    for (i, c) in hit.text.chars().enumerate() {
        if open_until == Some(i) {
            out.push_str(&close);
            open_until = None;
        }
        if let Some(&&(start, end)) = spans.peek() {
            if start == i {
                out.push_str(&open);
                open_until = Some(end);
                spans.next();
            }
        }
        push_safe(&mut out, c, highlight == Highlight::Html);
    }
    if open_until.is_some() {
        out.push_str(&close);
    }
    if hit.cut_after {
        out.push('…');
    }
    out
}

/// Corpus text made safe for a terminal: control and bidirectional-override characters
/// are dropped (whitespace controls become spaces).
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_safe(&mut out, c, false);
    }
    out
}

fn push_safe(out: &mut String, c: char, html: bool) {
    match c {
        '\t' | '\n' | '\r' => out.push(' '),
        c if c.is_control() => {}
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
        '<' if html => out.push_str("&lt;"),
        '>' if html => out.push_str("&gt;"),
        '&' if html => out.push_str("&amp;"),
        c => out.push(c),
    }
}

/// Prints an index run's summary: JSON on `out`, or one human line.
pub fn print_summary(out: &mut impl Write, summary: &IndexSummary, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, summary)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "walked {} files, read {} in {:.1} s: {} articles added, {} updated, {} removed, {} unchanged, {} skipped, {} warnings; the index holds {} articles in {} passages",
        summary.files,
        summary.read,
        summary.elapsed_ms as f64 / 1000.0,
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.skipped,
        summary.warnings,
        summary.articles,
        summary.passages
    )
}

#[derive(Serialize)]
struct ArticleJson<'a> {
    schema_version: u32,
    article_id: &'a str,
    path: &'a str,
    record: Option<u64>,
    title: &'a str,
    source: Option<&'a str>,
    url: Option<&'a str>,
    author: Option<&'a str>,
    date: Option<String>,
    date_source: Option<&'a str>,
    mentioned_dates: &'a [crate::extract::dates::MentionedDate],
    entities: &'a [ShownEntity],
    passages: Vec<&'a str>,
}

/// Prints one article (its passages in order) as text or JSON.
pub fn print_article(
    out: &mut impl Write,
    passages: &[StoredPassage],
    entities: &[ShownEntity],
    json: bool,
    color: bool,
) -> io::Result<()> {
    let Some(first) = passages.first() else {
        return Ok(());
    };
    if json {
        let article = ArticleJson {
            schema_version: SCHEMA_VERSION,
            article_id: &first.article_id,
            path: &first.path,
            record: first.record,
            title: &first.title,
            source: first.source.as_deref(),
            url: first.url.as_deref(),
            author: first.author.as_deref(),
            date: day(first.date),
            date_source: first.date_source.as_deref(),
            mentioned_dates: &first.mentions,
            entities,
            passages: passages.iter().map(|p| p.text.as_str()).collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &article)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{}{}{}",
        paint(TITLE_STYLE, color),
        sanitize(&first.title),
        reset(TITLE_STYLE, color)
    )?;
    let mut fields = vec![
        ("id", first.article_id.clone()),
        ("path", first.path.clone()),
    ];
    if let Some(record) = first.record {
        fields.push(("record", record.to_string()));
    }
    if let Some(date) = first.date {
        let from = first.date_source.as_deref().unwrap_or("unknown");
        fields.push((
            "date",
            format!("{} (from {from})", date.format("%Y-%m-%d %H:%M")),
        ));
    }
    for (name, value) in [
        ("source", &first.source),
        ("url", &first.url),
        ("author", &first.author),
    ] {
        if let Some(value) = value {
            fields.push((name, value.clone()));
        }
    }
    for (name, value) in fields {
        writeln!(
            out,
            "{}{name}:{} {}",
            paint(DIM_STYLE, color),
            reset(DIM_STYLE, color),
            sanitize(&value)
        )?;
    }
    for mention in &first.mentions {
        let date = match mention.granularity {
            crate::extract::dates::Granularity::Day => mention.date.format("%Y-%m-%d"),
            crate::extract::dates::Granularity::Month => mention.date.format("%Y-%m"),
        };
        writeln!(
            out,
            "{}mentions:{} {date} ({:?})",
            paint(DIM_STYLE, color),
            reset(DIM_STYLE, color),
            sanitize(&mention.text)
        )?;
    }
    for entity in entities {
        let mut forms: Vec<&str> = Vec::new();
        for text in &entity.mentions {
            if !forms.contains(&text.as_str()) {
                forms.push(text);
            }
        }
        writeln!(
            out,
            "{}{}:{} {} ({}× as {})",
            paint(DIM_STYLE, color),
            entity.kind.as_str(),
            reset(DIM_STYLE, color),
            sanitize(&entity.name),
            entity.mentions.len(),
            sanitize(&forms.join(", "))
        )?;
    }
    for passage in passages {
        writeln!(out)?;
        writeln!(out, "{}", sanitize(&passage.text))?;
    }
    Ok(())
}

/// Prints index statistics as text or JSON.
/// Prints the saved alerts: as JSON (`{"schema_version", "alerts": [...]}`) or one a line.
pub fn print_alerts(out: &mut impl Write, alerts: &[Alert], json: bool) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct AlertsJson<'a> {
            schema_version: u32,
            alerts: &'a [Alert],
        }
        let document = AlertsJson {
            schema_version: SCHEMA_VERSION,
            alerts,
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        return writeln!(out);
    }
    for alert in alerts {
        let filters = serde_json::to_string(&alert.definition.filters).unwrap_or_default();
        writeln!(
            out,
            "{}\t{:?}{}\tcursor {}\tlast run {}",
            sanitize(&alert.name),
            sanitize(&alert.definition.query),
            if alert.definition.filters.is_empty() {
                String::new()
            } else {
                format!(" {}", sanitize(&filters))
            },
            alert.cursor,
            alert.last_run.as_deref().unwrap_or("never"),
        )?;
    }
    Ok(())
}

/// Makes sure what was written to stdout reached its file (a full disk shows here); a pipe
/// or terminal cannot be synced, and needs not be.
pub fn sync_stdout() -> io::Result<()> {
    use std::os::fd::AsFd;
    let fd = io::stdout().as_fd().try_clone_to_owned()?;
    match std::fs::File::from(fd).sync_all() {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

pub fn print_stats(
    out: &mut impl Write,
    stats: &IndexStats,
    top: &Facets,
    json: bool,
) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct TopEntities<'a> {
            person: &'a [EntityCount],
            org: &'a [EntityCount],
            place: &'a [EntityCount],
        }
        #[derive(Serialize)]
        struct StatsJson<'a> {
            #[serde(flatten)]
            stats: &'a IndexStats,
            top_entities: TopEntities<'a>,
        }
        let document = StatsJson {
            stats,
            top_entities: TopEntities {
                person: &top.person,
                org: &top.org,
                place: &top.place,
            },
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        return writeln!(out);
    }
    writeln!(out, "index:          {}", stats.index)?;
    writeln!(out, "schema version: {}", stats.schema_version)?;
    writeln!(
        out,
        "size:           {:.1} MB",
        stats.size_bytes as f64 / 1e6
    )?;
    writeln!(out, "articles:       {}", stats.articles)?;
    writeln!(out, "passages:       {}", stats.passages)?;
    writeln!(out, "segments:       {}", stats.segments)?;
    let range = match (&stats.first_date, &stats.last_date) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "no dated articles".into(),
    };
    writeln!(out, "dates:          {range}")?;
    for (label, list) in [
        ("people:", &top.person),
        ("organisations:", &top.org),
        ("places:", &top.place),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list
                .iter()
                .map(|e| format!("{} ({})", sanitize(&e.name), e.count))
                .collect();
            writeln!(out, "{label:<16}{}", names.join(", "))?;
        }
    }
    Ok(())
}

/// Reports an index run on stderr: a progress bar on a terminal, warnings always.
pub struct StderrReporter {
    bar: ProgressBar,
}

impl StderrReporter {
    pub fn new(show_progress: bool) -> StderrReporter {
        let bar = if show_progress {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} indexing [{bar:30}] {pos}/{len} files {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        StderrReporter { bar }
    }
}

impl Reporter for StderrReporter {
    fn warn(&self, problem: &Problem) {
        let line = format!(
            "newsearch: warning: {}: {}",
            sanitize(&problem.path),
            sanitize(&problem.reason)
        );
        self.bar.suspend(|| eprintln!("{line}"));
    }

    fn waiting(&self, index: &std::path::Path) {
        let line = format!(
            "newsearch: another index run holds {}; waiting for it",
            sanitize(&index.display().to_string())
        );
        self.bar.suspend(|| eprintln!("{line}"));
    }

    fn start(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(rank: usize, id: &str, text: &str, highlights: Vec<(usize, usize)>) -> Hit {
        Hit {
            rank,
            score: 1.5,
            article_id: id.into(),
            path: format!("corpus/{id}.txt"),
            title: format!("Title {id}"),
            source: None,
            date: None,
            passage_index: 0,
            text: text.into(),
            highlights,
            cut_before: false,
            cut_after: true,
        }
    }

    fn results() -> SearchResults {
        SearchResults {
            facets: None,
            query: "rafah".into(),
            total_articles: 2,
            hits: vec![
                hit(1, "a", "in Rafah today", vec![(3, 8)]),
                hit(2, "b", "Rafah\u{1b}[31m again", vec![(0, 5)]),
                hit(3, "a", "élan Rafah", vec![(5, 10)]),
            ],
        }
    }

    fn printed(format: QueryFormat, highlight: Highlight) -> String {
        let mut out = Vec::new();
        print_results(&mut out, &results(), format, highlight, false).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_groups_passages_under_their_article_and_marks_matches() {
        let text = printed(QueryFormat::Text, Highlight::Markdown);
        let a = text.find("Title a").unwrap();
        let b = text.find("Title b").unwrap();
        assert!(a < b);
        assert_eq!(text.matches("Title a").count(), 1);
        assert!(text.contains(" 1. in **Rafah** today…"), "{text}");
        assert!(text.contains(" 3. élan **Rafah**…"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "escape characters must be stripped: {text:?}"
        );
    }

    #[test]
    fn html_highlights_escape_the_text() {
        let mut h = hit(1, "a", "a<b> Rafah", vec![(5, 10)]);
        h.cut_after = false;
        assert_eq!(
            marked_text(&h, Highlight::Html),
            "a&lt;b&gt; <mark>Rafah</mark>"
        );
    }

    #[test]
    fn json_carries_the_schema_and_character_offsets() {
        let json: serde_json::Value =
            serde_json::from_str(&printed(QueryFormat::Json, Highlight::None)).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["total_articles"], 2);
        assert_eq!(
            json["results"][2]["highlights"][0],
            serde_json::json!([5, 10])
        );
        assert_eq!(json["results"][0]["date"], serde_json::Value::Null);
    }

    #[test]
    fn jsonl_prints_one_result_a_line_with_the_query() {
        let text = printed(QueryFormat::Jsonl, Highlight::None);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l["query"] == "rafah"));
        assert_eq!(lines[1]["rank"], 2);
    }
}
