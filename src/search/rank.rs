//! Relevance ranking. Passages are what a result shows, but whether an article is worth
//! showing is judged on the whole article: BM25F over the article's body (all its passages)
//! and its title, plus a small share of the passage's own BM25 so that an article's best
//! passages come first. Scoring each passage on its own misses articles whose query words
//! are spread over several paragraphs, and prefers short passages that repeat one word.
//!
//! The query decides which passages match (phrases, AND, NOT, filters); the ranking then
//! scores the query's positive terms and phrases ([`Unit`]s) from their postings.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use anyhow::Result;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

use super::highlight::Matcher;
use super::query::Target;
use super::Ranked;
use crate::schema::Fields;

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;
/// Share of a passage's own BM25 added to its article's score: it orders the passages of an
/// article and breaks near ties between articles, and stays small enough that the article
/// decides (on the TIME collection any share from 0 to 0.3 gives MAP 0.700-0.708; 0.5 gives
/// 0.684).
const PASSAGE_SHARE: f32 = 0.1;

/// One positive term or phrase of a query, as the ranking scores it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unit {
    /// One term, or the terms of a phrase in order (analyzed forms).
    terms: Vec<String>,
    slop: u32,
    in_body: bool,
    in_title: bool,
}

/// The units of a leaf that searches `target` for what `matcher` matches: one per term of
/// a set (prefix and fuzzy expansions score like the words they stand for), one per phrase.
pub fn units(matcher: &Matcher, slop: u32, target: Target) -> Vec<Unit> {
    let (in_body, in_title) = match target {
        Target::Title => (false, true),
        Target::Body => (true, false),
        Target::Default => (true, true),
        Target::Source | Target::Entity(_) => return Vec::new(),
    };
    let unit = |terms: Vec<String>| Unit {
        terms,
        slop,
        in_body,
        in_title,
    };
    let sorted = |set: &HashSet<String>| {
        let mut terms: Vec<String> = set.iter().cloned().collect();
        terms.sort();
        terms
    };
    match matcher {
        Matcher::Terms(set) => sorted(set).into_iter().map(|t| unit(vec![t])).collect(),
        Matcher::Sequence(steps) => {
            let Some((last, head)) = steps.split_last() else {
                return Vec::new();
            };
            // Only the last word of a phrase can stand for several terms (a prefix).
            let single = |step: &HashSet<String>| match step.len() {
                1 => step.iter().next().cloned(),
                _ => None,
            };
            let Some(head) = head.iter().map(single).collect::<Option<Vec<String>>>() else {
                return Vec::new();
            };
            sorted(last)
                .into_iter()
                .map(|end| {
                    let mut terms = head.clone();
                    terms.push(end);
                    unit(terms)
                })
                .collect()
        }
    }
}

/// The best `need` passages matching `query`, at most `per_article` from one article,
/// ranked by their article's BM25F for `units` plus a share of their own BM25; and the keys
/// of every matching article.
pub fn rank(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    units: &[Unit],
    need: usize,
    per_article: usize,
) -> Result<Ranked> {
    let mut matches = searcher.search(query, &MatchingPassages)?;
    matches.sort_by_key(|m| m.segment_ord);
    let segments = SegmentData::open(searcher, fields)?;
    let stats = Stats::of(searcher, fields)?;

    let mut candidates = Candidates::default();
    let articles_of: Vec<Vec<u32>> = matches
        .iter()
        .map(|matched| {
            let segment = &segments[matched.segment_ord as usize];
            let mut last: Option<(u64, u32)> = None;
            matched
                .docs
                .iter()
                .map(|&(doc, key)| match last {
                    Some((k, i)) if k == key => i,
                    _ => {
                        let i = candidates.add(key, || ArticleLength {
                            body: segment.article_tokens.first(doc).unwrap_or_default() as f32,
                            title: segment.title_tokens.first(doc).unwrap_or_default() as f32,
                        });
                        last = Some((key, i));
                        i
                    }
                })
                .collect()
        })
        .collect();
    let mut own_scores: Vec<Vec<Score>> = matches.iter().map(|m| vec![0.0; m.docs.len()]).collect();

    let mut counted: Vec<(&Unit, f32)> = Vec::new();
    for unit in units {
        match counted.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, times)) => *times += 1.0,
            None => counted.push((unit, 1.0)),
        }
    }
    for (unit, times) in counted {
        let occurrences = Occurrences::gather(&segments, fields, unit, &candidates, &matches)?;
        occurrences.score_articles(unit, times, &stats, &mut candidates);
        occurrences.score_passages(times, &stats, &mut own_scores);
    }

    let passages = best_passages(
        &matches,
        &articles_of,
        &own_scores,
        &candidates.scores,
        need,
        per_article.max(1),
    );
    let articles = candidates.keys.into_keys().collect();
    Ok(Ranked { passages, articles })
}

