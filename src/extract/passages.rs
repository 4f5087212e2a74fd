//! Splitting an article body into passages: paragraphs, and long paragraphs cut at
//! sentence boundaries that do not fall after abbreviations such as "Mr." or "U.S.".
//! No passage is longer than [`MAX_PASSAGE_CHARS`]: a run of text without sentence
//! punctuation (a scraped page flattened to one line, a table, a data dump) is cut at word
//! boundaries, and a "word" longer than that is cut where it must be. Every query that
//! touches a passage scores and highlights all of it, so one huge passage made them slow.

use std::iter::Peekable;

use unicode_segmentation::{USentenceBoundIndices, UnicodeSegmentation};

/// Paragraphs longer than this many characters are split into sentence groups.
const LONG_PARAGRAPH_CHARS: usize = 600;
/// Sentence groups are packed up to about this many characters.
const TARGET_PASSAGE_CHARS: usize = 400;
/// The longest passage, in characters: a sentence longer than this is cut at word
/// boundaries into pieces of about [`TARGET_PASSAGE_CHARS`].
pub const MAX_PASSAGE_CHARS: usize = 1000;

/// Splits a body into passages. Paragraphs are separated by blank lines or begin with an
/// indented line (as in wire copy); lines inside a paragraph are joined with single spaces.
pub fn split_passages(body: &str) -> Vec<String> {
    let mut passages = Vec::new();
    for paragraph in paragraphs(body) {
        if paragraph.chars().count() > LONG_PARAGRAPH_CHARS {
            passages.extend(pack_sentences(&sentences(&paragraph)));
        } else {
            passages.push(paragraph);
        }
    }
    passages
}

/// The body's paragraphs, each with its whitespace collapsed to single spaces.
fn paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    // The lines of the paragraph being read, joined when it ends (in one allocation).
    let mut current: Vec<&str> = Vec::new();
    let flush = |current: &mut Vec<&str>, out: &mut Vec<String>| {
        if current.is_empty() {
            return;
        }
        let mut text = String::with_capacity(current.iter().map(|l| l.len() + 1).sum());
        for line in current.drain(..) {
            push_words(line, &mut text);
        }
        out.push(text);
    };
    for line in body.lines() {
        if line.trim().is_empty() {
            flush(&mut current, &mut out);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            flush(&mut current, &mut out);
        }
        current.push(line);
    }
    flush(&mut current, &mut out);
    out
}

/// Appends the words of `line` to `text`, each after a space unless `text` is empty
/// (as `split_whitespace` would, by bytes when the line is ASCII).
fn push_words(line: &str, text: &mut String) {
    let mut push = |word: &str| {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    };
    if !line.is_ascii() {
        line.split_whitespace().for_each(push);
        return;
    }
    // `char::is_whitespace` on ASCII (vertical tab included).
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    // Most lines are words between single spaces: the trimmed line is their join. (All
    // whitespace but the space is below it.)
    let trimmed = line.trim_matches(|c: char| c.is_ascii() && space(c as u8));
    if trimmed.bytes().all(|b| b >= b' ') && !trimmed.contains("  ") {
        if !trimmed.is_empty() {
            push(trimmed);
        }
        return;
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && space(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !space(bytes[i]) {
            i += 1;
        }
        if i > start {
            push(&line[start..i]);
        }
    }
}

/// Sentences of a paragraph (each keeps its trailing space), re-joined where the Unicode
/// sentence rules broke after an abbreviation or an initial.
pub fn sentences(paragraph: &str) -> Vec<&str> {
    each_sentence(paragraph).collect()
}

/// [`sentences`], one at a time: the paragraph is segmented only as far as it is read.
pub fn each_sentence(paragraph: &str) -> Sentences<'_> {
    Sentences {
        paragraph,
        start: 0,
        pieces: paragraph.split_sentence_bound_indices().peekable(),
    }
}

/// The iterator of [`each_sentence`].
pub struct Sentences<'a> {
    paragraph: &'a str,
    /// Where the next sentence starts.
    start: usize,
    pieces: Peekable<USentenceBoundIndices<'a>>,
}

impl<'a> Iterator for Sentences<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while let Some((offset, piece)) = self.pieces.next() {
            let end = offset + piece.len();
            let is_last = self.pieces.peek().is_none();
            if is_last || !ends_with_abbreviation(piece) {
                let sentence = &self.paragraph[self.start..end];
                self.start = end;
                return Some(sentence);
            }
        }
        if self.start < self.paragraph.len() {
            let rest = &self.paragraph[self.start..];
            self.start = self.paragraph.len();
            return Some(rest);
        }
        None
    }
}

/// True when a sentence piece ends with a word that does not end sentences.
fn ends_with_abbreviation(piece: &str) -> bool {
    let trimmed = piece.trim_end();
    let Some(without_dot) = trimmed.strip_suffix('.') else {
        return false;
    };
    let last_word = without_dot
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '“' || c == '"')
        .next()
        .unwrap_or("");
    if last_word.chars().count() == 1 && last_word.chars().all(char::is_uppercase) {
        return true; // an initial, as in "John F. Kennedy"
    }
    let lower = last_word.to_lowercase();
    super::entities::ABBREVIATIONS.contains(&lower.as_str())
}

/// Packs consecutive sentences into passages of about [`TARGET_PASSAGE_CHARS`]; a
/// sentence over [`MAX_PASSAGE_CHARS`] is cut into pieces of its own.
fn pack_sentences(sentences: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0;
    for sentence in sentences {
        let sentence_chars = sentence.chars().count();
        if !current.is_empty()
            && (current_chars + sentence_chars > TARGET_PASSAGE_CHARS
                || sentence_chars > MAX_PASSAGE_CHARS)
        {
            out.push(current.trim_end().to_string());
            current.clear();
            current_chars = 0;
        }
        if sentence_chars > MAX_PASSAGE_CHARS {
            out.extend(cut_at_words(sentence));
            continue;
        }
        current.push_str(sentence);
        current_chars += sentence_chars;
    }
    if !current.trim().is_empty() {
        out.push(current.trim_end().to_string());
    }
    out
}

