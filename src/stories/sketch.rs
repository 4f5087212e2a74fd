//! The per-article sketch: everything story clustering needs to know about one article,
//! computed once at extraction time, in parallel, as a pure function of the article.
//!
//! Two signals live in a sketch. A MinHash signature over word 5-shingles finds copies
//! (syndicated wire text, re-issues with small edits). A short list of weighted features
//! finds other outlets' reports of the same event: the article's most telling words
//! (title words counting double) say what happened, its named entities who and where. Feature weights carry only what the
//! article itself says (how often a word occurs) and how common the word is in English
//! (the static table in [`super::text`]); how common it is in the corpus around the
//! article is applied at clustering time, where the window is known.

use std::collections::hash_map::Entry;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::text::{
    for_each_word, prior_doc_probability, stem_plural, word_hash, zipf10, zipf10_of_hash,
};
use crate::extract::entities::EntityKind;

/// Number of MinHash values in a signature.
pub const MINHASHES: usize = 64;
/// Words per shingle.
const SHINGLE: usize = 5;
/// Word features kept per article: enough to cover most of a news article's weight
/// vector, few enough that a sketch stays a few hundred bytes.
const MAX_TERMS: usize = 24;
/// Entity features kept per article (in the order extraction gives them).
const MAX_ENTITIES: usize = 12;
/// Words with a prior document probability above this say nothing about an event (the,
/// said, year): they are not features.
const MAX_PRIOR_PROBABILITY: f64 = 0.5;
/// A title word counts as this many body occurrences.
const TITLE_WEIGHT: u32 = 2;

/// What the index gives story clustering for one article.
#[derive(Clone, Copy, Debug)]
pub struct StoryInput<'a> {
    /// The article key (the 64-bit article id).
    pub id: u64,
    /// Publication date, if known.
    pub date: Option<NaiveDate>,
    pub source: Option<&'a str>,
    pub title: &'a str,
    pub passages: &'a [String],
    /// Article-level entity names.
    pub entities: &'a [(EntityKind, &'a str)],
}

/// One weighted feature: a word (plural-folded) or a named entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// Hash of the word or of the entity's kind and folded name.
    pub key: u32,
    /// Sublinear term frequency, 1 + ln(count), in sixteenths.
    pub tf16: u8,
    /// Ten times the Zipf frequency of the word (of an entity: the mean of its words').
    pub zipf10: u8,
}

impl Feature {
    /// 1 + ln(count) as a float.
    pub fn tf(self) -> f64 {
        f64::from(self.tf16) / 16.0
    }

    /// The probability that an ordinary English article mentions this feature.
    pub fn prior(self) -> f64 {
        prior_doc_probability(self.zipf10)
    }
}

/// The compact, serialisable summary of one article (a few hundred bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorySketch {
    /// The article key.
    pub id: u64,
    /// Publication date as days from 0001-01-01 (the proleptic Gregorian day number).
    pub day: Option<i32>,
    pub source: Option<String>,
    /// MinHash over word 5-shingles (top 16 bits of each value); empty for an article
    /// without words.
    pub minhash: Vec<u16>,
    /// Word features: what the article says happened.
    pub terms: Vec<Feature>,
    /// Entity features: who and where.
    pub names: Vec<Feature>,
}

impl StorySketch {
    /// Word features then entity features.
    pub fn features(&self) -> impl Iterator<Item = &Feature> {
        self.terms.iter().chain(&self.names)
    }
}

impl StorySketch {
    /// The publication date.
    pub fn date(&self) -> Option<NaiveDate> {
        self.day.and_then(NaiveDate::from_num_days_from_ce_opt)
    }
}

