//! Query results (text grouped by article, JSON, JSON lines) and facet counts.

use std::io::{self, Write};

use super::wire::{
    day, FacetsDocument, FacetsJson, QueryJson, ResultJson, ResultLine, FORMAT_VERSION,
};
use super::{
    escaped, paint, push_escaped, reset, Highlight, QueryFormat, DIM_STYLE, MATCH_STYLE,
    TITLE_STYLE,
};
use crate::extract::ArticleId;
use crate::search::facets::Facets;
use crate::search::{Hit, SearchResults, StorySummary};
use crate::wording::counted;
use chrono::{Datelike, NaiveDate};

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
                format_version: FORMAT_VERSION,
                query: &results.query,
                total_articles: results.total_articles,
                total_stories: results.total_stories,
                results: results.hits.iter().map(ResultJson::of).collect(),
                facets: results.facets.as_ref().map(FacetsJson::of),
            };
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        }
        QueryFormat::Jsonl => {
            for hit in &results.hits {
                let line = ResultLine {
                    format_version: FORMAT_VERSION,
                    query: &results.query,
                    result: ResultJson::of(hit),
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
                print_facets_text(out, facets, highlight)?;
            }
            Ok(())
        }
    }
}

/// Prints facet counts as JSON or as text with a bar chart of the date histogram.
pub fn print_facets(
    out: &mut impl Write,
    total_articles: usize,
    facets: &Facets,
    json: bool,
) -> io::Result<()> {
    if json {
        let document = FacetsDocument {
            format_version: FORMAT_VERSION,
            total_articles,
            facets: FacetsJson::of(facets),
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{}",
        counted(total_articles as u64, "article", "articles")
    )?;
    print_facets_text(out, facets, Highlight::None)
}

/// Widest bar of the text histogram, in characters.
const BAR_WIDTH: u64 = 40;

/// Facet lists as text, names escaped for `highlight`'s markup (the query's text output).
fn print_facets_text(
    out: &mut impl Write,
    facets: &Facets,
    highlight: Highlight,
) -> io::Result<()> {
    let name = |text: &str| escaped(text, highlight);
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
                format!("  (also {})", name(&item.aliases.join(", ")))
            };
            writeln!(out, "  {:>7}  {}{aliases}", item.count, name(&item.name))?;
        }
    }
    if !facets.source.is_empty() {
        writeln!(out, "\nsource")?;
        for item in &facets.source {
            writeln!(out, "  {:>7}  {}", item.count, name(&item.name))?;
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

/// Text output: passages grouped under their article, articles in the order of their
/// best passage.
fn print_text(
    out: &mut impl Write,
    results: &SearchResults,
    highlight: Highlight,
    color: bool,
) -> io::Result<()> {
    let mut order: Vec<ArticleId> = Vec::new();
    for hit in &results.hits {
        if !order.contains(&hit.article_id) {
            order.push(hit.article_id);
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
            .map(|s| format!("  {}", escaped(s, highlight)))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{}{}{source}{date}",
            paint(TITLE_STYLE, color),
            escaped(&first.title, highlight),
            reset(TITLE_STYLE, color)
        )?;
        writeln!(
            out,
            "{}{}  {}{}",
            paint(DIM_STYLE, color),
            escaped(&first.path, highlight),
            first.article_id,
            reset(DIM_STYLE, color)
        )?;
        for hit in &hits {
            writeln!(out, "  {:>2}. {}", hit.rank, marked_text(hit, highlight))?;
        }
        if let Some(line) = first
            .story
            .as_deref()
            .and_then(|s| story_line(s, first.source.as_deref()))
        {
            writeln!(
                out,
                "      {}{}{}",
                paint(DIM_STYLE, color),
                escaped(&line, highlight),
                reset(DIM_STYLE, color)
            )?;
        }
    }
    Ok(())
}

/// Most other outlets named in a story's line before "(+N)".
const NAMED_SOURCES: usize = 3;

/// The line under a result whose story has other articles: `also reported by: rte.ie,
/// bbc.co.uk, cnn.com (+2), 24–25 Feb 2017`; `None` for a story of one article.
fn story_line(story: &StorySummary, own_source: Option<&str>) -> Option<String> {
    if story.size < 2 {
        return None;
    }
    let others: Vec<&str> = story
        .sources
        .iter()
        .map(String::as_str)
        .filter(|s| Some(*s) != own_source)
        .collect();
    let mut line = if others.is_empty() {
        let more = story.size - 1;
        format!("also in this story: {more} more article{}", plural(more))
    } else {
        let mut named = others[..others.len().min(NAMED_SOURCES)].join(", ");
        if others.len() > NAMED_SOURCES {
            named.push_str(&format!(" (+{})", others.len() - NAMED_SOURCES));
        }
        format!("also reported by: {named}")
    };
    if let Some(span) = date_span(story.first_date, story.last_date) {
        line.push_str(", ");
        line.push_str(&span);
    }
    Some(line)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `24 Feb 2017`, `24–25 Feb 2017`, `24 Feb – 2 Mar 2017`, `30 Dec 2016 – 2 Jan 2017`.
fn date_span(first: Option<NaiveDate>, last: Option<NaiveDate>) -> Option<String> {
    let (first, last) = match (first, last) {
        (Some(first), Some(last)) => (first, last),
        (Some(day), None) | (None, Some(day)) => (day, day),
        (None, None) => return None,
    };
    let whole = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    Some(if first == last {
        whole(first)
    } else if first.year() != last.year() {
        format!("{} – {}", whole(first), whole(last))
    } else if first.month() != last.month() {
        format!("{} – {}", first.format("%-d %b"), whole(last))
    } else {
        format!("{}–{}", first.format("%-d"), whole(last))
    })
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
        push_escaped(&mut out, c, highlight);
    }
    if open_until.is_some() {
        out.push_str(&close);
    }
    if hit.cut_after {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(rank: usize, id: &str, text: &str, highlights: Vec<(usize, usize)>) -> Hit {
        Hit {
            rank,
            score: 1.5,
            article_id: ArticleId(u64::from_str_radix(id, 16).unwrap()),
            external_id: None,
            story: None,
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
            total_stories: Some(1),
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
    fn every_field_is_escaped_for_the_markup_of_the_highlights() {
        let mut h = hit(1, "a", "**not bold** but Rafah", vec![(17, 22)]);
        h.title = "<img src=x onerror=alert(1)>".into();
        h.source = Some("A&B \"wire\"".into());
        h.path = "corpus/<script>.txt".into();
        h.cut_after = false;
        let results = SearchResults {
            facets: None,
            query: "rafah".into(),
            total_articles: 1,
            total_stories: None,
            hits: vec![h],
        };
        let print = |highlight| {
            let mut out = Vec::new();
            print_results(&mut out, &results, QueryFormat::Text, highlight, false).unwrap();
            String::from_utf8(out).unwrap()
        };
        let html = print(Highlight::Html);
        assert!(
            !html.contains("<img") && !html.contains("<script"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(html.contains("A&amp;B &quot;wire&quot;"), "{html}");
        assert!(html.contains("<mark>Rafah</mark>"), "{html}");
        let markdown = print(Highlight::Markdown);
        assert!(
            markdown.contains(r"\*\*not bold\*\* but **Rafah**"),
            "{markdown}"
        );
        assert!(
            markdown.contains(r"\<img src=x onerror=alert(1)\>"),
            "{markdown}"
        );
    }

    #[test]
    fn json_carries_the_schema_and_character_offsets() {
        let json: serde_json::Value =
            serde_json::from_str(&printed(QueryFormat::Json, Highlight::None)).unwrap();
        assert_eq!(json["format_version"], FORMAT_VERSION);
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

    #[test]
    fn a_story_line_names_the_other_outlets_and_the_dates() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2017, 2, d);
        let story = StorySummary {
            id: crate::stories::StoryId(1),
            size: 6,
            sources: [
                "rte.ie",
                "bbc.co.uk",
                "cnn.com",
                "reuters.com",
                "afp.com",
                "ap.org",
            ]
            .map(String::from)
            .to_vec(),
            first_date: day(24),
            last_date: day(25),
            others: Vec::new(),
        };
        assert_eq!(
            story_line(&story, Some("reuters.com")).unwrap(),
            "also reported by: rte.ie, bbc.co.uk, cnn.com (+2), 24–25 Feb 2017"
        );
        let alone = StorySummary {
            size: 1,
            ..story.clone()
        };
        assert_eq!(story_line(&alone, None), None);
        let same_outlet = StorySummary {
            sources: vec!["reuters.com".into()],
            size: 3,
            first_date: NaiveDate::from_ymd_opt(2016, 12, 30),
            last_date: NaiveDate::from_ymd_opt(2017, 1, 2),
            ..story
        };
        assert_eq!(
            story_line(&same_outlet, Some("reuters.com")).unwrap(),
            "also in this story: 2 more articles, 30 Dec 2016 – 2 Jan 2017"
        );
    }
}
