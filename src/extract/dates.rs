//! Dates mentioned in an article's prose ("on Monday", "March 25, 2024", "in October",
//! "yesterday"), found by one scanning regex and resolved against the publication date.
//! This module owns the rules for reading those mentions; it does not read publication
//! dates themselves (that is [`super::metadata`]).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use chrono::{Datelike, Days, Months, NaiveDate};
use regex::{Captures, Regex};

use super::passages::each_sentence;

/// How far back, in characters, a future cue ("will", "next") may stand from the weekday or
/// month it turns forward. Further away, it usually belongs to another clause.
const CUE_WINDOW_CHARS: usize = 80;

const FULL_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Sept" comes before "Sep" because the regex prefers the first alternative that matches.
const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec",
];

/// Only full names: "Sun", "Mon" and "Wed" are far more often a newspaper, a name or a verb.
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Words that may stand before a weekday or a month; a month without a day or a year is only
/// read as a month after one of them, since "March" and "May" alone are often not months.
const PREFIXES: &str =
    "on|in|since|until|till|by|last|next|this|early|late|mid|from|during|through|before|after";

/// The prefixes that make a bare "May" a month: after "from", "before" or "after" it is too
/// often Theresa May.
const MAY_PREFIXES: [&str; 11] = [
    "in", "since", "until", "till", "by", "last", "next", "this", "early", "late", "mid",
];

/// How precise a mentioned date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Granularity {
    Day,
    Month,
}

/// A date the text speaks of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentionedDate {
    /// The day (for Month granularity: the first day of the month), as `YYYY-MM-DD`.
    pub date: NaiveDate,
    pub granularity: Granularity,
    /// The words it was read from, as written ("on Monday", "March 25, 2024", "in October").
    pub text: String,
    /// Byte offsets of `text` in the scanned text, end exclusive.
    pub start: usize,
    pub end: usize,
}

/// Every date mentioned in `text`, in order of appearance, resolved against `published`
/// (the publication date). Relative forms (weekdays, today, yesterday, tomorrow, last week,
/// months without a year) need `published` and are skipped when it is None; absolute dates
/// with a year are always returned.
///
/// Mentions never overlap: "Monday, March 25, 2024" is one mention, read from its explicit
/// date. "last week" and "next week" resolve to the Monday of that ISO week, with Day
/// granularity; "last month" and "next month" to the month.
pub fn mentioned_dates(text: &str, published: Option<NaiveDate>) -> Vec<MentionedDate> {
    scanner()
        .captures_iter(text)
        .filter_map(|caps| read_mention(&caps, text, published))
        .collect()
}

/// The scanner: relative words, then an optional prefix word followed by one date form.
/// Matches cannot overlap, and at one position the first alternative wins, so longer,
/// more explicit forms are listed before the shorter ones they contain.
fn scanner() -> &'static Regex {
    static SCANNER: OnceLock<Regex> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let cased = |names: &[&str]| {
            let upper = names.iter().map(|n| n.to_uppercase());
            let all: Vec<String> = names.iter().map(|n| n.to_string()).chain(upper).collect();
            all.join("|")
        };
        let month = format!(
            r"(?:(?:{})\b|(?:{})\b\.?)",
            cased(&FULL_MONTHS),
            cased(&SHORT_MONTHS)
        );
        let weekday = format!(r"(?:{})\b", cased(&WEEKDAYS));
        let day = r"[0-9]{1,2}";
        let ordinal = r"(?:st|nd|rd|th)?\b";
        let year = r"[0-9]{4}\b";
        let pattern = format!(
            r"(?x)
              \b(?P<rel>(?i:today|tonight|yesterday|tomorrow))\b
            | \b(?P<span>(?i:last|next))\s+(?P<unit>(?i:week|month))\b
            | (?:\b(?P<pre>(?i:{PREFIXES}))(?:\s+|-))?
              \b(?P<core>
                  (?P<iso_y>{year_iso})-(?P<iso_m>[0-9]{{2}})-(?P<iso_d>[0-9]{{2}})
                | (?:{weekday},?\s+)?(?P<md_m>{month})\s+(?P<md_d>{day}){ordinal}
                  (?:,?\s+(?P<md_y>{year}))?
                | (?:{weekday},?\s+(?:the\s+)?)?(?P<dm_d>{day}){ordinal}\s+(?:of\s+)?
                  (?P<dm_m>{month})(?:,?\s+(?P<dm_y>{year}))?
                | (?P<my_m>{month}),?\s+(?P<my_y>{year})
                | (?P<wd>{weekday})
                | (?P<mo>{month})
              )",
            year_iso = "[0-9]{4}",
        );
        Regex::new(&pattern).expect("date scanner pattern is valid")
    })
}

