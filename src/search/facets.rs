//! Facet counts over the articles a query selects: sources, publication-date histogram
//! (calendar-aligned buckets, weeks from Monday, empty buckets listed), mentioned dates,
//! and people, organisations and places merged through the corpus alias table.
//! Counts count articles.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use anyhow::Result;
use chrono::{Datelike, Months, NaiveDate};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::query::Query;
use tantivy::{Score, Searcher, SegmentReader};

use super::filters::{week_start, DayRange};
use crate::extract::dates::Granularity;
use crate::extract::entities::{AliasTable, EntityKind};
use crate::index::EntityOrds;
use crate::schema::{date_of_seconds, FacetPath, Fields};
use crate::stories::Stories;

/// Width of the publication-date histogram's buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
    Month,
    Year,
}

/// What facets to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FacetRequest {
    /// Longest list per facet (the date histogram is never cut).
    pub top: usize,
    pub interval: Interval,
}

/// A name and the number of articles that carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

/// A histogram bucket or a mentioned period, and its number of articles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCount {
    pub key: String,
    pub count: u64,
}

/// An entity (by its canonical name), its number of articles and its other names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityCount {
    pub name: String,
    pub count: u64,
    pub aliases: Vec<String>,
}

/// Facet counts of a set of articles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    /// Distinct stories among the articles counted.
    pub stories: usize,
    pub person: Vec<EntityCount>,
    pub org: Vec<EntityCount>,
    pub place: Vec<EntityCount>,
    pub source: Vec<NameCount>,
    /// Publication-date histogram, oldest first; `unknown` last when some have no date.
    pub date: Vec<KeyCount>,
    /// Most-mentioned days (`2024-03-26`) and months (`2023-10`).
    pub mentioned: Vec<KeyCount>,
}

/// Facet counts as an engine gives them, before they are sorted, cut and bucketed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawFacets {
    /// Distinct stories.
    pub stories: usize,
    pub sources: Vec<NameCount>,
    /// Articles by publication day.
    pub days: BTreeMap<NaiveDate, u64>,
    /// Articles with no publication date.
    pub undated: u64,
    pub mentioned: Vec<KeyCount>,
    /// Articles by entity (canonical name).
    pub entities: Vec<((EntityKind, String), u64)>,
}

/// Counts the facets of the articles `query` matches, and their distinct stories.
pub fn count_facets(
    searcher: &Searcher,
    query: &dyn Query,
    request: FacetRequest,
    range: DayRange,
    aliases: &Arc<AliasTable>,
    stories: &Arc<Stories>,
) -> Result<Facets> {
    let (counted, distinct) = searcher.search(
        query,
        &(
            FacetCounter {
                aliases: Arc::clone(aliases),
            },
            DistinctStories {
                stories: Arc::clone(stories),
            },
        ),
    )?;
    let mut raw = RawFacets {
        stories: distinct,
        entities: counted.entities.into_iter().collect(),
        ..RawFacets::default()
    };
    for (path, count) in counted.paths {
        match path {
            FacetPath::Source(name) => raw.sources.push(NameCount { name, count }),
            FacetPath::UnknownDate => raw.undated += count,
            FacetPath::Date(day) => *raw.days.entry(day).or_default() += count,
            FacetPath::Mentioned(day, granularity) => raw.mentioned.push(KeyCount {
                key: match granularity {
                    Granularity::Day => day.format("%Y-%m-%d").to_string(),
                    Granularity::Month => day.format("%Y-%m").to_string(),
                },
                count,
            }),
            FacetPath::Entity(..) => {}
        }
    }
    Ok(facets_from(raw, request, range, aliases))
}

/// The facets of raw counts: lists sorted by count and cut to the request's length, the
/// publication days bucketed by its interval, entities with their other names.
pub fn facets_from(
    raw: RawFacets,
    request: FacetRequest,
    range: DayRange,
    aliases: &AliasTable,
) -> Facets {
    let RawFacets {
        stories,
        mut sources,
        days,
        undated,
        mut mentioned,
        entities: entity_counts,
    } = raw;
    sources.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    sources.truncate(request.top);
    mentioned.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    mentioned.truncate(request.top);
    let mut date = histogram(&days, request.interval, range);
    if undated > 0 {
        date.push(KeyCount {
            key: "unknown".into(),
            count: undated,
        });
    }
    let mut entities: HashMap<EntityKind, Vec<EntityCount>> = HashMap::new();
    for ((kind, name), count) in entity_counts {
        let aliases = aliases.aliases(kind, &name);
        entities.entry(kind).or_default().push(EntityCount {
            name,
            count,
            aliases,
        });
    }
    let mut list = |kind: EntityKind| {
        let mut list = entities.remove(&kind).unwrap_or_default();
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        list.truncate(request.top);
        list
    };
    Facets {
        stories,
        person: list(EntityKind::Person),
        org: list(EntityKind::Org),
        place: list(EntityKind::Place),
        source: sources,
        date,
        mentioned,
    }
}

