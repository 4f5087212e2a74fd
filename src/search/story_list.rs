//! Stories as `newsearch stories`, `show` and `stats` list them: a representative
//! headline, size, sources, first and last date, the people, organisations and places its
//! articles name most, and its articles. Without a query the biggest stories come first;
//! with one, the stories of the best-matching articles, best first.

use std::collections::HashMap;

use super::plan::{to_tantivy, Plan};
use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};

use super::compile::compile_query;
use super::filters::{self, Filters};
use super::retrieve::{top_articles, Embedded, Retrieval};
use super::source::Source;
use super::{Aliases, Sort};
use crate::extract::entities::EntityKind;
use crate::extract::ArticleId;
use crate::index::ArticleMeta;
use crate::schema::news_analyzer;
use crate::stories::{Stories, StoryId, StoryInfo};

/// Most articles of a story whose names are read for its top entities.
const ENTITY_SAMPLE: usize = 30;
/// Most entities of each kind a listing names.
const TOP_ENTITIES: usize = 5;

/// An article of a story, as a listing names it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleRef {
    pub id: ArticleId,
    pub title: String,
    pub source: Option<String>,
    pub date: Option<NaiveDateTime>,
}

/// One story as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryListing {
    pub id: StoryId,
    /// The title of the story's best-matching article (or, without a query, of its first).
    pub headline: String,
    pub size: usize,
    pub sources: Vec<String>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub people: Vec<String>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    /// Its articles by date, at most `articles` of the request.
    pub articles: Vec<ArticleRef>,
}

/// Stories a listing found.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryResults {
    pub query: Option<String>,
    /// Stories among the articles the query and filters select (all stories without them).
    pub total_stories: usize,
    pub stories: Vec<StoryListing>,
}

/// What to list.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryRequest {
    pub query: Option<String>,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    /// Most articles listed per story.
    pub articles: usize,
}

/// Lists stories: the biggest first, or with a query or filters, those of the matching
/// articles (best match first with a query, biggest first without).
pub fn list_stories(source: Source, request: &StoryRequest) -> Result<StoryResults> {
    let index = source.index;
    let stories = index.stories()?;
    let searcher = index.searcher()?;
    let fields = index.fields();
    let aliases = Aliases::new(index);
    let want = request.offset.saturating_add(request.limit);
    let mut chosen: Vec<(StoryInfo, Option<ArticleId>)> = Vec::new();
    let total_stories;
    if request.query.is_none() && request.filters == Filters::default() {
        total_stories = stories.story_count();
        chosen.extend(
            stories
                .by_size()
                .skip(request.offset)
                .take(request.limit)
                .map(|info| (info, None)),
        );
    } else {
        let base = match &request.query {
            Some(text) => {
                compile_query(&searcher, fields, &mut news_analyzer(), text, || {
                    aliases.get()
                })?
                .query
            }
            None => Plan::All,
        };
        let plan = filters::apply(base, &request.filters, || aliases.get())?;
        let engine: Box<dyn Retrieval> = match source.remote {
            Some(remote) => remote.retrieval(&plan),
            None => Box::new(Embedded {
                searcher: &searcher,
                query: to_tantivy(&plan, fields, &|| aliases.get())?,
            }),
        };
        let (total, distinct) = engine.story_set(&stories)?;
        total_stories = distinct.len();
        if request.query.is_some() {
            let top = top_articles(
                engine.as_ref(),
                Sort::Relevance,
                want,
                total,
                &stories,
                true,
            )?;
            for candidate in top.into_iter().skip(request.offset) {
                if let Some(info) = candidate.story.and_then(|s| stories.story(s)) {
                    chosen.push((info, Some(candidate.id)));
                }
            }
        } else {
            let mut infos: Vec<StoryInfo> = distinct
                .into_iter()
                .filter_map(|s| stories.story(StoryId(s)))
                .collect();
            infos.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
            chosen.extend(
                infos
                    .into_iter()
                    .skip(request.offset)
                    .take(request.limit)
                    .map(|info| (info, None)),
            );
        }
    }
    let table = aliases.get()?;
    let mut listed = Vec::with_capacity(chosen.len());
    for (info, best) in chosen {
        listed.push(listing(
            source,
            &stories,
            &table,
            &info,
            best,
            request.articles,
        )?);
    }
    Ok(StoryResults {
        query: request.query.clone(),
        total_stories,
        stories: listed,
    })
}

/// The story of one article, listed with up to `articles` of its articles.
pub fn story_of_article(
    source: Source,
    id: ArticleId,
    articles: usize,
) -> Result<Option<StoryListing>> {
    let stories = source.index.stories()?;
    let Some(info) = stories.story_of(id.0).and_then(|s| stories.story(s)) else {
        return Ok(None);
    };
    let table = Aliases::new(source.index).get()?;
    listing(source, &stories, &table, &info, Some(id), articles).map(Some)
}

fn listing(
    source: Source,
    stories: &Stories,
    table: &crate::extract::entities::AliasTable,
    info: &StoryInfo,
    best: Option<ArticleId>,
    articles: usize,
) -> Result<StoryListing> {
    let members: Vec<ArticleId> = stories.members(info).map(ArticleId).collect();
    // The articles read: the first of the story, and its best match.
    let mut wanted: Vec<ArticleId> = members
        .iter()
        .copied()
        .take(ENTITY_SAMPLE.max(articles))
        .collect();
    wanted.extend(best);
    let metas: HashMap<ArticleId, ArticleMeta> = source
        .articles(&wanted)?
        .into_iter()
        .map(|(id, article)| (id, article.meta))
        .collect();
    let mut counts: HashMap<(EntityKind, String), usize> = HashMap::new();
    let mut listed = Vec::new();
    let mut headline = None;
    for (n, &member) in members.iter().enumerate() {
        if n >= ENTITY_SAMPLE && n >= articles {
            break;
        }
        let Some(meta) = metas.get(&member) else {
            continue;
        };
        if n < ENTITY_SAMPLE {
            let day = meta.date.map(|d| d.date());
            for key in crate::aliases::canonical_entities(table, &meta.entities, day) {
                *counts.entry(key).or_default() += 1;
            }
        }
        if headline.is_none() && best.is_none_or(|b| b == member) {
            headline = Some(meta.title.clone());
        }
        if listed.len() < articles {
            listed.push(ArticleRef {
                id: member,
                title: meta.title.clone(),
                source: meta.source.clone(),
                date: meta.date,
            });
        }
    }
    if headline.is_none() {
        if let Some(meta) = best.and_then(|b| metas.get(&b)) {
            headline = Some(meta.title.clone());
        }
    }
    let top = |kind: EntityKind| {
        let mut names: Vec<(&String, usize)> = counts
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|((_, name), count)| (name, *count))
            .collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        names
            .into_iter()
            .take(TOP_ENTITIES)
            .map(|(name, _)| name.clone())
            .collect()
    };
    Ok(StoryListing {
        id: info.id,
        headline: headline.unwrap_or_default(),
        size: info.size,
        sources: stories.sources(info).map(str::to_string).collect(),
        first_date: info.first_date,
        last_date: info.last_date,
        people: top(EntityKind::Person),
        orgs: top(EntityKind::Org),
        places: top(EntityKind::Place),
        articles: listed,
    })
}
