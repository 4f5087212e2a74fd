//! Scrape debris in article bodies: stray lines that scrapers pick up from the page
//! around the story ("Read more", "Advertisement", "200 characters", "Click here to
//! subscribe") and the lone related-story headline dropped between two paragraphs.
//!
//! The rules are deliberately narrow: a line goes only when it matches a known phrase
//! exactly, or when it has every mark of a headline (one short line, capitalised, no
//! final punctuation, few small words) and sits between two prose paragraphs. Headings
//! marked up as such (`# Background`), datelines, list items, quotes and short sentences
//! stay.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// Phrases that make up a whole debris line (compared lower-cased, with trailing
/// punctuation, arrows and extra spaces removed).
const DEBRIS_LINES: &[&str] = &[
    "advertisement",
    "advertisements",
    "advertising",
    "ad",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "article continues below advertisement",
    "content continues below advertisement",
    "article continues below",
    "story continues below",
    "continue reading below",
    "advertisement - scroll to continue",
    "scroll to continue",
    "scroll to continue with content",
    "skip advertisement",
    "skip to content",
    "skip to main content",
    "read more",
    "read more here",
    "read more below",
    "continue reading",
    "continue reading the main story",
    "read the full story",
    "read the full article",
    "read full story",
    "read full article",
    "see more",
    "show more",
    "click here",
    "click to expand",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share on facebook",
    "share on twitter",
    "share via email",
    "share article",
    "tweet",
    "email",
    "print",
    "copy link",
    "link copied",
    "subscribe",
    "subscribe now",
    "sign up",
    "sign up for our newsletter",
    "related",
    "related articles",
    "related stories",
    "related content",
    "related coverage",
    "recommended",
    "recommended stories",
    "most read",
    "most popular",
    "you may also like",
    "you might also like",
    "loading",
    "play video",
    "watch video",
];

/// Small words that headlines leave out and prose is full of.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "has", "have",
    "had", "not", "which", "who", "would", "will", "there",
];

/// Headline-shaped lines are at most this long, in words and characters.
const HEADLINE_MAX_WORDS: usize = 18;
const HEADLINE_MIN_WORDS: usize = 4;
const HEADLINE_MAX_CHARS: usize = 150;
/// A paragraph counts as prose around a headline when it has this many words.
const PROSE_MIN_WORDS: usize = 8;

/// A body with its debris lines removed, and how many lines went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleaned<'a> {
    /// The body itself when nothing was dropped.
    pub text: Cow<'a, str>,
    pub dropped: usize,
}

/// Removes debris lines from a body (lines end in `\n`); everything else is kept as is.
pub fn strip_boilerplate(body: &str) -> Cleaned<'_> {
    let lines: Vec<&str> = body.lines().collect();
    let mut keep = vec![true; lines.len()];
    for i in 0..lines.len() {
        // The cheap test first: most lines carry on a sentence or follow one that does.
        keep[i] = !(stands_alone(&lines, &keep, i) && is_debris_line(lines[i]));
    }
    for i in lone_headlines(&lines, &keep) {
        keep[i] = false;
    }
    let dropped = keep.iter().filter(|kept| !**kept).count();
    if dropped == 0 {
        return Cleaned {
            text: Cow::Borrowed(body),
            dropped,
        };
    }
    let mut text = String::with_capacity(body.len());
    for (line, _) in lines.iter().zip(&keep).filter(|(_, kept)| **kept) {
        text.push_str(line);
        text.push('\n');
    }
    Cleaned {
        text: Cow::Owned(text),
        dropped,
    }
}

/// Whether a line stands on its own rather than carrying on a sentence wrapped over
/// several lines (wire copy ends "…1.20 dlrs a" / "share."): the line before it is
/// blank, ends a sentence or was dropped as debris itself, and the line after it is
/// blank or does not go on in lower case.
fn stands_alone(lines: &[&str], keep: &[bool], i: usize) -> bool {
    let before = match i.checked_sub(1) {
        None => true,
        Some(j) => {
            let line = lines[j].trim();
            line.is_empty() || !keep[j] || ends_sentence(line)
        }
    };
    let after = lines.get(i + 1).is_none_or(|line| {
        !line
            .trim_start()
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    });
    before && after
}

/// A stray line matching a known debris phrase or shape.
fn is_debris_line(line: &str) -> bool {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return false;
    }
    if trimmed.is_ascii() && !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        return is_ascii_debris_line(trimmed);
    }
    let normalized = normalize(trimmed);
    if normalized.is_empty() {
        return false;
    }
    DEBRIS_LINES.contains(&normalized.as_str())
        || count_line_regex().is_match(&normalized)
        || link_line_regex().is_match(trimmed)
}