/// The calendar bucket holding `day`, as its first day.
fn bucket_start(day: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => day,
        Interval::Week => week_start(day),
        Interval::Month => day.with_day(1).unwrap_or(day),
        Interval::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
    }
}

fn next_bucket(start: NaiveDate, interval: Interval) -> Option<NaiveDate> {
    match interval {
        Interval::Day => start.succ_opt(),
        Interval::Week => start.checked_add_days(chrono::Days::new(7)),
        Interval::Month => start.checked_add_months(Months::new(1)),
        Interval::Year => start.checked_add_months(Months::new(12)),
    }
}

fn bucket_key(start: NaiveDate, interval: Interval) -> String {
    match interval {
        Interval::Day | Interval::Week => start.format("%Y-%m-%d").to_string(),
        Interval::Month => start.format("%Y-%m").to_string(),
        Interval::Year => start.format("%Y").to_string(),
    }
}

/// Most buckets a date histogram lists (about eleven years of days).
pub const MAX_BUCKETS: u64 = 4_000;

/// Buckets day counts; every bucket between the first and last (or the filter's range)
/// is listed, empty ones with 0. At most [`MAX_BUCKETS`]: a span that needs more at the
/// interval asked for is first narrowed to the days that have articles, then takes wider
/// intervals (day, week, month, year); a span too long even for years lists only the
/// years that have articles. (`--from 0000 --to 9999 --interval day` once listed 3.65
/// million empty days.)
fn histogram(
    days: &BTreeMap<NaiveDate, u64>,
    interval: Interval,
    range: DayRange,
) -> Vec<KeyCount> {
    let data = (
        days.keys().next().copied(),
        days.keys().next_back().copied(),
    );
    let (Some(first), Some(last)) = (range.from.or(data.0), range.to.or(data.1)) else {
        return Vec::new();
    };
    let wider = [
        Interval::Day,
        Interval::Week,
        Interval::Month,
        Interval::Year,
    ];
    let intervals = wider.iter().copied().skip_while(|&i| i != interval);
    let mut spans = vec![(first, last)];
    if let (Some(data_first), Some(data_last)) = data {
        spans.push((data_first.max(first), data_last.min(last)));
    }
    let fitting = intervals.clone().find_map(|interval| {
        spans
            .iter()
            .find(|(first, last)| bucket_count(*first, *last, interval) <= MAX_BUCKETS)
            .map(|&span| (span, interval))
    });
    let mut counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let ((first, last), interval) = match fitting {
        Some(fitting) => fitting,
        None => {
            for (day, count) in days {
                *counts
                    .entry(bucket_start(*day, Interval::Year))
                    .or_default() += count;
            }
            return counts
                .into_iter()
                .map(|(start, count)| KeyCount {
                    key: bucket_key(start, Interval::Year),
                    count,
                })
                .collect();
        }
    };
    for (day, count) in days {
        *counts.entry(bucket_start(*day, interval)).or_default() += count;
    }
    let mut out = Vec::new();
    let mut start = bucket_start(first, interval);
    let end = bucket_start(last, interval);
    while start <= end {
        out.push(KeyCount {
            key: bucket_key(start, interval),
            count: counts.get(&start).copied().unwrap_or(0),
        });
        match next_bucket(start, interval) {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// How many distinct stories the matching articles belong to (an article outside any
/// story counts as a story of its own).
pub(crate) struct DistinctStories {
    pub stories: Arc<Stories>,
}

pub(crate) struct DistinctStoriesSegment {
    articles: Column<u64>,
    /// Story key by document when a long-running reader computed them
    /// ([`Stories::by_document`]; `u64::MAX`: no article key).
    keys: Option<Arc<[u64]>>,
    tally: StoryTally,
}

/// A segment's matches: their story keys where the segment's were computed, else their
/// article keys, counted together at the end ([`Stories::count_stories`]).
#[derive(Default)]
pub(crate) struct StoryTally {
    stories: HashSet<u64>,
    articles: Vec<u64>,
}

impl Collector for DistinctStories {
    type Fruit = usize;
    type Child = DistinctStoriesSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        DistinctStoriesSegment::new(&self.stories, segment)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<StoryTally>) -> tantivy::Result<usize> {
        let (stories, articles) = StoryTally::merge(fruits);
        if stories.is_empty() {
            return Ok(self.stories.count_stories(&articles));
        }
        Ok(story_set(&self.stories, stories, articles).len())
    }
}

/// The distinct stories of the matching articles, by id (an article outside any story
/// stands for itself, by its key).
pub(crate) struct StorySet {
    pub stories: Arc<Stories>,
}

impl Collector for StorySet {
    type Fruit = HashSet<u64>;
    type Child = DistinctStoriesSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        DistinctStoriesSegment::new(&self.stories, segment)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<StoryTally>) -> tantivy::Result<HashSet<u64>> {
        let (stories, articles) = StoryTally::merge(fruits);
        Ok(story_set(&self.stories, stories, articles))
    }
}

fn story_set(stories: &Stories, mut found: HashSet<u64>, articles: Vec<u64>) -> HashSet<u64> {
    for key in articles {
        found.insert(stories.story_of(key).map_or(key, |s| s.0));
    }
    found
}

impl StoryTally {
    /// The segments' story keys, and their article keys sorted without repeats.
    fn merge(fruits: Vec<StoryTally>) -> (HashSet<u64>, Vec<u64>) {
        let mut stories: HashSet<u64> = HashSet::new();
        let mut articles: Vec<u64> = Vec::new();
        for fruit in fruits {
            stories.extend(fruit.stories);
            articles.extend(fruit.articles);
        }
        articles.sort_unstable();
        articles.dedup();
        (stories, articles)
    }
}

impl DistinctStoriesSegment {
    fn new(stories: &Stories, segment: &SegmentReader) -> tantivy::Result<DistinctStoriesSegment> {
        Ok(DistinctStoriesSegment {
            articles: segment.fast_fields().u64(Fields::ARTICLE_KEY)?,
            keys: stories.cached(&segment.segment_id().uuid_string()),
            tally: StoryTally::default(),
        })
    }
}

impl SegmentCollector for DistinctStoriesSegment {
    type Fruit = StoryTally;

    fn collect(&mut self, doc: u32, _: Score) {
        match &self.keys {
            Some(keys) => {
                if let Some(&story) = keys.get(doc as usize).filter(|&&k| k != u64::MAX) {
                    self.tally.stories.insert(story);
                }
            }
            None => {
                if let Some(key) = self.articles.first(doc) {
                    self.tally.articles.push(key);
                }
            }
        }
    }

    fn harvest(self) -> StoryTally {
        self.tally
    }
}

/// How many buckets of `interval` the days from `first` to `last` span (0 when `last`
/// comes first).
fn bucket_count(first: NaiveDate, last: NaiveDate, interval: Interval) -> u64 {
    if last < first {
        return 0;
    }
    let (first, last) = (bucket_start(first, interval), bucket_start(last, interval));
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let between = match interval {
        Interval::Day => (last - first).num_days(),
        Interval::Week => (last - first).num_days() / 7,
        Interval::Month => months(last) - months(first),
        Interval::Year => i64::from(last.year() - first.year()),
    };
    between.unsigned_abs() + 1
}

/// What the counter gathers: plain facet paths, and entities by canonical name.
#[derive(Default)]
struct Counted {
    paths: HashMap<FacetPath, u64>,
    entities: HashMap<(EntityKind, String), u64>,
}

/// Counts facet paths over the matching articles; entity names are mapped to their
/// canonical entity first, so that an article naming two variants of one entity counts
/// once.
struct FacetCounter {
    aliases: Arc<AliasTable>,
}

/// What a facet ordinal of a segment is to the counter.
#[derive(Clone, Copy)]
enum OrdKind {
    /// Not an entity: counted by its path.
    Other,
    /// One entity whatever the article (its canonical number).
    Entity(usize),
    /// A name whose entity depends on the article (a bare surname several people share).
    Contextual,
}

struct FacetCounterSegment {
    aliases: Arc<AliasTable>,
    facets: FacetReader,
    by_ord: HashMap<u64, u64>,
    /// The segment's entity facets, by ordinal.
    entity_ords: EntityOrds,
    /// What a facet ordinal stands for, looked up once per segment.
    entity_of_ord: HashMap<u64, OrdKind>,
    /// Publication times, for names whose entity depends on the article.
    published: Column<i64>,
    entity_names: Vec<(EntityKind, String)>,
    entity_ids: HashMap<(EntityKind, String), usize>,
    entity_counts: Vec<u64>,
    scratch: Vec<usize>,
}

impl Collector for FacetCounter {
    type Fruit = Counted;
    type Child = FacetCounterSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let facets = segment.facet_reader(Fields::FACETS)?;
        Ok(FacetCounterSegment {
            aliases: Arc::clone(&self.aliases),
            entity_ords: EntityOrds::of(&facets)?,
            published: segment.fast_fields().i64(Fields::PUBLISHED)?,
            facets,
            by_ord: HashMap::new(),
            entity_of_ord: HashMap::new(),
            entity_names: Vec::new(),
            entity_ids: HashMap::new(),
            entity_counts: Vec::new(),
            scratch: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counted>) -> tantivy::Result<Counted> {
        let mut all = Counted::default();
        for fruit in fruits {
            for (path, count) in fruit.paths {
                *all.paths.entry(path).or_default() += count;
            }
            for (entity, count) in fruit.entities {
                *all.entities.entry(entity).or_default() += count;
            }
        }
        Ok(all)
    }
}

impl FacetCounterSegment {
    /// The number of a canonical entity, given one when first met.
    fn entity_id(&mut self, kind: EntityKind, canonical: String) -> usize {
        let key = (kind, canonical);
        if let Some(id) = self.entity_ids.get(&key) {
            return *id;
        }
        let id = self.entity_names.len();
        self.entity_ids.insert(key.clone(), id);
        self.entity_names.push(key);
        self.entity_counts.push(0);
        id
    }

    /// What a facet ordinal stands for, looked up once per segment.
    fn kind_of(&mut self, ord: u64) -> OrdKind {
        if let Some(known) = self.entity_of_ord.get(&ord) {
            return *known;
        }
        let found = match self.entity_ords.get(ord) {
            None => OrdKind::Other,
            Some((kind, name)) if self.aliases.is_contextual(kind, name) => OrdKind::Contextual,
            Some((kind, name)) => {
                let canonical = self.aliases.canonical(kind, name);
                OrdKind::Entity(self.entity_id(kind, canonical))
            }
        };
        self.entity_of_ord.insert(ord, found);
        found
    }
}

impl SegmentCollector for FacetCounterSegment {
    type Fruit = Counted;

    fn collect(&mut self, doc: u32, _: Score) {
        let ords: Vec<u64> = self.facets.facet_ords(doc).collect();
        let mut seen = std::mem::take(&mut self.scratch);
        seen.clear();
        let mut contextual = Vec::new();
        for &ord in &ords {
            match self.kind_of(ord) {
                OrdKind::Entity(id) => seen.push(id),
                OrdKind::Contextual => contextual.push(ord),
                OrdKind::Other => *self.by_ord.entry(ord).or_default() += 1,
            }
        }
        if !contextual.is_empty() {
            // A bare surname goes to the person the corpus means by it in this article.
            let day = self
                .published
                .first(doc)
                .and_then(date_of_seconds)
                .map(|d| d.date());
            let resolved: Vec<(EntityKind, String)> = {
                let names: Vec<(EntityKind, &str)> = ords
                    .iter()
                    .filter_map(|&ord| self.entity_ords.get(ord))
                    .collect();
                contextual
                    .iter()
                    .filter_map(|&ord| self.entity_ords.get(ord))
                    .map(|(kind, name)| (kind, self.aliases.canonical_in(kind, name, day, &names)))
                    .collect()
            };
            for (kind, canonical) in resolved {
                let id = self.entity_id(kind, canonical);
                seen.push(id);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        for id in &seen {
            self.entity_counts[*id] += 1;
        }
        self.scratch = seen;
    }

    fn harvest(self) -> Counted {
        let mut out = Counted::default();
        // One pass over the dictionary for all ordinals, instead of a look-up each.
        let mut ords: Vec<(u64, u64)> = self.by_ord.into_iter().collect();
        ords.sort_unstable();
        let sorted: Vec<u64> = ords.iter().map(|(ord, _)| *ord).collect();
        let mut counts = ords.iter().map(|(_, count)| *count);
        let _ = self
            .facets
            .facet_dict()
            .sorted_ords_to_term_cb(&sorted, |bytes| {
                let count = counts.next().unwrap_or(0);
                if let Some(path) = FacetPath::from_encoded(bytes) {
                    *out.paths.entry(path).or_default() += count;
                }
            });
        for (name, count) in self.entity_names.into_iter().zip(self.entity_counts) {
            if count > 0 {
                out.entities.insert(name, count);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn keys(buckets: &[KeyCount]) -> Vec<(String, u64)> {
        buckets.iter().map(|b| (b.key.clone(), b.count)).collect()
    }

    #[test]
    fn months_are_calendar_aligned_and_empty_ones_listed() {
        let days = BTreeMap::from([
            (d("2024-01-31"), 2),
            (d("2024-03-01"), 1),
            (d("2024-03-31"), 4),
        ]);
        let buckets = histogram(&days, Interval::Month, DayRange::default());
        assert_eq!(
            keys(&buckets),
            vec![
                ("2024-01".into(), 2),
                ("2024-02".into(), 0),
                ("2024-03".into(), 5)
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday_and_the_filter_range_sets_the_span() {
        let days = BTreeMap::from([
            (d("2024-03-24"), 1),
            (d("2024-03-25"), 2),
            (d("2024-03-31"), 3),
        ]);
        let range = DayRange {
            from: Some(d("2024-03-11")),
            to: Some(d("2024-04-01")),
        };
        let buckets = histogram(&days, Interval::Week, range);
        assert_eq!(
            keys(&buckets),
            vec![
                ("2024-03-11".into(), 0),
                ("2024-03-18".into(), 1),
                ("2024-03-25".into(), 5),
                ("2024-04-01".into(), 0)
            ]
        );
    }

    #[test]
    fn years_and_days() {
        let days = BTreeMap::from([(d("1987-02-26"), 1), (d("1989-10-19"), 1)]);
        assert_eq!(
            keys(&histogram(&days, Interval::Year, DayRange::default())),
            vec![("1987".into(), 1), ("1988".into(), 0), ("1989".into(), 1)]
        );
        let days = BTreeMap::from([(d("2024-03-25"), 1), (d("2024-03-27"), 1)]);
        assert_eq!(
            histogram(&days, Interval::Day, DayRange::default()).len(),
            3
        );
        assert!(histogram(&BTreeMap::new(), Interval::Day, DayRange::default()).is_empty());
    }

    #[test]
    fn a_span_too_long_for_its_interval_is_narrowed_then_widened() {
        let days = BTreeMap::from([(d("2024-03-01"), 2), (d("2024-03-31"), 1)]);
        let everything = DayRange {
            from: Some(d("0001-01-01")),
            to: Some(d("9999-12-31")),
        };
        // Narrowed to the days that have articles, at the interval asked for.
        let narrowed = histogram(&days, Interval::Day, everything);
        assert_eq!(narrowed.len(), 31);
        assert_eq!(
            narrowed[0],
            KeyCount {
                key: "2024-03-01".into(),
                count: 2
            }
        );

        // Articles from 1900 to 2024: 45,000 days and 6,500 weeks are too many; months fit.
        let days = BTreeMap::from([(d("1900-05-01"), 1), (d("2024-03-31"), 1)]);
        let widened = histogram(&days, Interval::Day, DayRange::default());
        assert_eq!(
            widened.len() as u64,
            bucket_count(d("1900-05-01"), d("2024-03-31"), Interval::Month)
        );
        assert_eq!(widened[0].key, "1900-05");
        assert!(widened.len() as u64 <= MAX_BUCKETS);
        assert_eq!(widened.iter().map(|b| b.count).sum::<u64>(), 2);

        // Longer than 4,000 years even after narrowing: only the years with articles.
        let days = BTreeMap::from([(d("0001-01-01"), 1), (d("9999-12-31"), 3)]);
        assert_eq!(
            keys(&histogram(&days, Interval::Month, everything)),
            vec![("0001".into(), 1), ("9999".into(), 3)]
        );
        for interval in [
            Interval::Day,
            Interval::Week,
            Interval::Month,
            Interval::Year,
        ] {
            assert!(histogram(&days, interval, everything).len() as u64 <= MAX_BUCKETS);
        }
    }
}