/// Hashes article keys, which are already 64-bit hashes (xxh3), by using them as they are:
/// the ranking looks one up for every posting it reads.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;
type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// Every matching passage of one segment with its article key, in doc order.
struct SegmentMatches {
    segment_ord: u32,
    docs: Vec<(DocId, u64)>,
}

/// Collects every matching passage (without scoring: the ranking scores them itself).
struct MatchingPassages;

struct MatchingPassagesSegment {
    column: Column<u64>,
    matches: SegmentMatches,
}

impl Collector for MatchingPassages {
    type Fruit = Vec<SegmentMatches>;
    type Child = MatchingPassagesSegment;

    fn for_segment(
        &self,
        segment_ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(MatchingPassagesSegment {
            column: segment.fast_fields().u64(Fields::ARTICLE_KEY)?,
            matches: SegmentMatches {
                segment_ord,
                docs: Vec::new(),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentMatches>) -> tantivy::Result<Vec<SegmentMatches>> {
        Ok(fruits)
    }
}

impl SegmentCollector for MatchingPassagesSegment {
    type Fruit = SegmentMatches;

    fn collect(&mut self, doc: DocId, _: Score) {
        let key = self.column.first(doc).unwrap_or_default();
        self.matches.docs.push((doc, key));
    }

    fn harvest(mut self) -> SegmentMatches {
        self.matches.docs.sort_unstable_by_key(|&(doc, _)| doc);
        self.matches
    }
}

/// What the ranking reads of each segment, indexed by segment ordinal.
struct SegmentData {
    reader: SegmentReader,
    article_keys: Column<u64>,
    article_tokens: Column<u64>,
    title_tokens: Column<u64>,
    body_norms: FieldNormReader,
}

impl SegmentData {
    fn open(searcher: &Searcher, fields: &Fields) -> Result<Vec<SegmentData>> {
        searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                Ok(SegmentData {
                    reader: reader.clone(),
                    article_keys: reader.fast_fields().u64(Fields::ARTICLE_KEY)?,
                    article_tokens: reader.fast_fields().u64(Fields::ARTICLE_TOKENS)?,
                    title_tokens: reader.fast_fields().u64(Fields::TITLE_TOKENS)?,
                    body_norms: reader.get_fieldnorms_reader(fields.body)?,
                })
            })
            .collect()
    }

    fn is_alive(&self, doc: DocId) -> bool {
        self.reader
            .alive_bitset()
            .is_none_or(|alive| alive.is_alive(doc))
    }
}

/// Collection statistics, for articles and for passages.
struct Stats {
    articles: f32,
    passages: f32,
    /// Average body tokens per article and per passage; average title tokens.
    article_tokens: f32,
    passage_tokens: f32,
    title_tokens: f32,
}

impl Stats {
    fn of(searcher: &Searcher, fields: &Fields) -> Result<Stats> {
        let mut passages = 0u64;
        let mut body = 0u64;
        let mut title = 0u64;
        for reader in searcher.segment_readers() {
            passages += u64::from(reader.max_doc());
            body += reader.inverted_index(fields.body)?.total_num_tokens();
            title += reader.inverted_index(fields.title)?.total_num_tokens();
        }
        // Every article has a passage 0.
        let articles = searcher.doc_freq(&Term::from_field_u64(fields.passage_index, 0))?;
        let articles = articles.max(1) as f32;
        let passages = passages.max(1) as f32;
        Ok(Stats {
            articles,
            passages,
            article_tokens: (body as f32 / articles).max(1.0),
            passage_tokens: (body as f32 / passages).max(1.0),
            // The title is on the first passage of its article only.
            title_tokens: (title as f32 / articles).max(1.0),
        })
    }
}

fn idf(doc_freq: usize, docs: f32) -> f32 {
    let doc_freq = doc_freq as f32;
    (1.0 + (docs - doc_freq + 0.5).max(0.0) / (doc_freq + 0.5)).ln()
}

/// The BM25 weight of `tf` occurrences in a document of `length` tokens (average `average`).
fn bm25(idf: f32, tf: f32, length: f32, average: f32) -> f32 {
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average))
}

/// The lengths of an article's fields, in tokens.
struct ArticleLength {
    body: f32,
    title: f32,
}

