//! Highlight spans computed from the analyzer's own tokens, so that a phrase lights up
//! only where it occurs as a phrase, a stemmed form lights up its relatives, a name lights
//! up its own forms only, and prefix and fuzzy terms light up exactly the words they
//! matched; and the snippet cut around the best of them.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::schema::{analyze, word_form};

/// What one positive part of a query matches in a passage's tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// Any token whose indexed term is in the set.
    Terms(HashSet<String>),
    /// Any token whose unstemmed, folded form is in the set (a name).
    Forms(HashSet<String>),
    /// Consecutive tokens, each in its set (a phrase).
    Sequence(Vec<HashSet<String>>),
    /// Consecutive tokens whose forms are one of the sequences (how one article names an
    /// entity: "Benjamin Netanyahu", "Netanyahu").
    Mentions(Vec<Vec<String>>),
}

/// What the matchers find in one text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextMatches {
    /// Byte ranges matched, sorted, overlapping ones merged.
    pub spans: Vec<(usize, usize)>,
    /// How often each matcher matched.
    pub counts: Vec<u32>,
    /// The text's length in tokens.
    pub tokens: usize,
}

/// Byte ranges of `text` that the matchers match, sorted, overlapping ones merged.
pub fn highlight_spans(
    analyzer: &mut TextAnalyzer,
    text: &str,
    matchers: &[Matcher],
) -> Vec<(usize, usize)> {
    match_text(analyzer, text, matchers).spans
}

/// Where and how often each matcher matches `text`.
pub fn match_text(analyzer: &mut TextAnalyzer, text: &str, matchers: &[Matcher]) -> TextMatches {
    let tokens = analyze(analyzer, text);
    let by_form = |m: &Matcher| matches!(m, Matcher::Forms(_) | Matcher::Mentions(_));
    let forms: Vec<String> = if matchers.iter().any(by_form) {
        tokens
            .iter()
            .map(|t| word_form(&text[t.start..t.end]))
            .collect()
    } else {
        Vec::new()
    };
    let mut spans = Vec::new();
    let mut counts = Vec::with_capacity(matchers.len());
    for matcher in matchers {
        let before = spans.len();
        match matcher {
            Matcher::Terms(terms) => spans.extend(
                tokens
                    .iter()
                    .filter(|t| terms.contains(&t.term))
                    .map(|t| (t.start, t.end)),
            ),
            Matcher::Forms(wanted) => spans.extend(
                tokens
                    .iter()
                    .zip(&forms)
                    .filter(|(_, form)| wanted.contains(*form))
                    .map(|(t, _)| (t.start, t.end)),
            ),
            Matcher::Sequence(steps) if !steps.is_empty() => {
                for first in 0..tokens.len() {
                    let window = &tokens[first..];
                    let matched = window.len() >= steps.len()
                        && steps.iter().enumerate().all(|(k, terms)| {
                            terms.contains(&window[k].term)
                                && window[k].position == window[0].position + k
                        });
                    if matched {
                        spans.push((window[0].start, window[steps.len() - 1].end));
                    }
                }
            }
            Matcher::Sequence(_) => {}
            Matcher::Mentions(names) => {
                for first in 0..tokens.len() {
                    let longest = names
                        .iter()
                        .filter(|name| {
                            !name.is_empty()
                                && forms.len() >= first + name.len()
                                && name.iter().zip(&forms[first..]).all(|(a, b)| a == b)
                        })
                        .map(Vec::len)
                        .max();
                    if let Some(len) = longest {
                        spans.push((tokens[first].start, tokens[first + len - 1].end));
                    }
                }
            }
        }
        counts.push((spans.len() - before) as u32);
    }
    TextMatches {
        spans: merge(spans),
        counts,
        tokens: tokens.len(),
    }
}

fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A passage cut for display: at most the requested number of characters, starting and
/// ending at word boundaries, with highlight ranges in characters of the cut text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Character ranges into `text`, end exclusive.
    pub highlights: Vec<(usize, usize)>,
    /// Whether text was cut before / after the snippet.
    pub cut_before: bool,
    pub cut_after: bool,
}

/// Cuts `text` to at most `max_chars` characters around the window holding the most
/// highlights (byte `spans`), at word boundaries.
pub fn cut_snippet(text: &str, spans: &[(usize, usize)], max_chars: usize) -> Snippet {
    // Work in characters: byte offset of every char, plus the end.
    let mut bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bounds.push(text.len());
    let total = bounds.len() - 1;
    let to_char = |byte: usize| bounds.partition_point(|&b| b < byte);
    let mut char_spans: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| (to_char(s), to_char(e)))
        .filter(|&(s, e)| s < e)
        .collect();
    char_spans.sort_unstable();
    let chars: Vec<char> = text.chars().collect();

    let (start, end) = if total <= max_chars {
        (0, total)
    } else {
        window(&chars, &char_spans, max_chars)
    };
    let highlights = char_spans
        .iter()
        .filter(|&&(s, e)| s >= start && e <= end)
        .map(|&(s, e)| (s - start, e - start))
        .collect();
    Snippet {
        text: text[bounds[start]..bounds[end]].to_string(),
        highlights,
        cut_before: start > 0,
        cut_after: end < total,
    }
}

