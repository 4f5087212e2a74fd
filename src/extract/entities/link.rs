//! Corpus-level linking of partial person names: the statistics a streaming pass over
//! the corpus gathers for every article-level name ([`NameStats`]), and the choice of
//! which full-name person a bare surname ("Blair", "Mr Blair" in an article that gives no
//! full name) means in one article.
//!
//! The choice weighs, for each person of the corpus whose surname fits, how many articles
//! name that person around the article's date (the prior) and how well the article's other
//! names fit the company that person keeps (a naive Bayes likelihood over a hashed profile
//! of co-occurring names), against "someone else" whose prior is the Good-Turing estimate of
//! unseen people: the articles of people the corpus names only once. A surname that many
//! different people share with no dominant one (Smith) thus stays apart; one whose
//! full-name person dominates (Blair in British politics) links to that person unless the
//! article keeps another's company.
//!
//! Memory grows with the number of distinct names: per name an article count, a month
//! histogram and a profile of at most [`BUCKETS`] counters. Every statistic is a sum, so
//! the result does not depend on the order of the articles.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::entity::EntityKind;
use super::fold::fold;
use super::gazetteer::gazetteer;
use super::names::surname_key;

/// Counters in a profile of co-occurring names: names are hashed into this many buckets.
/// Enough that the few dozen names that characterise a person rarely share one; a profile
/// takes at most 1 KiB.
pub(crate) const BUCKETS: usize = 128;

/// A dated article counts fully in its own month and half as much for every
/// [`HALF_LIFE_MONTHS`] away.
const HALF_LIFE_MONTHS: f64 = 3.0;

/// Months further apart than this do not count as "around that date".
const WINDOW_MONTHS: i32 = 24;

/// The share of a person's articles that counts however far from the date they are (so a
/// person the corpus names only in other years is unlikely, not impossible).
const ANYTIME_SHARE: f64 = 0.05;

/// Counts by hashed feature (bucket, count), sorted by bucket; at most [`BUCKETS`] entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Profile(Vec<(u16, u32)>);

impl Profile {
    pub fn add(&mut self, bucket: u16, count: u32) {
        match self.0.binary_search_by_key(&bucket, |&(b, _)| b) {
            Ok(at) => self.0[at].1 = self.0[at].1.saturating_add(count),
            Err(at) => self.0.insert(at, (bucket, count)),
        }
    }

    pub fn merge(&mut self, other: &Profile) {
        for &(bucket, count) in &other.0 {
            self.add(bucket, count);
        }
    }

    fn total(&self) -> u64 {
        self.0.iter().map(|&(_, c)| u64::from(c)).sum()
    }

    fn get(&self, bucket: u16) -> u32 {
        self.0
            .binary_search_by_key(&bucket, |&(b, _)| b)
            .map_or(0, |at| self.0[at].1)
    }
}

/// Articles by month (months since year 0), sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Months(Vec<(i32, u32)>);

impl Months {
    pub fn add(&mut self, month: i32, count: u32) {
        match self.0.binary_search_by_key(&month, |&(m, _)| m) {
            Ok(at) => self.0[at].1 = self.0[at].1.saturating_add(count),
            Err(at) => self.0.insert(at, (month, count)),
        }
    }

    pub fn merge(&mut self, other: &Months) {
        for &(month, count) in &other.0 {
            self.add(month, count);
        }
    }

    /// Dated articles weighed by their distance from `month`.
    fn near(&self, month: i32) -> f64 {
        self.0
            .iter()
            .filter(|(m, _)| (m - month).abs() <= WINDOW_MONTHS)
            .map(|&(m, n)| f64::from(n) * (-f64::from((m - month).abs()) / HALF_LIFE_MONTHS).exp2())
            .sum()
    }
}

pub(crate) fn month_of(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

/// The feature a name contributes to the profiles of the people named beside it: people by
/// surname (so "Gordon Brown" and "Brown" are one companion), organisations and places by
/// their folded curated name.
pub(crate) fn feature(kind: EntityKind, name: &str) -> Option<u16> {
    let key = match kind {
        EntityKind::Person => surname_key(name.split_whitespace().next_back()?),
        EntityKind::Org | EntityKind::Place => {
            fold(gazetteer().canonical(kind, name).unwrap_or(name))
        }
    };
    if key.is_empty() {
        return None;
    }
    let tag = match kind {
        EntityKind::Person => b'p',
        EntityKind::Org => b'o',
        EntityKind::Place => b'l',
    };
    let mut bytes = Vec::with_capacity(key.len() + 1);
    bytes.push(tag);
    bytes.extend_from_slice(key.as_bytes());
    Some((xxh3_64(&bytes) % BUCKETS as u64) as u16)
}

/// The features of an article's names, each once, with the person `own` surname left out.
fn features<'a>(
    names: impl IntoIterator<Item = (EntityKind, &'a str)>,
    own: Option<u16>,
) -> Vec<u16> {
    let mut out: Vec<u16> = names
        .into_iter()
        .filter_map(|(kind, name)| feature(kind, name))
        .filter(|&f| Some(f) != own)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// What the corpus says of one article-level name.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameStats {
    /// Articles that give the name.
    pub articles: u64,
    /// Dated ones by month (people only).
    pub months: Months,
    /// The names beside it (people only).
    pub profile: Profile,
}

impl NameStats {
    pub fn merge(&mut self, other: &NameStats) {
        self.articles += other.articles;
        self.months.merge(&other.months);
        self.profile.merge(&other.profile);
    }
}

/// What the table keeps of one candidate person (or of "someone else"): its articles, when
/// they appeared, and the company it keeps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Candidate {
    pub articles: u64,
    pub months: Months,
    pub profile: Profile,
}

