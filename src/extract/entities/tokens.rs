//! Splitting text into word and punctuation tokens with byte offsets, sentence starts and
//! paragraphs, and the headline test (title case or capitals only, where a capital
//! letter says nothing about names).

use std::cell::Cell;
use std::fmt;
use std::ops::Deref;

use super::fold::fold;
use super::gazetteer::gazetteer;
use super::lexicon::{lexicon, LexKey, Lexicon, ABBREVIATIONS};

/// Abbreviations that often close a sentence too ("... said Cargill Inc. The company"):
/// the next word starts one when it is capitalised.
const CLOSING_ABBREVIATIONS: &[&str] = &[
    "inc", "corp", "co", "ltd", "plc", "jr", "sr", "bros", "etc", "est", "mon", "tue", "tues",
    "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
];

/// Particles written before a hyphen in Arabic names ("al-Assad", "bin-Laden").
const HYPHEN_PARTICLES: &[&str] = &[
    "al", "el", "ad", "as", "ash", "an", "at", "az", "bin", "abu", "ibn", "ben", "ul",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Starts with a lower-case letter.
    Lower,
    /// Starts with a capital and has lower-case letters (or is one capital letter).
    Cap,
    /// Two or more letters, all capitals ("US", "U.S.", "OPEC", "WASHINGTON").
    Upper,
    /// Starts with a digit.
    Number,
    /// One punctuation character.
    Punct,
}

/// Keys up to this many bytes are kept inside the token (most words are); with the
/// length, the lists and the variant's tag a key takes 24 bytes.
const INLINE_KEY: usize = 18;

/// A token's folded text. Short keys (nearly all) live inside the token, so that
/// tokenizing allocates nothing per word; longer ones on the heap. The key remembers the
/// lexicon's lists it is on once asked ([`super::lexicon::LexKey`]).
#[derive(Clone)]
pub(crate) struct Key(KeyRepr);

/// `Key::lists` before the first look-up.
const LISTS_UNKNOWN: u32 = u32::MAX;

/// The text of a key, and the lexicon's lists it is on ([`LISTS_UNKNOWN`] until asked).
#[derive(Clone)]
enum KeyRepr {
    Inline {
        len: u8,
        bytes: [u8; INLINE_KEY],
        lists: Cell<u32>,
    },
    Heap {
        text: Box<str>,
        lists: Cell<u32>,
    },
}

impl Key {
    fn new(text: &str) -> Key {
        if text.len() <= INLINE_KEY {
            let mut bytes = [0; INLINE_KEY];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Key::inline(bytes, text.len())
        } else {
            Key(KeyRepr::Heap {
                text: text.into(),
                lists: Cell::new(LISTS_UNKNOWN),
            })
        }
    }

    fn inline(bytes: [u8; INLINE_KEY], len: usize) -> Key {
        Key(KeyRepr::Inline {
            len: len as u8,
            bytes,
            lists: Cell::new(LISTS_UNKNOWN),
        })
    }

    /// The lexicon's lists this key is on, from `look_up` the first time.
    pub fn lists_with(&self, look_up: impl FnOnce(&str) -> u32) -> u32 {
        let cell = match &self.0 {
            KeyRepr::Inline { lists, .. } | KeyRepr::Heap { lists, .. } => lists,
        };
        let mut lists = cell.get();
        if lists == LISTS_UNKNOWN {
            lists = look_up(self.as_str());
            cell.set(lists);
        }
        lists
    }

    /// The key of a word: its folded form ([`fold`]), built in place for ASCII words.
    fn of_word(word: &str) -> Key {
        let src = word.as_bytes();
        // The fast path of `fold`: ASCII without whitespace is lower-cased, dots dropped.
        if src.len() <= INLINE_KEY && src.iter().all(|b| b.is_ascii() && !b.is_ascii_whitespace()) {
            let mut bytes = [0; INLINE_KEY];
            for (to, from) in bytes.iter_mut().zip(src) {
                *to = from.to_ascii_lowercase();
            }
            let mut len = src.len();
            if src.contains(&b'.') {
                len = 0;
                for k in 0..src.len() {
                    if bytes[k] != b'.' {
                        bytes[len] = bytes[k];
                        len += 1;
                    }
                }
            }
            return Key::inline(bytes, len);
        }
        Key::new(&fold(word))
    }

