//! The clustering pass: articles arrive one at a time in canonical order (publication
//! day, then article key) and each joins a story active in the window behind it or
//! founds a new one.
//!
//! An article joins, in this order of precedence:
//! 1. the story of its closest *copy* in the window: an article whose MinHash signature
//!    estimates a word 5-shingle resemblance of at least [`Params::copy`] (candidates come
//!    from LSH banding, 16 bands of 4 values);
//! 2. else the story whose profile (the sum of its in-window members' unit vectors) is
//!    most similar by cosine, if that cosine reaches [`Params::join`];
//! 3. else it founds a story whose id is its own key.
//!
//! A feature's weight is its sublinear term frequency times an IDF whose document
//! probability blends the window's own document frequency with the English prior of
//! the word, the prior counting as [`Params::prior_docs`] articles: in a sparse window
//! the prior speaks, in a busy one the corpus does (so "shr", "dlrs" and "pct", rare in
//! English, stop counting in a wire archive where every third article has them).
//!
//! Everything the pass computes for an article (its story and its arrival weights,
//! kept as 16-bit integers) is a function of the members of its window alone (weights
//! summed in an order fixed by them, the article's features in sketch order; similarity
//! sums in whole numbers, the same in any order), so that replaying from any point with
//! the earlier members' stored placements reproduces exactly what one pass from the
//! start computes: the basis of the incremental runs' determinism (see [`super::book`]).
//!
//! The cost of a pass is the walk over the posting lists of each article's features
//! (about 2,300 postings an article in a month of Reuters wire): a posting is 12 bytes
//! and adds to its story's sum without a branch the processor would mispredict.

use std::collections::{hash_map::Entry, VecDeque};

use rustc_hash::FxHashMap;

use super::sketch::{resemblance, StorySketch, MINHASHES};

/// The clustering parameters. None is fitted to a collection; see each for why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Days a story stays open after its last article, and the span over which
    /// document frequencies are counted.
    pub window_days: i32,
    /// Similarity between an article and a story at which the article joins.
    pub join: f64,
    /// Estimated shingle resemblance at which two articles are copies.
    pub copy: f64,
    /// How many articles' worth of evidence the English prior counts for.
    pub prior_docs: f64,
    /// Days over which the similarity to a dated article halves: a report three weeks
    /// after another about the same people is more likely a new event than a follow-up.
    pub half_life_days: f64,
    /// Share of the window's articles (blended with the English prior, so a small window
    /// never drops a word) above which a word stops counting: a word in one article of
    /// five names no event, and such words make most of the work of comparing (their
    /// posting lists are the long ones).
    pub max_share: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            // A month: syndicated copies and follow-ups of one event arrive within days
            // to weeks; past a month of silence a new report is news again.
            window_days: 30,
            join: 0.1,
            // The lower 3-sigma bound of a 64-value MinHash estimate at resemblance 0.8
            // (sd = sqrt(0.8 * 0.2 / 64) = 0.05): a pair of copies at 0.8 is missed
            // about once in a thousand.
            copy: 0.65,
            prior_docs: 100.0,
            half_life_days: 7.0,
            // Measured with bench/stories_eval.py: ECB+ gives the same grouping at 1.0
            // and 0.2 (BCubed F1 0.882) and loses recall below 0.1 (0.05: R 0.743), while
            // Reuters clustering takes 1.2 s instead of 2.9 s.
            max_share: 0.2,
        }
    }
}

/// Rows per LSH band; 16 bands of 4 make a pair at resemblance 0.8 a candidate with
/// probability 1 - (1 - 0.8^4)^16 = 0.9998.
const ROWS: usize = 4;
const BANDS: usize = MINHASHES / ROWS;
/// The fixed-point scale of a unit weight.
const UNIT: f64 = 65535.0;
/// The fixed-point scale of a decay factor. A member's products with an article sum to
/// at most 2^32 (both are unit vectors of 16-bit weights), times this 2^48: a story's sum
/// saturates only past 65,536 of its members in one window.
const DECAY_UNIT: u64 = 1 << 16;

