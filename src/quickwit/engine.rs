//! A Quickwit index as the engine that answers for an index folder: facets from terms and
//! histogram aggregations, articles by id, every article in id order, and the index's
//! figures for `stats`.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use super::mapping::{
    article_of_hit, entity_field, ARTICLE, ARTICLE_KEY, MENTION_KEYS, PASSAGES, PUBLISHED,
    SOURCE_NAME, SYNC,
};
use super::retrieval::{counts_of, story_aggregations, RemoteRetrieval};
use super::translate::query_of;
use super::{Client, Patience, MAX_HITS};
use crate::extract::entities::{AliasTable, EntityKind};
use crate::extract::ArticleId;
use crate::index::{IndexStats, NewsIndex, StoredArticle};
use crate::search::facets::{facets_from, FacetRequest, Facets, KeyCount, NameCount, RawFacets};
use crate::search::filters::DayRange;
use crate::search::plan::Plan;
use crate::search::retrieve::Retrieval;
use crate::search::source::RemoteEngine;

/// Articles fetched a request when reading every article.
const PAGE: usize = 1000;
/// Terms each split reports for a facet list, so that the lists cut to `--top` are exact
/// for all but the rarest names.
const SHARD_TERMS: usize = 10_000;
const SECONDS_A_DAY: i64 = 86_400;

/// The facet aggregations of a search.
pub fn facet_request(query: &Value, top: usize) -> Value {
    let terms = |field: &str| json!({"terms": {"field": field, "size": top + 50, "shard_size": SHARD_TERMS}});
    let mut aggs = story_aggregations();
    for kind in EntityKind::ALL {
        aggs[entity_field(kind)] = terms(entity_field(kind));
    }
    aggs[SOURCE_NAME] = terms(SOURCE_NAME);
    aggs[MENTION_KEYS] = terms(MENTION_KEYS);
    aggs["days"] = json!({"histogram": {"field": PUBLISHED, "interval": SECONDS_A_DAY,
                                        "min_doc_count": 1}});
    json!({"query": query, "size": 0, "track_total_hits": true, "aggs": aggs})
}

