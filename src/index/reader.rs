//! The read side of the index: articles as stored (one document each, its passages the
//! values of `body`), every article in index order (for `export`), the ids of all
//! articles, and the entity names with their article counts (for the corpus alias table).
//! Readers see one commit and never take a lock.

use std::collections::HashSet;

use anyhow::{Context, Result};
use chrono::NaiveDateTime;
use tantivy::collector::DocSetCollector;
use tantivy::fastfield::FacetReader;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::stored::{self, StoredEntity};
use crate::extract::dates::MentionedDate;
use crate::extract::entities::EntityKind;
use crate::extract::ArticleId;
use crate::schema::{date_of_seconds, FacetPath, Fields};

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
    pub entities: Vec<StoredEntity>,
    pub passage_count: u64,
}

/// An article as stored: its metadata and its passages in order.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredArticle {
    pub meta: ArticleMeta,
    pub passages: Vec<String>,
}

/// Reads the stored fields of the articles of one commit.
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
            .context("reading a stored article")
    }

    /// The article stored at `address`, with its passages.
    pub fn at(&self, address: DocAddress) -> Result<StoredArticle> {
        let doc = self.doc(address)?;
        let passages = doc
            .get_all(self.fields.body)
            .filter_map(|v| v.as_str())
            .map(str::to_string)
            .collect();
        Ok(StoredArticle {
            meta: self.meta_of(address, &doc)?,
            passages,
        })
    }

    /// The id of the article at `address` (from the fast field: the id is not stored).
    fn id_at(&self, address: DocAddress) -> Result<ArticleId> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let keys = segment.fast_fields().u64(Fields::ARTICLE_KEY)?;
        Ok(ArticleId(keys.first(address.doc_id).unwrap_or(0)))
    }

    /// The metadata of a stored article document.
    fn meta_of(&self, address: DocAddress, doc: &TantivyDocument) -> Result<ArticleMeta> {
        let fields = self.fields;
        let id = self.id_at(address)?;
        let decode_error = |what: &str| format!("reading the stored {what} of article {id}");
        let bytes = |field: Field| doc.get_first(field).and_then(|v| v.as_bytes());
        let mentions = match bytes(fields.mentions) {
            Some(bytes) => stored::decode_mentions(bytes).with_context(|| decode_error("dates"))?,
            None => Vec::new(),
        };
        let entities = match bytes(fields.entities) {
            Some(bytes) => {
                stored::decode_entities(bytes).with_context(|| decode_error("entities"))?
            }
            None => Vec::new(),
        };
        Ok(ArticleMeta {
            id,
            external_id: text(doc, fields.external_id),
            path: text(doc, fields.path).unwrap_or_default(),
            record: number(doc, fields.record),
            title: text(doc, fields.title)
                .or_else(|| text(doc, fields.derived_title))
                .unwrap_or_default(),
            source: text(doc, fields.source),
            url: text(doc, fields.url),
            author: text(doc, fields.author),
            date: doc
                .get_first(fields.published)
                .and_then(|v| v.as_i64())
                .and_then(date_of_seconds),
            date_source: text(doc, fields.date_source),
            mentions,
            entities,
            passage_count: doc.get_all(fields.body).count() as u64,
        })
    }

    /// The article at `address` with whether its title was given (not derived from its
    /// first sentence) and the generation that added or last changed it: what a copy of
    /// the article to another engine needs.
    pub fn for_copy(&self, address: DocAddress) -> Result<(StoredArticle, bool, u64)> {
        let doc = self.doc(address)?;
        let given = doc.get_first(self.fields.title).is_some();
        let seq = number(&doc, self.fields.seq).unwrap_or(0);
        Ok((self.at(address)?, given, seq))
    }

    /// Where the articles added or changed after generation `after` are stored.
    pub fn changed_after(&self, after: u64) -> Result<Vec<DocAddress>> {
        let query = tantivy::query::RangeQuery::new(
            std::ops::Bound::Excluded(Term::from_field_u64(self.fields.seq, after)),
            std::ops::Bound::Unbounded,
        );
        let mut found: Vec<DocAddress> = self
            .searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        found.sort();
        Ok(found)
    }

    /// Where the article `id` is stored; `None` when the commit does not hold it.
    pub fn address_of(&self, id: ArticleId) -> Result<Option<DocAddress>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.article_key, id.0),
            IndexRecordOption::Basic,
        );
        let found = self.searcher.search(&query, &DocSetCollector)?;
        Ok(found.into_iter().min())
    }

    /// The article `id` with its passages in order; `None` when the index does not hold it.
    pub fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>> {
        match self.address_of(id)? {
            Some(address) => self.at(address).map(Some),
            None => Ok(None),
        }
    }

    /// The metadata of every article, in index order.
    pub fn all_articles(&self) -> impl Iterator<Item = Result<ArticleMeta>> + '_ {
        alive_docs(self.searcher).map(|address| self.meta_of(address, &self.doc(address)?))
    }
}

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn number(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// Every live document of the commit, in index order.
fn alive_docs(searcher: &Searcher) -> impl Iterator<Item = DocAddress> + '_ {
    searcher
        .segment_readers()
        .iter()
        .enumerate()
        .flat_map(|(ord, segment)| {
            let alive = segment.alive_bitset().cloned();
            (0..segment.max_doc())
                .filter(move |doc| alive.as_ref().is_none_or(|bits| bits.is_alive(*doc)))
                .map(move |doc| DocAddress::new(ord as u32, doc))
        })
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

/// Calls `each` with the publication day and the article-level entity names of every
/// article in the commit (for the corpus alias table); memory follows one segment's names,
/// not the articles.
pub fn for_each_article_names(
    searcher: &Searcher,
    mut each: impl FnMut(Option<chrono::NaiveDate>, &[(EntityKind, &str)]),
) -> Result<()> {
    for segment in searcher.segment_readers() {
        let facets = segment.facet_reader(Fields::FACETS)?;
        let entities = EntityOrds::of(&facets)?;
        let published = segment.fast_fields().i64(Fields::PUBLISHED)?;
        let alive = segment.alive_bitset();
        let mut names: Vec<(EntityKind, &str)> = Vec::new();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                continue;
            }
            names.clear();
            names.extend(facets.facet_ords(doc).filter_map(|ord| entities.get(ord)));
            let day = published
                .first(doc)
                .and_then(date_of_seconds)
                .map(|d| d.date());
            each(day, &names);
        }
    }
    Ok(())
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