/// Every article with a matching passage, numbered in the order first met: its lengths and
/// its score so far.
#[derive(Default)]
struct Candidates {
    keys: KeyMap<u32>,
    lengths: Vec<ArticleLength>,
    scores: Vec<Score>,
}

impl Candidates {
    /// The number of the article `key`, added with `length()` if it is new.
    fn add(&mut self, key: u64, length: impl FnOnce() -> ArticleLength) -> u32 {
        let next = self.lengths.len() as u32;
        let i = *self.keys.entry(key).or_insert(next);
        if i == next {
            self.lengths.push(length());
            self.scores.push(0.0);
        }
        i
    }
}

/// Where one unit occurs: in which candidate articles (body and title frequencies), in which
/// matching passages (body frequency and length), and how many articles and passages hold
/// it in all.
struct Occurrences {
    body_freqs: Vec<u32>,
    title_freqs: Vec<u32>,
    /// Candidates with a non-zero frequency.
    touched: Vec<u32>,
    /// (segment position in the matches, passage position, frequency, passage length).
    passages: Vec<(usize, usize, u32, u32)>,
    article_freq: usize,
    passage_freq: usize,
}

impl Occurrences {
    fn gather(
        segments: &[SegmentData],
        fields: &Fields,
        unit: &Unit,
        candidates: &Candidates,
        matches: &[SegmentMatches],
    ) -> Result<Occurrences> {
        let mut found = Occurrences {
            body_freqs: vec![0; candidates.lengths.len()],
            title_freqs: vec![0; candidates.lengths.len()],
            touched: Vec::new(),
            passages: Vec::new(),
            article_freq: 0,
            passage_freq: 0,
        };
        let mut holders = KeySet::default();
        for (ord, segment) in segments.iter().enumerate() {
            let matched = matches
                .binary_search_by_key(&(ord as u32), |m| m.segment_ord)
                .ok();
            let mut article = ArticleCursor::default();
            if unit.in_body {
                // Postings and matches both come in doc order: walk them side by side.
                let mut next_match = 0;
                for_each_occurrence(segment, fields.body, unit, |doc, tf| {
                    found.passage_freq += 1;
                    let key = segment.article_keys.first(doc).unwrap_or_default();
                    if let Some(i) = article.candidate(key, candidates, &mut holders) {
                        if found.body_freqs[i] == 0 && found.title_freqs[i] == 0 {
                            found.touched.push(i as u32);
                        }
                        found.body_freqs[i] += tf;
                    }
                    if let Some(m) = matched {
                        let docs = &matches[m].docs;
                        while next_match < docs.len() && docs[next_match].0 < doc {
                            next_match += 1;
                        }
                        if docs.get(next_match).is_some_and(|&(d, _)| d == doc) {
                            let length = segment.body_norms.fieldnorm(doc);
                            found.passages.push((m, next_match, tf, length));
                        }
                    }
                })?;
            }
            if unit.in_title {
                for_each_occurrence(segment, fields.title, unit, |doc, tf| {
                    let key = segment.article_keys.first(doc).unwrap_or_default();
                    if let Some(i) = article.candidate(key, candidates, &mut holders) {
                        if found.body_freqs[i] == 0 && found.title_freqs[i] == 0 {
                            found.touched.push(i as u32);
                        }
                        found.title_freqs[i] = tf;
                    }
                })?;
            }
        }
        found.article_freq = holders.len();
        Ok(found)
    }

    /// Adds the unit's BM25F to every candidate article that holds it: title occurrences
    /// count `TITLE_BOOST` times a body occurrence, and the title's length likewise.
    fn score_articles(&self, unit: &Unit, times: f32, stats: &Stats, into: &mut Candidates) {
        let body_weight = if unit.in_body { 1.0 } else { 0.0 };
        let title_weight = if unit.in_title {
            super::TITLE_BOOST
        } else {
            0.0
        };
        let idf = idf(self.article_freq, stats.articles);
        let average = body_weight * stats.article_tokens + title_weight * stats.title_tokens;
        for &i in &self.touched {
            let i = i as usize;
            let tf =
                body_weight * self.body_freqs[i] as f32 + title_weight * self.title_freqs[i] as f32;
            if tf > 0.0 {
                let length = &into.lengths[i];
                let length = body_weight * length.body + title_weight * length.title;
                into.scores[i] += times * bm25(idf, tf, length, average);
            }
        }
    }

