//! The JSON documents newsearch prints, as scripts read them (documented field by field in
//! `docs/output-schema.md`). They are built from the engine's plain values and carry the
//! output's own [`FORMAT_VERSION`], so neither the index format nor the engine's types can
//! change what a script sees by accident.

use serde::Serialize;

use crate::alert::{Alert, FilterSpec};
use crate::aliases::ShownEntity;
use crate::extract::dates::{Granularity, MentionedDate};
use crate::extract::entities::EntityKind;
use crate::index::{ArticleMeta, IndexStats, StoredArticle};
use crate::pipeline::IndexSummary;
use crate::search::facets::{EntityCount, Facets, KeyCount, NameCount};
use crate::search::story_list::{StoryListing, StoryResults};
use crate::search::{Hit, StorySummary};
use crate::stories::StoryId;

/// Version of the printed JSON documents: bumped when a field is removed or changes type
/// (fields are only ever added within a version). Separate from the index's schema version.
pub const FORMAT_VERSION: u32 = 2;

pub(super) fn day(date: Option<chrono::NaiveDateTime>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The story of a result or an article.
#[derive(Debug, Serialize)]
pub(super) struct StoryJson<'a> {
    id: String,
    size: usize,
    sources: &'a [String],
    first_date: Option<String>,
    last_date: Option<String>,
    /// The story's other articles (at most a hundred).
    articles: Vec<String>,
}

impl<'a> StoryJson<'a> {
    pub(super) fn of(story: &'a StorySummary) -> StoryJson<'a> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        StoryJson {
            id: story.id.to_string(),
            size: story.size,
            sources: &story.sources,
            first_date: date(story.first_date),
            last_date: date(story.last_date),
            articles: story.others.iter().map(ToString::to_string).collect(),
        }
    }
}

/// One result.
#[derive(Debug, Serialize)]
pub(super) struct ResultJson<'a> {
    rank: usize,
    score: f32,
    article_id: String,
    external_id: Option<&'a str>,
    path: &'a str,
    title: &'a str,
    source: Option<&'a str>,
    date: Option<String>,
    passage_index: u64,
    text: &'a str,
    highlights: Vec<[usize; 2]>,
    cut_before: bool,
    cut_after: bool,
    story: Option<StoryJson<'a>>,
}

impl<'a> ResultJson<'a> {
    pub(super) fn of(hit: &'a Hit) -> ResultJson<'a> {
        ResultJson {
            rank: hit.rank,
            score: hit.score,
            article_id: hit.article_id.to_string(),
            external_id: hit.external_id.as_deref(),
            path: &hit.path,
            title: &hit.title,
            source: hit.source.as_deref(),
            date: day(hit.date),
            passage_index: hit.passage_index,
            text: &hit.text,
            highlights: hit.highlights.iter().map(|&(s, e)| [s, e]).collect(),
            cut_before: hit.cut_before,
            cut_after: hit.cut_after,
            story: hit.story.as_deref().map(StoryJson::of),
        }
    }
}

/// `query --format json`.
#[derive(Serialize)]
pub(super) struct QueryJson<'a> {
    pub format_version: u32,
    pub query: &'a str,
    pub total_articles: usize,
    pub total_stories: Option<usize>,
    pub results: Vec<ResultJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetsJson<'a>>,
}

/// One line of `query --format jsonl`.
#[derive(Serialize)]
pub(super) struct ResultLine<'a> {
    pub format_version: u32,
    pub query: &'a str,
    #[serde(flatten)]
    pub result: ResultJson<'a>,
}

#[derive(Serialize)]
pub(super) struct EntityCountJson<'a> {
    name: &'a str,
    count: u64,
    aliases: &'a [String],
}

#[derive(Serialize)]
pub(super) struct NameCountJson<'a> {
    name: &'a str,
    count: u64,
}

#[derive(Serialize)]
pub(super) struct KeyCountJson<'a> {
    key: &'a str,
    count: u64,
}

fn entity_counts(list: &[EntityCount]) -> Vec<EntityCountJson<'_>> {
    list.iter()
        .map(|e| EntityCountJson {
            name: &e.name,
            count: e.count,
            aliases: &e.aliases,
        })
        .collect()
}

fn key_counts(list: &[KeyCount]) -> Vec<KeyCountJson<'_>> {
    list.iter()
        .map(|k| KeyCountJson {
            key: &k.key,
            count: k.count,
        })
        .collect()
}

