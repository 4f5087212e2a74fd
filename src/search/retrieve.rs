//! The top articles of a query: by relevance (tantivy's top-k collector, BM25 with block-max
//! WAND pruning) or newest first (every match scored, none through `explain`); and, when
//! results are grouped by story, the best article of each story, fetching more articles
//! until enough distinct stories are found.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::Result;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::facets::{DistinctStories, StorySet};
use super::Sort;
use crate::extract::ArticleId;
use crate::index::StoredArticle;
use crate::schema::Fields;
use crate::stories::{Stories, StoryId};

/// Where a matching article's stored text is: in the embedded index at an address, or
/// already fetched (from a remote engine).
pub enum Found {
    At(DocAddress),
    Article(Box<StoredArticle>),
}

/// A top article: its score, where it is, its id and its story.
pub(crate) struct Candidate {
    pub score: Score,
    pub found: Found,
    pub id: ArticleId,
    pub story: Option<StoryId>,
}

/// The retrieval part of a query, which every engine answers its own way: how many
/// articles (and stories) match, and the best of them in an order. Everything else (the
/// query language, passages, highlights, grouping, output) is the same code for all.
pub trait Retrieval {
    /// The articles that match and, when `group`, the stories they belong to (an article
    /// outside any story counts as one).
    fn count(&self, stories: &Arc<Stories>, group: bool) -> Result<(usize, Option<usize>)>;
    /// The best `n` matches in `sort` order, each with its score and id, each article
    /// once.
    fn best(&self, sort: Sort, n: usize) -> Result<Vec<(Score, ArticleId, Found)>>;
    /// The articles that match, and the ids of the stories they belong to.
    fn story_set(&self, stories: &Arc<Stories>) -> Result<(usize, HashSet<u64>)>;
}

/// The embedded index's retrieval: tantivy's collectors over one commit.
pub(crate) struct Embedded<'a> {
    pub searcher: &'a Searcher,
    pub query: Box<dyn Query>,
}

impl Retrieval for Embedded<'_> {
    fn count(&self, stories: &Arc<Stories>, group: bool) -> Result<(usize, Option<usize>)> {
        Ok(if group {
            let distinct = DistinctStories {
                stories: Arc::clone(stories),
            };
            let (total, found) = self
                .searcher
                .search(self.query.as_ref(), &(Count, distinct))?;
            (total, Some(found))
        } else {
            (self.searcher.search(self.query.as_ref(), &Count)?, None)
        })
    }

    fn story_set(&self, stories: &Arc<Stories>) -> Result<(usize, HashSet<u64>)> {
        let set = StorySet {
            stories: Arc::clone(stories),
        };
        Ok(self.searcher.search(self.query.as_ref(), &(Count, set))?)
    }

    fn best(&self, sort: Sort, n: usize) -> Result<Vec<(Score, ArticleId, Found)>> {
        let found = match sort {
            Sort::Relevance => self.searcher.search(
                self.query.as_ref(),
                &TopDocs::with_limit(n).order_by_score(),
            )?,
            Sort::Date => newest(self.searcher, self.query.as_ref(), n)?,
        };
        let mut keys = Keys::new(self.searcher);
        let mut best: Vec<(Score, ArticleId, Found)> = found
            .into_iter()
            .map(|(score, address)| Ok((score, keys.of(address)?, Found::At(address))))
            .collect::<Result<_>>()?;
        // Equal scores (a query of filters only scores nothing) in the order of the article
        // ids, whatever segment holds them: the same order on every engine.
        if sort == Sort::Relevance {
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1 .0.cmp(&b.1 .0)));
        }
        Ok(best)
    }
}

