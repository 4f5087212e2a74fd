//! Which passages a matching article shows, chosen from its stored text at query time the
//! way Lucene's unified highlighter does: every passage is matched against the query's
//! positive words and phrases and scored with BM25 over passages; the best ones are shown,
//! at most `per_article`, so that each word the query requires is highlighted somewhere in
//! what the article shows whenever its passages allow it. A passage with no highlighted
//! word is shown only when the article matched through its title or a filter alone, and
//! then only its first passage.

use super::compile::Unit;
use super::highlight::{cut_snippet, Matcher, Scanner, Snippet, TextMatches};

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;

/// What the passages of one query are matched and scored against.
pub(super) struct PassageQuery<'a> {
    pub units: &'a [Unit],
    pub required: &'a [Vec<usize>],
    pub per_article: usize,
    pub snippet_chars: usize,
}

/// One passage an article shows.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Shown {
    /// Its place in the article, from 0.
    pub index: usize,
    /// Its own BM25 for the query's words.
    pub score: f32,
    pub snippet: Snippet,
}

/// The passages of one article, matched.
pub(super) struct MatchedArticle {
    matches: Vec<TextMatches>,
}

/// Matches every passage of an article (the first step; scoring needs the average passage
/// length of all the articles looked at).
pub(super) fn match_article(
    scanner: &mut Scanner,
    passages: &[String],
    matchers: &[Matcher],
) -> MatchedArticle {
    MatchedArticle {
        matches: passages.iter().map(|p| scanner.scan(p, matchers)).collect(),
    }
}

impl MatchedArticle {
    /// Tokens and passages, for the average passage length.
    pub fn lengths(&self) -> (usize, usize) {
        let tokens = self.matches.iter().map(|m| m.tokens).sum();
        (tokens, self.matches.len())
    }

    /// The passages to show, best first.
    pub fn choose(
        &self,
        passages: &[String],
        query: &PassageQuery,
        average_tokens: f32,
    ) -> Vec<Shown> {
        let scores: Vec<f32> = self
            .matches
            .iter()
            .map(|m| passage_score(m, query.units, average_tokens))
            .collect();
        let highlighted: Vec<usize> = (0..self.matches.len())
            .filter(|&i| !self.matches[i].spans.is_empty())
            .collect();
        let shown = |index: usize| Shown {
            index,
            score: scores[index],
            snippet: cut_snippet(
                &passages[index],
                &self.matches[index].spans,
                query.snippet_chars,
            ),
        };
        if highlighted.is_empty() {
            // Matched through the title or a filter only: the lead stands for it.
            return if passages.is_empty() {
                Vec::new()
            } else {
                vec![shown(0)]
            };
        }
        let covers =
            |i: usize, group: &Vec<usize>| group.iter().any(|&m| self.matches[i].counts[m] > 0);
        let better = |a: usize, b: usize| scores[b].total_cmp(&scores[a]).then(a.cmp(&b));
        let cap = query.per_article.max(1);
        let mut chosen: Vec<usize> = Vec::new();
        let mut uncovered: Vec<&Vec<usize>> = query.required.iter().collect();
        let mut rest = highlighted;
        rest.sort_by(|&a, &b| better(a, b));
        // The best passage first, then those that highlight required words not yet shown.
        while chosen.len() < cap && !rest.is_empty() {
            let pick = if chosen.is_empty() || uncovered.is_empty() {
                0
            } else {
                let gain = |i: usize| uncovered.iter().filter(|g| covers(i, g)).count();
                let (at, best) = rest
                    .iter()
                    .enumerate()
                    .max_by(|(_, &a), (_, &b)| gain(a).cmp(&gain(b)).then(better(a, b)))
                    .map(|(at, &i)| (at, gain(i)))
                    .unwrap_or((0, 0));
                if best == 0 {
                    0
                } else {
                    at
                }
            };
            let index = rest.remove(pick);
            uncovered.retain(|g| !covers(index, g));
            chosen.push(index);
        }
        chosen.sort_by(|&a, &b| better(a, b));
        chosen.into_iter().map(shown).collect()
    }
}

/// A passage's BM25 for the query's units.
fn passage_score(matches: &TextMatches, units: &[Unit], average_tokens: f32) -> f32 {
    let length = matches.tokens as f32;
    units
        .iter()
        .map(|unit| {
            let tf = matches.counts.get(unit.matcher).copied().unwrap_or(0) as f32;
            if tf == 0.0 {
                return 0.0;
            }
            unit.idf * tf * (K1 + 1.0)
                / (tf + K1 * (1.0 - B + B * length / average_tokens.max(1.0)))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn terms(words: &[&str]) -> Matcher {
        Matcher::Terms(words.iter().map(|w| w.to_string()).collect::<HashSet<_>>())
    }

    fn passages(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    fn chosen(
        texts: &[&str],
        matchers: &[Matcher],
        required: &[Vec<usize>],
        cap: usize,
    ) -> Vec<usize> {
        let units: Vec<Unit> = (0..matchers.len())
            .map(|matcher| Unit { matcher, idf: 1.0 })
            .collect();
        let query = PassageQuery {
            units: &units,
            required,
            per_article: cap,
            snippet_chars: 200,
        };
        let texts = passages(texts);
        let matched = match_article(&mut Scanner::new(matchers), &texts, matchers);
        let (tokens, count) = matched.lengths();
        matched
            .choose(&texts, &query, tokens as f32 / count as f32)
            .into_iter()
            .map(|s| s.index)
            .collect()
    }

    #[test]
    fn required_words_in_different_passages_are_all_shown() {
        let texts = [
            "Hezbollah fired rockets. Hezbollah again.",
            "Nothing here at all.",
            "Yair Lapid spoke later.",
        ];
        let matchers = [terms(&["hezbollah"]), terms(&["lapid"])];
        let both = chosen(&texts, &matchers, &[vec![0], vec![1]], 2);
        assert_eq!(both.len(), 2);
        assert!(both.contains(&0) && both.contains(&2), "{both:?}");
        // Without requirements the best passages win, and a passage without a
        // highlighted word is never shown.
        let best = chosen(&texts, &matchers, &[], 3);
        assert!(!best.contains(&1), "{best:?}");
    }

    #[test]
    fn the_cap_holds_and_the_lead_stands_in_when_nothing_is_highlighted() {
        let texts = ["Rafah one.", "Rafah two.", "Rafah three."];
        assert_eq!(chosen(&texts, &[terms(&["rafah"])], &[vec![0]], 2).len(), 2);
        assert_eq!(chosen(&texts, &[terms(&["gaza"])], &[], 2), vec![0]);
    }
}