/// Where an article was placed, and the weights it arrived with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub story: u64,
    /// Weights aligned with the sketch's terms then names, each family a unit vector,
    /// in 1/65535ths.
    pub weights: Vec<u16>,
}

struct Member {
    seq: u64,
    day: Option<i32>,
    story: u64,
    /// Each feature's entry in [`Window::entries`], with the member's weight for it.
    features: Vec<(u32, u16)>,
    /// The MinHash signature (`None`: the article has no words) and its band keys.
    minhash: Option<Box<([u16; MINHASHES], [u64; BANDS])>>,
}

/// The similarity sums of one placement, per story slot.
struct Sums<'a> {
    by_slot: &'a mut [u64],
    /// The slots summed into, each once (with one spare cell at the end).
    touched: &'a mut Vec<u32>,
    count: usize,
}

impl Sums<'_> {
    /// Adds the products of `w` with a feature's postings, each decayed by its day.
    ///
    /// Every addition is positive (a weight of 0 has no posting, and every distance in
    /// a window has a decay above 0), so a story is new to the article exactly when its
    /// sum is still 0. The slot is noted without a branch, as that test is one the
    /// processor cannot predict.
    #[inline(always)]
    fn add(&mut self, w: u32, list: &VecDeque<Posting>, decay: impl Fn(i32) -> u64) {
        // Locals, so that the loop keeps them in registers.
        let by_slot = &mut *self.by_slot;
        let touched = self.touched.as_mut_slice();
        let last = touched.len() - 1;
        let mut count = self.count;
        let (front, back) = list.as_slices();
        for posting in front.iter().chain(back) {
            let Some(sum) = by_slot.get_mut(posting.slot as usize) else {
                continue;
            };
            touched[count.min(last)] = posting.slot;
            count += usize::from(*sum == 0);
            *sum =
                sum.saturating_add(u64::from(w * u32::from(posting.weight)) * decay(posting.day));
        }
        self.count = count.min(last);
    }
}

/// A feature in the window: how many members have it, and the postings of those whose
/// weight for it is not 0.
struct InWindow {
    key: u32,
    df: u32,
    postings: VecDeque<Posting>,
}

/// The members holding one LSH band key, oldest first: most keys have one.
enum BandMembers {
    One(u64),
    Many(Vec<u64>),
}

impl BandMembers {
    fn as_slice(&self) -> &[u64] {
        match self {
            BandMembers::One(seq) => std::slice::from_ref(seq),
            BandMembers::Many(seqs) => seqs,
        }
    }

    /// Adds the newest member.
    fn push(&mut self, seq: u64) {
        match self {
            BandMembers::One(first) => *self = BandMembers::Many(vec![*first, seq]),
            BandMembers::Many(seqs) => seqs.push(seq),
        }
    }

    /// Drops the members up to `seq` (the oldest ones); true when none is left.
    fn drop_through(&mut self, seq: u64) -> bool {
        match self {
            BandMembers::One(first) => *first <= seq,
            BandMembers::Many(seqs) => {
                let gone = seqs.partition_point(|s| *s <= seq);
                seqs.drain(..gone);
                seqs.is_empty()
            }
        }
    }
}

/// Postings an emptied entry keeps room for.
const SHORT_LIST: usize = 8;

/// [`Window::placed`]'s mark for a feature the window does not hold.
const ABSENT: u32 = u32::MAX;

/// One entry of a feature's posting list: a window member with the feature, where its
/// story is, when it was published, and its weight for the feature.
struct Posting {
    slot: u32,
    day: i32,
    weight: u16,
}

/// [`Posting::day`] of an undated member.
const NO_DAY: i32 = i32::MIN;

/// Document frequencies the weights are computed from.
enum Frequencies {
    /// Counted over the window as it slides (dated articles).
    Window,
    /// Fixed for the whole pass (undated articles: every undated article counts).
    Fixed { df: FxHashMap<u32, u32>, n: u32 },
}