/// Words in a clause that turn a weekday or a month forward ("will meet on Friday").
fn future_cues() -> &'static Regex {
    static CUES: OnceLock<Regex> = OnceLock::new();
    CUES.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:will|would|shall|won[’']t|(?:is|are)\s+(?:scheduled|due)|scheduled\s+to|plans?\s+to|planning\s+to|(?:is|are)\s+expected\s+to|set\s+to|next)\b|[’']ll\b",
        )
        .expect("future cue pattern is valid")
    })
}

/// Words that every match of [`future_cues`] holds, found ignoring ASCII case (which,
/// in ASCII text, is how the cues' own case-insensitive matching works).
fn cue_words() -> &'static AhoCorasick {
    static WORDS: OnceLock<AhoCorasick> = OnceLock::new();
    WORDS.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "will",
                "would",
                "shall",
                "won",
                "scheduled",
                "due",
                "plan",
                "expected",
                "set",
                "next",
                "'ll",
            ])
            .expect("cue words build an automaton")
    })
}

fn read_mention(
    caps: &Captures,
    text: &str,
    published: Option<NaiveDate>,
) -> Option<MentionedDate> {
    let whole = caps.get(0)?;
    let (date, granularity) = resolve(caps, text, published, whole.start())?;
    // The prefix is part of a weekday's or bare month's meaning ("last Monday"), but an
    // explicit date reads the same with or without "on", so it is left out there.
    let start = match (caps.name("core"), caps.name("wd"), caps.name("mo")) {
        (Some(core), None, None) => core.start(),
        _ => whole.start(),
    };
    let end = whole.end();
    Some(MentionedDate {
        date,
        granularity,
        text: text.get(start..end)?.to_string(),
        start,
        end,
    })
}

fn resolve(
    caps: &Captures,
    text: &str,
    published: Option<NaiveDate>,
    start: usize,
) -> Option<(NaiveDate, Granularity)> {
    use Granularity::{Day, Month};
    if let Some(word) = caps.name("rel") {
        if text[..start].ends_with("USA ") {
            return None; // the newspaper
        }
        let published = published?;
        let date = match word.as_str().to_ascii_lowercase().as_str() {
            "yesterday" => published.checked_sub_days(Days::new(1)),
            "tomorrow" => published.checked_add_days(Days::new(1)),
            _ => Some(published),
        };
        return date.map(|d| (d, Day));
    }
    if let Some(direction) = caps.name("span") {
        let published = published?;
        let forward = direction.as_str().eq_ignore_ascii_case("next");
        let week = caps
            .name("unit")
            .is_some_and(|u| u.as_str().eq_ignore_ascii_case("week"));
        return if week {
            let back = published.weekday().num_days_from_monday();
            let monday = published.checked_sub_days(Days::new(back.into()))?;
            shift_days(monday, if forward { 7 } else { -7 }).map(|d| (d, Day))
        } else {
            let first = published.with_day(1)?;
            let date = if forward {
                first.checked_add_months(Months::new(1))
            } else {
                first.checked_sub_months(Months::new(1))
            };
            date.map(|d| (d, Month))
        };
    }
    let core = caps.name("core")?;
    let prefix = caps
        .name("pre")
        .map(|p| p.as_str().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(name) = caps.name("wd") {
        let target = i64::from(name_index(&WEEKDAYS, name.as_str())?);
        let published = published?;
        let today = i64::from(published.weekday().num_days_from_monday());
        let back = (today - target).rem_euclid(7);
        let ahead = (target - today).rem_euclid(7);
        let offset = match prefix.as_str() {
            "last" => -(if back == 0 { 7 } else { back }),
            "next" => {
                if ahead == 0 {
                    7
                } else {
                    ahead
                }
            }
            "this" => target - today,
            _ if speaks_of_future(text, start) => {
                if ahead == 0 {
                    7
                } else {
                    ahead
                }
            }
            _ => -back,
        };
        return shift_days(published, offset).map(|d| (d, Day));
    }
    if let Some(name) = caps.name("mo") {
        let month = name_index(&FULL_MONTHS, name.as_str())? + 1;
        let is_full_name = FULL_MONTHS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(name.as_str()));
        // An abbreviation alone ("by Jan") is more often a name than a month.
        if !is_full_name || prefix.is_empty() {
            return None;
        }
        if month == 5 && !MAY_PREFIXES.contains(&prefix.as_str()) {
            return None;
        }
        let published = published?;
        let (year, current) = (published.year(), published.month());
        let year = match prefix.as_str() {
            "last" if month < current => year,
            "last" => year - 1,
            "next" if month > current => year,
            "next" => year + 1,
            "this" => year,
            _ if speaks_of_future(text, start) && month < current => year + 1,
            _ if speaks_of_future(text, start) => year,
            _ if month <= current => year,
            _ => year - 1,
        };
        return NaiveDate::from_ymd_opt(year, month, 1).map(|d| (d, Month));
    }
    if glued_to_number(text, core.start(), core.end()) {
        return None; // "in March 5,000 people", a score, a part number
    }
    let number = |group: &str| caps.name(group)?.as_str().parse::<u32>().ok();
    let month_of =
        |group: &str| name_index(&FULL_MONTHS, caps.name(group)?.as_str()).map(|m| m + 1);
    if caps.name("iso_y").is_some() {
        let year = i32::try_from(number("iso_y")?).ok()?;
        return NaiveDate::from_ymd_opt(year, number("iso_m")?, number("iso_d")?).map(|d| (d, Day));
    }
    if caps.name("my_m").is_some() {
        let year = i32::try_from(number("my_y")?).ok()?;
        return NaiveDate::from_ymd_opt(year, month_of("my_m")?, 1).map(|d| (d, Month));
    }
    let (month, day, year) = if caps.name("md_m").is_some() {
        (month_of("md_m")?, number("md_d")?, number("md_y"))
    } else {
        (month_of("dm_m")?, number("dm_d")?, number("dm_y"))
    };
    let date = match year {
        Some(year) => NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day),
        None => nearest_day(published?, month, day),
    };
    date.map(|d| (d, Day))
}

