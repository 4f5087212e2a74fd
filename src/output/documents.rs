//! Printers for one article (`show`), the export lines, index statistics, saved alerts and
//! the summary of an index run.

use std::io::{self, Write};

use super::wire::{AlertsJson, ArticleJson, ExportLine, StatsJson, StoriesJson, SummaryJson};
use super::{paint, reset, sanitize, DIM_STYLE, TITLE_STYLE};
use crate::alert::Alert;
use crate::aliases::ShownEntity;
use crate::extract::dates::Granularity;
use crate::index::{ArticleMeta, IndexStats, StoredArticle};
use crate::pipeline::IndexSummary;
use crate::search::facets::Facets;
use crate::search::story_list::{ArticleRef, StoryListing, StoryResults};
use crate::stories::StoryId;
use crate::wording::{counted, size};

/// Prints one article of `export` as a JSON line, with its entities under their
/// corpus-wide names.
pub fn print_export_line(
    out: &mut impl Write,
    meta: &ArticleMeta,
    entities: &[ShownEntity],
    story: Option<(StoryId, usize)>,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &ExportLine::of(meta, entities, story))?;
    writeln!(out)
}

/// Prints an index run's summary: JSON on `out`, or one human line.
pub fn print_summary(out: &mut impl Write, summary: &IndexSummary, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &SummaryJson::of(summary))?;
        return writeln!(out);
    }
    writeln!(
        out,
        "walked {}, read {} in {:.1} s: {} added, {} updated, {} removed, {} unchanged, {} skipped, {}; the index holds {} in {}",
        counted(summary.files as u64, "file", "files"),
        summary.read,
        summary.elapsed_ms as f64 / 1000.0,
        counted(summary.added as u64, "article", "articles"),
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.skipped,
        counted(summary.warnings as u64, "warning", "warnings"),
        counted(summary.articles as u64, "article", "articles"),
        counted(summary.passages, "passage", "passages")
    )
}

/// Prints one article (its passages in order) as text or JSON.
pub fn print_article(
    out: &mut impl Write,
    article: &StoredArticle,
    entities: &[ShownEntity],
    story: Option<&StoryListing>,
    json: bool,
    color: bool,
) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &ArticleJson::of(article, entities, story))?;
        return writeln!(out);
    }
    let first = &article.meta;
    writeln!(
        out,
        "{}{}{}",
        paint(TITLE_STYLE, color),
        sanitize(&first.title),
        reset(TITLE_STYLE, color)
    )?;
    let mut fields = vec![("id", first.id.to_string()), ("path", first.path.clone())];
    if let Some(external) = &first.external_id {
        fields.push(("external id", external.clone()));
    }
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
            Granularity::Day => mention.date.format("%Y-%m-%d"),
            Granularity::Month => mention.date.format("%Y-%m"),
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
    if let Some(story) = story.filter(|s| s.size > 1) {
        writeln!(
            out,
            "{}story:{} {} ({} articles{})",
            paint(DIM_STYLE, color),
            reset(DIM_STYLE, color),
            story.id,
            story.size,
            match story.sources.len() {
                0 => String::new(),
                _ => format!(" from {}", sanitize(&story.sources.join(", "))),
            }
        )?;
        for other in story.articles.iter().filter(|a| a.id != first.id) {
            writeln!(out, "  {}  {}", other.id, article_line(other))?;
        }
    }
    for passage in &article.passages {
        writeln!(out)?;
        writeln!(out, "{}", sanitize(passage))?;
    }
    Ok(())
}

/// Prints the saved alerts: as JSON or one a line.
pub fn print_alerts(out: &mut impl Write, alerts: &[Alert], json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &AlertsJson::of(alerts))?;
        return writeln!(out);
    }
    for alert in alerts {
        let filters = filters_text(&alert.definition.filters);
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

/// Prints index statistics as text or JSON.
pub fn print_stats(
    out: &mut impl Write,
    stats: &IndexStats,
    top: &Facets,
    largest: &StoryResults,
    json: bool,
) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &StatsJson::of(stats, top, largest))?;
        return writeln!(out);
    }
    writeln!(out, "index:          {}", stats.index)?;
    writeln!(out, "schema version: {}", stats.schema_version)?;
    writeln!(out, "size:           {}", size(stats.size_bytes))?;
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
    writeln!(out, "stories:        {}", largest.total_stories)?;
    for story in largest.stories.iter().filter(|s| s.size > 1) {
        writeln!(out, "  {:>5}  {}", story.size, sanitize(&story.headline))?;
    }
    Ok(())
}

/// An article of a story in one line: title, source and date.
fn article_line(article: &ArticleRef) -> String {
    let mut line = sanitize(&article.title);
    if let Some(source) = &article.source {
        line.push_str(&format!("  {}", sanitize(source)));
    }
    if let Some(date) = article.date {
        line.push_str(&format!("  {}", date.format("%Y-%m-%d")));
    }
    line
}

/// Prints a story listing (`stories`) as text or JSON.
pub fn print_stories(
    out: &mut impl Write,
    results: &StoryResults,
    json: bool,
    color: bool,
) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &StoriesJson::of(results))?;
        return writeln!(out);
    }
    for (n, story) in results.stories.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{}{}{}  ({} article{})",
            paint(TITLE_STYLE, color),
            sanitize(&story.headline),
            reset(TITLE_STYLE, color),
            story.size,
            if story.size == 1 { "" } else { "s" }
        )?;
        let dates = match (story.first_date, story.last_date) {
            (Some(first), Some(last)) if first == last => first.to_string(),
            (Some(first), Some(last)) => format!("{first} to {last}"),
            _ => "undated".to_string(),
        };
        writeln!(
            out,
            "{}{}  {dates}{}{}",
            paint(DIM_STYLE, color),
            story.id,
            match story.sources.len() {
                0 => String::new(),
                _ => format!("  {}", sanitize(&story.sources.join(", "))),
            },
            reset(DIM_STYLE, color)
        )?;
        for (label, names) in [
            ("people", &story.people),
            ("organisations", &story.orgs),
            ("places", &story.places),
        ] {
            if !names.is_empty() {
                writeln!(out, "  {label}: {}", sanitize(&names.join(", ")))?;
            }
        }
        for article in &story.articles {
            writeln!(out, "  {}  {}", article.id, article_line(article))?;
        }
    }
    Ok(())
}

/// The filters of an alert as its command line gave them (`--from 7d --person X`).
fn filters_text(spec: &crate::alert::FilterSpec) -> String {
    let mut parts = Vec::new();
    for (option, values) in [
        ("--source", &spec.source),
        ("--mentions-date", &spec.mentions_date),
        ("--person", &spec.person),
        ("--org", &spec.org),
        ("--place", &spec.place),
    ] {
        parts.extend(values.iter().map(|v| format!("{option} {v:?}")));
    }
    for (option, value) in [("--from", &spec.from), ("--to", &spec.to)] {
        if let Some(value) = value {
            parts.push(format!("{option} {value:?}"));
        }
    }
    parts.join(" ")
}
