//! The retrieval part of a query answered by Quickwit: counts from `track_total_hits` and
//! an aggregation over the story field, the best articles from a search sorted by score
//! (BM25 over newsearch's terms) or by publication time, with their stored text.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{bail, Result};
use serde_json::{json, Value};
use tantivy::Score;

use super::mapping::{article_of_hit, ARTICLE, ARTICLE_KEY, PUBLISHED, STORY, SYNC};
use super::translate::query_of;
use super::{Client, MAX_HITS};
use crate::extract::ArticleId;
use crate::search::plan::Plan;
use crate::search::retrieve::{Found, Retrieval};
use crate::search::Sort;
use crate::stories::Stories;

/// Most distinct stories counted exactly; beyond it Quickwit's estimate is used.
const EXACT_STORIES: usize = 65_000;

/// A query's retrieval on a Quickwit index.
pub struct RemoteRetrieval<'a> {
    client: &'a Client,
    query: Value,
}

impl<'a> RemoteRetrieval<'a> {
    pub fn new(client: &'a Client, plan: &Plan) -> RemoteRetrieval<'a> {
        RemoteRetrieval {
            client,
            query: query_of(plan),
        }
    }
}

/// The search body for the best `n` matches in `sort` order.
pub fn best_request(query: &Value, sort: Sort, n: usize) -> Value {
    let sort = match sort {
        // Ties in the order of the article ids, as in the embedded index.
        Sort::Relevance => json!([{"_score": {"order": "desc"}}, {ARTICLE_KEY: {"order": "asc"}}]),
        Sort::Date => json!([{PUBLISHED: {"order": "desc"}}, {"_score": {"order": "desc"}}]),
    };
    json!({"query": query, "size": n, "sort": sort, "track_total_hits": false})
}

/// The aggregations that list the stories of the matches (exactly up to
/// [`EXACT_STORIES`]) and estimate their number.
pub fn story_aggregations() -> Value {
    json!({
        "stories": {"terms": {"field": STORY, "size": EXACT_STORIES}},
        "estimate": {"cardinality": {"field": STORY}}
    })
}

/// The search body that counts matches and their distinct stories.
pub fn count_request(query: &Value, group: bool) -> Value {
    let mut body = json!({"query": query, "size": 0, "track_total_hits": true});
    if group {
        body["aggs"] = story_aggregations();
    }
    body
}

/// The counts a count request's answer gives.
pub fn counts_of(answer: &Value, group: bool) -> Result<(usize, Option<usize>)> {
    let Some(total) = answer["hits"]["total"]["value"].as_u64() else {
        bail!("Quickwit's answer has no count of matches");
    };
    if !group {
        return Ok((total as usize, None));
    }
    let aggs = &answer["aggregations"];
    let buckets = aggs["stories"]["buckets"].as_array().map_or(0, Vec::len);
    let others = aggs["stories"]["sum_other_doc_count"].as_u64().unwrap_or(0);
    let stories = if others == 0 {
        buckets
    } else {
        aggs["estimate"]["value"].as_f64().unwrap_or(0.0).round() as usize
    };
    Ok((total as usize, Some(stories)))
}

/// The matches a best-matches answer lists, with their scores.
pub fn best_of(answer: &Value, sort: Sort) -> Result<Vec<(Score, ArticleId, Found)>> {
    let score_at = match sort {
        Sort::Relevance => 0,
        Sort::Date => 1,
    };
    let Some(hits) = answer["hits"]["hits"].as_array() else {
        bail!("Quickwit's answer has no hits");
    };
    // A changed article is held twice until Quickwit applies the delete of its old copy:
    // of the copies that match, the one sent last stands for it.
    let sync_of = |hit: &Value| hit["_source"][SYNC].as_u64().unwrap_or(0);
    let mut newest: HashMap<u64, u64> = HashMap::new();
    for hit in hits {
        let key = hit["_source"][ARTICLE_KEY].as_u64().unwrap_or(0);
        let sync = newest.entry(key).or_default();
        *sync = (*sync).max(sync_of(hit));
    }
    let mut found = Vec::with_capacity(newest.len());
    for hit in hits {
        let key = hit["_source"][ARTICLE_KEY].as_u64().unwrap_or(0);
        if newest.get(&key) != Some(&sync_of(hit)) {
            continue;
        }
        newest.remove(&key);
        let article = article_of_hit(&hit["_source"])?;
        let score = hit["sort"][score_at].as_f64().unwrap_or(0.0) as Score;
        found.push((score, article.meta.id, Found::Article(Box::new(article))));
    }
    Ok(found)
}

impl Retrieval for RemoteRetrieval<'_> {
    fn count(&self, _stories: &Arc<Stories>, group: bool) -> Result<(usize, Option<usize>)> {
        let answer = self
            .client
            .search(&count_request(&self.query, group), &[])?;
        counts_of(&answer, group)
    }