/// Cuts text without sentence breaks into pieces of about [`TARGET_PASSAGE_CHARS`] at
/// spaces; a word longer than [`MAX_PASSAGE_CHARS`] is cut into pieces of that length.
fn cut_at_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0;
    for word in text.split_whitespace() {
        let word_chars = word.chars().count();
        if current_chars > 0 && current_chars + 1 + word_chars > TARGET_PASSAGE_CHARS {
            out.push(std::mem::take(&mut current));
            current_chars = 0;
        }
        if word_chars > MAX_PASSAGE_CHARS {
            let chars: Vec<char> = word.chars().collect();
            out.extend(
                chars
                    .chunks(MAX_PASSAGE_CHARS)
                    .map(|piece| piece.iter().collect::<String>()),
            );
            continue;
        }
        if current_chars > 0 {
            current.push(' ');
            current_chars += 1;
        }
        current.push_str(word);
        current_chars += word_chars;
    }
    if current_chars > 0 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        let body = "First line\ncontinues here.\n\n\nSecond paragraph.\n";
        assert_eq!(
            split_passages(body),
            vec!["First line continues here.", "Second paragraph."]
        );
    }

    #[test]
    fn indented_lines_start_paragraphs_as_in_wire_copy() {
        let body =
            "    Showers continued in\nthe Bahia zone.\n    Farmers said the crop\nwas safe.";
        assert_eq!(
            split_passages(body),
            vec![
                "Showers continued in the Bahia zone.",
                "Farmers said the crop was safe."
            ]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        let text = "Mr. Gallant met Gen. Ryder in the U.S. Capitol. John F. Kennedy spoke. Then it rained.";
        assert_eq!(
            sentences(text),
            vec![
                "Mr. Gallant met Gen. Ryder in the U.S. Capitol. ",
                "John F. Kennedy spoke. ",
                "Then it rained."
            ]
        );
    }

    #[test]
    fn long_paragraphs_are_split_at_sentence_boundaries() {
        let sentence = "Mr. Smith said the talks in Washington would go on for many more weeks. ";
        let paragraph = sentence.repeat(12);
        let passages = split_passages(&paragraph);
        assert!(passages.len() > 1, "{passages:?}");
        for passage in &passages {
            assert!(passage.starts_with("Mr. Smith said"), "{passage}");
            assert!(passage.ends_with("weeks."), "{passage}");
            assert!(passage.chars().count() <= TARGET_PASSAGE_CHARS);
        }
        let rejoined: Vec<&str> = passages.iter().map(String::as_str).collect();
        assert_eq!(rejoined.join(" "), paragraph.trim_end());
    }

    #[test]
    fn a_long_sentence_stays_whole_up_to_the_limit() {
        let paragraph = "word ".repeat(190);
        let passages = split_passages(&paragraph);
        assert_eq!(passages, vec![paragraph.trim_end().to_string()]);
    }

    #[test]
    fn text_without_sentence_breaks_is_cut_at_words_and_nothing_is_lost() {
        let words: Vec<String> = (0..40_000).map(|i| format!("w{i}")).collect();
        let line = words.join(" ");
        let passages = split_passages(&line);
        assert!(passages.len() > 100, "{}", passages.len());
        assert!(passages
            .iter()
            .all(|p| p.chars().count() <= MAX_PASSAGE_CHARS && !p.starts_with(' ')));
        assert_eq!(passages.join(" "), line);

        // Sentences around the run keep their own passages.
        let mixed = format!("It began. Then {line}. It ended.");
        let passages = split_passages(&mixed);
        assert_eq!(passages.first().map(String::as_str), Some("It began."));
        assert_eq!(passages.last().map(String::as_str), Some("It ended."));
        assert!(passages[1].starts_with("Then w0 w1"));

        let blob = "é".repeat(2_500);
        let passages = split_passages(&format!("A blob: {blob}"));
        assert!(passages
            .iter()
            .all(|p| p.chars().count() <= MAX_PASSAGE_CHARS));
        assert_eq!(passages.concat().replace(' ', ""), format!("Ablob:{blob}"));
    }

    #[test]
    fn empty_and_blank_bodies_have_no_passages() {
        assert!(split_passages("").is_empty());
        assert!(split_passages("  \n\n \t\n").is_empty());
    }

    #[test]
    fn lines_join_as_split_whitespace_joins_them() {
        for line in [
            "",
            " ",
            "one",
            "  two words  ",
            "a  b",
            "a\tb",
            "a \u{b}b",
            "a\u{1}b c",
            "\u{a0}non-breaking\u{a0}space",
            "ends with a tab\t",
            "    Shr 1.20 dlrs vs 1.10 dlrs",
        ] {
            for before in ["", "x"] {
                let mut text = before.to_string();
                push_words(line, &mut text);
                let mut expected = before.to_string();
                for word in line.split_whitespace() {
                    if !expected.is_empty() {
                        expected.push(' ');
                    }
                    expected.push_str(word);
                }
                assert_eq!(text, expected, "{line:?}");
            }
        }
    }

    #[test]
    fn sentences_one_at_a_time_are_the_sentences() {
        let text = "Mr. Smith met U.S. officials. They left at 5 p.m. on Monday! Did it work? Yes";
        assert_eq!(each_sentence(text).collect::<Vec<_>>(), sentences(text));
        assert_eq!(each_sentence("").next(), None);
    }
}
