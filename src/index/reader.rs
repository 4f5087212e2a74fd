//! The read side of the index: articles and passages as stored, every article in index
//! order (for `export`), the keys of all articles, and the entity names with their article
//! counts (for the corpus alias table). Readers see one commit and never take a lock.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use chrono::{DateTime as ChronoDateTime, NaiveDateTime};
use tantivy::collector::DocSetCollector;
use tantivy::fastfield::FacetReader;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::stored;
use crate::extract::dates::MentionedDate;
use crate::extract::entities::{ArticleEntity, EntityKind};
use crate::extract::ArticleId;
use crate::schema::{FacetPath, Fields};

/// An article's metadata as stored (everything but its passages).
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleMeta {
    pub id: ArticleId,
    /// The id the article's own data gives it (an `id` field, a CSV id column).
    pub external_id: Option<String>,
    pub path: String,
    pub record: Option<u64>,
    pub title: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub date: Option<NaiveDateTime>,
    pub date_source: Option<String>,
    pub mentions: Vec<MentionedDate>,
    pub entities: Vec<ArticleEntity>,
    pub passage_count: u64,
}

/// An article as stored: its metadata and its passages in order.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredArticle {
    pub meta: ArticleMeta,
    pub passages: Vec<String>,
}

/// One stored passage with what a result line shows of its article.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPassage {
    pub article_id: ArticleId,
    pub external_id: Option<String>,
    pub path: String,
    pub title: String,
    pub source: Option<String>,
    pub date: Option<NaiveDateTime>,
    pub passage_index: u64,
    pub text: String,
}

/// Reads the stored fields of documents of one commit.
pub struct ArticleReader<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
}

impl<'a> ArticleReader<'a> {
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> ArticleReader<'a> {
        ArticleReader { searcher, fields }
    }

    fn doc(&self, address: DocAddress) -> Result<TantivyDocument> {
        self.searcher
            .doc(address)
            .context("reading a stored passage")
    }

    /// The first passage of the article the passage at `address` belongs to (it carries
    /// the article's stored fields; it sits `passage_index` documents before).
    fn first_of(&self, address: DocAddress, doc: TantivyDocument) -> Result<TantivyDocument> {
        let back = doc
            .get_first(self.fields.passage_index)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        match u32::try_from(back) {
            Ok(0) => Ok(doc),
            Ok(back) if back <= address.doc_id => {
                self.doc(DocAddress::new(address.segment_ord, address.doc_id - back))
            }
            _ => Ok(doc),
        }
    }

    /// One passage with its article's title, source, date and ids.
    pub fn passage(&self, address: DocAddress) -> Result<StoredPassage> {
        let doc = self.doc(address)?;
        let passage_index = number(&doc, self.fields.passage_index).unwrap_or(0);
        let passage_text = text(&doc, self.fields.body).unwrap_or_default();
        let first = self.first_of(address, doc)?;
        Ok(StoredPassage {
            article_id: stored_id(&first, self.fields),
            external_id: text(&first, self.fields.external_id),
            path: text(&first, self.fields.path).unwrap_or_default(),
            title: text(&first, self.fields.title).unwrap_or_default(),
            source: text(&first, self.fields.source),
            date: date(&first, self.fields),
            passage_index,
            text: passage_text,
        })
    }

    /// The metadata of the article whose first passage is at `address`.
    pub fn meta(&self, address: DocAddress) -> Result<ArticleMeta> {
        let first = self.doc(address)?;
        let fields = self.fields;
        let id = stored_id(&first, fields);
        let decode_error = |what: &str| format!("reading the stored {what} of article {id}");
        let mentions = match text(&first, fields.mentions) {
            Some(json) => stored::decode_mentions(&json).with_context(|| decode_error("dates"))?,
            None => Vec::new(),
        };
        let entities = match text(&first, fields.entities) {
            Some(json) => {
                stored::decode_entities(&json).with_context(|| decode_error("entities"))?
            }
            None => Vec::new(),
        };
        Ok(ArticleMeta {
            id,
            external_id: text(&first, fields.external_id),
            path: text(&first, fields.path).unwrap_or_default(),
            record: number(&first, fields.record),
            title: text(&first, fields.title).unwrap_or_default(),
            source: text(&first, fields.source),
            url: text(&first, fields.url),
            author: text(&first, fields.author),
            date: date(&first, fields),
            date_source: text(&first, fields.date_source),
            mentions,
            entities,
            passage_count: number(&first, fields.passage_count).unwrap_or(0),
        })
    }

    /// The article `id` with its passages in order; `None` when the index does not hold it.
    pub fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.article_key, id.0),
            IndexRecordOption::Basic,
        );
        let mut addresses: Vec<DocAddress> = self
            .searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        addresses.sort();
        let mut passages = Vec::with_capacity(addresses.len());
        let mut first = None;
        for address in addresses {
            let doc = self.doc(address)?;
            let index = number(&doc, self.fields.passage_index).unwrap_or(0);
            if index == 0 {
                first = Some(address);
            }
            passages.push((index, text(&doc, self.fields.body).unwrap_or_default()));
        }
        let Some(first) = first else {
            return Ok(None);
        };
        passages.sort_by_key(|(index, _)| *index);
        Ok(Some(StoredArticle {
            meta: self.meta(first)?,
            passages: passages.into_iter().map(|(_, text)| text).collect(),
        }))
    }

    /// The metadata of every article, in index order.
    pub fn all_articles(&self) -> Result<impl Iterator<Item = Result<ArticleMeta>> + '_> {
        let addresses = first_passages(self.searcher, self.fields)?;
        Ok(addresses.into_iter().map(|address| self.meta(address)))
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The article id stored on an article's first passage.
fn stored_id(doc: &TantivyDocument, fields: &Fields) -> ArticleId {
    text(doc, fields.article_id)
        .and_then(|id| ArticleId::parse(&id))
        .unwrap_or(ArticleId(0))
}