    /// Adds the unit's BM25 in each matching passage's body.
    fn score_passages(&self, times: f32, stats: &Stats, into: &mut [Vec<Score>]) {
        let idf = idf(self.passage_freq, stats.passages);
        for &(m, p, tf, length) in &self.passages {
            into[m][p] += times * bm25(idf, tf as f32, length as f32, stats.passage_tokens);
        }
    }
}

/// The article of the last posting read: the passages of an article mostly sit side by
/// side, so most postings need no lookup.
#[derive(Default)]
struct ArticleCursor {
    last: Option<(u64, Option<usize>)>,
}

impl ArticleCursor {
    /// The candidate number of article `key` (`None` if it has no matching passage), noting
    /// the article among those that hold the unit.
    fn candidate(
        &mut self,
        key: u64,
        candidates: &Candidates,
        holders: &mut KeySet,
    ) -> Option<usize> {
        match self.last {
            Some((k, i)) if k == key => i,
            _ => {
                holders.insert(key);
                let i = candidates.keys.get(&key).map(|&i| i as usize);
                self.last = Some((key, i));
                i
            }
        }
    }
}

/// Calls `f(doc, frequency)` for every live document of the segment where the unit's term
/// (or phrase) occurs in `field`.
fn for_each_occurrence(
    segment: &SegmentData,
    field: Field,
    unit: &Unit,
    mut f: impl FnMut(DocId, u32),
) -> Result<()> {
    let index = segment.reader.inverted_index(field)?;
    if let [term] = unit.terms.as_slice() {
        let term = Term::from_field_text(field, term);
        let Some(mut postings) = index.read_postings(&term, IndexRecordOption::WithFreqs)? else {
            return Ok(());
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if segment.is_alive(doc) {
                f(doc, postings.term_freq());
            }
            doc = postings.advance();
        }
        return Ok(());
    }
    let mut postings = Vec::with_capacity(unit.terms.len());
    for term in &unit.terms {
        let term = Term::from_field_text(field, term);
        match index.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
            Some(p) => postings.push(p),
            None => return Ok(()),
        }
    }
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); postings.len()];
    let mut target = postings[0].doc();
    'docs: while target != TERMINATED {
        // Leapfrog to the next document that holds every word of the phrase.
        for p in postings.iter_mut() {
            let doc = if p.doc() < target {
                p.seek(target)
            } else {
                p.doc()
            };
            if doc > target {
                target = doc;
                continue 'docs;
            }
        }
        if segment.is_alive(target) {
            for (p, out) in postings.iter_mut().zip(positions.iter_mut()) {
                p.positions(out);
            }
            let count = phrase_count(&positions, unit.slop);
            if count > 0 {
                f(target, count);
            }
        }
        target = postings[0].advance();
    }
    Ok(())
}

/// How many times the words whose sorted positions are given occur in order, each within
/// `slop` positions of where the phrase expects it (the query decides what matches; this
/// only counts, for scoring).
fn phrase_count(positions: &[Vec<u32>], slop: u32) -> u32 {
    let Some((first, rest)) = positions.split_first() else {
        return 0;
    };
    let mut count = 0;
    'starts: for &start in first {
        let mut previous = start;
        for word in rest {
            let expected = previous + 1;
            let low = expected.saturating_sub(slop);
            let at = word.partition_point(|&p| p < low);
            match word.get(at) {
                Some(&p) if p <= expected + slop && p != previous => previous = p,
                _ => continue 'starts,
            }
        }
        count += 1;
    }
    count
}

