//! Highlight spans computed from the analyzer's own tokens, so that a phrase lights up
//! only where it occurs as a phrase, a stemmed form lights up its relatives, a name lights
//! up its own forms only, and prefix and fuzzy terms light up exactly the words they
//! matched; and the snippet cut around the best of them.

use std::collections::HashSet;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};

use crate::schema::{word_form, word_normalizer, MAX_TOKEN_BYTES};

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

/// Matches passages against a query's matchers. Each word is folded and, where it may
/// match, stemmed exactly as the index does it; a word whose first letters no matcher's
/// term or form shares is passed over without stemming (a stem keeps its word's first
/// letter, and its second but for a `y` that becomes `i`: "dying" → "die"), which is most
/// of a passage's words.
pub struct Scanner {
    tokenizer: SimpleTokenizer,
    normalizer: TextAnalyzer,
    /// The first-letter keys of every term and form the matchers look for.
    keys: FxHashSet<[u8; 2]>,
    /// Whether any matcher compares stemmed terms (else no word needs stemming).
    stems_needed: bool,
    /// Stemmed terms of the words seen so far, by folded form.
    stems: FxHashMap<String, String>,
}

/// One word of a passage: where it is, and its folded form and stemmed term when it may
/// match.
struct Word {
    start: usize,
    end: usize,
    position: usize,
    form: Option<String>,
    term: Option<String>,
}

/// The key of a folded form or term: its first two bytes, a `y` in second place read as
/// `i` (see [`Scanner`]).
fn key_of(text: &str) -> [u8; 2] {
    let bytes = text.as_bytes();
    let second = match bytes.get(1) {
        Some(b'y') => b'i',
        Some(&b) => b,
        None => 0,
    };
    [bytes.first().copied().unwrap_or(0), second]
}

impl Scanner {
    pub fn new(matchers: &[Matcher]) -> Scanner {
        let mut keys = FxHashSet::default();
        let mut stems_needed = false;
        for matcher in matchers {
            match matcher {
                Matcher::Terms(terms) => {
                    stems_needed = true;
                    keys.extend(terms.iter().map(|t| key_of(t)));
                }
                Matcher::Forms(forms) => keys.extend(forms.iter().map(|f| key_of(f))),
                Matcher::Sequence(steps) => {
                    stems_needed = true;
                    keys.extend(steps.iter().flatten().map(|t| key_of(t)));
                }
                Matcher::Mentions(names) => keys.extend(names.iter().flatten().map(|f| key_of(f))),
            }
        }
        Scanner {
            tokenizer: SimpleTokenizer::default(),
            normalizer: word_normalizer(),
            keys,
            stems_needed,
            stems: FxHashMap::default(),
        }
    }

    fn words(&mut self, text: &str) -> Vec<Word> {
        let mut words = Vec::new();
        let mut tokenizer = self.tokenizer.clone();
        let mut stream = tokenizer.token_stream(text);
        while let Some(token) = stream.next() {
            if token.text.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            let raw = &token.text;
            let candidate = if raw.is_ascii() {
                let bytes = raw.as_bytes();
                let second = match bytes.get(1).map(u8::to_ascii_lowercase) {
                    Some(b'y') => b'i',
                    Some(b) => b,
                    None => 0,
                };
                self.keys.contains(&[bytes[0].to_ascii_lowercase(), second])
            } else {
                true
            };
            let mut word = Word {
                start: token.offset_from,
                end: token.offset_to,
                position: token.position,
                form: None,
                term: None,
            };
            if candidate {
                let form = word_form(raw);
                if self.keys.contains(&key_of(&form)) {
                    if self.stems_needed {
                        word.term = Some(self.stem(&form));
                    }
                    word.form = Some(form);
                }
            }
            words.push(word);
        }
        words
    }

    /// The stemmed term of a folded form, as the index has it.
    fn stem(&mut self, form: &str) -> String {
        if let Some(term) = self.stems.get(form) {
            return term.clone();
        }
        let mut stream = self.normalizer.token_stream(form);
        let term = if stream.advance() {
            stream.token().text.clone()
        } else {
            form.to_string()
        };
        self.stems.insert(form.to_string(), term.clone());
        term
    }