/// The state of one pass: the members of the current window and their stories.
pub struct Window {
    params: Params,
    members: VecDeque<Member>,
    next_seq: u64,
    frequencies: Frequencies,
    /// The entry of each feature key in the window. A member keeps its features' entry
    /// numbers, so that admitting and forgetting it look nothing up, and an entry whose
    /// last member left is reused (with the memory of a short posting list).
    features: FxHashMap<u32, u32>,
    entries: Vec<InWindow>,
    free_entries: Vec<u32>,
    /// The article last [`place`](Window::place)d and its features' entries (or
    /// [`ABSENT`]), for the [`admit`](Window::admit) that follows; cleared by any change.
    placed: Option<(u64, Vec<u32>)>,
    bands: FxHashMap<u64, BandMembers>,
    /// The slot of each story in the window (its members counted in `slot_members`).
    slots: FxHashMap<u64, u32>,
    /// Similarity factor by distance in days, in 1/[`DECAY_UNIT`]ths, so that similarity
    /// sums are exact whole numbers (the same in any order of addition).
    decay: Vec<u64>,
    /// The last (smallest) value of `decay`, for a distance past its end.
    min_decay: u64,
    /// Per slot: the story holding it (slots of stories that left the window are reused)
    /// and its number of members in the window.
    slot_story: Vec<u64>,
    slot_members: Vec<u32>,
    free_slots: Vec<u32>,
    /// Scratch: summed similarity per slot, and the slots touched.
    by_slot: Vec<u64>,
    touched_slots: Vec<u32>,
}

impl Window {
    /// A pass over dated articles: frequencies slide with the window.
    pub fn dated(params: Params) -> Window {
        Window::new(params, Frequencies::Window)
    }

