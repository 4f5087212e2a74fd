//! From a newsearch [`Plan`] to the query of Quickwit's Elasticsearch-compatible search
//! endpoint. Terms are newsearch's own analyzed terms and Quickwit's fields split on
//! whitespace only, so a term is looked up as it is: stems, folding and names stay
//! newsearch's. Filters go in filter context (no score), as they add nothing to an
//! article's score in the embedded index.

use serde_json::{json, Value};

use super::mapping::{entity_field, BODY, FORMS, GAPPED, MENTIONED, PUBLISHED, SEQ, SOURCE, TITLE};
use crate::search::plan::{Plan, TextField};
use crate::search::query::Occur;

/// The Elasticsearch query DSL of a plan.
pub fn query_of(plan: &Plan) -> Value {
    match plan {
        Plan::All => json!({"match_all": {}}),
        Plan::Nothing => json!({"match_none": {}}),
        Plan::Term { field, term } => term_query(field_name(*field), term, None),
        Plan::Phrase { field, terms, slop } => {
            // Quickwit leaves one position between the values of a list: an exact phrase
            // never crosses passages there (and scores as in the embedded index), a loose
            // one searches the field whose passages stand further apart than any slop.
            let name = match field {
                TextField::Body if *slop > 0 => GAPPED,
                other => field_name(*other),
            };
            json!({"match_phrase": {name: {"query": terms.join(" "), "slop": slop}}})
        }
        Plan::Bool(clauses) => {
            let mut must = Vec::new();
            let mut should = Vec::new();
            let mut must_not = Vec::new();
            for (occur, clause) in clauses {
                let lowered = query_of(clause);
                match occur {
                    Occur::Must => must.push(lowered),
                    Occur::Should => should.push(lowered),
                    Occur::MustNot => must_not.push(lowered),
                }
            }
            if must.is_empty() && should.is_empty() {
                // Only exclusions match nothing, as in the embedded index.
                return json!({"match_none": {}});
            }
            let mut bool_query = serde_json::Map::new();
            for (name, list) in [("must", must), ("should", should), ("must_not", must_not)] {
                if !list.is_empty() {
                    bool_query.insert(name.into(), Value::Array(list));
                }
            }
            json!({ "bool": bool_query })
        }
        // A weight of zero selects without scoring.
        Plan::Boost(inner, boost) if *boost == 0.0 => filter(query_of(inner)),
        Plan::Boost(inner, boost) => match inner.as_ref() {
            Plan::Term { field, term } => term_query(field_name(*field), term, Some(*boost)),
            other => json!({"bool": {"must": [query_of(other)], "boost": boost}}),
        },
        Plan::Filter(inner) => filter(query_of(inner)),
        Plan::Entity { kind, canonical } => {
            filter(term_query(entity_field(*kind), canonical, None))
        }
        Plan::Published { from, before } => {
            filter(range(PUBLISHED, [("gte", *from), ("lt", *before)]))
        }
        Plan::Mentioned { from, to } => filter(range(MENTIONED, [("gte", *from), ("lte", *to)])),
        Plan::Changed { after, upto } => filter(range(
            SEQ,
            [
                ("gt", i64::try_from(*after).ok()),
                ("lte", i64::try_from(*upto).ok()),
            ],
        )),
    }
}

fn field_name(field: TextField) -> &'static str {
    match field {
        TextField::Body => BODY,
        TextField::Title => TITLE,
        TextField::Forms => FORMS,
        TextField::Source => SOURCE,
    }
}

fn term_query(field: &str, value: &str, boost: Option<f32>) -> Value {
    let mut params = json!({ "value": value });
    if let Some(boost) = boost {
        params["boost"] = json!(boost);
    }
    json!({"term": {field: params}})
}

fn filter(query: Value) -> Value {
    json!({"bool": {"filter": [query]}})
}