fn number(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

fn date(doc: &TantivyDocument, fields: &Fields) -> Option<NaiveDateTime> {
    doc.get_first(fields.date)
        .and_then(|v| v.as_datetime())
        .and_then(|d| ChronoDateTime::from_timestamp(d.into_timestamp_secs(), 0))
        .map(|d| d.naive_utc())
}

/// The first passage of every article (which carries the article-level stored fields),
/// in index order.
fn first_passages(searcher: &Searcher, fields: &Fields) -> Result<Vec<DocAddress>> {
    let query = TermQuery::new(
        Term::from_field_u64(fields.passage_index, 0),
        IndexRecordOption::Basic,
    );
    let mut addresses: Vec<DocAddress> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    Ok(addresses)
}

/// The ids of every article in the commit (deleted documents excluded).
pub fn article_ids(searcher: &Searcher) -> Result<HashSet<ArticleId>> {
    let mut ids = HashSet::new();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64(Fields::ARTICLE_KEY)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                ids.extend(column.values_for_doc(doc).map(ArticleId));
            }
        }
    }
    Ok(ids)
}

/// Every article-level entity name in the commit, with the number of articles that
/// carry it.
pub fn entity_names(searcher: &Searcher) -> Result<Vec<(EntityKind, String, u64)>> {
    let mut counts: HashMap<(EntityKind, String), u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let facets = segment.facet_reader(Fields::FACETS)?;
        let entities = EntityOrds::of(&facets)?;
        let first_passage = segment.fast_fields().u64(Fields::PASSAGE_INDEX)?;
        let alive = segment.alive_bitset();
        let mut per_ord: HashMap<u64, u64> = HashMap::new();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) || first_passage.first(doc) != Some(0)
            {
                continue;
            }
            for ord in facets.facet_ords(doc) {
                if entities.get(ord).is_some() {
                    *per_ord.entry(ord).or_default() += 1;
                }
            }
        }
        for (ord, count) in per_ord {
            if let Some((kind, name)) = entities.get(ord) {
                *counts.entry((kind, name.to_string())).or_default() += count;
            }
        }
    }
    Ok(counts
        .into_iter()
        .map(|((kind, name), count)| (kind, name, count))
        .collect())
}

/// The entity facets of one segment: for each kind, the first facet ordinal of its
/// (contiguous) range and the names in ordinal order. Built by streaming the facet
/// dictionary once, which is far cheaper than looking ordinals up one by one.
pub struct EntityOrds {
    kinds: Vec<(EntityKind, u64, Vec<String>)>,
}

impl EntityOrds {
    pub fn of(reader: &FacetReader) -> std::io::Result<EntityOrds> {
        let mut kinds = Vec::new();
        for kind in EntityKind::ALL {
            let (low, high) = FacetPath::entity_key_range(kind);
            let mut stream = reader
                .facet_dict()
                .range()
                .ge(&low)
                .lt(&high)
                .into_stream()?;
            let mut first = None;
            let mut names = Vec::new();
            while stream.advance() {
                first.get_or_insert(stream.term_ord());
                let name = FacetPath::entity_name_in_key(kind, stream.key()).unwrap_or_default();
                names.push(name.to_string());
            }
            if let Some(first) = first {
                kinds.push((kind, first, names));
            }
        }
        Ok(EntityOrds { kinds })
    }

    /// The entity a facet ordinal stands for; `None` for other facets.
    pub fn get(&self, ord: u64) -> Option<(EntityKind, &str)> {
        self.kinds.iter().find_map(|(kind, first, names)| {
            let index = ord.checked_sub(*first)? as usize;
            names.get(index).map(|name| (*kind, name.as_str()))
        })
    }
}