/// The best `want` articles of `query` (of the `total` that match), or with `stories`,
/// the best article of each of the best `want` stories. Allocation follows what matched.
pub(crate) fn top_articles(
    engine: &dyn Retrieval,
    sort: Sort,
    want: usize,
    total: usize,
    stories: &Stories,
    group: bool,
) -> Result<Vec<Candidate>> {
    let mut fetch = if group {
        want.saturating_mul(2).saturating_add(8)
    } else {
        want
    }
    .min(total);
    loop {
        if fetch == 0 {
            return Ok(Vec::new());
        }
        let found = engine.best(sort, fetch)?;
        let got = found.len();
        let mut candidates: Vec<Candidate> = Vec::with_capacity(found.len());
        let mut seen = HashSet::new();
        for (score, id, found) in found {
            let story = stories.story_of(id.0);
            if group && !seen.insert(story.map_or(id.0, |s| s.0)) {
                continue;
            }
            candidates.push(Candidate {
                score,
                found,
                id,
                story,
            });
        }
        if !group || candidates.len() >= want || fetch >= total || got < fetch {
            candidates.truncate(want);
            return Ok(candidates);
        }
        fetch = fetch.saturating_mul(4).min(total);
    }
}

/// Article ids by address, one fast-field column per segment.
struct Keys<'a> {
    searcher: &'a Searcher,
    columns: std::collections::HashMap<u32, Column<u64>>,
}

impl<'a> Keys<'a> {
    fn new(searcher: &'a Searcher) -> Keys<'a> {
        Keys {
            searcher,
            columns: std::collections::HashMap::new(),
        }
    }

    fn of(&mut self, address: DocAddress) -> Result<ArticleId> {
        let column = match self.columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let reader = self.searcher.segment_reader(address.segment_ord);
                entry.insert(reader.fast_fields().u64(Fields::ARTICLE_KEY)?)
            }
        };
        Ok(ArticleId(column.first(address.doc_id).unwrap_or(0)))
    }
}

/// The `limit` newest matching articles (undated ones last, then by index order), each
/// with its relevance score: every match is scored, none through `explain`.
pub(super) fn newest(
    searcher: &Searcher,
    query: &dyn Query,
    limit: usize,
) -> Result<Vec<(Score, DocAddress)>> {
    let found = searcher.search(query, &Newest { limit })?;
    Ok(found
        .into_iter()
        .map(|(_, score, address)| (score, address))
        .collect())
}

/// Collects the newest matches with their scores.
struct Newest {
    limit: usize,
}

/// A match: its publication time (`i64::MIN` when undated), score and address.
type Dated = (i64, Score, DocAddress);

struct NewestSegment {
    segment_ord: u32,
    published: Column<i64>,
    found: Vec<Dated>,
    limit: usize,
}

/// Newest first; ties in index order.
fn newest_first(a: &Dated, b: &Dated) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2))
}

/// Keeps the `limit` newest of `found`, in order.
fn keep_newest(mut found: Vec<Dated>, limit: usize) -> Vec<Dated> {
    if found.len() > limit {
        found.select_nth_unstable_by(limit, newest_first);
        found.truncate(limit);
    }
    found.sort_by(newest_first);
    found
}

impl Collector for Newest {
    type Fruit = Vec<Dated>;
    type Child = NewestSegment;

    fn for_segment(
        &self,
        segment_ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(NewestSegment {
            segment_ord,
            published: segment.fast_fields().i64(Fields::PUBLISHED)?,
            found: Vec::new(),
            limit: self.limit,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Dated>>) -> tantivy::Result<Vec<Dated>> {
        Ok(keep_newest(
            fruits.into_iter().flatten().collect(),
            self.limit,
        ))
    }
}

impl SegmentCollector for NewestSegment {
    type Fruit = Vec<Dated>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let published = self.published.first(doc).unwrap_or(i64::MIN);
        self.found
            .push((published, score, DocAddress::new(self.segment_ord, doc)));
        // Bound what is held by what is asked for, whatever the matches.
        if self.found.len() >= self.limit.saturating_mul(2).max(1024) {
            let found = std::mem::take(&mut self.found);
            self.found = keep_newest(found, self.limit);
        }
    }

    fn harvest(self) -> Vec<Dated> {
        keep_newest(self.found, self.limit)
    }
}
