//! HTML pages: the main content picked out of the page by a port of Mozilla's
//! Readability (`dom_smoothie`), with title, byline, site name and publication time from
//! the page's metadata (`og:*`, `article:published_time`, `author`, JSON-LD) and the URL
//! from its canonical link.

use std::panic::{catch_unwind, AssertUnwindSafe};

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

use super::{FileRead, Origin, RecordMeta};

/// Reads an HTML page's one article.
pub(super) fn read(html: &str, origin: &Origin, out: &mut FileRead) {
    // The page is user input and the extractor a large library: a panic in it must cost
    // this one page, not the run.
    match catch_unwind(AssertUnwindSafe(|| extract(html))) {
        Ok(Ok((meta, body))) => out.records.push(origin.record(None, meta, &body)),
        Ok(Err(reason)) => out.failure = Some(origin.problem(reason)),
        Err(_) => {
            out.failure = Some(origin.problem("HTML could not be read (the extractor failed)"))
        }
    }
}

fn extract(html: &str) -> Result<(RecordMeta, String), String> {
    let document = Document::from(html);
    let url = canonical_url(&document);
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let mut readability =
        Readability::with_document(document, None, Some(config)).map_err(|e| e.to_string())?;
    let article = readability
        .parse()
        .map_err(|e| format!("no article found in the page ({e})"))?;
    let meta = RecordMeta {
        id: None,
        title: non_empty(article.title),
        date: article.published_time.and_then(non_empty),
        source: article.site_name.and_then(non_empty),
        url: url.or(article.url).and_then(non_empty),
        author: article.byline.and_then(non_empty),
    };
    Ok((meta, article.text_content.to_string()))
}

/// The page's own address: its canonical link, else its `og:url`.
fn canonical_url(document: &Document) -> Option<String> {
    let canonical = document
        .select_single(r#"link[rel="canonical"]"#)
        .attr("href");
    let og = || {
        document
            .select_single(r#"meta[property="og:url"]"#)
            .attr("content")
    };
    canonical
        .or_else(og)
        .map(|url| url.trim().to_string())
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
}

fn non_empty(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><title>Talks collapse | Example News</title>
<meta property="og:title" content="Talks collapse in Cairo">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-25T10:30:00Z">
<meta name="author" content="Jane Reporter">
<link rel="canonical" href="https://www.example.com/world/talks">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Talks collapse in Cairo</h1>
<p>CAIRO: Negotiators left Cairo on Monday without an agreement on a ceasefire, officials said, after two days of talks that both sides described as difficult.</p>
<p>The delegations are expected to return next week, according to two people familiar with the talks, who asked not to be named.</p>
</article>
<footer>Copyright 2024 Example News. All rights reserved. <a href="/privacy">Privacy policy</a></footer>
</body></html>"#;

    #[test]
    fn main_content_and_page_metadata_are_extracted() {
        let (meta, body) = extract(PAGE).unwrap();
        assert_eq!(meta.title.as_deref(), Some("Talks collapse in Cairo"));
        assert_eq!(meta.date.as_deref(), Some("2024-03-25T10:30:00Z"));
        assert_eq!(meta.source.as_deref(), Some("Example News"));
        assert_eq!(meta.author.as_deref(), Some("Jane Reporter"));
        assert_eq!(
            meta.url.as_deref(),
            Some("https://www.example.com/world/talks")
        );
        assert!(body.contains("CAIRO: Negotiators left Cairo"), "{body}");
        assert!(
            body.contains("\n\nThe delegations"),
            "paragraphs stay apart: {body}"
        );
        assert!(
            !body.contains("Copyright") && !body.contains("Sport"),
            "{body}"
        );
    }

    #[test]
    fn json_ld_gives_the_date_when_meta_tags_do_not() {
        let page = r#"<html><head><title>Vote</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Council votes", "datePublished": "2024-03-26T08:00:00+01:00",
 "author": {"@type": "Person", "name": "A. Writer"}}</script></head>
<body><p>The council voted on Tuesday for the plan after a long debate that ran late into the night.</p></body></html>"#;
        let (meta, body) = extract(page).unwrap();
        assert_eq!(meta.date.as_deref(), Some("2024-03-26T08:00:00+01:00"));
        assert!(body.contains("The council voted"));
    }
}
