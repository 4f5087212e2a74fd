//! Where a command reads articles from: the index folder, and optionally another engine
//! that holds the folder's articles (a Quickwit index filled by `index --to`). With one,
//! searches, facet counts and article reads go to it; the query's analysis, the stories
//! and the alias table stay the folder's, so both answer with the same code.

use std::collections::HashMap;

use anyhow::Result;

use super::facets::{FacetRequest, Facets, Interval};
use super::facets_of;
use super::filters::{DayRange, Filters};
use super::plan::Plan;
use super::retrieve::Retrieval;
use super::story_list::{list_stories, story_of_article, StoryListing, StoryRequest, StoryResults};
use crate::extract::entities::AliasTable;
use crate::extract::ArticleId;
use crate::index::{ArticleReader, IndexStats, NewsIndex, StoredArticle};

/// Another engine that holds the index folder's articles.
pub trait RemoteEngine: Send + Sync {
    /// The retrieval of one query.
    fn retrieval<'a>(&'a self, plan: &Plan) -> Box<dyn Retrieval + 'a>;
    /// The number of articles a query matches and their facet counts; entity names are
    /// canonical already.
    fn facets(
        &self,
        plan: &Plan,
        request: FacetRequest,
        range: DayRange,
        aliases: &AliasTable,
    ) -> Result<(usize, Facets)>;
    /// The articles of `ids` that the engine holds.
    fn articles(&self, ids: &[ArticleId]) -> Result<Vec<StoredArticle>>;
    /// Calls `each` with every article the engine holds, by id.
    fn each_article(&self, each: &mut dyn FnMut(StoredArticle) -> Result<()>) -> Result<()>;
    /// What `stats` says of the engine's index.
    fn stats(&self) -> Result<IndexStats>;
    /// The index folder's generation the engine holds every article of (an error when the
    /// folder never sent it its articles).
    fn sent_generation(&self, index: &NewsIndex) -> Result<u64>;
}

/// The index folder and, when given, the engine that answers for it.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub index: &'a NewsIndex,
    pub remote: Option<&'a dyn RemoteEngine>,
}

impl<'a> Source<'a> {
    /// The index folder alone.
    pub fn local(index: &'a NewsIndex) -> Source<'a> {
        Source {
            index,
            remote: None,
        }
    }

    /// The articles of `ids` that the source holds, by id.
    pub fn articles(&self, ids: &[ArticleId]) -> Result<HashMap<ArticleId, StoredArticle>> {
        let found = match self.remote {
            Some(remote) => remote.articles(ids)?,
            None => {
                let searcher = self.index.searcher()?;
                let reader = ArticleReader::new(&searcher, self.index.fields());
                let mut found = Vec::with_capacity(ids.len());
                for &id in ids {
                    found.extend(reader.article(id)?);
                }
                found
            }
        };
        Ok(found.into_iter().map(|a| (a.meta.id, a)).collect())
    }

    /// The article `id`; `None` when the source does not hold it.
    pub fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>> {
        Ok(self.articles(&[id])?.remove(&id))
    }
}

/// An article as `show` prints it: with its entities by their corpus-wide names and its
/// story.
pub struct ShownArticle {
    pub article: StoredArticle,
    pub entities: Vec<crate::aliases::ShownEntity>,
    pub story: Option<StoryListing>,
}

/// The article `id` with its entities and up to `story_articles` of its story's articles;
/// `None` when the source does not hold it.
pub fn shown_article(
    source: Source,
    id: ArticleId,
    story_articles: usize,
) -> Result<Option<ShownArticle>> {
    let Some(article) = source.article(id)? else {
        return Ok(None);
    };
    let entities = if article.meta.entities.is_empty() {
        Vec::new()
    } else {
        crate::aliases::shown_entities(
            &crate::aliases::load(source.index)?,
            &article.meta.entities,
            article.meta.date.map(|d| d.date()),
        )
    };
    let story = story_of_article(source, id, story_articles)?;
    Ok(Some(ShownArticle {
        article,
        entities,
        story,
    }))
}

/// What `stats` reports: the index's figures, its most named entities and its largest
/// stories.
pub fn overview(source: Source) -> Result<(IndexStats, Facets, StoryResults)> {
    let top = FacetRequest {
        top: 5,
        interval: Interval::Year,
    };
    let (_, facets) = facets_of(source, None, &Filters::default(), top)?;
    let largest = list_stories(
        source,
        &StoryRequest {
            query: None,
            filters: Filters::default(),
            limit: 5,
            offset: 0,
            articles: 0,
        },
    )?;
    let stats = match source.remote {
        Some(remote) => remote.stats()?,
        None => source.index.stats()?,
    };
    Ok((stats, facets, largest))
}