    /// A pass over undated articles, all of which count towards frequencies and all of
    /// which stay open for each other.
    pub fn undated<'a>(params: Params, all: impl Iterator<Item = &'a StorySketch>) -> Window {
        let mut df: FxHashMap<u32, u32> = FxHashMap::default();
        let mut n = 0;
        for sketch in all {
            n += 1;
            for f in sketch.features() {
                *df.entry(f.key).or_insert(0) += 1;
            }
        }
        Window::new(params, Frequencies::Fixed { df, n })
    }

    fn new(params: Params, frequencies: Frequencies) -> Window {
        let decay: Vec<u64> = (0..=params.window_days.max(0))
            .map(|gap| {
                let decay = if params.half_life_days > 0.0 {
                    (-f64::from(gap) / params.half_life_days).exp2()
                } else {
                    1.0
                };
                ((decay * DECAY_UNIT as f64).round() as u64).max(1)
            })
            .collect();
        Window {
            params,
            members: VecDeque::new(),
            next_seq: 0,
            frequencies,
            features: FxHashMap::default(),
            entries: Vec::new(),
            free_entries: Vec::new(),
            placed: None,
            bands: FxHashMap::default(),
            slots: FxHashMap::default(),
            slot_story: Vec::new(),
            slot_members: Vec::new(),
            free_slots: Vec::new(),
            by_slot: Vec::new(),
            touched_slots: Vec::new(),
            min_decay: decay.last().copied().unwrap_or(DECAY_UNIT),
            decay,
        }
    }

    /// Number of articles in the window.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Closes the window behind `day`: members published more than the window's span
    /// before it leave, and stories left without members close.
    pub fn slide_to(&mut self, day: i32) {
        self.placed = None;
        let cutoff = day - self.params.window_days;
        while let Some(front) = self.members.front() {
            match front.day {
                Some(d) if d < cutoff => {}
                _ => break,
            }
            let Some(member) = self.members.pop_front() else {
                break;
            };
            self.forget(&member);
        }
    }

    /// Places `sketch`: which story it joins, with the weights it arrives with. The
    /// caller then [`admit`](Window::admit)s it.
    pub fn place(&mut self, sketch: &StorySketch) -> Placement {
        let mut entries = self.placed.take().map(|(_, e)| e).unwrap_or_default();
        entries.clear();
        entries.extend(
            sketch
                .features()
                .map(|f| self.features.get(&f.key).copied().unwrap_or(ABSENT)),
        );
        let weights = self.arrival_weights(sketch, &entries);
        let story = match self.closest_copy(sketch) {
            Some(story) => story,
            None => self
                .closest_story(sketch, &weights, &entries)
                .unwrap_or(sketch.id),
        };
        self.placed = Some((sketch.id, entries));
        Placement { story, weights }
    }

    /// Adds an article with its placement (computed by [`place`](Window::place) now, or
    /// by an earlier pass) as the newest member of the window.
    pub fn admit(&mut self, sketch: &StorySketch, placement: &Placement) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.slots.get(&placement.story) {
            Some(&slot) => {
                self.slot_members[slot as usize] += 1;
                slot
            }
            None => {
                let slot = match self.free_slots.pop() {
                    Some(slot) => {
                        self.slot_story[slot as usize] = placement.story;
                        self.slot_members[slot as usize] = 1;
                        slot
                    }
                    None => {
                        self.slot_story.push(placement.story);
                        self.slot_members.push(1);
                        self.by_slot.push(0);
                        (self.slot_story.len() - 1) as u32
                    }
                };
                self.slots.insert(placement.story, slot);
                slot
            }
        };
        let placed = match self.placed.take() {
            Some((id, entries)) if id == sketch.id => entries,
            _ => Vec::new(),
        };
        let day = sketch.day.unwrap_or(NO_DAY);
        let features: Vec<(u32, u16)> = sketch
            .features()
            .zip(&placement.weights)
            .enumerate()
            .map(|(i, (f, &w))| {
                let entry = match placed.get(i) {
                    Some(&entry) if entry != ABSENT => entry,
                    _ => self.entry_of(f.key),
                };
                let feature = &mut self.entries[entry as usize];
                feature.df += 1;
                if w > 0 {
                    feature.postings.push_back(Posting {
                        slot,
                        day,
                        weight: w,
                    });
                }
                (entry, w)
            })
            .collect();
        let minhash = signature(&sketch.minhash).map(|values| {
            let bands = band_keys(&values);
            for &band in &bands {
                match self.bands.entry(band) {
                    Entry::Vacant(v) => {
                        v.insert(BandMembers::One(seq));
                    }
                    Entry::Occupied(mut o) => o.get_mut().push(seq),
                }
            }
            Box::new((values, bands))
        });
        let member = Member {
            seq,
            day: sketch.day,
            story: placement.story,
            features,
            minhash,
        };
        self.members.push_back(member);
    }

    /// The entry of a feature key, made (or reused) when the window does not hold it.
    fn entry_of(&mut self, key: u32) -> u32 {
        match self.features.entry(key) {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => {
                let entry = match self.free_entries.pop() {
                    Some(entry) => {
                        self.entries[entry as usize].key = key;
                        entry
                    }
                    None => {
                        self.entries.push(InWindow {
                            key,
                            df: 0,
                            postings: VecDeque::new(),
                        });
                        (self.entries.len() - 1) as u32
                    }
                };
                *v.insert(entry)
            }
        }
    }

    fn forget(&mut self, member: &Member) {
        for &(entry, w) in &member.features {
            let feature = &mut self.entries[entry as usize];
            feature.df -= 1;
            if w > 0 {
                // The member leaving is the oldest, so its posting leads the list.
                feature.postings.pop_front();
            }
            if feature.df == 0 {
                self.features.remove(&feature.key);
                self.free_entries.push(entry);
                // A reused entry keeps a short list's memory, not a long one's: the
                // window's memory follows what it holds, not the longest list each
                // entry ever had.
                if feature.postings.capacity() > SHORT_LIST {
                    feature.postings = VecDeque::new();
                }
            }
        }
        let bands = member.minhash.as_ref().map_or(&[][..], |m| &m.1[..]);
        for band in bands {
            let Entry::Occupied(mut o) = self.bands.entry(*band) else {
                continue;
            };
            if o.get_mut().drop_through(member.seq) {
                o.remove();
            }
        }
        if let Some(&slot) = self.slots.get(&member.story) {
            let members = &mut self.slot_members[slot as usize];
            *members -= 1;
            if *members == 0 {
                self.free_slots.push(slot);
                self.slots.remove(&member.story);
            }
        }
    }

    fn index_of(&self, seq: u64) -> Option<usize> {
        let first = self.members.front()?.seq;
        let i = usize::try_from(seq.checked_sub(first)?).ok()?;
        (i < self.members.len()).then_some(i)
    }

    /// Unit weights: sublinear tf times the blended IDF, in fixed point.
    /// `entries`: each feature's entry in the window, or [`ABSENT`].
    fn arrival_weights(&self, sketch: &StorySketch, entries: &[u32]) -> Vec<u16> {
        let m = self.params.prior_docs;
        let idf_weight = |(f, &entry): (&super::sketch::Feature, &u32)| {
            let (df, n) = match &self.frequencies {
                // The article counts itself, so a word only it has is not infinitely rare.
                Frequencies::Window => (
                    f64::from(self.entries.get(entry as usize).map_or(0, |i| i.df)) + 1.0,
                    self.members.len() as f64 + 1.0,
                ),
                Frequencies::Fixed { df, n } => (
                    f64::from(df.get(&f.key).copied().unwrap_or(1)),
                    f64::from(*n),
                ),
            };
            let p = ((df + m * f.prior()) / (n + m)).min(1.0);
            if p > self.params.max_share {
                return 0.0;
            }
            f.tf() * -p.ln()
        };
        unit_weights(sketch.features().zip(entries).map(idf_weight))
    }

    fn closest_copy(&self, sketch: &StorySketch) -> Option<u64> {
        let mut best: Option<(usize, u64, u64)> = None; // (equal values, seq, story)
        let needed = (self.params.copy * MINHASHES as f64).ceil() as usize;
        let signature = signature(&sketch.minhash)?;
        for band in band_keys(&signature) {
            let Some(list) = self.bands.get(&band) else {
                continue;
            };
            for &seq in list.as_slice() {
                let Some(member) = self.index_of(seq).and_then(|i| self.members.get(i)) else {
                    continue;
                };
                let Some(theirs) = &member.minhash else {
                    continue;
                };
                let equal =
                    (resemblance(&signature, &theirs.0) * MINHASHES as f64).round() as usize;
                let better = match best {
                    None => true,
                    Some((e, s, _)) => equal > e || (equal == e && seq < s),
                };
                if equal >= needed && better {
                    best = Some((equal, seq, member.story));
                }
            }
        }
        best.map(|(_, _, story)| story)
    }

    /// The most similar open story by group-average similarity: the mean cosine between
    /// the article and the story's members in the window. Unlike the cosine with a
    /// centroid it does not grow with a story's size: a story of many loosely related
    /// articles (a market beat) has a centroid made of their shared jargon, close to
    /// every new article of the beat, while its members' mean similarity stays low.
    fn closest_story(
        &mut self,
        sketch: &StorySketch,
        weights: &[u16],
        entries: &[u32],
    ) -> Option<u64> {
        // One pass over the postings of the article's features: each posting adds its
        // product of weights, decayed by the distance in days, to its member's story.
        let mut sums = Sums {
            by_slot: &mut self.by_slot,
            touched: &mut self.touched_slots,
            count: 0,
        };
        sums.touched.resize(sums.by_slot.len() + 1, 0);
        let lists = weights
            .iter()
            .zip(entries)
            .filter(|(&w, _)| w > 0)
            .filter_map(|(&w, &entry)| {
                Some((u32::from(w), &self.entries.get(entry as usize)?.postings))
            });
        match sketch.day {
            // Members of a dated window are dated, and none is older than the table.
            Some(day) => {
                let (decay, min_decay) = (&self.decay, self.min_decay);
                for (w, list) in lists {
                    sums.add(w, list, |member_day| {
                        let gap = usize::try_from(day.abs_diff(member_day)).unwrap_or(usize::MAX);
                        decay.get(gap).copied().unwrap_or(min_decay)
                    });
                }
            }
            None => {
                for (w, list) in lists {
                    sums.add(w, list, |_| DECAY_UNIT);
                }
            }
        }
        let touched = sums.count;
        self.touched_slots.truncate(touched);
        let scale = UNIT * UNIT * DECAY_UNIT as f64;
        let mut best: Option<(f64, u64)> = None;
        for &slot in &self.touched_slots {
            let dot = std::mem::take(&mut self.by_slot[slot as usize]);
            let story = self.slot_story[slot as usize];
            let members = self.slot_members[slot as usize];
            if members == 0 {
                continue;
            }
            let similarity = dot as f64 / (scale * f64::from(members));
            let better = match best {
                None => true,
                Some((s, id)) => similarity > s || (similarity == s && story < id),
            };
            if better {
                best = Some((similarity, story));
            }
        }
        self.touched_slots.clear();
        best.filter(|(s, _)| *s >= self.params.join)
            .map(|(_, story)| story)
    }
}

