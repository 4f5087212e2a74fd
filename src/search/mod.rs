//! Answering a query. The parsed tree becomes a tantivy query over article documents
//! ([`compile`]), so Boolean logic applies to whole articles; the best articles come from
//! tantivy's top-k collector (BM25 over body and title, pruned with block-max WAND), or
//! newest first; then each of them shows its best passages, chosen and highlighted from
//! its stored text ([`passages`]). Returns plain structs; printing is elsewhere.

mod compile;
mod entity;
pub mod facets;
pub mod filters;
pub mod highlight;
mod passages;
pub mod plan;
pub mod query;
pub(crate) mod retrieve;
pub mod source;
pub mod story_list;

use std::cell::OnceCell;
use std::sync::Arc;

use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};
use tantivy::collector::Count;

use crate::extract::entities::{AliasTable, EntityKind};
use crate::extract::ArticleId;
use crate::index::{ArticleMeta, ArticleReader, NewsIndex};
use crate::schema::{news_analyzer, word_form};
use crate::stories::{Stories, StoryId};
use compile::{compile_query, Compiled, EntitySlot};
use facets::{count_facets, FacetRequest, Facets};
use filters::Filters;
use highlight::{Matcher, Scanner};
use passages::{match_article, PassageQuery};
use retrieve::{top_articles, Embedded, Found, Retrieval};
use source::Source;

/// What to search for and how much to return.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub per_article: usize,
    pub snippet_chars: usize,
    pub filters: Filters,
    pub sort: Sort,
    /// One result per story (its best article), or one per article.
    pub group: Group,
    /// Also count the matching articles' facets.
    pub facets: Option<FacetRequest>,
}

/// How results are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Each story once: its best-matching article; `limit` and `offset` count stories.
    Story,
    /// Each article; `limit` and `offset` count passages.
    Article,
}

/// A story as a result shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StorySummary {
    pub id: StoryId,
    /// Its number of articles.
    pub size: usize,
    /// Its distinct sources.
    pub sources: Vec<String>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// Its other articles (by date), at most [`MAX_OTHERS`].
    pub others: Vec<ArticleId>,
}

/// Most other articles of a story a result lists (its size counts them all).
pub const MAX_OTHERS: usize = 100;

impl StorySummary {
    /// The story of `article` in `stories`; `None` for an article outside any story.
    pub fn of(
        stories: &Stories,
        story: Option<StoryId>,
        article: ArticleId,
    ) -> Option<StorySummary> {
        let info = stories.story(story?)?;
        Some(StorySummary {
            id: info.id,
            size: info.size,
            sources: stories.sources(&info).map(str::to_string).collect(),
            first_date: info.first_date,
            last_date: info.last_date,
            others: stories
                .members(&info)
                .filter(|&m| m != article.0)
                .take(MAX_OTHERS)
                .map(ArticleId)
                .collect(),
        })
    }
}

/// Result order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Best BM25 score first.
    Relevance,
    /// Newest publication date first (undated articles last).
    Date,
}

/// One ranked passage.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Position in the ranking: of the passage, or with results grouped by story, of its
    /// story.
    pub rank: usize,
    /// The relevance of the passage's article (BM25 over its body and title).
    pub score: f32,
    /// The story the article belongs to.
    pub story: Option<Arc<StorySummary>>,
    pub article_id: ArticleId,
    /// The id the article's own data gives it.
    pub external_id: Option<String>,
    pub path: String,
    pub title: String,
    pub source: Option<String>,
    pub date: Option<NaiveDateTime>,
    pub passage_index: u64,
    /// The passage cut to the snippet length.
    pub text: String,
    /// Character ranges of `text`, end exclusive.
    pub highlights: Vec<(usize, usize)>,
    pub cut_before: bool,
    pub cut_after: bool,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    pub query: String,
    /// Articles that match.
    pub total_articles: usize,
    /// Stories those articles belong to (an article outside any story counts as one),
    /// when results are grouped by story.
    pub total_stories: Option<usize>,
    pub hits: Vec<Hit>,
    pub facets: Option<Facets>,
}

