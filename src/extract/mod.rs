//! Pure functions from an ingested [`Record`] to an [`Article`]: metadata, title, dateline
//! and passages. Nothing here touches the file system.

pub mod boilerplate;
pub mod dates;
pub mod entities;
pub mod metadata;
pub mod passages;

use std::fmt;

use chrono::NaiveDateTime;
use xxhash_rust::xxh3::xxh3_64;

use crate::ingest::Record;
use dates::MentionedDate;

/// Where an article's publication date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    Metadata,
    FileName,
    Dateline,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::FileName => "file_name",
            DateSource::Dateline => "dateline",
        }
    }
}

/// A stable article id: a 64-bit hash of the article's identity (its canonical path and
/// record number, or the id its metadata gives), shown as 16 hex digits.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ArticleId(pub u64);

impl ArticleId {
    /// The id of an article whose identity is `seed`.
    pub fn from_seed(seed: &str) -> ArticleId {
        ArticleId(xxh3_64(seed.as_bytes()))
    }

    /// Parses the 16-hex-digit form.
    pub fn parse(text: &str) -> Option<ArticleId> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(ArticleId)
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// An article ready to be indexed.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    pub id: ArticleId,
    /// The id the record's own data gives it, as given (`id` field, CSV id column).
    pub external_id: Option<String>,
    /// Path of the file, as walked.
    pub path: String,
    /// Record number inside a multi-article file, from 1.
    pub record: Option<u64>,
    pub title: String,
    /// The title was given (metadata, front matter, a page's title), not derived from the
    /// first sentence, which the body holds already.
    pub title_given: bool,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    /// The place of the dateline ("WASHINGTON: …"), if the body opens with one.
    pub dateline: Option<String>,
    /// Publication date and time as written (local to the outlet).
    pub date: Option<NaiveDateTime>,
    /// Where the publication date was read from.
    pub date_source: Option<DateSource>,
    /// Dates the text speaks of, resolved against the publication date.
    pub mentions: Vec<MentionedDate>,
    /// People, organisations and places the article mentions, by article-level name.
    pub entities: Vec<entities::ArticleEntity>,
    /// The body split into passages; never empty (a title-only article has its title).
    pub passages: Vec<String>,
}

/// Why a record produced no article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Neither a title nor any body text.
    NoText,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NoText => f.write_str("no title and no text"),
        }
    }
}

/// Everything extraction noticed about a record that the user should hear of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractNotes {
    /// A date field that could not be read, with its value.
    pub bad_date: Option<String>,
    /// Scrape-debris lines removed from the body.
    pub boilerplate_lines: usize,
}

/// The id of a record's article: from the id its metadata gives, else from its identity
/// (canonical path, plus record number inside a multi-article file).
pub fn article_id(record: &Record) -> ArticleId {
    match &record.meta.id {
        Some(id) => ArticleId::from_seed(&format!("id:{id}")),
        None => ArticleId::from_seed(&record.identity),
    }
}