impl Candidate {
    pub fn of(stats: &NameStats) -> Candidate {
        Candidate {
            articles: stats.articles,
            months: stats.months.clone(),
            profile: stats.profile.clone(),
        }
    }

    /// Articles that name this candidate around `month` (all of them when undated).
    fn prior(&self, month: Option<i32>) -> f64 {
        let all = self.articles as f64;
        match month {
            Some(m) if !self.months.0.is_empty() => self.months.near(m) + ANYTIME_SHARE * all,
            _ => all,
        }
    }

    /// log P(features | candidate), each feature weighed, with add-one smoothing.
    fn log_likelihood(&self, features: &[(u16, f64)]) -> f64 {
        let denominator = (self.profile.total() + BUCKETS as u64) as f64;
        features
            .iter()
            .map(|&(f, w)| w * ((f64::from(self.profile.get(f)) + 1.0) / denominator).ln())
            .sum()
    }
}

/// The people a bare surname may mean, and "someone else".
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Choice {
    /// Canonical names of the candidates, sorted.
    pub options: Vec<String>,
    /// Someone the corpus does not name in full: the articles of candidates named once.
    pub other: Candidate,
}

/// The names of one article are not independent evidence (a story about a club names its
/// manager, its players and its ground together): a context counts at most as this many
/// independent names.
const EFFECTIVE_NAMES: f64 = 4.0;

/// The option of `choice` (with `profiles`) a bare surname means given the features of its
/// context and a month, among the options `allowed`; `None` for someone else.
/// `background` is the profile of all people, the likelihood of the context under
/// "someone else".
pub(crate) fn choose(
    choice: &Choice,
    profiles: &HashMap<String, Candidate>,
    background: &Candidate,
    month: Option<i32>,
    context: &[(u16, f64)],
    allowed: impl Fn(&str) -> bool,
) -> Option<usize> {
    let weight: f64 = context.iter().map(|&(_, w)| w).sum();
    let temper = if weight > EFFECTIVE_NAMES {
        EFFECTIVE_NAMES / weight
    } else {
        1.0
    };
    let score = |c: &Candidate, likelihood: &Candidate| {
        let prior = c.prior(month);
        (prior > 0.0).then(|| prior.ln() + temper * likelihood.log_likelihood(context))
    };
    let mut best: Option<(f64, Option<usize>)> =
        score(&choice.other, background).map(|s| (s, None));
    for (i, name) in choice.options.iter().enumerate() {
        let Some(candidate) = profiles.get(name).filter(|_| allowed(name)) else {
            continue;
        };
        if let Some(s) = score(candidate, candidate) {
            // Options are sorted by name: the first of equal scores wins; a named person
            // wins a tie with someone else.
            if best.is_none_or(|(b, who)| s > b || (s == b && who.is_none())) {
                best = Some((s, Some(i)));
            }
        }
    }
    best.and_then(|(_, who)| who)
}

/// The context of one article: the features of its names but `name`'s own surname.
pub(crate) fn article_context(name: &str, article_names: &[(EntityKind, &str)]) -> Vec<(u16, f64)> {
    let own = feature(EntityKind::Person, name);
    features(
        article_names
            .iter()
            .copied()
            .filter(|&(kind, n)| !(kind == EntityKind::Person && n == name)),
        own,
    )
    .into_iter()
    .map(|f| (f, 1.0))
    .collect()
}

/// The context of a name over the whole corpus: its profile, scaled to one average article.
pub(crate) fn average_context(stats: &NameStats) -> Vec<(u16, f64)> {
    let articles = stats.articles.max(1) as f64;
    stats
        .profile
        .0
        .iter()
        .map(|&(f, n)| (f, f64::from(n) / articles))
        .collect()
}

pub(crate) fn date_month(date: Option<NaiveDate>) -> Option<i32> {
    date.map(month_of)
}