/// Facet counts (inside `query --facets` and `facets`).
#[derive(Serialize)]
pub(super) struct FacetsJson<'a> {
    stories: usize,
    person: Vec<EntityCountJson<'a>>,
    org: Vec<EntityCountJson<'a>>,
    place: Vec<EntityCountJson<'a>>,
    source: Vec<NameCountJson<'a>>,
    date: Vec<KeyCountJson<'a>>,
    mentioned: Vec<KeyCountJson<'a>>,
}

impl<'a> FacetsJson<'a> {
    pub(super) fn of(facets: &'a Facets) -> FacetsJson<'a> {
        FacetsJson {
            stories: facets.stories,
            person: entity_counts(&facets.person),
            org: entity_counts(&facets.org),
            place: entity_counts(&facets.place),
            source: facets
                .source
                .iter()
                .map(|n: &NameCount| NameCountJson {
                    name: &n.name,
                    count: n.count,
                })
                .collect(),
            date: key_counts(&facets.date),
            mentioned: key_counts(&facets.mentioned),
        }
    }
}

/// `facets --format json`.
#[derive(Serialize)]
pub(super) struct FacetsDocument<'a> {
    pub format_version: u32,
    pub total_articles: usize,
    pub facets: FacetsJson<'a>,
}

/// A mentioned date.
#[derive(Serialize)]
pub(super) struct MentionJson<'a> {
    date: String,
    granularity: &'static str,
    text: &'a str,
    start: usize,
    end: usize,
}

pub(super) fn mentions(list: &[MentionedDate]) -> Vec<MentionJson<'_>> {
    list.iter()
        .map(|m| MentionJson {
            date: m.date.format("%Y-%m-%d").to_string(),
            granularity: match m.granularity {
                Granularity::Day => "day",
                Granularity::Month => "month",
            },
            text: &m.text,
            start: m.start,
            end: m.end,
        })
        .collect()
}

/// An entity of one article (`show`).
#[derive(Serialize)]
pub(super) struct EntityJson<'a> {
    kind: &'static str,
    name: &'a str,
    article_name: &'a str,
    mentions: &'a [String],
}

/// The corpus-wide names of an article's entities, by kind (`export`).
#[derive(Default, Serialize)]
pub(super) struct EntityNamesJson<'a> {
    person: Vec<&'a str>,
    org: Vec<&'a str>,
    place: Vec<&'a str>,
}

impl<'a> EntityNamesJson<'a> {
    pub(super) fn of(shown: &'a [ShownEntity]) -> EntityNamesJson<'a> {
        let mut names = EntityNamesJson::default();
        for entity in shown {
            let list = match entity.kind {
                EntityKind::Person => &mut names.person,
                EntityKind::Org => &mut names.org,
                EntityKind::Place => &mut names.place,
            };
            list.push(&entity.name);
        }
        names
    }
}

/// One line of `export`.
#[derive(Serialize)]
pub(super) struct ExportLine<'a> {
    format_version: u32,
    article_id: String,
    external_id: Option<&'a str>,
    path: &'a str,
    record: Option<u64>,
    title: &'a str,
    date: Option<String>,
    date_source: Option<&'a str>,
    source: Option<&'a str>,
    url: Option<&'a str>,
    author: Option<&'a str>,
    mentioned_dates: Vec<MentionJson<'a>>,
    entities: EntityNamesJson<'a>,
    story: Option<ExportStoryJson>,
}

/// The story of an exported article.
#[derive(Serialize)]
pub(super) struct ExportStoryJson {
    id: String,
    size: usize,
}

impl<'a> ExportLine<'a> {
    pub(super) fn of(
        meta: &'a ArticleMeta,
        entities: &'a [ShownEntity],
        story: Option<(StoryId, usize)>,
    ) -> ExportLine<'a> {
        ExportLine {
            format_version: FORMAT_VERSION,
            article_id: meta.id.to_string(),
            external_id: meta.external_id.as_deref(),
            path: &meta.path,
            record: meta.record,
            title: &meta.title,
            date: day(meta.date),
            date_source: meta.date_source.as_deref(),
            source: meta.source.as_deref(),
            url: meta.url.as_deref(),
            author: meta.author.as_deref(),
            mentioned_dates: mentions(&meta.mentions),
            entities: EntityNamesJson::of(entities),
            story: story.map(|(id, size)| ExportStoryJson {
                id: id.to_string(),
                size,
            }),
        }
    }
}