/// [`is_debris_line`] for a trimmed ASCII line that does not start with a digit (so that
/// its normalized form does not either, and the count pattern cannot match), without
/// building the normalized line: only its head is kept, as long as the longest phrase.
fn is_ascii_debris_line(trimmed: &str) -> bool {
    const HEAD: usize = 40;
    let mut head = [0u8; HEAD];
    // Length of the line with spaces collapsed, and of it without its trailing
    // punctuation and spaces (the normalized line).
    let (mut len, mut normalized_len) = (0, 0);
    let mut push = |c: u8| {
        if len < HEAD {
            head[len] = c;
        }
        len += 1;
        if !matches!(c, b'.' | b':' | b'!' | b'>' | b'-' | b'|' | b' ') {
            normalized_len = len;
        }
    };
    let mut space = false;
    for &b in trimmed.as_bytes() {
        // `char::is_whitespace` on ASCII (vertical tab included).
        if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            space = true;
            continue;
        }
        if std::mem::take(&mut space) {
            push(b' ');
        }
        push(b.to_ascii_lowercase());
    }
    if normalized_len == 0 {
        return false;
    }
    let phrase = normalized_len <= HEAD
        && DEBRIS_LINES
            .iter()
            .any(|d| d.as_bytes() == &head[..normalized_len]);
    // The link pattern opens with one of these letters, in either case, and needs a
    // colon unless it is "click here".
    let link = || {
        matches!(
            trimmed.as_bytes()[0].to_ascii_lowercase(),
            b'r' | b'a' | b's' | b'm' | b'w' | b'l' | b'c'
        ) && (trimmed.contains(':')
            || trimmed
                .get(..10)
                .is_some_and(|h| h.eq_ignore_ascii_case("click here")))
    };
    phrase || (link() && link_line_regex().is_match(trimmed))
}

/// Lower case, trailing punctuation and arrows removed, spaces collapsed.
fn normalize(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(|c: char| {
            matches!(
                c,
                '.' | ':' | '!' | '»' | '›' | '>' | '→' | '…' | '-' | '|' | ' '
            )
        })
        .to_lowercase()
}

/// "200 characters", "1,024 words": counters left over from a form or a listing.
fn count_line_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\d[\d,]*(?:\s+\w+)?\s+(?:characters?|chars|words)(?:\s+left)?$")
            .expect("count pattern is valid")
    })
}

/// "Read more: …", "ALSO READ: …", "Related: …", "Click here to subscribe": a link to
/// elsewhere, whatever it names (short, so that real sentences are never caught).
fn link_line_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^(?:(?:read more|also read|read also|see also|related|related story|related article|more on this story|watch|listen)\s*:\s*\S.{0,150}|click here\b.{0,80})$",
        )
        .expect("link pattern is valid")
    })
}