    fn bytes(&self) -> &[u8] {
        match &self.0 {
            KeyRepr::Inline { len, bytes, .. } => &bytes[..usize::from(*len)],
            KeyRepr::Heap { text, .. } => text.as_bytes(),
        }
    }

    /// The length in bytes (without checking the bytes, as `as_str` must).
    pub fn len(&self) -> usize {
        self.bytes().len()
    }

    /// The number of characters.
    pub fn char_count(&self) -> usize {
        // Every character has one byte that is no continuation byte.
        self.bytes().iter().filter(|&&b| b & 0xc0 != 0x80).count()
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            KeyRepr::Inline { len, bytes, .. } => std::str::from_utf8(&bytes[..usize::from(*len)])
                .expect("an inline key holds a whole string"),
            KeyRepr::Heap { text, .. } => text,
        }
    }
}

impl LexKey for Key {
    fn lists(&self, lex: &Lexicon) -> u32 {
        self.lists_with(|text| lex.lists(text))
    }
}

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        self.bytes() == other.as_bytes()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    /// The folded text (lower case, accents and dots dropped); the character itself for
    /// punctuation.
    pub key: Key,
    pub shape: Shape,
    /// The first word of a sentence or paragraph.
    pub sent_start: bool,
    /// Followed by a possessive "'s", which is not part of the token.
    pub possessive: bool,
    /// Capitalised parts joined by hyphens ("Austin-Gallant", "Leigh-Pemberton").
    pub hyphen_caps: bool,
    pub para: usize,
}

impl Token {
    pub fn is_word(&self) -> bool {
        !matches!(self.shape, Shape::Punct | Shape::Number)
    }
    /// Capitalised or written in capitals.
    pub fn is_capitalised(&self) -> bool {
        matches!(self.shape, Shape::Cap | Shape::Upper)
    }
}

/// A run of tokens between paragraph breaks.
#[derive(Clone, Debug)]
pub(crate) struct Paragraph {
    pub first: usize,
    pub end: usize,
    /// Title case or all capitals: capitals carry no signal here.
    pub headline: bool,
}

