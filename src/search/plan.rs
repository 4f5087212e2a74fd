//! What a query asks of the articles, in terms of newsearch's own analyzed terms, before
//! any engine sees it: the compiler and the filters build a [`Plan`], and each engine
//! lowers it to its own query (tantivy here, Quickwit in the `quickwit` module). So the query
//! language, the analysis (stems, names, stop words, expansions) and the filters are one
//! code for every engine.

use std::ops::Bound;
use std::sync::Arc;

use anyhow::Result;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur as TantivyOccur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use super::entity::EntityQuery;
use super::query::Occur;
use crate::extract::entities::{AliasTable, EntityKind};
use crate::schema::Fields;

/// A text field a term is looked for in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    /// The passages (stemmed terms, positions, frequencies).
    Body,
    /// The title (stemmed terms, positions, frequencies).
    Title,
    /// Every word unstemmed, and `^word` for a capitalised one (which articles only).
    Forms,
    /// The outlet, folded (which articles only).
    Source,
}

/// A query over article documents.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Every article.
    All,
    /// No article.
    Nothing,
    /// Articles holding an analyzed term.
    Term { field: TextField, term: String },
    /// Articles holding the terms in order, at most `slop` moves apart, inside one passage.
    Phrase {
        field: TextField,
        terms: Vec<String>,
        slop: u32,
    },
    /// Clauses combined: each `Must` required, each `MustNot` excluded, and when no clause
    /// is required at least one `Should`.
    Bool(Vec<(Occur, Plan)>),
    /// A query whose score is multiplied.
    Boost(Box<Plan>, f32),
    /// A query that selects articles and adds nothing to their score.
    Filter(Box<Plan>),
    /// Articles that mention the entity with this corpus-wide name, by any of its names.
    Entity { kind: EntityKind, canonical: String },
    /// Articles published in `[from, before)`, seconds from 1970.
    Published {
        from: Option<i64>,
        before: Option<i64>,
    },
    /// Articles that mention a day in `[from, to]`, days from 1970.
    Mentioned { from: Option<i64>, to: Option<i64> },
    /// Articles added or changed in a generation in `(after, upto]`.
    Changed { after: u64, upto: u64 },
}

impl Plan {
    /// Whether the plan names an entity (lowering it then needs the alias table).
    pub fn has_entities(&self) -> bool {
        match self {
            Plan::Entity { .. } => true,
            Plan::Bool(clauses) => clauses.iter().any(|(_, p)| p.has_entities()),
            Plan::Boost(inner, _) | Plan::Filter(inner) => inner.has_entities(),
            _ => false,
        }
    }
}

/// The plan as a tantivy query over the embedded index; `aliases` is asked for the alias
/// table when the plan names entities.
pub fn to_tantivy(
    plan: &Plan,
    fields: &Fields,
    aliases: &dyn Fn() -> Result<Arc<AliasTable>>,
) -> Result<Box<dyn Query>> {
    let table = if plan.has_entities() {
        Some(aliases()?)
    } else {
        None
    };
    Ok(lower(plan, fields, table.as_ref()))
}

fn field_of(fields: &Fields, field: TextField) -> (Field, IndexRecordOption) {
    match field {
        TextField::Body => (fields.body, IndexRecordOption::WithFreqs),
        TextField::Title => (fields.title, IndexRecordOption::WithFreqs),
        TextField::Forms => (fields.forms, IndexRecordOption::Basic),
        TextField::Source => (fields.source, IndexRecordOption::Basic),
    }
}

fn lower(plan: &Plan, fields: &Fields, table: Option<&Arc<AliasTable>>) -> Box<dyn Query> {
    match plan {
        Plan::All => Box::new(AllQuery),
        Plan::Nothing => Box::new(EmptyQuery),
        Plan::Term { field, term } => {
            let (field, record) = field_of(fields, *field);
            Box::new(TermQuery::new(Term::from_field_text(field, term), record))
        }
        Plan::Phrase { field, terms, slop } => {
            let (field, _) = field_of(fields, *field);
            let mut phrase = PhraseQuery::new(
                terms
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect(),
            );
            phrase.set_slop(*slop);
            Box::new(phrase)
        }
        Plan::Bool(clauses) => Box::new(BooleanQuery::new(
            clauses
                .iter()
                .map(|(occur, p)| (tantivy_occur(*occur), lower(p, fields, table)))
                .collect(),
        )),
        Plan::Boost(inner, boost) => Box::new(BoostQuery::new(
            lower(inner, fields, table),
            *boost as Score,
        )),
        Plan::Filter(inner) => Box::new(ConstScoreQuery::new(lower(inner, fields, table), 0.0)),
        Plan::Entity { kind, canonical } => match table {
            Some(table) => Box::new(EntityQuery::new(
                fields,
                Arc::clone(table),
                *kind,
                canonical.clone(),
            )),
            None => Box::new(EmptyQuery),
        },
        Plan::Published { from, before } => Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(
                from.map_or(Bound::Unbounded, |s| {
                    Bound::Included(Term::from_field_i64(fields.published, s))
                }),
                before.map_or(Bound::Unbounded, |s| {
                    Bound::Excluded(Term::from_field_i64(fields.published, s))
                }),
            )),
            0.0,
        )),
        Plan::Mentioned { from, to } => {
            let day = |d: i64| Term::from_field_i64(fields.mentioned, d);
            Box::new(ConstScoreQuery::new(
                Box::new(RangeQuery::new(
                    from.map_or(Bound::Unbounded, |d| Bound::Included(day(d))),
                    to.map_or(Bound::Unbounded, |d| Bound::Included(day(d))),
                )),
                0.0,
            ))
        }
        Plan::Changed { after, upto } => Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(
                Bound::Excluded(Term::from_field_u64(fields.seq, *after)),
                Bound::Included(Term::from_field_u64(fields.seq, *upto)),
            )),
            0.0,
        )),
    }
}

fn tantivy_occur(occur: Occur) -> TantivyOccur {
    match occur {
        Occur::Should => TantivyOccur::Should,
        Occur::Must => TantivyOccur::Must,
        Occur::MustNot => TantivyOccur::MustNot,
    }
}
