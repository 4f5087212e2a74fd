//! Splitting text into word and punctuation tokens with byte offsets, sentence starts and
//! paragraphs, and the headline test (title case or capitals only, where a capital
//! letter says nothing about names).

use std::borrow::Cow;

use super::lexicon::lexicon;
use super::names::fold;

/// Words that end with a full stop without ending a sentence (folded, without the dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm",
    "sgt", "cpl", "pvt", "gov", "sen", "rep", "rev", "hon", "pres", "st", "mt", "ft", "jr", "sr",
    "inc", "corp", "co", "ltd", "plc", "bros", "no", "nos", "vs", "brig", "gens", "sens", "reps",
    "govs", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
];

/// Abbreviations that often close a sentence too ("... said Cargill Inc. The company").
const CLOSING_ABBREVIATIONS: &[&str] = &["inc", "corp", "co", "ltd", "plc", "jr", "sr", "bros"];

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

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    /// The folded text (lower case, accents and dots dropped); the character itself for
    /// punctuation.
    pub key: Cow<'static, str>,
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
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut tokens: Vec<Token> = Vec::new();
    let mut para = 0;
    let mut sentence_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            let (mut newlines, mut indent, mut j) = (0, 0, i);
            while j < chars.len() && chars[j].1.is_whitespace() {
                match chars[j].1 {
                    '\n' => {
                        newlines += 1;
                        indent = 0;
                    }
                    '\t' if newlines > 0 => indent += 2,
                    _ if newlines > 0 => indent += 1,
                    _ => {}
                }
                j += 1;
            }
            if !tokens.is_empty() && (newlines >= 2 || (newlines == 1 && indent >= 2)) {
                para += 1;
                sentence_start = true;
            }
            i = j;
            continue;
        }
        if !c.is_alphanumeric() {
            let spaced = i > 0
                && chars[i - 1].1.is_whitespace()
                && chars.get(i + 1).is_some_and(|&(_, n)| n.is_whitespace());
            if matches!(c, '.' | '!' | '?' | ':' | '…') || (matches!(c, '-' | '–' | '—') && spaced)
            {
                sentence_start = true;
            }
            tokens.push(Token {
                start: chars[i].0,
                end: byte_at(i + 1),
                key: punct_key(c),
                shape: Shape::Punct,
                sent_start: false,
                possessive: false,
                hyphen_caps: false,
                para,
            });
            i += 1;
            continue;
        }
        let (word_end, possessive) = scan_word(&chars, i);
        let mut end = word_end;
        let raw = &text[byte_at(i)..byte_at(word_end)];
        let mut closes_sentence = false;
        if !possessive && chars.get(end).is_some_and(|&(_, c)| c == '.') {
            let key = fold(raw);
            let single_capital = raw.chars().count() == 1 && c.is_uppercase();
            if raw.contains('.') || single_capital || ABBREVIATIONS.contains(&key.as_str()) {
                end += 1;
                closes_sentence = CLOSING_ABBREVIATIONS.contains(&key.as_str());
            }
        }
        let start_byte = byte_at(i);
        let end_byte = byte_at(end);
        push_word(
            &mut tokens,
            text,
            start_byte,
            end_byte,
            possessive,
            para,
            sentence_start,
        );
        sentence_start = false;
        if closes_sentence {
            let next = chars[end..].iter().find(|(_, c)| !c.is_whitespace());
            sentence_start = next.is_some_and(|&(_, c)| c.is_uppercase());
        }
        i = if possessive { word_end + 2 } else { end };
    }
    let paragraphs = paragraphs(&tokens);
    Tokens { tokens, paragraphs }
}

/// The end (char index) of the word starting at `i`, and whether a possessive "'s"
/// follows it.
fn scan_word(chars: &[(usize, char)], i: usize) -> (usize, bool) {
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let mut j = i;
    let mut segment = 0;
    loop {
        while at(j).is_some_and(char::is_alphanumeric) {
            j += 1;
            segment += 1;
        }
        match (at(j), at(j + 1)) {
            (Some('\'' | '’'), Some(n)) if n.is_alphabetic() => {
                let after = at(j + 2);
                if matches!(n, 's' | 'S') && !after.is_some_and(char::is_alphanumeric) {
                    return (j, true);
                }
                j += 1;
            }
            (Some('-'), Some(n)) if n.is_alphanumeric() => j += 1,
            (Some('.'), Some(n)) if n.is_alphabetic() && segment == 1 => j += 1,
            (Some('&'), Some(n))
                if n.is_uppercase() && chars[i..j].iter().all(|&(_, c)| !c.is_lowercase()) =>
            {
                j += 1
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
    if word.contains('-') && !word.contains('.') {
        let parts: Vec<&str> = word.split('-').collect();
        let tail = parts.iter().enumerate().skip(1).find(|(_, part)| {
            part.chars().next().is_some_and(char::is_lowercase) && lex.is_hyphen_tail(part)
        });
        // "CANADA-EGYPT", "Israel-Gaza": two places, not one name.
        let places = parts.len() == 2
            && parts.iter().all(|p| {
                p.chars().next().is_some_and(char::is_uppercase)
                    && super::gazetteer::gazetteer().region(p).is_some()
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
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let has_lower = word.chars().any(char::is_lowercase);
    let parts: Vec<&str> = word.split('-').collect();
    let particle_name = parts.len() >= 2
        && HYPHEN_PARTICLES.contains(&parts[0])
        && parts[1].chars().next().is_some_and(char::is_uppercase);
    let shape = if first.is_numeric() {
        Shape::Number
    } else if first.is_uppercase() || particle_name {
        if !has_lower && letters >= 2 {
            Shape::Upper
        } else {
            Shape::Cap
        }
    } else {
        Shape::Lower
    };
    let hyphen_caps = parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.chars().next().is_some_and(char::is_uppercase));
    Token {
        start,
        end,
        key: Cow::Owned(fold(word)),
        shape,
        sent_start,
        possessive,
        hyphen_caps,
        para,
    }
}

/// The key of a punctuation token, without allocating for the usual ones.
fn punct_key(c: char) -> Cow<'static, str> {
    const COMMON: &[&str] = &[
        ",", ".", "(", ")", "\"", "'", ":", ";", "-", "&", "<", ">", "/", "?", "!",
    ];
    COMMON
        .iter()
        .find(|p| p.starts_with(c) && p.len() == c.len_utf8())
        .map_or_else(|| Cow::Owned(c.to_string()), |p| Cow::Borrowed(*p))
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
            let words: Vec<&Token> = tokens[first..i]
                .iter()
                .filter(|t| matches!(t.shape, Shape::Lower | Shape::Cap | Shape::Upper))
                .collect();
            let lower = words.iter().filter(|t| t.shape == Shape::Lower).count();
            let upper = words.iter().filter(|t| t.shape == Shape::Upper).count();
            let n = words.len();
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
}