pub(crate) struct Tokens {
    pub tokens: Vec<Token>,
    pub paragraphs: Vec<Paragraph>,
}

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Tokens {
    // About one token in four bytes of prose: enough that the vector seldom grows.
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 4 + 1);
    let mut para = 0;
    let mut sentence_start = true;
    // Byte offset of the current character.
    let mut i = 0;
    while let Some(c) = char_at(text, i) {
        if c.is_whitespace() {
            let (mut newlines, mut indent, mut j) = (0, 0, i);
            while let Some(w) = char_at(text, j).filter(|w| w.is_whitespace()) {
                match w {
                    '\n' => {
                        newlines += 1;
                        indent = 0;
                    }
                    '\t' if newlines > 0 => indent += 2,
                    _ if newlines > 0 => indent += 1,
                    _ => {}
                }
                j += w.len_utf8();
            }
            if !tokens.is_empty() && (newlines >= 2 || (newlines == 1 && indent >= 2)) {
                para += 1;
                sentence_start = true;
            }
            i = j;
            continue;
        }
        let next = i + c.len_utf8();
        if !c.is_alphanumeric() {
            let spaced = char_before(text, i).is_some_and(char::is_whitespace)
                && char_at(text, next).is_some_and(char::is_whitespace);
            if matches!(c, '.' | '!' | '?' | ':' | '…') || (matches!(c, '-' | '–' | '—') && spaced)
            {
                sentence_start = true;
            }
            tokens.push(Token {
                start: i,
                end: next,
                key: punct_key(c),
                shape: Shape::Punct,
                sent_start: false,
                possessive: false,
                hyphen_caps: false,
                para,
            });
            i = next;
            continue;
        }
        let (word_end, possessive) = scan_word(text, i);
        let mut end = word_end;
        let raw = &text[i..word_end];
        let mut closes_sentence = false;
        if !possessive && char_at(text, end) == Some('.') {
            let key = Key::of_word(raw);
            let single_capital = raw.chars().count() == 1 && c.is_uppercase();
            let abbreviation = || key.len() <= 6 && ABBREVIATIONS.contains(&key.as_str());
            if raw.contains('.') || single_capital || abbreviation() {
                end += 1;
                closes_sentence = CLOSING_ABBREVIATIONS.contains(&key.as_str());
            }
        }
        push_word(&mut tokens, text, i, end, possessive, para, sentence_start);
        sentence_start = false;
        if closes_sentence {
            let next = text[end..].chars().find(|c| !c.is_whitespace());
            sentence_start = next.is_some_and(char::is_uppercase);
        }
        i = if possessive {
            // Past the apostrophe and the "s".
            let apostrophe = char_at(text, word_end).map_or(1, char::len_utf8);
            word_end + apostrophe + 1
        } else {
            end
        };
    }
    let paragraphs = paragraphs(&tokens);
    Tokens { tokens, paragraphs }
}

/// The character starting at byte `at` of `text`, if any.
#[inline]
fn char_at(text: &str, at: usize) -> Option<char> {
    let byte = *text.as_bytes().get(at)?;
    if byte.is_ascii() {
        Some(char::from(byte))
    } else {
        text[at..].chars().next()
    }
}

/// The character ending at byte `at` of `text`, if any.
#[inline]
fn char_before(text: &str, at: usize) -> Option<char> {
    let byte = *text.as_bytes().get(at.checked_sub(1)?)?;
    if byte.is_ascii() {
        Some(char::from(byte))
    } else {
        text[..at].chars().next_back()
    }
}

/// The end (byte offset) of the word starting at byte `i`, and whether a possessive "'s"
/// follows it.
fn scan_word(text: &str, i: usize) -> (usize, bool) {
    let at = |k: usize| char_at(text, k);
    // The character after the one at `k` (which must exist).
    let after = |k: usize| char_at(text, k).and_then(|c| char_at(text, k + c.len_utf8()));
    let mut j = i;
    let mut segment = 0;
    let bytes = text.as_bytes();
    loop {
        while let Some(&b) = bytes.get(j) {
            // ASCII letters and digits are the alphanumeric characters below 128.
            let len = if b.is_ascii_alphanumeric() {
                1
            } else if b.is_ascii() {
                break;
            } else {
                match at(j).filter(|c| c.is_alphanumeric()) {
                    Some(c) => c.len_utf8(),
                    None => break,
                }
            };
            j += len;
            segment += 1;
        }
        let Some(c) = at(j) else {
            return (j, false);
        };
        let next = j + c.len_utf8();
        match (c, at(next)) {
            ('\'' | '’', Some(n)) if n.is_alphabetic() => {
                let after_s = after(next);
                if matches!(n, 's' | 'S') && !after_s.is_some_and(char::is_alphanumeric) {
                    return (j, true);
                }
                j = next;
            }
            ('-', Some(n)) if n.is_alphanumeric() => j = next,
            ('.', Some(n)) if n.is_alphabetic() && segment == 1 => j = next,
            ('&', Some(n)) if n.is_uppercase() && text[i..j].chars().all(|c| !c.is_lowercase()) => {
                j = next
            }
            _ => return (j, false),
        }
        segment = 0;
    }
}