/// Computes the sketch of one article. Pure and cheap: run it per article in parallel.
pub fn sketch(input: &StoryInput<'_>) -> StorySketch {
    thread_local! {
        /// Each extraction thread's word tables, kept between articles so that a sketch
        /// allocates only what it returns.
        static SCRATCH: std::cell::RefCell<WordPass> = std::cell::RefCell::default();
    }
    SCRATCH.with_borrow_mut(|words| {
        words.clear();
        let mut buf = String::new();
        for_each_word(input.title, &mut buf, |w| words.add(w, TITLE_WEIGHT));
        for passage in input.passages {
            for_each_word(passage, &mut buf, |w| words.add(w, 1));
        }
        let minhash = words.minhash();
        let terms = words.top_terms();
        let names = entity_features(input.entities, &mut buf);
        StorySketch {
            id: input.id,
            day: input.date.map(|d| chrono::Datelike::num_days_from_ce(&d)),
            source: input
                .source
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            minhash,
            terms,
            names,
        }
    })
}

/// Word counts and shingle hashes gathered in one pass over the text.
#[derive(Default)]
struct WordPass {
    /// Hash of each word in order (for shingles).
    word_hashes: Vec<u64>,
    /// Per distinct word (by hash): the index of its plural-folded form in `terms`, or
    /// [`NOT_A_TERM`] for a word too short, numeric or too common to be a feature.
    words: FxHashMap<u64, u32>,
    /// Per plural-folded form (by key): its index in `terms`.
    keys: FxHashMap<u32, u32>,
    /// The plural-folded forms in order of appearance: the weighted count of all their
    /// words, and the feature (its `zipf10` the highest of its words').
    terms: Vec<(u32, Feature)>,
    /// Scratch of [`minhash`](WordPass::minhash) and [`top_terms`](WordPass::top_terms).
    shingles: Vec<u64>,
    candidates: Vec<(f64, Feature)>,
}

/// [`WordPass::words`]' mark for a word that is not a feature.
const NOT_A_TERM: u32 = u32::MAX;

impl WordPass {
    fn clear(&mut self) {
        self.word_hashes.clear();
        self.words.clear();
        self.keys.clear();
        self.terms.clear();
    }

    fn add(&mut self, word: &str, weight: u32) {
        let hash = word_hash(word);
        self.word_hashes.push(hash);
        // Numbers are left to the copy signal: outlets round and restate them, and a
        // number alone does not name an event.
        if word.len() < 2 || word.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        let term = match self.words.entry(hash) {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => {
                let zipf10 = zipf10_of_hash(hash);
                let term = if prior_doc_probability(zipf10) <= MAX_PRIOR_PROBABILITY {
                    let key = term_key(&stem_plural(word));
                    let terms = &mut self.terms;
                    let term = *self.keys.entry(key).or_insert_with(|| {
                        terms.push((
                            0,
                            Feature {
                                key,
                                tf16: 0,
                                zipf10,
                            },
                        ));
                        (terms.len() - 1) as u32
                    });
                    let feature = &mut terms[term as usize].1;
                    feature.zipf10 = feature.zipf10.max(zipf10);
                    term
                } else {
                    NOT_A_TERM
                };
                *v.insert(term)
            }
        };
        if let Some((count, _)) = self.terms.get_mut(term as usize) {
            *count += weight;
        }
    }

    fn minhash(&mut self) -> Vec<u16> {
        let hashes = &self.word_hashes;
        if hashes.is_empty() {
            return Vec::new();
        }
        let width = SHINGLE.min(hashes.len());
        self.shingles.clear();
        self.shingles.extend(hashes.windows(width).map(|window| {
            mix64(window.iter().fold(0u64, |acc, h| {
                acc.wrapping_mul(SHINGLE_PRIME).wrapping_add(*h)
            }))
        }));
        let mins = min_hashes(&self.shingles);
        mins.iter().map(|m| (m >> 48) as u16).collect()
    }

    /// The most telling words: sublinear frequency times prior rarity, plural-folded.
    fn top_terms(&mut self) -> Vec<Feature> {
        let candidates = &mut self.candidates;
        candidates.clear();
        candidates.extend(self.terms.iter().map(|&(count, feature)| {
            let feature = Feature {
                tf16: tf16(count),
                ..feature
            };
            (feature.tf() * neg_ln_prior(feature.zipf10), feature)
        }));
        let order = |a: &(f64, Feature), b: &(f64, Feature)| {
            b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key))
        };
        if candidates.len() > MAX_TERMS {
            candidates.select_nth_unstable_by(MAX_TERMS, order);
            candidates.truncate(MAX_TERMS);
        }
        candidates.sort_unstable_by(order);
        candidates.iter().map(|(_, f)| *f).collect()
    }
}