/// Scales raw weights to a unit vector in fixed point.
fn unit_weights(raw: impl Iterator<Item = f64>) -> Vec<u16> {
    let raw: Vec<f64> = raw.collect();
    let norm = raw.iter().map(|w| w * w).sum::<f64>().sqrt();
    raw.iter()
        .map(|w| {
            if norm > 0.0 {
                (w / norm * UNIT).round() as u16
            } else {
                0
            }
        })
        .collect()
}

/// A sketch's MinHash signature as a fixed array (`None`: the article has no words).
fn signature(minhash: &[u16]) -> Option<[u16; MINHASHES]> {
    minhash.try_into().ok()
}

/// One key per LSH band: the band's index and its values hashed together.
fn band_keys(minhash: &[u16; MINHASHES]) -> [u64; BANDS] {
    std::array::from_fn(|i| {
        let mut bytes = [0u8; 2 * ROWS + 1];
        bytes[0] = i as u8;
        for (j, v) in minhash[i * ROWS..(i + 1) * ROWS].iter().enumerate() {
            bytes[1 + 2 * j..3 + 2 * j].copy_from_slice(&v.to_le_bytes());
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stories::sketch::{sketch, StoryInput};
    use chrono::NaiveDate;

    fn article(id: u64, day: u32, text: &str) -> StorySketch {
        let passages = vec![text.to_string()];
        sketch(&StoryInput {
            id,
            date: NaiveDate::from_ymd_opt(2024, 3, day),
            source: None,
            title: "",
            passages: &passages,
            entities: &[],
        })
    }

    #[test]
    fn a_copy_joins_its_original_and_unrelated_news_founds_a_story() {
        let mut window = Window::dated(Params::default());
        let text = "Floods swept through the river valley on Monday, forcing thousands of \
            villagers to leave their homes as rescue teams searched for survivors.";
        let a = article(1, 4, text);
        let b = article(2, 5, &text.replace("thousands", "hundreds"));
        let c = article(
            3,
            5,
            "The central bank left interest rates unchanged and said \
            it would wait for more inflation data before cutting borrowing costs.",
        );
        for s in [&a, &b, &c] {
            window.slide_to(s.day.unwrap_or(0));
            let placed = window.place(s);
            window.admit(s, &placed);
        }
        let stories: Vec<u64> = window.members.iter().map(|m| m.story).collect();
        assert_eq!(stories, [1, 1, 3]);
        window.slide_to(article(4, 1, "x").day.unwrap_or(0) + 40);
        assert!(window.is_empty());
        assert!(window.slots.is_empty() && window.features.is_empty());
        assert!(window.bands.is_empty());
    }
}