/// `show --format json`.
#[derive(Serialize)]
pub(super) struct ArticleJson<'a> {
    format_version: u32,
    article_id: String,
    external_id: Option<&'a str>,
    path: &'a str,
    record: Option<u64>,
    title: &'a str,
    source: Option<&'a str>,
    url: Option<&'a str>,
    author: Option<&'a str>,
    date: Option<String>,
    date_source: Option<&'a str>,
    mentioned_dates: Vec<MentionJson<'a>>,
    entities: Vec<EntityJson<'a>>,
    passages: Vec<&'a str>,
    story: Option<StoryListingJson<'a>>,
}

impl<'a> ArticleJson<'a> {
    pub(super) fn of(
        article: &'a StoredArticle,
        entities: &'a [ShownEntity],
        story: Option<&'a StoryListing>,
    ) -> ArticleJson<'a> {
        let meta = &article.meta;
        ArticleJson {
            format_version: FORMAT_VERSION,
            article_id: meta.id.to_string(),
            external_id: meta.external_id.as_deref(),
            path: &meta.path,
            record: meta.record,
            title: &meta.title,
            source: meta.source.as_deref(),
            url: meta.url.as_deref(),
            author: meta.author.as_deref(),
            date: day(meta.date),
            date_source: meta.date_source.as_deref(),
            mentioned_dates: mentions(&meta.mentions),
            entities: entities
                .iter()
                .map(|e| EntityJson {
                    kind: e.kind.as_str(),
                    name: &e.name,
                    article_name: &e.article_name,
                    mentions: &e.mentions,
                })
                .collect(),
            passages: article.passages.iter().map(String::as_str).collect(),
            story: story.map(StoryListingJson::of),
        }
    }
}

#[derive(Serialize)]
struct TopEntitiesJson<'a> {
    person: Vec<EntityCountJson<'a>>,
    org: Vec<EntityCountJson<'a>>,
    place: Vec<EntityCountJson<'a>>,
}

/// `stats --format json`.
#[derive(Serialize)]
pub(super) struct StatsJson<'a> {
    format_version: u32,
    schema_version: u32,
    index: &'a str,
    size_bytes: u64,
    articles: usize,
    passages: u64,
    segments: usize,
    first_date: Option<String>,
    last_date: Option<String>,
    top_entities: TopEntitiesJson<'a>,
    stories: usize,
    largest_stories: Vec<StoryListingJson<'a>>,
}

impl<'a> StatsJson<'a> {
    pub(super) fn of(
        stats: &'a IndexStats,
        top: &'a Facets,
        largest: &'a StoryResults,
    ) -> StatsJson<'a> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        StatsJson {
            format_version: FORMAT_VERSION,
            schema_version: stats.schema_version,
            index: &stats.index,
            size_bytes: stats.size_bytes,
            articles: stats.articles,
            passages: stats.passages,
            segments: stats.segments,
            first_date: date(stats.first_date),
            last_date: date(stats.last_date),
            top_entities: TopEntitiesJson {
                person: entity_counts(&top.person),
                org: entity_counts(&top.org),
                place: entity_counts(&top.place),
            },
            stories: largest.total_stories,
            largest_stories: largest.stories.iter().map(StoryListingJson::of).collect(),
        }
    }
}

/// `index --json`.
#[derive(Serialize)]
pub(super) struct SummaryJson {
    format_version: u32,
    /// The schema version of the index written.
    schema_version: u32,
    files: usize,
    read: usize,
    added: usize,
    updated: usize,
    removed: usize,
    unchanged: usize,
    skipped: usize,
    ignored: usize,
    warnings: usize,
    boilerplate_lines: usize,
    commits: usize,
    articles: usize,
    passages: u64,
    elapsed_ms: u64,
}

impl SummaryJson {
    pub(super) fn of(s: &IndexSummary) -> SummaryJson {
        SummaryJson {
            format_version: FORMAT_VERSION,
            schema_version: s.schema_version,
            files: s.files,
            read: s.read,
            added: s.added,
            updated: s.updated,
            removed: s.removed,
            unchanged: s.unchanged,
            skipped: s.skipped,
            ignored: s.ignored,
            warnings: s.warnings,
            boilerplate_lines: s.boilerplate_lines,
            commits: s.commits,
            articles: s.articles,
            passages: s.passages,
            elapsed_ms: s.elapsed_ms,
        }
    }
}