/// The day with this month and day nearest to `published`, in the year before, the same
/// year or the year after; on a tie, the earlier one, since news mostly reports the past.
fn nearest_day(published: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = published.year();
    [year - 1, year, year + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| ((*d - published).num_days().abs(), *d > published))
}

/// True when the clause before `at` (same sentence, at most [`CUE_WINDOW_CHARS`] back)
/// holds a word that speaks of the future.
fn speaks_of_future(text: &str, at: usize) -> bool {
    let Some(before) = text.get(..at) else {
        return false;
    };
    let from = before
        .char_indices()
        .rev()
        .nth(CUE_WINDOW_CHARS - 1)
        .map_or(0, |(i, _)| i);
    // The sentence splitter needs the words after `at` to tell whether a sentence ends just
    // before it ("...to war. Monday..."), so it is given the rest of the line too.
    // Every cue holds one of a few words: without them the clause has none.
    let head = &text[from..at];
    if head.is_ascii() && !cue_words().is_match(head) {
        return false;
    }
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let window = &text[from..line_end];
    let at = at - from;
    let mut offset = 0;
    for sentence in each_sentence(window) {
        let sentence_start = offset;
        offset += sentence.len();
        if offset > at {
            return window
                .get(sentence_start..at)
                .is_some_and(|clause| future_cues().is_match(clause));
        }
    }
    false
}

/// True when the span continues a number on either side ("1,5 March", "March 5,000").
fn glued_to_number(text: &str, start: usize, end: usize) -> bool {
    let is_digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let mut after = text[end..].chars();
    let first_after = after.next();
    let mut before = text[..start].chars().rev();
    let last_before = before.next();
    let separator = |c: Option<char>| matches!(c, Some(',' | '.'));
    is_digit(first_after)
        || (separator(first_after) && is_digit(after.next()))
        || is_digit(last_before)
        || (separator(last_before) && is_digit(before.next()))
}

/// The position in `names` of the name `word` starts like (three letters, any case).
fn name_index(names: &[&str], word: &str) -> Option<u32> {
    let key = word.get(..3)?;
    let index = names
        .iter()
        .position(|n| n.get(..3).is_some_and(|k| k.eq_ignore_ascii_case(key)))?;
    u32::try_from(index).ok()
}