/// Share of an article's best passage's own BM25 added to its score when ranking by
/// relevance: it breaks near ties between the articles shown in favour of one that
/// answers in one place, and stays small enough that the article decides (on the TIME
/// collection MAP@100 is 0.698 without it, 0.704 with 0.1, 0.712 with 0.2; 0.1 is kept
/// from the design before, which measured 0.700-0.708 for any share from 0 to 0.3).
const PASSAGE_SHARE: f32 = 0.1;

/// The index's entity alias table, loaded the first time something needs it (plain
/// queries never do).
struct Aliases<'a> {
    index: &'a NewsIndex,
    table: OnceCell<Arc<AliasTable>>,
}

impl<'a> Aliases<'a> {
    fn new(index: &'a NewsIndex) -> Aliases<'a> {
        Aliases {
            index,
            table: OnceCell::new(),
        }
    }

    fn get(&self) -> Result<Arc<AliasTable>> {
        if let Some(table) = self.table.get() {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(crate::aliases::load(self.index)?);
        Ok(Arc::clone(self.table.get_or_init(|| table)))
    }
}

/// Runs a query: the index folder analyzes it (its terms, names, expansions, stories and
/// aliases) on the commit it was opened on, and the articles are retrieved from the
/// source's remote engine when it has one, else from the folder's own index.
pub fn search(source: Source, request: &SearchRequest) -> Result<SearchResults> {
    let index = source.index;
    let remote = source.remote;
    let searcher = index.searcher()?;
    let fields = index.fields();
    let aliases = Aliases::new(index);
    let mut analyzer = news_analyzer();
    // Without a query (only filters), every article the filters select, newest first.
    let listing = request.query.trim().is_empty() && request.filters != Filters::default();
    let Compiled {
        query,
        matchers,
        units,
        required,
        entities,
    } = if listing {
        Compiled::everything()
    } else {
        compile_query(&searcher, fields, &mut analyzer, &request.query, || {
            aliases.get()
        })?
    };
    let sort = if listing { Sort::Date } else { request.sort };
    let plan = filters::apply(query, &request.filters, || aliases.get())?;
    let engine: Box<dyn Retrieval + '_> = match remote {
        Some(remote) => remote.retrieval(&plan),
        None => Box::new(Embedded {
            searcher: &searcher,
            query: plan::to_tantivy(&plan, fields, &|| aliases.get())?,
        }),
    };
    let stories = index.stories()?;
    let group = request.group == Group::Story;
    let (total_articles, total_stories) = engine.count(&stories, group)?;
    let facets = match request.facets {
        Some(facet_request) => Some(
            facets_of_plan(
                source,
                &searcher,
                &plan,
                facet_request,
                request.filters.published,
                &aliases,
            )?
            .1,
        ),
        None => None,
    };
    // Every article shows at least one passage: the articles (or stories) that can fill
    // the page. Allocation follows what matched, never the numbers asked for.
    let need = request.offset.saturating_add(request.limit);
    let top = top_articles(engine.as_ref(), sort, need, total_articles, &stories, group)?;
    let passage_query = PassageQuery {
        units: &units,
        required: &required,
        per_article: request.per_article,
        snippet_chars: request.snippet_chars,
    };
    let reader = ArticleReader::new(&searcher, fields);
    let mut scanner = Scanner::new(&matchers);
    let mut found = Vec::with_capacity(top.len());
    let mut filled = 0;
    for candidate in top {
        // Enough articles to fill the page: every one shows at least one passage.
        if filled >= need {
            break;
        }
        let article = match candidate.found {
            Found::At(address) => reader.at(address)?,
            Found::Article(article) => *article,
        };
        let matched = if entities.is_empty() {
            match_article(&mut scanner, &article.passages, &matchers)
        } else {
            let table = aliases.get()?;
            let mut matchers = matchers.clone();
            for slot in &entities {
                matchers[slot.matcher] = mentions_of(&table, &article.meta, slot);
            }
            match_article(&mut Scanner::new(&matchers), &article.passages, &matchers)
        };
        let (tokens, count) = matched.lengths();
        let average = tokens as f32 / count.max(1) as f32;
        let shown = matched.choose(&article.passages, &passage_query, average);
        filled += if group { 1 } else { shown.len() };
        let best = shown.first().map_or(0.0, |p| p.score);
        let score = match sort {
            // The best passage's own score breaks near ties between articles: of two
            // about as relevant, the one that answers in one place comes first.
            Sort::Relevance => candidate.score + PASSAGE_SHARE * best,
            Sort::Date => candidate.score,
        };
        let story = StorySummary::of(&stories, candidate.story, candidate.id).map(Arc::new);
        found.push((score, article.meta, shown, story));
    }
    if sort == Sort::Relevance {
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    let mut hits = Vec::new();
    let mut shown = 0;
    'articles: for (position, (score, meta, passages, story)) in found.into_iter().enumerate() {
        if group && position >= need {
            break;
        }
        if group && position < request.offset {
            continue;
        }
        for passage in passages {
            shown += 1;
            if !group && shown > need {
                break 'articles;
            }
            if !group && shown <= request.offset {
                continue;
            }
            hits.push(Hit {
                rank: if group { position + 1 } else { shown },
                score,
                story: story.clone(),
                article_id: meta.id,
                external_id: meta.external_id.clone(),
                path: meta.path.clone(),
                title: meta.title.clone(),
                source: meta.source.clone(),
                date: meta.date,
                passage_index: passage.index as u64,
                text: passage.snippet.text,
                highlights: passage.snippet.highlights,
                cut_before: passage.snippet.cut_before,
                cut_after: passage.snippet.cut_after,
            });
        }
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_articles,
        total_stories,
        hits,
        facets,
    })
}