/// Lines that are a paragraph of their own, shaped like a headline, with prose
/// paragraphs before and after them.
fn lone_headlines(lines: &[&str], keep: &[bool]) -> Vec<usize> {
    // Paragraphs of kept lines: runs of non-blank lines (dropped lines are ignored).
    let mut paragraphs: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else if keep[i] {
            current.push(i);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    // The paragraph's trimmed lines joined by spaces has as many words as its lines
    // together, and ends as its last line does.
    let is_prose = |paragraph: &[usize]| {
        let words: usize = paragraph
            .iter()
            .map(|&i| lines[i].split_whitespace().count())
            .sum();
        words >= PROSE_MIN_WORDS
            && paragraph
                .last()
                .is_some_and(|&i| ends_sentence(lines[i].trim()))
    };
    paragraphs
        .windows(3)
        .filter(|w| {
            w[1].len() == 1
                && is_headline_shaped(lines[w[1][0]])
                && is_prose(&w[0])
                && is_prose(&w[2])
        })
        .map(|w| w[1][0])
        .collect()
}

/// Whether prose ends here: a full stop, question or exclamation mark, maybe inside a
/// closing quote or bracket.
fn ends_sentence(text: &str) -> bool {
    let text = text.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»']);
    text.ends_with(['.', '!', '?', '…'])
}

/// One short line that reads like a headline: starts with a capital letter, names
/// someone or somewhere (another capitalised word), ends with a letter or digit (no
/// final punctuation), has no list or heading marker, under a third small words, at
/// most one number and one comma (more make a list), and no indentation (indented
/// short lines are wire-copy tables).
fn is_headline_shaped(line: &str) -> bool {
    if line.starts_with([' ', '\t']) {
        return false;
    }
    let line = line.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    if !(HEADLINE_MIN_WORDS..=HEADLINE_MAX_WORDS).contains(&words.len())
        || line.chars().count() > HEADLINE_MAX_CHARS
    {
        return false;
    }
    let starts_capitalised = line.chars().next().is_some_and(char::is_uppercase);
    let ends_bare = line.chars().last().is_some_and(char::is_alphanumeric);
    if !starts_capitalised || !ends_bare {
        return false;
    }
    // A dateline ("GAZA CITY, March 3 -") or a label ("Note: …") is not a headline.
    if line.contains(':') || line.contains(" - ") || line.contains(" — ") {
        return false;
    }
    // All-capital text (old wire and magazine copy) breaks its sentences over lines.
    if !line.chars().any(char::is_lowercase) {
        return false;
    }
    let is_small = |word: &str| {
        let word = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        STOP_WORDS.contains(&word.as_str())
    };
    // A line ending on "the" or "for" is a sentence broken over lines.
    if words.last().is_some_and(|w| is_small(w)) {
        return false;
    }
    let small = words.iter().filter(|w| is_small(w)).count();
    let numbers = words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .count();
    // Headlines name someone or somewhere: a capital beyond the first word.
    let names = words[1..]
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let commas = line.matches(',').count();
    small * 3 < words.len() && numbers <= 1 && names >= 1 && commas <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARA_A: &str = "Kirby however insisted that the vote does not represent a shift in policy, and said the text did not condemn Hamas.";
    const PARA_B: &str = "“We’ve been consistent in our support for a ceasefire as part of a hostage deal,” he said.";

    fn dropped_lines(body: &str) -> Vec<String> {
        let cleaned = strip_boilerplate(body);
        let kept: Vec<&str> = cleaned.text.lines().collect();
        let gone: Vec<String> = body
            .lines()
            .filter(|l| !l.trim().is_empty() && !kept.contains(l))
            .map(String::from)
            .collect();
        assert_eq!(gone.len(), cleaned.dropped);
        gone
    }

    #[test]
    fn stray_debris_lines_are_dropped() {
        for debris in [
            "200 characters",
            "1,024 words",
            "2000 characters left",
            "Read more",
            "READ MORE »",
            "Advertisement",
            "Story continues below advertisement",
            "Click here",
            "Click here to subscribe to our newsletter",
            "Read more: Biden warns Netanyahu over Rafah",
            "ALSO READ: Ceasefire talks resume in Doha",
            "Share this article",
        ] {
            let body = format!("{PARA_A}\n\n{debris}\n\n{PARA_B}\n");
            assert_eq!(dropped_lines(&body), vec![debris.to_string()], "{debris}");
        }
    }

    #[test]
    fn debris_lines_between_single_spaced_paragraphs_are_dropped() {
        let body = format!("{PARA_A}\nAdvertisement\nRead more\n{PARA_B}\n");
        assert_eq!(dropped_lines(&body), vec!["Advertisement", "Read more"]);
    }

    #[test]
    fn wrapped_wire_copy_ending_on_a_debris_word_stays() {
        let body = "    Net profit rose to 1.20 dlrs a\nshare.\n    The company said it\nwill advertise more, and spend on\nadvertising.\n    Readers can\nclick here to\nsubscribe.\n";
        assert_eq!(dropped_lines(body), Vec::<String>::new());
    }

    #[test]
    fn a_lone_related_headline_between_paragraphs_is_dropped() {
        let headline = "Blinken says Rafah offensive risks further isolating Israel globally";
        let body = format!("{PARA_A}\n\n{headline}\n\n{PARA_B}\n\n200 characters\n");
        assert_eq!(dropped_lines(&body), vec![headline, "200 characters"]);
        let title_case = "Israel Faces Growing Pressure Over Gaza Aid";
        let body = format!("{PARA_A}\n\n{title_case}\n\n{PARA_B}\n");
        assert_eq!(dropped_lines(&body), vec![title_case]);
    }

    #[test]
    fn real_lines_that_look_a_little_like_debris_stay() {
        let keep = [
            // Short real paragraphs and sentences.
            "He declined to comment.",
            "No one was hurt.",
            "“It is over,” she said",
            // Datelines and headings.
            "GAZA CITY, March 3 (Reuters) - Talks resumed",
            "WASHINGTON —",
            "# Background to the talks",
            "## What happens next",
            "What happens next",
            // List items and labels.
            "- Israel rejects the plan",
            "1. The ceasefire holds in Gaza",
            "Note: figures are provisional",
            // Lines that mention debris words inside a sentence.
            "Read more about the plan in the report released by the ministry on Monday.",
            "The advertisement ran in three newspapers.",
            "Share prices in Tel Aviv fell sharply on Monday.",
            // Prose without final punctuation but full of small words.
            "The talks will go on as long as there is a chance of a deal",
            "A sad day for Robbie and his fans",
            // A subheading that names no one, and a list of names.
            "Growing concern over aid deliveries",
            "Barcelona, Bayern Munich, Porto, Real Madrid, Werder Bremen",
            // Sentences broken over paragraphs.
            "SPORTING EVENTS FIND IRISHMEN IN THEIR ELEMENT, HERE",
            "Reluctantly, Egypt's leader boarded a plane and headed across the",
            // A wire-copy table line.
            "    Shr 1.20 dlrs vs 1.10 dlrs",
            "Net profit 5.3 mln vs 4.2 mln dlrs",
        ];
        for line in keep {
            let body = format!("{PARA_A}\n\n{line}\n\n{PARA_B}\n");
            assert_eq!(dropped_lines(&body), Vec::<String>::new(), "{line}");
        }
    }

    #[test]
    fn a_headline_shaped_line_not_between_prose_paragraphs_stays() {
        let headline = "Blinken says Rafah offensive risks further isolating Israel globally";
        // At the top (a title line) or the bottom, or next to another short line.
        for body in [
            format!("{headline}\n\n{PARA_A}\n\n{PARA_B}\n"),
            format!("{PARA_A}\n\n{PARA_B}\n\n{headline}\n"),
            format!(
                "{PARA_A}\n\n{headline}\n\nIsrael Faces Growing Pressure Over Aid\n\n{PARA_B}\n"
            ),
            // Inside a paragraph of several lines.
            format!("{PARA_A}\n{headline}\n{PARA_B}\n"),
        ] {
            assert_eq!(dropped_lines(&body), Vec::<String>::new(), "{body}");
        }
    }

    #[test]
    fn a_clean_body_comes_back_unchanged() {
        let body = format!("WASHINGTON: {PARA_A}\r\n\r\n{PARA_B}");
        let cleaned = strip_boilerplate(&body);
        assert_eq!(cleaned.dropped, 0);
        assert_eq!(cleaned.text, body);
    }

    /// The reading of a line as it was before the ASCII fast path.
    fn is_debris_line_reference(line: &str) -> bool {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return false;
        }
        let normalized = normalize(trimmed);
        !normalized.is_empty()
            && (DEBRIS_LINES.contains(&normalized.as_str())
                || count_line_regex().is_match(&normalized)
                || link_line_regex().is_match(trimmed))
    }

    #[test]
    fn the_ascii_fast_path_reads_lines_as_the_normalized_line_does() {
        assert!(DEBRIS_LINES.iter().all(|d| d.len() <= 40 && d.is_ascii()));
        let mut lines: Vec<String> = Vec::new();
        for d in DEBRIS_LINES {
            for line in [
                d.to_string(),
                d.to_uppercase(),
                format!("  {d} »"),
                format!("{d} ..."),
                format!("{d}:"),
                format!("{d} -- |"),
                d.replace(' ', "  \t"),
                format!("\u{b}{d}\u{b}"),
                format!("x{d}"),
                format!("{d}s"),
                format!("{d}: more"),
                format!("{d} {d} {d} {d}"),
            ] {
                lines.push(line);
            }
        }
        for line in [
            "Read more: Biden warns Netanyahu over Rafah",
            "READ MORE »",
            "Click here to subscribe to our newsletter",
            "click HERE",
            "Clickhere",
            "ALSO READ: Ceasefire talks resume",
            "Watch : x",
            "Listen:",
            "See also :  the report",
            "Related story: x",
            "200 characters",
            "1,024 words",
            "2000 characters left",
            "...",
            "- -",
            "|",
            ">>",
            "Share prices in Tel Aviv fell sharply on Monday.",
            "    Shr 1.20 dlrs vs 1.10 dlrs",
            "Advertisement\u{b}",
            "ſee also: x",
            "Advertisement…",
            "advertisement ›",
        ] {
            lines.push(line.to_string());
        }
        for line in &lines {
            assert_eq!(
                is_debris_line(line),
                is_debris_line_reference(line),
                "{line:?}"
            );
        }
    }
}
