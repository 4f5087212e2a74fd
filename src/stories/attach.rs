//! Undated stories joining dated ones. Undated articles are clustered among themselves
//! first (they have no window); then each undated story joins the dated story with the
//! highest mean cosine between their members, when that mean reaches both the join
//! threshold and the undated story's own mean cosine between its members (for a story of
//! two or more). The second condition needs no constant: a group of undated articles
//! accepts a dated story only if its members resemble that story's members as much as
//! they resemble each other, which keeps two events of one topic apart.
//!
//! Only features that some undated article has can add to a cross product, so the dated
//! side is summed over those features alone, streamed once over every dated article: the
//! memory is bounded by the undated articles' vocabulary and the number of dated stories.

use rustc_hash::{FxHashMap, FxHashSet};

use super::engine::{Params, Placement};
use super::sketch::StorySketch;

const UNIT2: f64 = 65535.0 * 65535.0;

/// Per story: member count and summed weights by feature.
type Sums = FxHashMap<u64, (u32, FxHashMap<u32, u64>)>;

/// Gathers both sides, then decides.
#[derive(Default)]
pub struct Attacher {
    undated: Sums,
    vocabulary: FxHashSet<u32>,
    dated: Sums,
}

impl Attacher {
    /// Adds an undated article with its placement among the undated.
    pub fn add_undated(&mut self, sketch: &StorySketch, placement: &Placement) {
        let entry = self.undated.entry(placement.story).or_default();
        entry.0 += 1;
        for (f, w) in sketch.features().zip(&placement.weights) {
            *entry.1.entry(f.key).or_insert(0) += u64::from(*w);
            self.vocabulary.insert(f.key);
        }
    }

    /// Adds a dated article with its placement (after every undated one was added).
    pub fn add_dated(&mut self, sketch: &StorySketch, placement: &Placement) {
        let entry = self.dated.entry(placement.story).or_default();
        entry.0 += 1;
        for (f, w) in sketch.features().zip(&placement.weights) {
            if self.vocabulary.contains(&f.key) {
                *entry.1.entry(f.key).or_insert(0) += u64::from(*w);
            }
        }
    }

    /// Undated story → the dated story it joins.
    pub fn finish(self, params: Params) -> FxHashMap<u64, u64> {
        let mut postings: FxHashMap<u32, Vec<(u64, u64)>> = FxHashMap::default();
        let mut dated_ids: Vec<u64> = self.dated.keys().copied().collect();
        dated_ids.sort_unstable();
        for id in dated_ids {
            let mut keys: Vec<(&u32, &u64)> = self.dated[&id].1.iter().collect();
            keys.sort_unstable();
            for (key, sum) in keys {
                postings.entry(*key).or_default().push((id, *sum));
            }
        }
        let mut out = FxHashMap::default();
        let mut undated_ids: Vec<u64> = self.undated.keys().copied().collect();
        undated_ids.sort_unstable();
        for id in undated_ids {
            let (count, sums) = &self.undated[&id];
            let mut dots: FxHashMap<u64, u128> = FxHashMap::default();
            for (key, sum) in sums {
                for (story, other) in postings.get(key).into_iter().flatten() {
                    *dots.entry(*story).or_insert(0) += u128::from(*sum) * u128::from(*other);
                }
            }
            let mut best: Option<(f64, u64)> = None;
            for (story, dot) in dots {
                let n = f64::from(*count) * f64::from(self.dated[&story].0);
                let similarity = dot as f64 / (UNIT2 * n);
                let better = match best {
                    None => true,
                    Some((s, b)) => similarity > s || (similarity == s && story < b),
                };
                if better {
                    best = Some((similarity, story));
                }
            }
            let floor = cohesion(*count, sums).unwrap_or(params.join);
            if let Some((similarity, story)) = best {
                if similarity >= params.join && similarity >= floor {
                    out.insert(id, story);
                }
            }
        }
        out
    }
}

/// The mean cosine between distinct members of a story, from its summed unit vectors.
fn cohesion(count: u32, sums: &FxHashMap<u32, u64>) -> Option<f64> {
    if count < 2 {
        return None;
    }
    let norm2: u128 = sums.values().map(|v| u128::from(*v) * u128::from(*v)).sum();
    let n = f64::from(count);
    Some((norm2 as f64 - n * UNIT2) / (n * (n - 1.0) * UNIT2))
}