/// How one article names the entity of a slot: the words of each of its mentions.
fn mentions_of(table: &AliasTable, meta: &ArticleMeta, slot: &EntitySlot) -> Matcher {
    let article_names: Vec<(EntityKind, &str)> = meta
        .entities
        .iter()
        .map(|e| (e.kind, e.name.as_str()))
        .collect();
    let day = meta.date.map(|d| d.date());
    let mut names: Vec<Vec<String>> = meta
        .entities
        .iter()
        .filter(|e| {
            e.kind == slot.kind
                && table.canonical_in(e.kind, &e.name, day, &article_names) == slot.canonical
        })
        .flat_map(|e| e.forms.iter().map(|(form, _)| form.as_str()))
        .map(|text| {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(word_form)
                .collect()
        })
        .collect();
    names.sort();
    names.dedup();
    Matcher::Mentions(names)
}

/// The number of articles a plan selects and their facet counts, from the source's
/// remote engine when it has one.
fn facets_of_plan(
    source: Source,
    searcher: &tantivy::Searcher,
    plan: &plan::Plan,
    request: FacetRequest,
    range: filters::DayRange,
    aliases: &Aliases,
) -> Result<(usize, Facets)> {
    if let Some(remote) = source.remote {
        return remote.facets(plan, request, range, aliases.get()?.as_ref());
    }
    let query = plan::to_tantivy(plan, source.index.fields(), &|| aliases.get())?;
    let total = searcher.search(query.as_ref(), &Count)?;
    let facets = count_facets(
        searcher,
        query.as_ref(),
        request,
        range,
        &aliases.get()?,
        &source.index.stories()?,
    )?;
    Ok((total, facets))
}

/// Facet counts of the articles a query (or, without one, every article) and the filters
/// select; with the number of those articles.
pub fn facets_of(
    source: Source,
    query_text: Option<&str>,
    filters: &Filters,
    request: FacetRequest,
) -> Result<(usize, Facets)> {
    let index = source.index;
    let searcher = index.searcher()?;
    let fields = index.fields();
    let aliases = Aliases::new(index);
    let base = match query_text {
        Some(text) => {
            compile_query(&searcher, fields, &mut news_analyzer(), text, || {
                aliases.get()
            })?
            .query
        }
        None => plan::Plan::All,
    };
    let plan = filters::apply(base, filters, || aliases.get())?;
    facets_of_plan(
        source,
        &searcher,
        &plan,
        request,
        filters.published,
        &aliases,
    )
}
