//! Article metadata read from text: publication dates in the formats news data uses,
//! titles derived from the first sentence, and datelines.

use std::sync::OnceLock;

use chrono::format::{parse, Item, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use super::passages::each_sentence;

/// Longest derived title, in characters.
const MAX_TITLE_CHARS: usize = 120;

/// Formats with a time of day, tried in order (chrono syntax).
const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d-%b-%Y %H:%M:%S%.f",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
];

/// Formats without a time of day, tried in order.
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%A, %B %d, %Y",
    "%A %d %B %Y",
    "%Y%m%d",
];

/// The formats of [`DATETIME_FORMATS`] and [`DATE_FORMATS`], each parsed once.
struct Formats {
    datetime: Vec<Vec<Item<'static>>>,
    date: Vec<Vec<Item<'static>>>,
}

fn formats() -> &'static Formats {
    static FORMATS: OnceLock<Formats> = OnceLock::new();
    FORMATS.get_or_init(|| {
        let items = |formats: &[&'static str]| {
            formats
                .iter()
                .map(|f| StrftimeItems::new(f).parse().expect("date format is valid"))
                .collect()
        };
        Formats {
            datetime: items(DATETIME_FORMATS),
            date: items(DATE_FORMATS),
        }
    })
}

/// `NaiveDateTime::parse_from_str` with a parsed format.
fn parse_datetime(text: &str, format: &[Item<'static>]) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    parse(&mut parsed, text, format.iter()).ok()?;
    parsed.to_naive_datetime_with_offset(0).ok()
}

/// `NaiveDate::parse_from_str` with a parsed format.
fn parse_day(text: &str, format: &[Item<'static>]) -> Option<NaiveDate> {
    let mut parsed = Parsed::new();
    parse(&mut parsed, text, format.iter()).ok()?;
    parsed.to_naive_date().ok()
}

/// Reads a publication date written in any of the usual forms: RFC 3339, RFC 2822,
/// `2017/2/7`, `2016/12/30 7:11`, `26-FEB-1987 15:01:01.79`, `March 25, 2024`,
/// `25 March 2024`, Unix timestamps. A time zone, when given, is dropped: the outlet's
/// local time is kept.
pub fn parse_date(raw: &str) -> Option<NaiveDateTime> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&text) {
        return Some(dt.naive_local());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(&text) {
        return Some(dt.naive_local());
    }
    if let Some(dt) = unix_timestamp(&text) {
        return Some(dt);
    }
    let text = text.trim_end_matches([' ', 'Z']);
    let text = strip_zone_suffix(text);
    let formats = formats();
    for format in &formats.datetime {
        if let Some(dt) = parse_datetime(text, format) {
            return Some(dt);
        }
    }
    for format in &formats.date {
        if let Some(date) = parse_day(text, format) {
            return Some(date.and_time(NaiveTime::MIN));
        }
    }
    // A readable date followed by an unreadable time ("31-MAR-1987 605:12:19.12"): keep
    // the day.
    let (day, _) = text.split_once(' ')?;
    formats
        .date
        .iter()
        .find_map(|format| parse_day(day, format))
        .map(|date| date.and_time(NaiveTime::MIN))
}

/// A Unix timestamp as scraped data often gives it: 10 digits of seconds or 13 of
/// milliseconds (UTC). Shorter numbers are left to the date formats (`20240325`).
fn unix_timestamp(text: &str) -> Option<NaiveDateTime> {
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let number: i64 = text.parse().ok()?;
    let seconds = match text.len() {
        10 => number,
        13 => number / 1000,
        _ => return None,
    };
    DateTime::from_timestamp(seconds, 0).map(|dt| dt.naive_utc())
}

/// Drops a trailing zone name or numeric offset ("GMT", "EST", "+0100") that the
/// naive formats cannot read.
fn strip_zone_suffix(text: &str) -> &str {
    match text.rsplit_once(' ') {
        Some((head, zone))
            if zone.len() <= 5
                && (zone.chars().all(|c| c.is_ascii_uppercase())
                    || zone.starts_with(['+', '-'])
                        && zone[1..].chars().all(|c| c.is_ascii_digit())) =>
        {
            head
        }
        _ => text,
    }
}

fn file_name_date_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12][0-9]|3[01])(?:[^0-9]|$)")
            .expect("file name date pattern is valid")
    })
}

/// A date written in a file's name ("2024-03-25-talks.txt", "20240325_talks.md").
pub fn date_in_file_name(path: &str) -> Option<NaiveDateTime> {
    let name = std::path::Path::new(path).file_stem()?.to_str()?;
    let captures = file_name_date_regex().captures(name)?;
    let number = |i: usize| captures.get(i)?.as_str().parse::<u32>().ok();
    let year = i32::try_from(number(1)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(2)?, number(3)?).map(|d| d.and_time(NaiveTime::MIN))
}

/// A full date (with its year) inside the dateline the body opens with
/// ("LONDON, March 3, 2024 (Reuters) -").
pub fn dateline_date(body: &str) -> Option<NaiveDateTime> {
    let found = dateline_regex().find(body)?;
    let head = found.as_str();
    let (_, rest) = head.split_once(',')?;
    let rest = rest.split('(').next()?;
    let rest = rest.trim().trim_end_matches(['-', '—', '–', ':', ' ']);
    parse_date(rest)
}

/// Collapses all whitespace (newlines included) to single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The host of an article's URL without a leading `www.` ("https://www.bbc.co.uk/news/x"
/// gives "bbc.co.uk"), to stand for the source when none is given. A URL without a
/// scheme ("example.org/story") is read as https.
pub fn url_host(url: &str) -> Option<String> {
    let url = url.trim();
    let parsed = if url.contains("://") {
        url::Url::parse(url).ok()?
    } else if url.contains([':', '@', ' ']) {
        return None;
    } else {
        url::Url::parse(&format!("https://{url}")).ok()?
    };
    let host = parsed
        .host_str()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (host.contains('.') && !host.contains(' ')).then(|| host.to_string())
}