fn entity_features(entities: &[(EntityKind, &str)], buf: &mut String) -> Vec<Feature> {
    let mut features: Vec<Feature> = Vec::with_capacity(entities.len().min(MAX_ENTITIES));
    for (kind, name) in entities {
        if features.len() == MAX_ENTITIES {
            break;
        }
        // The key hashes "kind word word ..." as it streams, without building the text.
        let mut folded = Xxh3::new();
        folded.update(kind.as_str().as_bytes());
        let mut zipf_sum = 0u32;
        let mut words = 0u32;
        for_each_word(name, buf, |w| {
            folded.update(b" ");
            folded.update(w.as_bytes());
            zipf_sum += u32::from(zipf10(w));
            words += 1;
        });
        if words == 0 {
            continue;
        }
        let key = key_of_hash(folded.digest()) ^ ENTITY_SALT;
        if features.iter().any(|f| f.key == key) {
            continue;
        }
        features.push(Feature {
            key,
            tf16: tf16(1),
            zipf10: u8::try_from(zipf_sum / words).unwrap_or(u8::MAX),
        });
    }
    features
}

/// `-ln` of [`prior_doc_probability`], by Zipf tenths: a word's prior rarity.
fn neg_ln_prior(zipf10: u8) -> f64 {
    static TABLE: OnceLock<[f64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|z| -prior_doc_probability(z as u8).ln()))
        [usize::from(zipf10)]
}

/// 1 + ln(count), in sixteenths, saturating.
fn tf16(count: u32) -> u8 {
    fn compute(count: u32) -> u8 {
        let tf = 1.0 + f64::from(count.max(1)).ln();
        (tf * 16.0).round().min(255.0) as u8
    }
    static TABLE: OnceLock<[u8; 256]> = OnceLock::new();
    match TABLE
        .get_or_init(|| std::array::from_fn(|c| compute(c as u32)))
        .get(count as usize)
    {
        Some(&tf16) => tf16,
        None => compute(count),
    }
}

fn term_key(text: &str) -> u32 {
    key_of_hash(xxh3_64(text.as_bytes()))
}

/// A feature key from the xxh3 hash of its text.
fn key_of_hash(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// Keeps entity keys apart from word keys.
const ENTITY_SALT: u32 = 0x9e37_79b9;
const SHINGLE_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The splitmix64 finaliser: spreads a combined shingle hash over all 64 bits.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Multiply-add coefficients of the MinHash functions, fixed forever: changing them
/// changes every stored sketch. Hash `i` of a shingle `x` is `A[i] * x + B[i]` (mod 2^64).
const COEFFICIENTS: ([u64; MINHASHES], [u64; MINHASHES]) = {
    let mut a = [0u64; MINHASHES];
    let mut b = [0u64; MINHASHES];
    let mut state: u64 = 0x6e65_7773_6561_7263; // "newsearc"
    let mut i = 0;
    while i < MINHASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        a[i] = mix64(state) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        b[i] = mix64(state);
        i += 1;
    }
    (a, b)
};

