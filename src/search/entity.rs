//! The articles that mention an entity, by any of the names the corpus gives it. Most
//! names mean one entity wherever they stand; a bare surname that several people share
//! means the person the corpus links it to in each article (by its date and the company
//! it keeps), so an article counts through such a name only where that is this entity.
//! A filter: it selects articles and adds nothing to their score.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use crate::extract::entities::{AliasTable, EntityKind};
use crate::index::EntityOrds;
use crate::schema::{date_of_seconds, FacetPath, Fields};

/// Articles that mention `canonical`, through any of its names.
#[derive(Clone)]
pub(super) struct EntityQuery {
    kind: EntityKind,
    canonical: String,
    /// Article-level names that may stand for it, and whether that depends on the article.
    names: Vec<(String, bool)>,
    table: Arc<AliasTable>,
    facets: tantivy::schema::Field,
}

impl fmt::Debug for EntityQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityQuery({}:{})", self.kind.as_str(), self.canonical)
    }
}

impl EntityQuery {
    pub fn new(
        fields: &Fields,
        table: Arc<AliasTable>,
        kind: EntityKind,
        canonical: String,
    ) -> EntityQuery {
        let mut names: Vec<(String, bool)> = table
            .members(kind, &canonical)
            .into_iter()
            .map(|name| {
                let contextual = table.is_contextual(kind, &name);
                (name, contextual)
            })
            .collect();
        if names.is_empty() {
            names.push((canonical.clone(), false));
        }
        EntityQuery {
            kind,
            canonical,
            names,
            table,
            facets: fields.facets,
        }
    }
}

impl Query for EntityQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl EntityQuery {
    /// The segment's documents that mention the entity.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Option<BitSet>> {
        let index = reader.inverted_index(self.facets)?;
        let mut found: Option<BitSet> = None;
        let mut context: Option<(
            tantivy::fastfield::FacetReader,
            EntityOrds,
            tantivy::columnar::Column<i64>,
        )> = None;
        for (name, contextual) in &self.names {
            let facet = FacetPath::Entity(self.kind, name.clone()).to_facet();
            let term = Term::from_facet(self.facets, &facet);
            let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            let docs = found.get_or_insert_with(|| BitSet::with_max_value(reader.max_doc()));
            let mut doc = postings.doc();
            while doc != TERMINATED {
                let counts = if *contextual {
                    if context.is_none() {
                        let facets = reader.facet_reader(Fields::FACETS)?;
                        let ords = EntityOrds::of(&facets)?;
                        let published = reader.fast_fields().i64(Fields::PUBLISHED)?;
                        context = Some((facets, ords, published));
                    }
                    let (facets, ords, published) = context.as_ref().expect("set above");
                    let names: Vec<(EntityKind, &str)> =
                        facets.facet_ords(doc).filter_map(|o| ords.get(o)).collect();
                    let day = published
                        .first(doc)
                        .and_then(date_of_seconds)
                        .map(|d| d.date());
                    self.table.canonical_in(self.kind, name, day, &names) == self.canonical
                } else {
                    true
                };
                if counts {
                    docs.insert(doc);
                }
                doc = postings.advance();
            }
        }
        Ok(found)
    }
}

impl Weight for EntityQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.docs(reader)? {
            Some(docs) => Box::new(ConstScorer::new(BitSetDocSet::from(docs), 0.0)),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matches = self.docs(reader)?.is_some_and(|docs| docs.contains(doc));
        if !matches {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not mention {}",
                self.canonical
            )));
        }
        Ok(Explanation::new("mentions the entity", 0.0))
    }
}