/// Pushes the word `text[start..end]`, splitting "Hamas-run" into "Hamas" and "run".
fn push_word(
    tokens: &mut Vec<Token>,
    text: &str,
    start: usize,
    end: usize,
    possessive: bool,
    para: usize,
    sent_start: bool,
) {
    let word = &text[start..end];
    let lex = lexicon();
    if has_byte(word, b'-') && !has_byte(word, b'.') {
        let parts: Vec<&str> = word.split('-').collect();
        let tail = parts.iter().enumerate().skip(1).find(|(_, part)| {
            part.chars().next().is_some_and(char::is_lowercase) && lex.is_hyphen_tail(part)
        });
        // "CANADA-EGYPT", "Israel-Gaza": two places, not one name.
        let places = parts.len() == 2
            && parts.iter().all(|p| {
                p.chars().next().is_some_and(char::is_uppercase) && gazetteer().region(p).is_some()
            });
        if places {
            let head_end = start + parts[0].len();
            tokens.push(word_token(text, start, head_end, false, para, sent_start));
            tokens.push(word_token(text, head_end + 1, end, possessive, para, false));
            return;
        }
        if let Some((k, _)) = tail {
            let head_len = parts[..k].iter().map(|p| p.len()).sum::<usize>() + k - 1;
            let head_end = start + head_len;
            tokens.push(word_token(text, start, head_end, false, para, sent_start));
            tokens.push(word_token(text, head_end + 1, end, possessive, para, false));
            return;
        }
    }
    tokens.push(word_token(text, start, end, possessive, para, sent_start));
}

#[inline]
fn word_token(
    text: &str,
    start: usize,
    end: usize,
    possessive: bool,
    para: usize,
    sent_start: bool,
) -> Token {
    let word = &text[start..end];
    let first = word.chars().next().unwrap_or(' ');
    let starts_upper = |part: &str| part.chars().next().is_some_and(char::is_uppercase);
    // Two or more parts between hyphens.
    let hyphenated = has_byte(word, b'-');
    let particle_name = hyphenated && {
        let mut parts = word.split('-');
        let head = parts.next().unwrap_or("");
        HYPHEN_PARTICLES.contains(&head) && parts.next().is_some_and(starts_upper)
    };
    let shape = if first.is_numeric() {
        Shape::Number
    } else if first.is_uppercase() || particle_name {
        let has_lower = word.chars().any(char::is_lowercase);
        if !has_lower && word.chars().filter(|c| c.is_alphabetic()).nth(1).is_some() {
            Shape::Upper
        } else {
            Shape::Cap
        }
    } else {
        Shape::Lower
    };
    let hyphen_caps = hyphenated && word.split('-').all(starts_upper);
    Token {
        start,
        end,
        key: Key::of_word(word),
        shape,
        sent_start,
        possessive,
        hyphen_caps,
        para,
    }
}

/// Whether `word` holds the ASCII character `b` (a plain loop: words are short).
fn has_byte(word: &str, b: u8) -> bool {
    word.bytes().any(|c| c == b)
}

/// The key of a punctuation token: the character itself.
fn punct_key(c: char) -> Key {
    let mut bytes = [0; INLINE_KEY];
    let len = c.encode_utf8(&mut bytes).len();
    Key::inline(bytes, len)
}