/// The minimum of each MinHash function over the shingles. The work of a sketch is
/// here (64 multiplications a word), so where the processor has 64-bit vector
/// multiplication the same loop is compiled for it; the result is the same either way.
fn min_hashes(shingles: &[u64]) -> [u64; MINHASHES] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512dq") {
            // SAFETY: the processor has the features the function is compiled for.
            return unsafe { min_hashes_avx512(shingles) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { min_hashes_avx2(shingles) };
        }
    }
    min_hashes_portable(shingles)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn min_hashes_avx512(shingles: &[u64]) -> [u64; MINHASHES] {
    min_hashes_portable(shingles)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn min_hashes_avx2(shingles: &[u64]) -> [u64; MINHASHES] {
    min_hashes_portable(shingles)
}

#[inline(always)]
fn min_hashes_portable(shingles: &[u64]) -> [u64; MINHASHES] {
    let (a, b) = &COEFFICIENTS;
    let mut mins = [u64::MAX; MINHASHES];
    for &shingle in shingles {
        for i in 0..MINHASHES {
            mins[i] = mins[i].min(a[i].wrapping_mul(shingle).wrapping_add(b[i]));
        }
    }
    mins
}

/// The estimated Jaccard resemblance of two signatures' shingle sets.
pub fn resemblance(a: &[u16], b: &[u16]) -> f64 {
    if a.len() != MINHASHES || b.len() != MINHASHES {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / MINHASHES as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(title: &'a str, passages: &'a [String]) -> StoryInput<'a> {
        StoryInput {
            id: 7,
            date: NaiveDate::from_ymd_opt(2024, 3, 25),
            source: Some(" Wire "),
            title,
            passages,
            entities: &[],
        }
    }

    const TEXT: &str = "Floods swept through the river valley on Monday, forcing thousands \
        of villagers to leave their homes as rescue teams searched for survivors near the \
        collapsed bridge outside the provincial capital.";

    #[test]
    fn a_sketch_is_a_pure_function_of_its_article() {
        let passages = vec![TEXT.to_string()];
        let a = sketch(&input("Floods sweep valley", &passages));
        let b = sketch(&input("Floods sweep valley", &passages));
        assert_eq!(a, b);
        assert_eq!(a.minhash.len(), MINHASHES);
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert_eq!(a.date(), NaiveDate::from_ymd_opt(2024, 3, 25));
        assert!(a.terms.len() <= MAX_TERMS);
        let bytes = postcard::to_allocvec(&a).unwrap();
        assert!(bytes.len() < 600, "{} bytes", bytes.len());
    }

    #[test]
    fn copies_resemble_and_other_texts_do_not() {
        let original = vec![TEXT.to_string()];
        let edited = vec![TEXT.replace("on Monday", "on Monday night")];
        let other = vec![
            "The central bank left interest rates unchanged on Thursday and \
            signalled that it would wait for more data before cutting borrowing costs."
                .to_string(),
        ];
        let a = sketch(&input("", &original));
        let b = sketch(&input("", &edited));
        let c = sketch(&input("", &other));
        assert!(resemblance(&a.minhash, &b.minhash) > 0.6);
        assert!(resemblance(&a.minhash, &c.minhash) < 0.2);
        assert_eq!(resemblance(&a.minhash, &a.minhash), 1.0);
    }

    #[test]
    fn common_words_and_numbers_are_not_features_and_entities_are() {
        let passages = vec!["The 2024 floods, Tara Reid said the the the.".to_string()];
        let entities = [(EntityKind::Person, "Tara Reid")];
        let sketch = sketch(&StoryInput {
            entities: &entities,
            ..input("", &passages)
        });
        let the = term_key("the");
        assert!(sketch.terms.iter().all(|f| f.key != the));
        assert!(sketch.terms.iter().any(|f| f.key == term_key("flood")));
        let reid = term_key("person tara reid") ^ ENTITY_SALT;
        assert_eq!(sketch.names.len(), 1);
        assert_eq!(sketch.names[0].key, reid);
    }

    #[test]
    fn the_vector_builds_of_the_signature_agree_with_the_portable_one() {
        let shingles: Vec<u64> = (0..1000u64).map(|i| mix64(i * 7919)).collect();
        let portable = min_hashes_portable(&shingles);
        assert_eq!(min_hashes(&shingles), portable);
        for n in [0, 1, 3, 17] {
            assert_eq!(
                min_hashes(&shingles[..n]),
                min_hashes_portable(&shingles[..n])
            );
        }
        assert!(portable.iter().all(|&m| m < u64::MAX));
    }

    #[test]
    fn an_empty_article_has_no_signature() {
        let sketch = sketch(&input("", &[]));
        assert!(sketch.minhash.is_empty());
        assert!(sketch.terms.is_empty() && sketch.names.is_empty());
        assert_eq!(resemblance(&sketch.minhash, &sketch.minhash), 0.0);
    }
}
