//! What newsearch sends to Quickwit: the index's doc mapping, and an article as one
//! document. Quickwit has no stemming and folds nothing, so the searchable fields hold the
//! terms newsearch's own analyzers give (joined by spaces, split by Quickwit's `whitespace`
//! tokenizer); the article as newsearch shows it travels in one stored field.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::extract::dates::{Granularity, MentionedDate};
use crate::extract::entities::{AliasTable, EntityKind};
use crate::extract::ArticleId;
use crate::index::{ArticleMeta, StoredArticle, StoredEntity};
use crate::schema::{
    date_of_seconds, days_of, fold_keyword, news_analyzer, seconds_of, FormsTokenizer,
    MAX_PHRASE_SLOP, TITLE_VALUE_MARK,
};

pub const ARTICLE_KEY: &str = "article_key";
pub const BODY: &str = "body";
pub const GAPPED: &str = "gapped";
pub const TITLE: &str = "title";
pub const FORMS: &str = "forms";
pub const SOURCE: &str = "source";
pub const PUBLISHED: &str = "published";
pub const MENTIONED: &str = "mentioned";
pub const SEQ: &str = "seq";
pub const SYNC: &str = "sync";
pub const STORY: &str = "story";
pub const ARTICLE: &str = "article";
/// The outlet as given (for facet counts; [`SOURCE`] holds it folded, for filters).
pub const SOURCE_NAME: &str = "source_name";
/// Mentioned days (`2024-03-26`) and months (`2023-10`), as the facets name them.
pub const MENTION_KEYS: &str = "mention_keys";
pub const PASSAGES: &str = "passages";

/// The token that stands between two passages in [`GAPPED`]: no analyzer makes it, and
/// [`GAP_TOKENS`] of them keep any phrase the query language allows inside one passage.
const GAP_TOKEN: &str = "\u{b7}";
const GAP_TOKENS: usize = MAX_PHRASE_SLOP as usize + 1;

/// The field holding an entity kind's corpus-wide names.
pub fn entity_field(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "person",
        EntityKind::Org => "org",
        EntityKind::Place => "place",
    }
}

/// The Quickwit index configuration newsearch creates.
pub fn index_config(index_id: &str) -> Value {
    let words = |record: &str, fieldnorms: bool| {
        json!({"type": "text", "tokenizer": "whitespace", "record": record,
               "fieldnorms": fieldnorms, "stored": false})
    };
    let keywords = |name: &str| {
        json!({"name": name, "type": "array<text>", "tokenizer": "raw", "fast": true,
               "stored": false})
    };
    let mut body = words("position", true);
    body["type"] = json!("array<text>");
    let fields = vec![
        json!({"name": ARTICLE_KEY, "type": "u64", "fast": true, "indexed": true, "stored": true}),
        json!({"name": SYNC, "type": "u64", "fast": true, "indexed": true, "stored": true}),
        json!({"name": SEQ, "type": "u64", "fast": true, "indexed": true, "stored": false}),
        json!({"name": STORY, "type": "u64", "fast": true, "indexed": false, "stored": true}),
        with_name(BODY, body),
        with_name(GAPPED, words("position", false)),
        with_name(TITLE, words("position", true)),
        with_name(FORMS, words("basic", false)),
        json!({"name": SOURCE, "type": "text", "tokenizer": "raw", "fast": false, "stored": false}),
        json!({"name": SOURCE_NAME, "type": "text", "indexed": false, "fast": true,
               "stored": false}),
        keywords(MENTION_KEYS),
        json!({"name": PASSAGES, "type": "u64", "fast": true, "indexed": false, "stored": false}),
        keywords(entity_field(EntityKind::Person)),
        keywords(entity_field(EntityKind::Org)),
        keywords(entity_field(EntityKind::Place)),
        json!({"name": PUBLISHED, "type": "i64", "fast": true, "indexed": true, "stored": false}),
        json!({"name": MENTIONED, "type": "array<i64>", "fast": true, "indexed": true,
               "stored": false}),
        json!({"name": ARTICLE, "type": "text", "indexed": false, "stored": true}),
    ];
    json!({
        "version": "0.9",
        "index_id": index_id,
        "doc_mapping": {"mode": "strict", "store_source": false, "field_mappings": fields},
        "search_settings": {"default_search_fields": [BODY]},
        // Every split is mature at once, so that delete tasks (changed and removed
        // articles) apply within a minute instead of after the default two days. A long
        // send makes a split a minute (the last request of a send commits at once).
        "indexing_settings": {"commit_timeout_secs": 60, "merge_policy": {"type": "no_merge"}}
    })
}

fn with_name(name: &str, mut field: Value) -> Value {
    field["name"] = json!(name);
    field
}