/// Groups tokens into paragraphs and marks the headline ones: at least three words of
/// which fewer than a quarter start in lower case, or two or more words all in capitals.
fn paragraphs(tokens: &[Token]) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut first = 0;
    for i in 0..=tokens.len() {
        let boundary = i == tokens.len() || (i > first && tokens[i].para != tokens[first].para);
        if !boundary {
            continue;
        }
        if i > first {
            let (mut n, mut lower, mut upper) = (0, 0, 0);
            for t in &tokens[first..i] {
                match t.shape {
                    Shape::Lower => lower += 1,
                    Shape::Upper => upper += 1,
                    Shape::Cap => {}
                    Shape::Number | Shape::Punct => continue,
                }
                n += 1;
            }
            let headline = (n >= 3 && lower * 4 < n) || (n >= 2 && upper == n);
            out.push(Paragraph {
                first,
                end: i,
                headline,
            });
        }
        first = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, Shape, bool)> {
        let t = tokenize(text);
        t.tokens
            .iter()
            .filter(|t| t.shape != Shape::Punct)
            .map(|tok| {
                (
                    text[tok.start..tok.end].to_string(),
                    tok.shape,
                    tok.sent_start,
                )
            })
            .collect()
    }

    #[test]
    fn words_abbreviations_and_possessives() {
        let text = "Israel’s Mr. Gallant met U.S. officials. The talks, in Hamas-run Gaza, ended.";
        let t = tokenize(text);
        let w: Vec<&str> = t
            .tokens
            .iter()
            .filter(|t| t.shape != Shape::Punct)
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(
            w,
            vec![
                "Israel",
                "Mr.",
                "Gallant",
                "met",
                "U.S.",
                "officials",
                "The",
                "talks",
                "in",
                "Hamas",
                "run",
                "Gaza",
                "ended"
            ]
        );
        assert!(t.tokens[0].possessive);
        let the = t
            .tokens
            .iter()
            .find(|t| &text[t.start..t.end] == "The")
            .unwrap();
        assert!(the.sent_start);
        let us = t.tokens.iter().find(|t| t.key == "us").unwrap();
        assert_eq!(us.shape, Shape::Upper);
    }

    #[test]
    fn names_with_hyphens_and_particles_stay_whole() {
        let w = words("Kim Jong-un met Bashar al-Assad and Robin Leigh-Pemberton.");
        assert!(w.iter().any(|(t, s, _)| t == "Jong-un" && *s == Shape::Cap));
        assert!(w
            .iter()
            .any(|(t, s, _)| t == "al-Assad" && *s == Shape::Cap));
        assert!(w.iter().any(|(t, _, _)| t == "Leigh-Pemberton"));
        let t = tokenize("The Austin-Gallant talks");
        assert!(t.tokens[1].hyphen_caps);
    }

    #[test]
    fn paragraphs_and_headlines() {
        let t = tokenize("FED CHAIRMAN VOLCKER SAYS RATES STAY\n\nThe Federal Reserve said on Monday.\n    It added more.");
        assert_eq!(t.paragraphs.len(), 3);
        assert!(t.paragraphs[0].headline);
        assert!(!t.paragraphs[1].headline);
        let it = t.tokens.iter().find(|tok| tok.key == "it").unwrap();
        assert!(it.sent_start);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "",
            " ",
            "’s",
            "'",
            "-",
            "A.",
            "É.",
            "a-",
            "-a",
            "x’",
            "U.S.-",
            "日本の首相",
            "\u{200b}\u{0301}a",
        ] {
            let _ = tokenize(text);
        }
    }

    #[test]
    fn keys_are_the_folded_words() {
        assert!(ABBREVIATIONS.iter().all(|a| a.len() <= 6));
        assert!(CLOSING_ABBREVIATIONS
            .iter()
            .all(|a| ABBREVIATIONS.contains(a)));
        for word in [
            "",
            "x",
            "U.S.",
            "Hamas",
            "al-Assad",
            "O'Brien",
            "AT&T",
            "A.B.C.D.E.F.G.H.I.J.K.L.",
            "telecommunications",
            "internationalisation",
            "Zürich",
            "Ñandú",
            "日本",
        ] {
            let key = Key::of_word(word);
            let folded = fold(word);
            assert_eq!(key.as_str(), folded, "{word:?}");
            assert_eq!(key.len(), folded.len(), "{word:?}");
            assert_eq!(key.char_count(), folded.chars().count(), "{word:?}");
            assert!(key == folded.as_str());
        }
        for c in [',', '&', '—', '’', '…', '🙂'] {
            assert_eq!(punct_key(c).as_str(), c.to_string());
        }
    }
}