    fn story_set(&self, _stories: &Arc<Stories>) -> Result<(usize, HashSet<u64>)> {
        let answer = self.client.search(&count_request(&self.query, true), &[])?;
        let (total, _) = counts_of(&answer, true)?;
        if answer["aggregations"]["stories"]["sum_other_doc_count"].as_u64() > Some(0) {
            bail!(
                "the query matches articles of more than {EXACT_STORIES} stories, more than \
                 Quickwit lists: narrow it with a query or filters"
            );
        }
        let set = answer["aggregations"]["stories"]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["key"].as_f64().map(|k| k as u64).or(b["key"].as_u64()))
            .collect();
        Ok((total, set))
    }

    fn best(&self, sort: Sort, n: usize) -> Result<Vec<(Score, ArticleId, Found)>> {
        if n > MAX_HITS {
            bail!(
                "Quickwit returns at most {MAX_HITS} articles a query and this page needs {n}: \
                 ask for fewer results or an earlier page"
            );
        }
        let answer = self.client.search(
            &best_request(&self.query, sort, n),
            &[ARTICLE_KEY, SYNC, ARTICLE],
        )?;
        best_of(&answer, sort)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_are_counted_exactly_while_quickwit_lists_them_all() {
        let answer = json!({"hits": {"total": {"value": 5}, "hits": []}, "aggregations": {
            "stories": {"buckets": [{"key": 1, "doc_count": 3}, {"key": 9, "doc_count": 2}],
                        "sum_other_doc_count": 0},
            "estimate": {"value": 3.0}}});
        assert_eq!(counts_of(&answer, true).expect("counts"), (5, Some(2)));
        assert_eq!(counts_of(&answer, false).expect("counts"), (5, None));
        let many = json!({"hits": {"total": {"value": 900000}}, "aggregations": {
            "stories": {"buckets": [{"key": 1, "doc_count": 3}], "sum_other_doc_count": 899997},
            "estimate": {"value": 412345.0}}});
        assert_eq!(
            counts_of(&many, true).expect("counts"),
            (900000, Some(412345))
        );
        assert!(counts_of(&json!({"error": "x"}), false).is_err());
    }

    #[test]
    fn of_two_matching_copies_of_a_changed_article_the_last_sent_stands() {
        let hit = |title: &str, sync: u64, score: f64| {
            json!({"_source": {"article_key": 7, "sync": sync, "article": json!({
                "path": "a.txt", "title": title, "passages": ["x"]}).to_string()},
                "sort": [score, 7]})
        };
        let answer = json!({"hits": {"hits": [hit("old", 1, 3.0), hit("new", 2, 2.0)]}});
        let best = best_of(&answer, Sort::Relevance).expect("hits");
        assert_eq!(best.len(), 1);
        assert_eq!(best[0].0, 2.0);
        match &best[0].2 {
            Found::Article(article) => assert_eq!(article.meta.title, "new"),
            Found::At(_) => panic!("a remote hit carries its article"),
        }
    }

    #[test]
    fn the_newest_first_ask_sorts_by_time_and_keeps_the_score() {
        let body = best_request(&json!({"match_all": {}}), Sort::Date, 10);
        assert_eq!(body["sort"][0], json!({"published": {"order": "desc"}}));
        assert_eq!(body["sort"][1], json!({"_score": {"order": "desc"}}));
        assert_eq!(body["size"], json!(10));
        let answer = json!({"hits": {"hits": [{"_source": {
            "article_key": 7,
            "article": "{\"path\":\"a.txt\",\"title\":\"T\",\"passages\":[\"x\"]}"
        }, "sort": [1700000000, 2.5]}]}});
        let best = best_of(&answer, Sort::Date).expect("hits");
        assert_eq!(best.len(), 1);
        assert_eq!(best[0].0, 2.5);
        assert_eq!(best[0].1, ArticleId(7));
    }
}