/// The article as newsearch shows it, in the stored field [`ARTICLE`].
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Shown {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<u64>,
    title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date_source: Option<String>,
    #[serde(default)]
    mentions: Vec<ShownDate>,
    #[serde(default)]
    entities: Vec<ShownEntity>,
    passages: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct ShownDate {
    day: NaiveDate,
    month: bool,
    text: String,
    start: usize,
    end: usize,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct ShownEntity {
    kind: EntityKind,
    name: String,
    forms: Vec<(String, u32)>,
}

/// What an article document needs besides the article.
pub struct Extra<'a> {
    /// Whether the title was given (a derived title is not searched as a title).
    pub title_given: bool,
    /// The index generation that added or last changed it.
    pub seq: u64,
    /// The sending run (a delete of an older copy spares the new one).
    pub sync: u64,
    /// Its story, or with none the article itself (results group by it).
    pub group: u64,
    pub aliases: &'a AliasTable,
}

/// The analyzers an article document is made with.
pub struct Analyzers {
    prose: TextAnalyzer,
    forms: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Analyzers {
        Analyzers {
            prose: news_analyzer(),
            forms: TextAnalyzer::from(FormsTokenizer::default()),
        }
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str, out: &mut Vec<String>) {
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
}

/// The article as one Quickwit document.
pub fn document(article: &StoredArticle, extra: &Extra, analyzers: &mut Analyzers) -> Value {
    let meta = &article.meta;
    let mut body = Vec::with_capacity(article.passages.len());
    let mut gapped: Vec<String> = Vec::new();
    let mut forms: Vec<String> = Vec::new();
    for (i, passage) in article.passages.iter().enumerate() {
        let mut terms = Vec::new();
        tokens(&mut analyzers.prose, passage, &mut terms);
        if i > 0 {
            gapped.extend(std::iter::repeat_n(GAP_TOKEN.to_string(), GAP_TOKENS));
        }
        body.push(terms.join(" "));
        gapped.extend(terms);
        tokens(&mut analyzers.forms, passage, &mut forms);
    }
    let mut title = Vec::new();
    if extra.title_given {
        tokens(&mut analyzers.prose, &meta.title, &mut title);
        let marked = format!("{TITLE_VALUE_MARK}{}", meta.title);
        tokens(&mut analyzers.forms, &marked, &mut forms);
    }
    forms.sort_unstable();
    forms.dedup();
    let day = meta.date.map(|d| d.date());
    let mut doc = json!({
        ARTICLE_KEY: meta.id.0,
        SYNC: extra.sync,
        SEQ: extra.seq,
        STORY: extra.group,
        BODY: body,
        GAPPED: gapped.join(" "),
        TITLE: title.join(" "),
        FORMS: forms.join(" "),
        ARTICLE: shown(article).to_string(),
    });
    let canonical = crate::aliases::canonical_entities(extra.aliases, &meta.entities, day);
    for kind in EntityKind::ALL {
        let names: Vec<&str> = canonical
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, name)| name.as_str())
            .collect();
        doc[entity_field(kind)] = json!(names);
    }
    if let Some(source) = &meta.source {
        doc[SOURCE] = json!(fold_keyword(source));
        doc[SOURCE_NAME] = json!(source);
    }
    doc[PASSAGES] = json!(article.passages.len());
    let mut keys: Vec<String> = meta
        .mentions
        .iter()
        .map(|m| match m.granularity {
            Granularity::Day => m.date.format("%Y-%m-%d").to_string(),
            Granularity::Month => m.date.format("%Y-%m").to_string(),
        })
        .collect();
    keys.sort();
    keys.dedup();
    doc[MENTION_KEYS] = json!(keys);
    if let Some(date) = meta.date {
        doc[PUBLISHED] = json!(seconds_of(date));
    }
    let mut days: Vec<i64> = meta.mentions.iter().map(|m| days_of(m.date)).collect();
    days.sort_unstable();
    days.dedup();
    doc[MENTIONED] = json!(days);
    doc
}

fn shown(article: &StoredArticle) -> Value {
    let meta = &article.meta;
    let record = Shown {
        external_id: meta.external_id.clone(),
        path: meta.path.clone(),
        record: meta.record,
        title: meta.title.clone(),
        source: meta.source.clone(),
        url: meta.url.clone(),
        author: meta.author.clone(),
        date: meta.date.map(seconds_of),
        date_source: meta.date_source.clone(),
        mentions: meta
            .mentions
            .iter()
            .map(|m| ShownDate {
                day: m.date,
                month: m.granularity == Granularity::Month,
                text: m.text.clone(),
                start: m.start,
                end: m.end,
            })
            .collect(),
        entities: meta
            .entities
            .iter()
            .map(|e| ShownEntity {
                kind: e.kind,
                name: e.name.clone(),
                forms: e.forms.clone(),
            })
            .collect(),
        passages: article.passages.clone(),
    };
    serde_json::to_value(record).expect("an article serialises")
}