/// Builds the article for one record.
pub fn build_article(record: &Record) -> Result<(Article, ExtractNotes), Rejection> {
    let mut notes = ExtractNotes::default();
    let cleaned = boilerplate::strip_boilerplate(&record.body);
    notes.boilerplate_lines = cleaned.dropped;
    let body: &str = &cleaned.text;
    let body_passages = passages::split_passages(body);
    let given_title = record
        .meta
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let dateline = metadata::dateline(body);
    let title = match given_title {
        Some(title) => metadata::one_line(title),
        None => match body_passages.first() {
            Some(first) => metadata::title_from_text(first),
            None => return Err(Rejection::NoText),
        },
    };
    let given_date = record.meta.date.as_deref().and_then(|raw| {
        let parsed = metadata::parse_date(raw);
        if parsed.is_none() {
            notes.bad_date = Some(raw.to_string());
        }
        parsed
    });
    let (date, date_source) = match given_date {
        Some(date) => (Some(date), Some(DateSource::Metadata)),
        None => match metadata::date_in_file_name(&record.path) {
            Some(date) => (Some(date), Some(DateSource::FileName)),
            None => match metadata::dateline_date(body) {
                Some(date) => (Some(date), Some(DateSource::Dateline)),
                None => (None, None),
            },
        },
    };
    let mentions = dates::mentioned_dates(body, date.map(|d| d.date()));
    // Entities are read from the page as it came, debris lines included: a related
    // headline still tells who the page names, though its words are not searchable.
    // A title derived from the first sentence would only repeat the body's mentions.
    let entities = entities::extract_entities(given_title.unwrap_or(""), &record.body);
    let passages = if body_passages.is_empty() {
        vec![title.clone()]
    } else {
        body_passages
    };
    let clean = |value: &Option<String>| {
        value
            .as_deref()
            .map(metadata::one_line)
            .filter(|v| !v.is_empty())
    };
    let article = Article {
        id: article_id(record),
        external_id: record.external_id.clone(),
        path: record.path.clone(),
        record: record.record,
        title,
        title_given: given_title.is_some(),
        source: clean(&record.meta.source)
            .or_else(|| record.meta.url.as_deref().and_then(metadata::url_host)),
        url: clean(&record.meta.url),
        author: clean(&record.meta.author),
        dateline,
        date,
        date_source,
        mentions,
        entities,
        passages,
    };
    Ok((article, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::RecordMeta;

    fn record(body: &str, meta: RecordMeta) -> Record {
        Record {
            path: "corpus/a.txt".into(),
            identity: "/abs/corpus/a.txt".into(),
            record: None,
            external_id: None,
            meta,
            body: body.into(),
        }
    }

    #[test]
    fn title_comes_from_metadata_else_the_first_sentence() {
        let body = "WASHINGTON: The talks failed. Both sides left.\n\nMore text.";
        let (article, _) = build_article(&record(body, RecordMeta::default())).unwrap();
        assert_eq!(article.title, "The talks failed.");
        assert_eq!(article.dateline.as_deref(), Some("WASHINGTON"));
        assert_eq!(article.passages.len(), 2);

        let meta = RecordMeta {
            title: Some("  Talks\n fail ".into()),
            ..RecordMeta::default()
        };
        let (article, _) = build_article(&record(body, meta)).unwrap();
        assert_eq!(article.title, "Talks fail");
    }

    #[test]
    fn ids_are_stable_and_follow_the_given_id() {
        let a = build_article(&record("Text.", RecordMeta::default()))
            .unwrap()
            .0;
        let b = build_article(&record("Other text.", RecordMeta::default()))
            .unwrap()
            .0;
        assert_eq!(a.id, b.id);
        assert_eq!(ArticleId::parse(&a.id.to_string()), Some(a.id));
        let meta = RecordMeta {
            id: Some("reut-1".into()),
            ..RecordMeta::default()
        };
        let c = build_article(&record("Text.", meta)).unwrap().0;
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn a_title_only_record_becomes_one_passage_and_an_empty_one_is_rejected() {
        let meta = RecordMeta {
            title: Some("BRIEF HEADLINE".into()),
            ..RecordMeta::default()
        };
        let (article, _) = build_article(&record("", meta)).unwrap();
        assert_eq!(article.passages, vec!["BRIEF HEADLINE"]);
        assert_eq!(
            build_article(&record(" \n ", RecordMeta::default())),
            Err(Rejection::NoText)
        );
    }

    #[test]
    fn boilerplate_is_dropped_before_passages_and_counted() {
        let body = "The talks failed on Monday, officials said after the meeting.\n\nAdvertisement\n\nBoth sides left Cairo without a date for the next round.\n\n200 characters\n";
        let (article, notes) = build_article(&record(body, RecordMeta::default())).unwrap();
        assert_eq!(notes.boilerplate_lines, 2);
        assert_eq!(article.passages.len(), 2);
        assert!(article
            .passages
            .iter()
            .all(|p| !p.contains("Advertisement") && !p.contains("characters")));
    }

    #[test]
    fn without_a_source_the_url_host_stands_for_it() {
        let meta = RecordMeta {
            url: Some("https://www.example.org/world/talks".into()),
            ..RecordMeta::default()
        };
        let (article, _) = build_article(&record("Text.", meta.clone())).unwrap();
        assert_eq!(article.source.as_deref(), Some("example.org"));
        let given = RecordMeta {
            source: Some("Example Wire".into()),
            ..meta
        };
        let (article, _) = build_article(&record("Text.", given)).unwrap();
        assert_eq!(article.source.as_deref(), Some("Example Wire"));
    }

    #[test]
    fn an_unreadable_date_is_noted_not_fatal() {
        let meta = RecordMeta {
            date: Some("next blue moon".into()),
            ..RecordMeta::default()
        };
        let (article, notes) = build_article(&record("Text.", meta)).unwrap();
        assert_eq!(article.date, None);
        assert_eq!(article.date_source, None);
        assert_eq!(notes.bad_date.as_deref(), Some("next blue moon"));
    }

    #[test]
    fn the_publication_date_falls_back_to_the_file_name_then_the_dateline() {
        let mut from_name = record("Text.", RecordMeta::default());
        from_name.path = "archive/2024-03-25-talks.txt".into();
        let (article, _) = build_article(&from_name).unwrap();
        assert_eq!(
            article.date.map(|d| d.date().to_string()).as_deref(),
            Some("2024-03-25")
        );
        assert_eq!(article.date_source, Some(DateSource::FileName));

        let dated = record(
            "LONDON, March 3, 2024 (Reuters) - Stocks fell.",
            RecordMeta::default(),
        );
        let (article, _) = build_article(&dated).unwrap();
        assert_eq!(
            article.date.map(|d| d.date().to_string()).as_deref(),
            Some("2024-03-03")
        );
        assert_eq!(article.date_source, Some(DateSource::Dateline));

        let meta = RecordMeta {
            date: Some("2020-01-02".into()),
            ..RecordMeta::default()
        };
        let (article, _) = build_article(&record("LONDON, March 3, 2024 - x", meta)).unwrap();
        assert_eq!(article.date_source, Some(DateSource::Metadata));
    }
}