/// Chooses the character window [start, end) of at most `max` characters.
fn window(chars: &[char], spans: &[(usize, usize)], max: usize) -> (usize, usize) {
    let total = chars.len();
    // The span that starts the densest run of highlights fitting in `max` characters.
    let best = (0..spans.len()).max_by_key(|&i| {
        let count = spans[i..]
            .iter()
            .take_while(|&&(_, e)| e <= spans[i].0 + max)
            .count();
        (count, std::cmp::Reverse(i))
    });
    let (focus_start, focus_end) = match best {
        Some(i) => {
            let last = spans[i..]
                .iter()
                .take_while(|&&(_, e)| e <= spans[i].0 + max)
                .last()
                .map_or(spans[i].1, |&(_, e)| e);
            (spans[i].0, last.min(spans[i].0 + max))
        }
        None => (0, 0),
    };
    // Give some context before the focus: a third of the slack, at most.
    let slack = max.saturating_sub(focus_end - focus_start);
    let mut start = focus_start.saturating_sub(slack / 3);
    if start > 0 {
        // Move forward to the start of a word, but never past the focus.
        while start < focus_start && !chars[start - 1].is_whitespace() {
            start += 1;
        }
        while start < focus_start && chars[start].is_whitespace() {
            start += 1;
        }
    }
    let mut end = (start + max).min(total);
    if end < total {
        // Move back to the end of a word, but keep the focus whole where possible.
        let mut cut = end;
        while cut > focus_end && !chars[cut].is_whitespace() && !chars[cut - 1].is_whitespace() {
            cut -= 1;
        }
        if cut > start && (chars[cut].is_whitespace() || chars[cut - 1].is_whitespace()) {
            end = cut;
        }
        while end > start && chars[end - 1].is_whitespace() {
            end -= 1;
        }
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::news_analyzer;

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn marked(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        spans.iter().map(|&(s, e)| text[s..e].to_string()).collect()
    }

    #[test]
    fn stemmed_forms_highlight() {
        let text = "It’s disappointing. We are very disappointed.";
        let spans = highlight_spans(
            &mut news_analyzer(),
            text,
            &[Matcher::Terms(terms(&["disappoint"]))],
        );
        assert_eq!(marked(text, &spans), vec!["disappointing", "disappointed"]);
    }

    #[test]
    fn a_phrase_highlights_only_where_it_is_a_phrase() {
        let text = "A ground attack on Rafah, an attack on the ground.";
        let phrase = Matcher::Sequence(vec![terms(&["ground"]), terms(&["attack"])]);
        let spans = highlight_spans(&mut news_analyzer(), text, &[phrase]);
        assert_eq!(marked(text, &spans), vec!["ground attack"]);
    }

    #[test]
    fn a_name_highlights_its_own_forms_not_its_stem_relatives() {
        let text = "Federer beat the federal champion; Federer's serve";
        let found = match_text(
            &mut news_analyzer(),
            text,
            &[Matcher::Forms(terms(&["federer"]))],
        );
        assert_eq!(marked(text, &found.spans), vec!["Federer", "Federer"]);
        assert_eq!(found.counts, vec![2]);
        assert_eq!(found.tokens, 8);
    }

    #[test]
    fn overlapping_matches_merge() {
        let text = "ground attack";
        let spans = highlight_spans(
            &mut news_analyzer(),
            text,
            &[
                Matcher::Sequence(vec![terms(&["ground"]), terms(&["attack"])]),
                Matcher::Terms(terms(&["attack"])),
            ],
        );
        assert_eq!(spans, vec![(0, 13)]);
    }

    #[test]
    fn short_text_is_kept_whole() {
        let snippet = cut_snippet("Gaza talks", &[(0, 4)], 200);
        assert_eq!(snippet.text, "Gaza talks");
        assert_eq!(snippet.highlights, vec![(0, 4)]);
        assert!(!snippet.cut_before && !snippet.cut_after);
    }

    #[test]
    fn cuts_count_characters_not_bytes_and_keep_the_match() {
        let text = format!(
            "{} Rafah {}",
            "éléphant “d’été” ".repeat(30),
            "ünïcödé ".repeat(30)
        );
        let start = text.find("Rafah").unwrap();
        let snippet = cut_snippet(&text, &[(start, start + 5)], 60);
        assert!(snippet.text.chars().count() <= 60, "{}", snippet.text);
        assert!(snippet.cut_before && snippet.cut_after);
        let (s, e) = snippet.highlights[0];
        let marked: String = snippet.text.chars().skip(s).take(e - s).collect();
        assert_eq!(marked, "Rafah");
        // Word boundaries at both ends.
        assert!(!snippet.text.starts_with(' ') && !snippet.text.ends_with(' '));
        let words: HashSet<&str> = text.split_whitespace().collect();
        for word in snippet.text.split_whitespace() {
            assert!(words.contains(word), "cut inside a word: {word:?}");
        }
    }

    #[test]
    fn the_window_goes_where_highlights_are_densest() {
        let text = format!(
            "gaza {} rafah rafah rafah {}",
            "x ".repeat(100),
            "y ".repeat(100)
        );
        let spans: Vec<(usize, usize)> = text
            .match_indices("rafah")
            .map(|(i, m)| (i, i + m.len()))
            .chain([(0, 4)])
            .collect();
        let snippet = cut_snippet(&text, &spans, 50);
        assert_eq!(snippet.highlights.len(), 3, "{snippet:?}");
    }

    #[test]
    fn without_highlights_the_start_is_kept() {
        let text = "word ".repeat(100);
        let snippet = cut_snippet(&text, &[], 22);
        assert_eq!(snippet.text, "word word word word");
        assert!(!snippet.cut_before && snippet.cut_after);
    }
}