/// The top `need` passages by article score plus a share of their own, at most
/// `per_article` from one article. Ties go to the earlier passage in index order.
fn best_passages(
    matches: &[SegmentMatches],
    articles_of: &[Vec<u32>],
    own_scores: &[Vec<Score>],
    article_scores: &[Score],
    need: usize,
    per_article: usize,
) -> Vec<(Score, DocAddress)> {
    let hits =
        || {
            matches.iter().zip(articles_of).zip(own_scores).flat_map(
                |((matched, articles), own)| {
                    matched
                        .docs
                        .iter()
                        .zip(articles)
                        .zip(own)
                        .map(|((&(doc, _), &i), &own)| {
                            let score = article_scores[i as usize] + PASSAGE_SHARE * own;
                            (
                                i as usize,
                                (score, DocAddress::new(matched.segment_ord, doc)),
                            )
                        })
                },
            )
        };
    let better = |a: &(Score, DocAddress), b: &(Score, DocAddress)| {
        b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
    };
    // Only the articles whose best passage is among the `need` best can place a passage
    // among the `need` best.
    let mut best = vec![Score::NEG_INFINITY; article_scores.len()];
    for (i, (score, _)) in hits() {
        best[i] = best[i].max(score);
    }
    let mut chosen: Vec<usize> = (0..best.len()).collect();
    let by_best = |a: &usize, b: &usize| best[*b].total_cmp(&best[*a]).then(a.cmp(b));
    if chosen.len() > need {
        chosen.select_nth_unstable_by(need, by_best);
        chosen.truncate(need);
    }
    let mut slot = vec![usize::MAX; best.len()];
    for (n, &i) in chosen.iter().enumerate() {
        slot[i] = n;
    }
    let mut kept: Vec<Vec<(Score, DocAddress)>> = vec![Vec::new(); chosen.len()];
    for (i, hit) in hits() {
        if let Some(kept) = kept.get_mut(slot[i]) {
            let at = kept.partition_point(|k| better(k, &hit).is_lt());
            if at < per_article {
                kept.insert(at, hit);
                kept.truncate(per_article);
            }
        }
    }
    let mut passages: Vec<(Score, DocAddress)> = kept.into_iter().flatten().collect();
    passages.sort_by(better);
    passages.truncate(need);
    passages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn terms_of(units: &[Unit]) -> Vec<Vec<&str>> {
        units
            .iter()
            .map(|u| u.terms.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn units_split_term_sets_and_phrase_expansions() {
        let words = units(&Matcher::Terms(set(&["rafah", "raf"])), 0, Target::Default);
        assert_eq!(terms_of(&words), vec![vec!["raf"], vec!["rafah"]]);
        assert!(words.iter().all(|u| u.in_body && u.in_title));

        let phrase = Matcher::Sequence(vec![set(&["ground"]), set(&["attack", "attacks"])]);
        let phrases = units(&phrase, 1, Target::Body);
        assert_eq!(
            terms_of(&phrases),
            vec![vec!["ground", "attack"], vec!["ground", "attacks"]]
        );
        assert!(phrases
            .iter()
            .all(|u| u.in_body && !u.in_title && u.slop == 1));

        assert!(units(&Matcher::Terms(set(&["reuters"])), 0, Target::Source).is_empty());
    }

    #[test]
    fn phrases_are_counted_in_order_within_the_slop() {
        let ground = vec![1, 10, 20];
        let attack = vec![2, 12, 30];
        assert_eq!(phrase_count(&[ground.clone(), attack.clone()], 0), 1);
        assert_eq!(phrase_count(&[ground.clone(), attack.clone()], 1), 2);
        assert_eq!(phrase_count(&[attack, ground], 0), 0);
        assert_eq!(phrase_count(&[vec![5], vec![6], vec![7]], 0), 1);
        assert_eq!(phrase_count(&[vec![5], vec![7], vec![6]], 0), 0);
    }

    #[test]
    fn bm25_saturates_and_normalises_length() {
        let one = bm25(1.0, 1.0, 100.0, 100.0);
        let two = bm25(1.0, 2.0, 100.0, 100.0);
        assert!(two > one && two < 2.0 * one);
        assert!(bm25(1.0, 1.0, 400.0, 100.0) < one);
        assert!(idf(1, 1000.0) > idf(500, 1000.0));
    }

    #[test]
    fn passages_are_capped_per_article_and_ordered_by_article_then_own_score() {
        let matches = vec![SegmentMatches {
            segment_ord: 0,
            docs: vec![(0, 7), (1, 7), (2, 7), (3, 9)],
        }];
        let articles_of = vec![vec![0, 0, 0, 1]];
        let article_scores = vec![10.0, 5.0];
        let own = vec![vec![1.0, 3.0, 2.0, 60.0]];
        let ranked = best_passages(&matches, &articles_of, &own, &article_scores, 10, 2);
        let docs: Vec<DocId> = ranked.iter().map(|(_, a)| a.doc_id).collect();
        // Article 9's passage wins on its own strength (5 + 0.1 * 60 > 10 + 0.1 * 3).
        assert_eq!(docs, vec![3, 1, 2]);
        let top = best_passages(&matches, &articles_of, &own, &article_scores, 1, 2);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].1.doc_id, 3);
    }

    #[test]
    fn candidates_are_numbered_once_in_the_order_met() {
        let mut candidates = Candidates::default();
        let length = || ArticleLength {
            body: 1.0,
            title: 1.0,
        };
        assert_eq!(candidates.add(42, length), 0);
        assert_eq!(candidates.add(7, length), 1);
        assert_eq!(candidates.add(42, length), 0);
        assert_eq!(candidates.scores.len(), 2);
    }
}