/// The article a hit's stored fields hold.
pub fn article_of_hit(hit: &Value) -> Result<StoredArticle> {
    let key = hit
        .get(ARTICLE_KEY)
        .and_then(Value::as_u64)
        .context("a Quickwit hit has no article key")?;
    let text = hit
        .get(ARTICLE)
        .and_then(Value::as_str)
        .with_context(|| format!("the Quickwit hit of article {key:016x} has no article"))?;
    let shown: Shown = serde_json::from_str(text)
        .with_context(|| format!("reading article {key:016x} from Quickwit"))?;
    let passage_count = shown.passages.len() as u64;
    Ok(StoredArticle {
        meta: ArticleMeta {
            id: ArticleId(key),
            external_id: shown.external_id,
            path: shown.path,
            record: shown.record,
            title: shown.title,
            source: shown.source,
            url: shown.url,
            author: shown.author,
            date: shown.date.and_then(date_of_seconds),
            date_source: shown.date_source,
            mentions: shown
                .mentions
                .into_iter()
                .map(|m| MentionedDate {
                    date: m.day,
                    granularity: if m.month {
                        Granularity::Month
                    } else {
                        Granularity::Day
                    },
                    text: m.text,
                    start: m.start,
                    end: m.end,
                })
                .collect(),
            entities: shown
                .entities
                .into_iter()
                .map(|e| StoredEntity {
                    kind: e.kind,
                    name: e.name,
                    forms: e.forms,
                })
                .collect(),
            passage_count,
        },
        passages: shown.passages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn sample() -> StoredArticle {
        StoredArticle {
            meta: ArticleMeta {
                id: ArticleId(0x1234),
                external_id: Some("x-1".into()),
                path: "corpus/a.json".into(),
                record: Some(2),
                title: "Lapid speaks".into(),
                source: Some("Times of Israel".into()),
                url: None,
                author: None,
                date: NaiveDateTime::parse_from_str("0800-12-25 10:00:00", "%Y-%m-%d %H:%M:%S")
                    .ok(),
                date_source: Some("metadata".into()),
                mentions: vec![MentionedDate {
                    date: NaiveDate::from_ymd_opt(800, 12, 24).expect("day"),
                    granularity: Granularity::Day,
                    text: "yesterday".into(),
                    start: 3,
                    end: 12,
                }],
                entities: vec![StoredEntity {
                    kind: EntityKind::Person,
                    name: "Yair Lapid".into(),
                    forms: vec![("Yair Lapid".into(), 1), ("Lapid".into(), 2)],
                }],
                passage_count: 2,
            },
            passages: vec![
                "Yair Lapid spoke on Monday.".into(),
                "The elections were held.".into(),
            ],
        }
    }

    fn extra(table: &AliasTable, title_given: bool) -> Extra<'_> {
        Extra {
            title_given,
            seq: 4,
            sync: 2,
            group: 77,
            aliases: table,
        }
    }

    #[test]
    fn a_document_carries_newsearch_s_terms_and_the_article_comes_back_whole() {
        let article = sample();
        let table = AliasTable::default();
        let doc = document(&article, &extra(&table, true), &mut Analyzers::default());
        // Stemmed and folded as the embedded index does it.
        assert_eq!(doc[BODY][1], json!("the elect were held"));
        assert_eq!(doc[TITLE], json!("lapid speak"));
        // Passages stand more positions apart than any phrase slack.
        let gapped = doc[GAPPED].as_str().expect("text");
        let gap = gapped.split(' ').filter(|t| *t == GAP_TOKEN).count();
        assert_eq!(gap, MAX_PHRASE_SLOP as usize + 1);
        assert!(gapped.starts_with("yair lapid spoke on monday \u{b7}"));
        // Dates before 1970 and far from Quickwit's datetime range are plain numbers.
        assert!(doc[PUBLISHED].as_i64().expect("seconds") < -36_000_000_000);
        assert_eq!(doc[SOURCE], json!("times of israel"));
        assert_eq!(doc[entity_field(EntityKind::Person)], json!(["Yair Lapid"]));
        assert_eq!(doc[STORY], json!(77));
        let hit = json!({ARTICLE_KEY: 0x1234, ARTICLE: doc[ARTICLE].clone()});
        assert_eq!(article_of_hit(&hit).expect("reads"), article);
    }

    #[test]
    fn a_hit_without_its_article_is_an_error_naming_it() {
        let error = article_of_hit(&json!({ARTICLE_KEY: 255})).expect_err("no article");
        assert!(
            format!("{error:#}").contains("00000000000000ff"),
            "{error:#}"
        );
    }

    #[test]
    fn the_mapping_names_every_field_a_document_has() {
        let config = index_config("news");
        let mapped: Vec<&str> = config["doc_mapping"]["field_mappings"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        let table = AliasTable::default();
        let doc = document(&sample(), &extra(&table, false), &mut Analyzers::default());
        for name in doc.as_object().expect("object").keys() {
            assert!(mapped.contains(&name.as_str()), "{name} is not mapped");
        }
    }
}