/// A title made from the first sentence of a passage, without its dateline, cut at a word
/// boundary to at most [`MAX_TITLE_CHARS`] characters.
pub fn title_from_text(passage: &str) -> String {
    let text = strip_dateline(passage);
    let first = each_sentence(text).next().unwrap_or(text).trim();
    if first.chars().count() <= MAX_TITLE_CHARS {
        return first.to_string();
    }
    let cut: String = first.chars().take(MAX_TITLE_CHARS - 1).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(space) => &cut[..space],
        None => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

fn dateline_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // "WASHINGTON: …", "LONDON, March 3 (Reuters) - …", "NEW YORK — …"
        Regex::new(
            r"^\s*(?P<place>[A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,3})(?:,[^:\n]{1,40}?)?\s*(?::|—|–|-{1,2})\s+",
        )
        .expect("dateline pattern is valid")
    })
}

/// The place of the dateline the body opens with, if any.
pub fn dateline(body: &str) -> Option<String> {
    let captures = dateline_regex().captures(body)?;
    let place = captures.name("place")?.as_str();
    (place.chars().filter(|c| c.is_alphabetic()).count() >= 2).then(|| place.to_string())
}

/// The text without the dateline it opens with.
fn strip_dateline(text: &str) -> &str {
    match dateline(text) {
        Some(_) => {
            let end = dateline_regex().find(text).map_or(0, |m| m.end());
            &text[end..]
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_can_come_from_the_url_host() {
        assert_eq!(
            url_host("https://www.bbc.co.uk/news/world-1").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            url_host("http://News.Example.ORG:8080/a?b=c").as_deref(),
            Some("news.example.org")
        );
        assert_eq!(
            url_host("example.org/story").as_deref(),
            Some("example.org")
        );
        assert_eq!(url_host("not a url"), None);
        assert_eq!(url_host("mailto:desk@example.org"), None);
    }

    fn day(raw: &str) -> Option<String> {
        parse_date(raw).map(|d| d.format("%Y-%m-%d %H:%M").to_string())
    }

    #[test]
    fn reads_unix_timestamps_in_seconds_and_milliseconds() {
        assert_eq!(day("1711375200").as_deref(), Some("2024-03-25 14:00"));
        assert_eq!(day("1711375200000").as_deref(), Some("2024-03-25 14:00"));
        assert_eq!(day("20240325").as_deref(), Some("2024-03-25 00:00"));
        assert_eq!(day("123456"), None);
    }

    #[test]
    fn reads_the_date_formats_news_data_uses() {
        assert_eq!(day("2024-03-25").as_deref(), Some("2024-03-25 00:00"));
        assert_eq!(
            day("2024-03-25T14:02:00Z").as_deref(),
            Some("2024-03-25 14:02")
        );
        assert_eq!(
            day("2024-03-25T23:30:00-05:00").as_deref(),
            Some("2024-03-25 23:30")
        );
        assert_eq!(day("2017/2/7").as_deref(), Some("2017-02-07 00:00"));
        assert_eq!(day("2016/12/30 7:11").as_deref(), Some("2016-12-30 07:11"));
        assert_eq!(
            day("26-FEB-1987 15:01:01.79").as_deref(),
            Some("1987-02-26 15:01")
        );
        assert_eq!(
            day("Mon, 25 Mar 2024 14:02:00 GMT").as_deref(),
            Some("2024-03-25 14:02")
        );
        assert_eq!(day("March 25, 2024").as_deref(), Some("2024-03-25 00:00"));
        assert_eq!(day("25 March 2024").as_deref(), Some("2024-03-25 00:00"));
        assert_eq!(
            day("2024-03-25 14:02:00 UTC").as_deref(),
            Some("2024-03-25 14:02")
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        assert_eq!(day(""), None);
        assert_eq!(day("yesterday-ish"), None);
        assert_eq!(day("2024-13-01"), None);
        assert_eq!(day("737"), None);
    }

    #[test]
    fn dates_in_file_names() {
        let day = |p: &str| date_in_file_name(p).map(|d| d.date().to_string());
        assert_eq!(day("a/2024-03-25-talks.txt").as_deref(), Some("2024-03-25"));
        assert_eq!(day("20240325_talks.md").as_deref(), Some("2024-03-25"));
        assert_eq!(day("reut-17192.txt"), None);
        assert_eq!(day("2024-13-45.txt"), None);
        assert_eq!(day("000_912483b5d7e3958a.txt"), None);
    }

    #[test]
    fn finds_datelines() {
        assert_eq!(
            dateline("WASHINGTON: The United States").as_deref(),
            Some("WASHINGTON")
        );
        assert_eq!(
            dateline("NEW YORK, March 3 (Reuters) - Stocks fell").as_deref(),
            Some("NEW YORK")
        );
        assert_eq!(dateline("The White House: a history"), None);
        assert_eq!(dateline("US President Joe Biden had asked"), None);
    }

    #[test]
    fn derived_titles_are_short_and_end_at_a_word() {
        let long = format!("{} end.", "word ".repeat(60));
        let title = title_from_text(&long);
        assert!(title.chars().count() <= MAX_TITLE_CHARS, "{title}");
        assert!(title.ends_with("word…"), "{title}");
        assert_eq!(
            title_from_text("LONDON: Rain fell. It stopped."),
            "Rain fell."
        );
    }
}