fn range<const N: usize>(field: &str, bounds: [(&str, Option<i64>); N]) -> Value {
    let mut params = serde_json::Map::new();
    for (name, bound) in bounds {
        if let Some(bound) = bound {
            params.insert(name.into(), json!(bound));
        }
    }
    json!({"range": {field: params}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::EntityKind;

    fn term(field: TextField, term: &str) -> Plan {
        Plan::Term {
            field,
            term: term.into(),
        }
    }

    #[test]
    fn terms_keep_newsearch_s_analysis_and_title_weight() {
        let plan = Plan::Bool(vec![
            (Occur::Should, term(TextField::Body, "elect")),
            (
                Occur::Should,
                Plan::Boost(Box::new(term(TextField::Title, "elect")), 1.5),
            ),
        ]);
        assert_eq!(
            query_of(&plan),
            json!({"bool": {"should": [
                {"term": {"body": {"value": "elect"}}},
                {"term": {"title": {"value": "elect", "boost": 1.5}}}
            ]}})
        );
    }

    #[test]
    fn loose_body_phrases_search_the_field_whose_passages_stand_apart() {
        let plan = Plan::Phrase {
            field: TextField::Body,
            terms: vec!["west".into(), "bank".into()],
            slop: 3,
        };
        assert_eq!(
            query_of(&plan),
            json!({"match_phrase": {"gapped": {"query": "west bank", "slop": 3}}})
        );
        let exact = Plan::Phrase {
            field: TextField::Body,
            terms: vec!["west".into(), "bank".into()],
            slop: 0,
        };
        assert_eq!(
            query_of(&exact),
            json!({"match_phrase": {"body": {"query": "west bank", "slop": 0}}})
        );
        let title = Plan::Phrase {
            field: TextField::Title,
            terms: vec!["west".into(), "bank".into()],
            slop: 0,
        };
        assert_eq!(
            query_of(&title),
            json!({"match_phrase": {"title": {"query": "west bank", "slop": 0}}})
        );
    }

    #[test]
    fn negation_alone_matches_nothing_and_beside_words_excludes() {
        let only = Plan::Bool(vec![(Occur::MustNot, term(TextField::Body, "hama"))]);
        assert_eq!(query_of(&only), json!({"match_none": {}}));
        let beside = Plan::Bool(vec![
            (Occur::Must, term(TextField::Body, "netanyahu")),
            (Occur::MustNot, term(TextField::Body, "hama")),
        ]);
        assert_eq!(
            query_of(&beside),
            json!({"bool": {
                "must": [{"term": {"body": {"value": "netanyahu"}}}],
                "must_not": [{"term": {"body": {"value": "hama"}}}]
            }})
        );
    }

    #[test]
    fn filters_select_without_scoring() {
        let forms = Plan::Boost(Box::new(term(TextField::Forms, "federer")), 0.0);
        assert_eq!(
            query_of(&forms),
            json!({"bool": {"filter": [{"term": {"forms": {"value": "federer"}}}]}})
        );
        let entity = Plan::Entity {
            kind: EntityKind::Person,
            canonical: "Benjamin \"Bibi\" Netanyahu".into(),
        };
        assert_eq!(
            query_of(&entity),
            json!({"bool": {"filter": [
                {"term": {"person": {"value": "Benjamin \"Bibi\" Netanyahu"}}}
            ]}})
        );
        let published = Plan::Published {
            from: Some(-62_135_596_800),
            before: None,
        };
        assert_eq!(
            query_of(&published),
            json!({"bool": {"filter": [{"range": {"published": {"gte": -62_135_596_800i64}}}]}})
        );
        let changed = Plan::Changed { after: 3, upto: 7 };
        assert_eq!(
            query_of(&changed),
            json!({"bool": {"filter": [{"range": {"seq": {"gt": 3, "lte": 7}}}]}})
        );
    }

    #[test]
    fn a_boosted_group_keeps_its_clauses() {
        let plan = Plan::Boost(
            Box::new(Plan::Phrase {
                field: TextField::Title,
                terms: vec!["gaza".into(), "ceasefir".into()],
                slop: 0,
            }),
            1.5,
        );
        assert_eq!(
            query_of(&plan),
            json!({"bool": {"must": [
                {"match_phrase": {"title": {"query": "gaza ceasefir", "slop": 0}}}
            ], "boost": 1.5}})
        );
    }
}