fn shift_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE_000: &str = include_str!("../../corpus/000_912483b5d7e3958a.txt");
    const ARTICLE_001: &str = include_str!("../../corpus/001_3924ea85d488e746.txt");

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date is valid")
    }

    /// Publication date of the seed articles, a Monday.
    fn monday() -> Option<NaiveDate> {
        Some(ymd(2024, 3, 25))
    }

    /// Scans and checks that every mention's offsets give back its text.
    fn scan(text: &str, published: Option<NaiveDate>) -> Vec<MentionedDate> {
        let found = mentioned_dates(text, published);
        for m in &found {
            assert_eq!(&text[m.start..m.end], m.text, "offsets of {m:?}");
        }
        found
    }

    fn dates(text: &str, published: Option<NaiveDate>) -> Vec<NaiveDate> {
        scan(text, published).into_iter().map(|m| m.date).collect()
    }

    fn mention<'a>(found: &'a [MentionedDate], text: &str) -> &'a MentionedDate {
        found
            .iter()
            .find(|m| m.text == text)
            .unwrap_or_else(|| panic!("no mention {text:?} in {found:?}"))
    }

    #[test]
    fn article_001_weekdays_and_a_bare_month() {
        let found = scan(ARTICLE_001, monday());
        let said = mention(&found, "Monday");
        assert_eq!(
            (said.date, said.granularity),
            (ymd(2024, 3, 25), Granularity::Day)
        );
        assert!(ARTICLE_001[..said.start].ends_with("the White House said "));
        let meeting = mention(&found, "on Tuesday");
        assert_eq!(meeting.date, ymd(2024, 3, 26));
        let attack = mention(&found, "in October");
        assert_eq!(
            (attack.date, attack.granularity),
            (ymd(2023, 10, 1), Granularity::Month)
        );
        assert_eq!(found.len(), 3, "{found:?}");
        for count in ["130", "1,160", "32,000"] {
            assert!(found.iter().all(|m| !m.text.contains(count)), "{count}");
        }
    }

    #[test]
    fn article_000_relative_words() {
        let found = scan(ARTICLE_000, monday());
        assert_eq!(mention(&found, "tomorrow").date, ymd(2024, 3, 26));
        let today = mention(&found, "today");
        assert_eq!(today.date, ymd(2024, 3, 25));
        assert!(ARTICLE_000[today.end..].starts_with("’s UN resolution"));
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn absolute_dates_in_every_written_form() {
        for text in [
            "March 25, 2024",
            "25 March 2024",
            "Mar. 25, 2024",
            "2024-03-25",
        ] {
            let found = scan(text, None);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].date, ymd(2024, 3, 25), "{text}");
            assert_eq!(found[0].text, text);
            assert_eq!(found[0].granularity, Granularity::Day);
        }
        assert_eq!(dates("MARCH 25 2024", None), vec![ymd(2024, 3, 25)]);
        assert_eq!(dates("Sept. 3rd, 2023", None), vec![ymd(2023, 9, 3)]);
        let month = scan("sales in October 2023 fell", None);
        assert_eq!(month[0].text, "October 2023");
        assert_eq!(
            (month[0].date, month[0].granularity),
            (ymd(2023, 10, 1), Granularity::Month)
        );
    }

    #[test]
    fn a_day_without_a_year_is_the_nearest_one() {
        let april = Some(ymd(2024, 4, 2));
        let found = scan("talks on Mar. 25 failed", april);
        assert_eq!(
            (found[0].text.as_str(), found[0].date),
            ("Mar. 25", ymd(2024, 3, 25))
        );
        let january = Some(ymd(2024, 1, 3));
        assert_eq!(dates("December 30", january), vec![ymd(2023, 12, 30)]);
        assert_eq!(dates("by January 5", january), vec![ymd(2024, 1, 5)]);
        assert_eq!(dates("on 25 March", monday()), vec![ymd(2024, 3, 25)]);
    }

    #[test]
    fn weekdays_look_back_unless_the_clause_speaks_of_the_future() {
        let cases = [
            ("on Friday", ymd(2024, 3, 22)),
            ("will meet on Friday", ymd(2024, 3, 29)),
            ("next Friday", ymd(2024, 3, 29)),
            ("last Monday", ymd(2024, 3, 18)),
            ("yesterday", ymd(2024, 3, 24)),
            ("last week", ymd(2024, 3, 18)),
            ("The vote is scheduled for Monday.", ymd(2024, 4, 1)),
            ("He will go home. Friday was quiet.", ymd(2024, 3, 22)),
            ("It ends this Friday.", ymd(2024, 3, 29)),
        ];
        for (text, expected) in cases {
            assert_eq!(dates(text, monday()), vec![expected], "{text}");
        }
    }

    #[test]
    fn relative_words_and_spans() {
        let found = scan("Yesterday and tonight; last week and next month.", monday());
        let got: Vec<_> = found.iter().map(|m| (m.text.as_str(), m.date)).collect();
        assert_eq!(
            got,
            vec![
                ("Yesterday", ymd(2024, 3, 24)),
                ("tonight", ymd(2024, 3, 25)),
                ("last week", ymd(2024, 3, 18)),
                ("next month", ymd(2024, 4, 1)),
            ]
        );
        assert_eq!(found[3].granularity, Granularity::Month);
        assert!(scan("a USA Today poll", monday()).is_empty());
    }

    #[test]
    fn bare_months_need_a_prefix_and_may_needs_more() {
        assert_eq!(dates("May 5", monday()), vec![ymd(2024, 5, 5)]);
        assert_eq!(dates("elections in May", monday()), vec![ymd(2023, 5, 1)]);
        assert_eq!(
            dates("polls will close in May", monday()),
            vec![ymd(2024, 5, 1)]
        );
        assert_eq!(dates("in March", monday()), vec![ymd(2024, 3, 1)]);
        assert_eq!(dates("last March", monday()), vec![ymd(2023, 3, 1)]);
        assert_eq!(dates("in mid-June", monday()), vec![ymd(2023, 6, 1)]);
        for text in [
            "Theresa May said",
            "he may resign",
            "Mrs May",
            "after May spoke",
            "March Madness",
            "by Jan",
        ] {
            assert!(scan(text, monday()).is_empty(), "{text}");
        }
    }

    #[test]
    fn numbers_and_verbs_are_not_dates() {
        for text in [
            "2.5 per cent",
            "737 Max",
            "in 2024",
            "February 30, 2024",
            "in March 5,000 people marched",
            "for five months",
            "Sun Microsystems told the Sun on Mon",
        ] {
            assert!(scan(text, monday()).is_empty(), "{text}");
        }
        let found = scan("they march on Sunday", monday());
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].text.as_str(), found[0].date),
            ("on Sunday", ymd(2024, 3, 24))
        );
    }

    #[test]
    fn a_weekday_with_its_date_is_one_mention() {
        let found = scan("It happened on Monday, March 18, 2024, at noon.", monday());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "Monday, March 18, 2024");
        assert_eq!(found[0].date, ymd(2024, 3, 18));
    }

    #[test]
    fn relative_forms_need_a_publication_date() {
        assert!(scan("on Monday, today, in October, March 25", None).is_empty());
        assert_eq!(
            dates("on Monday, March 25, 2024", None),
            vec![ymd(2024, 3, 25)]
        );
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "March 99999999999999999999, 2024",
            "March 99999999999",
            "9999-99-99 0000-01-01 2024-02-30",
            "🦀 Ünïcödé \u{AD}— ٢٥ March \u{200D} 東京 on Monday’s “May” 31 February",
            "in May\u{0}May 5\u{FFFF}",
            "",
        ];
        for text in inputs {
            scan(text, monday());
            scan(text, None);
            scan(text, Some(NaiveDate::MAX));
            scan(text, Some(NaiveDate::MIN));
        }
        assert!(scan("March 99999999999999999999, 2024", monday()).is_empty());
    }

    /// `speaks_of_future` without the cue-word check, as it was.
    fn speaks_of_future_reference(text: &str, at: usize) -> bool {
        let Some(before) = text.get(..at) else {
            return false;
        };
        let from = before
            .char_indices()
            .rev()
            .nth(CUE_WINDOW_CHARS - 1)
            .map_or(0, |(i, _)| i);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let window = &text[from..line_end];
        let at = at - from;
        let mut offset = 0;
        for sentence in super::super::passages::sentences(window) {
            let sentence_start = offset;
            offset += sentence.len();
            if offset > at {
                return window
                    .get(sentence_start..at)
                    .is_some_and(|clause| future_cues().is_match(clause));
            }
        }
        false
    }

    #[test]
    fn the_cue_word_check_changes_no_answer() {
        let texts = [
            ARTICLE_000.to_string(),
            ARTICLE_001.to_string(),
            ARTICLE_000.to_uppercase(),
            "He WILL meet on Friday. They won't on Monday; talks are due Tuesday.".to_string(),
            "The vote is scheduled\nfor Monday. It'll be over by Friday, next week.".to_string(),
            "Plans to meet in May were set. unwilling Sunday; offset Monday; pleaded Friday"
                .to_string(),
            "Ministers are expected to sign on Thursday. The Ministry's offices open Friday."
                .to_string(),
        ];
        for text in &texts {
            for (at, _) in text.char_indices() {
                assert_eq!(
                    speaks_of_future(text, at),
                    speaks_of_future_reference(text, at),
                    "at {at} of {text:?}"
                );
            }
        }
    }
}
