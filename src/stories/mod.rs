//! Stories: which articles report the same story, with a stable id per story.
//!
//! Two signals group articles: *copies* (near-duplicate text, found with MinHash over
//! word 5-shingles and LSH banding) and *the same event from several outlets* (online
//! clustering in publication order, where an article joins the most similar story open
//! in a 30-day window behind it, by cosine over weighted words and entities, or founds a
//! new story). Undated articles are grouped among themselves by text alone, and a group
//! of them then joins the dated story it resembles as much as its members resemble each
//! other (see [`attach`]).
//!
//! The pieces, in the order the index uses them:
//! - [`sketch`]: per article at extraction time, a pure function ([`StoryInput`] →
//!   [`StorySketch`]), run in parallel;
//! - [`StoryBook`]: the persistent state in the index folder, written by the index run
//!   that holds the lock: [`StoryBook::upsert`], [`StoryBook::remove`], then
//!   [`StoryBook::save`] before the index commit that names the file it wrote, and
//!   [`remove_stale`] after it;
//! - [`Stories`]: the read side for queries, loaded from the file a commit names.
//!
//! The grouping is a function of the set of articles and their content: articles are
//! clustered in a canonical order (publication day, then article key; undated articles
//! after, by key), and an incremental save replays from the earliest changed article to
//! the point where the result provably equals the stored one (see [`book`]).

mod attach;
pub mod book;
pub mod engine;
pub mod read;
pub mod sketch;
mod store;
pub mod text;

use std::fmt;

pub use book::{remove_all, remove_stale, StoryBook};
pub use engine::Params;
pub use read::{Stories, StoryInfo};
pub use sketch::{sketch, StoryInput, StorySketch};
/// Every file of the story state starts with this (beside the index's own files).
pub use store::PREFIX as FILE_PREFIX;

/// A story's id: the key of its founding article (its earliest article in canonical
/// order), shown as 16 hex digits like article ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoryId(pub u64);

impl StoryId {
    /// Parses the 16-hex-digit form.
    pub fn parse(text: &str) -> Option<StoryId> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(StoryId)
    }
}

impl fmt::Display for StoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The canonical order: dated articles by day then key, then undated ones by key.
fn canonical_key(sketch: &StorySketch) -> (bool, i32, u64) {
    match sketch.day {
        Some(day) => (false, day, sketch.id),
        None => (true, 0, sketch.id),
    }
}

/// Clusters a whole set of sketches in one pass, in memory: the story of each sketch, in
/// input order. The reference that [`StoryBook`]'s incremental saves must equal.
pub fn cluster_all(sketches: &[StorySketch], params: Params) -> Vec<StoryId> {
    let mut order: Vec<usize> = (0..sketches.len()).collect();
    order.sort_by_key(|&i| canonical_key(&sketches[i]));
    let mut stories = vec![StoryId(0); sketches.len()];
    let mut dated = engine::Window::dated(params);
    let undated_all = order
        .iter()
        .map(|&i| &sketches[i])
        .filter(|s| s.day.is_none());
    let mut undated = engine::Window::undated(params, undated_all);
    let mut placements = Vec::with_capacity(sketches.len());
    for &i in &order {
        let sketch = &sketches[i];
        let window = match sketch.day {
            Some(day) => {
                dated.slide_to(day);
                &mut dated
            }
            None => &mut undated,
        };
        let placement = window.place(sketch);
        window.admit(sketch, &placement);
        stories[i] = StoryId(placement.story);
        placements.push((i, placement));
    }
    let mut attacher = attach::Attacher::default();
    for (i, placement) in placements
        .iter()
        .filter(|(i, _)| sketches[*i].day.is_none())
    {
        attacher.add_undated(&sketches[*i], placement);
    }
    for (i, placement) in placements
        .iter()
        .filter(|(i, _)| sketches[*i].day.is_some())
    {
        attacher.add_dated(&sketches[*i], placement);
    }
    let attach = attacher.finish(params);
    for story in &mut stories {
        if let Some(dated) = attach.get(&story.0) {
            *story = StoryId(*dated);
        }
    }
    stories
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn story_ids_print_and_parse_as_sixteen_hex_digits() {
        let id = StoryId(0xab);
        assert_eq!(id.to_string(), "00000000000000ab");
        assert_eq!(StoryId::parse(&id.to_string()), Some(id));
        assert_eq!(StoryId::parse("xyz"), None);
    }
}