    /// Where and how often each matcher matches `text`.
    pub fn scan(&mut self, text: &str, matchers: &[Matcher]) -> TextMatches {
        let words = self.words(text);
        fn term(w: &Word) -> Option<&str> {
            w.term.as_deref()
        }
        fn form(w: &Word) -> Option<&str> {
            w.form.as_deref()
        }
        let mut spans = Vec::new();
        let mut counts = Vec::with_capacity(matchers.len());
        for matcher in matchers {
            let before = spans.len();
            match matcher {
                Matcher::Terms(terms) => spans.extend(
                    words
                        .iter()
                        .filter(|w| term(w).is_some_and(|t| terms.contains(t)))
                        .map(|w| (w.start, w.end)),
                ),
                Matcher::Forms(wanted) => spans.extend(
                    words
                        .iter()
                        .filter(|w| form(w).is_some_and(|f| wanted.contains(f)))
                        .map(|w| (w.start, w.end)),
                ),
                Matcher::Sequence(steps) if !steps.is_empty() => {
                    for first in 0..words.len() {
                        let window = &words[first..];
                        let matched = window.len() >= steps.len()
                            && steps.iter().enumerate().all(|(k, terms)| {
                                term(&window[k]).is_some_and(|t| terms.contains(t))
                                    && window[k].position == window[0].position + k
                            });
                        if matched {
                            spans.push((window[0].start, window[steps.len() - 1].end));
                        }
                    }
                }
                Matcher::Sequence(_) => {}
                Matcher::Mentions(names) => {
                    for first in 0..words.len() {
                        let longest = names
                            .iter()
                            .filter(|name| {
                                !name.is_empty()
                                    && words.len() >= first + name.len()
                                    && name
                                        .iter()
                                        .zip(&words[first..])
                                        .all(|(a, w)| form(w) == Some(a.as_str()))
                            })
                            .map(Vec::len)
                            .max();
                        if let Some(len) = longest {
                            spans.push((words[first].start, words[first + len - 1].end));
                        }
                    }
                }
            }
            counts.push((spans.len() - before) as u32);
        }
        TextMatches {
            spans: merge(spans),
            counts,
            tokens: words.len(),
        }
    }
}

/// Byte ranges of `text` that the matchers match, sorted, overlapping ones merged.
pub fn highlight_spans(text: &str, matchers: &[Matcher]) -> Vec<(usize, usize)> {
    Scanner::new(matchers).scan(text, matchers).spans
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
    use crate::schema::{analyze, news_analyzer};

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn marked(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        spans.iter().map(|&(s, e)| text[s..e].to_string()).collect()
    }

    #[test]
    fn stemmed_forms_highlight() {
        let text = "It’s disappointing. We are very disappointed.";
        let spans = highlight_spans(text, &[Matcher::Terms(terms(&["disappoint"]))]);
        assert_eq!(marked(text, &spans), vec!["disappointing", "disappointed"]);
    }

    #[test]
    fn a_phrase_highlights_only_where_it_is_a_phrase() {
        let text = "A ground attack on Rafah, an attack on the ground.";
        let phrase = Matcher::Sequence(vec![terms(&["ground"]), terms(&["attack"])]);
        let spans = highlight_spans(text, &[phrase]);
        assert_eq!(marked(text, &spans), vec!["ground attack"]);
    }

    #[test]
    fn a_name_highlights_its_own_forms_not_its_stem_relatives() {
        let text = "Federer beat the federal champion; Federer's serve";
        let matchers = [Matcher::Forms(terms(&["federer"]))];
        let found = Scanner::new(&matchers).scan(text, &matchers);
        assert_eq!(marked(text, &found.spans), vec!["Federer", "Federer"]);
        assert_eq!(found.counts, vec![2]);
        assert_eq!(found.tokens, 8);
    }

    /// Matching every word's stem as the analyzer gives it: what the scanner's shortcut
    /// (stemming only words whose first letters could match) must equal.
    #[test]
    fn the_scanner_highlights_exactly_what_the_analyzer_would() {
        let text = "Dying, lying and tying: skies, ugly early news; Élysée naïve CAFÉ \
                    disappointing Disappointed RUNS ran running y yes 1987 U.S. x2 \
                    Zelenskyy's Ålesund Straße İstanbul supercalifragilisticexpialidociousness";
        let tokens = analyze(&mut news_analyzer(), text);
        for token in &tokens {
            let matchers = [Matcher::Terms(terms(&[&token.term]))];
            let expected: Vec<(usize, usize)> = merge(
                tokens
                    .iter()
                    .filter(|t| t.term == token.term)
                    .map(|t| (t.start, t.end))
                    .collect(),
            );
            assert_eq!(
                highlight_spans(text, &matchers),
                expected,
                "term {:?} of {:?}",
                token.term,
                &text[token.start..token.end]
            );
        }
        let apart = Matcher::Sequence(vec![terms(&[&tokens[0].term]), terms(&[&tokens[2].term])]);
        assert_eq!(
            highlight_spans(text, &[apart]).len(),
            0,
            "not adjacent words"
        );
        let adjacent =
            Matcher::Sequence(vec![terms(&[&tokens[1].term]), terms(&[&tokens[2].term])]);
        assert_eq!(
            marked(text, &highlight_spans(text, &[adjacent])),
            vec!["lying and"]
        );
    }

    #[test]
    fn overlapping_matches_merge() {
        let text = "ground attack";
        let spans = highlight_spans(
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