fn buckets<'a>(answer: &'a Value, name: &str) -> impl Iterator<Item = (&'a Value, u64)> {
    answer["aggregations"][name]["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| (&b["key"], b["doc_count"].as_u64().unwrap_or(0)))
}

/// The raw facet counts an answer to [`facet_request`] gives.
pub fn raw_facets_of(answer: &Value) -> Result<RawFacets> {
    let (total, stories) = counts_of(answer, true)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let mut days: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (key, count) in buckets(answer, "days") {
        let seconds = key.as_f64().unwrap_or(0.0) as i64;
        let offset = seconds.div_euclid(SECONDS_A_DAY);
        let day = if offset >= 0 {
            epoch.checked_add_days(Days::new(offset as u64))
        } else {
            epoch.checked_sub_days(Days::new(offset.unsigned_abs()))
        };
        let Some(day) = day else {
            bail!("Quickwit gave a publication day out of range ({seconds} s)");
        };
        *days.entry(day).or_default() += count;
    }
    let dated: u64 = days.values().sum();
    let name = |key: &Value| key.as_str().unwrap_or_default().to_string();
    let mut entities = Vec::new();
    for kind in EntityKind::ALL {
        for (key, count) in buckets(answer, entity_field(kind)) {
            entities.push(((kind, name(key)), count));
        }
    }
    Ok(RawFacets {
        stories: stories.unwrap_or(0),
        sources: buckets(answer, SOURCE_NAME)
            .map(|(key, count)| NameCount {
                name: name(key),
                count,
            })
            .collect(),
        days,
        undated: (total as u64).saturating_sub(dated),
        mentioned: buckets(answer, MENTION_KEYS)
            .map(|(key, count)| KeyCount {
                key: name(key),
                count,
            })
            .collect(),
        entities,
    })
}

/// Of several copies of an article (a changed one whose old copy is not deleted yet),
/// the one sent last; hits must come sorted by key, then newest send first.
fn newest_copies(hits: &[Value]) -> Result<Vec<StoredArticle>> {
    let mut found: Vec<StoredArticle> = Vec::with_capacity(hits.len());
    for hit in hits {
        let article = article_of_hit(&hit["_source"])?;
        if found.last().is_some_and(|a| a.meta.id == article.meta.id) {
            continue;
        }
        found.push(article);
    }
    Ok(found)
}

impl RemoteEngine for Client {
    fn retrieval<'a>(&'a self, plan: &Plan) -> Box<dyn Retrieval + 'a> {
        Box::new(RemoteRetrieval::new(self, plan))
    }

    fn facets(
        &self,
        plan: &Plan,
        request: FacetRequest,
        range: DayRange,
        aliases: &AliasTable,
    ) -> Result<(usize, Facets)> {
        let answer = self.search(&facet_request(&query_of(plan), request.top), &[])?;
        let (total, _) = counts_of(&answer, false)?;
        let facets = facets_from(raw_facets_of(&answer)?, request, range, aliases);
        Ok((total, facets))
    }

    fn articles(&self, ids: &[ArticleId]) -> Result<Vec<StoredArticle>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_HITS / 2) {
            let keys: Vec<u64> = chunk.iter().map(|id| id.0).collect();
            let body = json!({
                "query": {"terms": {ARTICLE_KEY: keys}},
                "size": 2 * chunk.len(),
                "sort": [{ARTICLE_KEY: {"order": "asc"}}, {SYNC: {"order": "desc"}}],
            });
            let answer = self.search(&body, &[ARTICLE_KEY, ARTICLE])?;
            let hits = answer["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            found.extend(newest_copies(&hits)?);
        }
        Ok(found)
    }

    fn each_article(&self, each: &mut dyn FnMut(StoredArticle) -> Result<()>) -> Result<()> {
        let mut after: Option<Value> = None;
        let mut last: Option<ArticleId> = None;
        loop {
            let mut body = json!({
                "query": {"match_all": {}},
                "size": PAGE,
                "sort": [{ARTICLE_KEY: {"order": "asc"}}, {SYNC: {"order": "desc"}}],
            });
            if let Some(after) = &after {
                body["search_after"] = after.clone();
            }
            let answer = self.search(&body, &[ARTICLE_KEY, ARTICLE])?;
            let hits = answer["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for article in newest_copies(&hits)? {
                if last == Some(article.meta.id) {
                    continue;
                }
                last = Some(article.meta.id);
                each(article)?;
            }
            if hits.len() < PAGE {
                return Ok(());
            }
            after = hits.last().map(|hit| hit["sort"].clone());
        }
    }

    fn sent_generation(&self, index: &NewsIndex) -> Result<u64> {
        super::sync::sent_generation(index, self)
    }

    fn stats(&self) -> Result<IndexStats> {
        let engine = self.engine();
        let path = format!("/api/v1/indexes/{}/describe", engine.index_id);
        let described = self.call("GET", &path, None, Patience::Short)?;
        let body = json!({"query": {"match_all": {}}, "size": 0, "track_total_hits": true,
            "aggs": {"passages": {"sum": {"field": PASSAGES}},
                     "first": {"min": {"field": PUBLISHED}},
                     "last": {"max": {"field": PUBLISHED}}}});
        let answer = self.search(&body, &[])?;
        let (articles, _) = counts_of(&answer, false)?;
        let day = |name: &str| {
            answer["aggregations"][name]["value"]
                .as_f64()
                .and_then(|s| crate::schema::date_of_seconds(s as i64))
                .map(|d| d.date())
        };
        Ok(IndexStats {
            schema_version: crate::schema::SCHEMA_VERSION,
            index: engine.address(),
            size_bytes: described["size_published_splits"].as_u64().unwrap_or(0),
            articles,
            passages: answer["aggregations"]["passages"]["value"]
                .as_f64()
                .unwrap_or(0.0) as u64,
            segments: described["num_published_splits"]
                .as_u64()
                .context("Quickwit's description of the index has no split count")?
                as usize,
            first_date: day("first"),
            last_date: day("last"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_come_from_aggregations_with_days_before_1970_and_undated_articles() {
        let answer = json!({
            "hits": {"total": {"value": 4}},
            "aggregations": {
                "stories": {"buckets": [{"key": 1, "doc_count": 2}, {"key": 2, "doc_count": 2}],
                            "sum_other_doc_count": 0},
                "estimate": {"value": 2.0},
                "person": {"buckets": [{"key": "Yair Lapid", "doc_count": 2}]},
                "org": {"buckets": []},
                "place": {"buckets": [{"key": "Rafah", "doc_count": 3}]},
                "source_name": {"buckets": [{"key": "Times of Israel", "doc_count": 1}]},
                "mention_keys": {"buckets": [{"key": "2024-03", "doc_count": 1}]},
                "days": {"buckets": [
                    {"key": -86400.0, "doc_count": 1},
                    {"key": 1711324800.0, "doc_count": 2}
                ]}
            }
        });
        let raw = raw_facets_of(&answer).expect("facets");
        assert_eq!(raw.stories, 2);
        assert_eq!(raw.undated, 1);
        let days: Vec<(String, u64)> = raw.days.iter().map(|(d, c)| (d.to_string(), *c)).collect();
        assert_eq!(
            days,
            vec![("1969-12-31".into(), 1), ("2024-03-25".into(), 2)]
        );
        assert_eq!(
            raw.entities,
            vec![
                ((EntityKind::Person, "Yair Lapid".into()), 2),
                ((EntityKind::Place, "Rafah".into()), 3)
            ]
        );
        assert_eq!(raw.sources[0].name, "Times of Israel");
        assert_eq!(raw.mentioned[0].key, "2024-03");
    }

    #[test]
    fn of_two_copies_of_an_article_the_last_sent_is_read() {
        let hit = |key: u64, title: &str| {
            json!({"_source": {"article_key": key, "article": json!({
                "path": "a.txt", "title": title, "passages": ["x"]}).to_string()}})
        };
        let hits = vec![hit(1, "new"), hit(1, "old"), hit(2, "only")];
        let found = newest_copies(&hits).expect("articles");
        let titles: Vec<&str> = found.iter().map(|a| a.meta.title.as_str()).collect();
        assert_eq!(titles, vec!["new", "only"]);
    }
}