#[derive(Serialize)]
struct AlertJson<'a> {
    name: &'a str,
    query: &'a str,
    #[serde(skip_serializing_if = "FilterSpecJson::is_empty")]
    filters: FilterSpecJson<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    each_article: bool,
    cursor: u64,
    created: &'a str,
    last_run: Option<&'a str>,
    last_reported: usize,
}

/// The filters of an alert as typed; only those set are printed.
#[derive(Serialize)]
struct FilterSpecJson<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    source: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mentions_date: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    person: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    org: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    place: &'a [String],
}

impl<'a> FilterSpecJson<'a> {
    fn of(spec: &'a FilterSpec) -> FilterSpecJson<'a> {
        FilterSpecJson {
            source: &spec.source,
            from: spec.from.as_deref(),
            to: spec.to.as_deref(),
            mentions_date: &spec.mentions_date,
            person: &spec.person,
            org: &spec.org,
            place: &spec.place,
        }
    }

    fn is_empty(&self) -> bool {
        self.source.is_empty()
            && self.from.is_none()
            && self.to.is_none()
            && self.mentions_date.is_empty()
            && self.person.is_empty()
            && self.org.is_empty()
            && self.place.is_empty()
    }
}

/// `alert --list --format json`.
#[derive(Serialize)]
pub(super) struct AlertsJson<'a> {
    format_version: u32,
    alerts: Vec<AlertJson<'a>>,
}

impl<'a> AlertsJson<'a> {
    pub(super) fn of(alerts: &'a [Alert]) -> AlertsJson<'a> {
        AlertsJson {
            format_version: FORMAT_VERSION,
            alerts: alerts
                .iter()
                .map(|a| AlertJson {
                    name: &a.name,
                    query: &a.definition.query,
                    filters: FilterSpecJson::of(&a.definition.filters),
                    each_article: a.definition.each_article,
                    cursor: a.cursor,
                    created: &a.created,
                    last_run: a.last_run.as_deref(),
                    last_reported: a.last_reported,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dates::mentioned_dates;

    #[test]
    fn mentioned_dates_print_the_date_as_iso() {
        let monday = chrono::NaiveDate::from_ymd_opt(2024, 3, 25);
        let found = mentioned_dates("in October", monday);
        let json = serde_json::to_string(&mentions(&found)[0]).expect("serializes");
        assert!(json.contains(r#""date":"2023-10-01""#), "{json}");
        assert!(json.contains(r#""granularity":"month""#), "{json}");
    }
}

/// An article of a story listing.
#[derive(Serialize)]
pub(super) struct ArticleRefJson<'a> {
    article_id: String,
    title: &'a str,
    source: Option<&'a str>,
    date: Option<String>,
}

/// One story of `stories`, or the story of `show`.
#[derive(Serialize)]
pub(super) struct StoryListingJson<'a> {
    id: String,
    headline: &'a str,
    size: usize,
    sources: &'a [String],
    first_date: Option<String>,
    last_date: Option<String>,
    people: &'a [String],
    orgs: &'a [String],
    places: &'a [String],
    articles: Vec<ArticleRefJson<'a>>,
}

impl<'a> StoryListingJson<'a> {
    pub(super) fn of(story: &'a StoryListing) -> StoryListingJson<'a> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        StoryListingJson {
            id: story.id.to_string(),
            headline: &story.headline,
            size: story.size,
            sources: &story.sources,
            first_date: date(story.first_date),
            last_date: date(story.last_date),
            people: &story.people,
            orgs: &story.orgs,
            places: &story.places,
            articles: story
                .articles
                .iter()
                .map(|a| ArticleRefJson {
                    article_id: a.id.to_string(),
                    title: &a.title,
                    source: a.source.as_deref(),
                    date: day(a.date),
                })
                .collect(),
        }
    }
}

/// `stories --format json`.
#[derive(Serialize)]
pub(super) struct StoriesJson<'a> {
    format_version: u32,
    query: Option<&'a str>,
    total_stories: usize,
    stories: Vec<StoryListingJson<'a>>,
}

impl<'a> StoriesJson<'a> {
    pub(super) fn of(results: &'a StoryResults) -> StoriesJson<'a> {
        StoriesJson {
            format_version: FORMAT_VERSION,
            query: results.query.as_deref(),
            total_stories: results.total_stories,
            stories: results.stories.iter().map(StoryListingJson::of).collect(),
        }
    }
}
