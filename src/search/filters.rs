//! Filters that narrow a query to articles: source, publication-date range, mentioned
//! dates, entities (through the corpus alias table) and what an alert has not reported;
//! and the reading of the date values users type (`2024`, `2024-03`, `2024-03-25`, `7d`,
//! `2w`, `3m`, `today`, `yesterday`).

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime};
use std::sync::Arc;

use super::plan::{Plan, TextField};
use super::query::Occur;
use crate::extract::entities::{AliasTable, EntityKind};
use crate::schema::{days_of, fold_keyword, seconds_of};

/// An inclusive range of days; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DayRange {
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// What the articles must satisfy besides the query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Any of these sources (case-insensitive), when not empty.
    pub sources: Vec<String>,
    /// Publication date within this range.
    pub published: DayRange,
    /// Mentions a day in each of these periods.
    pub mentions: Vec<DayRange>,
    /// Added or changed in a generation after the first number, up to the second
    /// (inclusive): what an alert has not reported yet.
    pub changed: Option<(u64, u64)>,
    /// Mentions each of these entities (a name or alias as the user typed it).
    pub entities: Vec<(EntityKind, String)>,
}

/// A date value the user typed that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDate(pub String);

impl std::fmt::Display for BadDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bad date {:?}: use YYYY, YYYY-MM, YYYY-MM-DD, Nd/Nw/Nm (days, weeks, months ago), today or yesterday",
            self.0
        )
    }
}

impl std::error::Error for BadDate {}

/// The period a typed value names: a year, a month, a day, or one day counted back from
/// `today` (`7d` is the day a week ago).
pub fn parse_period(value: &str, today: NaiveDate) -> Result<DayRange, BadDate> {
    let bad = || BadDate(value.to_string());
    let text = value.trim().to_ascii_lowercase();
    let day = |d: NaiveDate| DayRange {
        from: Some(d),
        to: Some(d),
    };
    match text.as_str() {
        "today" => return Ok(day(today)),
        "yesterday" => return today.pred_opt().map(day).ok_or_else(bad),
        _ => {}
    }
    if let Some(unit) = text.chars().last().filter(|c| matches!(c, 'd' | 'w' | 'm')) {
        let count: u32 = text[..text.len() - 1].parse().map_err(|_| bad())?;
        let back = match unit {
            'd' => today.checked_sub_days(Days::new(u64::from(count))),
            'w' => today.checked_sub_days(Days::new(7 * u64::from(count))),
            _ => today.checked_sub_months(Months::new(count)),
        };
        return back.map(day).ok_or_else(bad);
    }
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str| -> Result<u32, BadDate> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    match parts.as_slice() {
        [y] if y.len() == 4 => {
            let year = number(y)? as i32;
            Ok(DayRange {
                from: NaiveDate::from_ymd_opt(year, 1, 1),
                to: NaiveDate::from_ymd_opt(year, 12, 31),
            })
        }
        [y, m] if y.len() == 4 => {
            let first =
                NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, 1).ok_or_else(bad)?;
            let last = first
                .checked_add_months(Months::new(1))
                .and_then(|d| d.pred_opt())
                .ok_or_else(bad)?;
            Ok(DayRange {
                from: Some(first),
                to: Some(last),
            })
        }
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, number(d)?)
                .map(day)
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Articles that mention the entity `text` names (its canonical name, any alias, or a
/// surname; case-insensitive); not scored. An unknown name matches nothing.
pub fn entity_plan(aliases: &AliasTable, kind: EntityKind, text: &str) -> Plan {
    match aliases.lookup(kind, text) {
        Some(canonical) => Plan::Entity { kind, canonical },
        None => Plan::Nothing,
    }
}

/// The query restricted by the filters; `aliases` is asked for the alias table only when
/// the filters name entities. Every filter is a condition on the article and adds nothing
/// to its score.
pub fn apply(
    query: Plan,
    filters: &Filters,
    aliases: impl FnOnce() -> anyhow::Result<Arc<AliasTable>>,
) -> anyhow::Result<Plan> {
    let mut article: Vec<(Occur, Plan)> = vec![(Occur::Must, query)];
    if !filters.entities.is_empty() {
        let table = aliases()?;
        for (kind, text) in &filters.entities {
            article.push((Occur::Must, entity_plan(&table, *kind, text)));
        }
    }
    if !filters.sources.is_empty() {
        let any: Vec<(Occur, Plan)> = filters
            .sources
            .iter()
            .map(|s| (Occur::Should, source_plan(s)))
            .collect();
        article.push((Occur::Must, Plan::Filter(Box::new(Plan::Bool(any)))));
    }
    if !filters.published.is_open() {
        article.push((Occur::Must, published_range(filters.published)));
    }
    for period in &filters.mentions {
        article.push((Occur::Must, mentioned_range(*period)));
    }
    if let Some((after, upto)) = filters.changed {
        article.push((Occur::Must, Plan::Changed { after, upto }));
    }
    if article.len() == 1 {
        return Ok(article.remove(0).1);
    }
    Ok(Plan::Bool(article))
}

/// Articles from the source `name` (case-insensitive); not scored.
pub fn source_plan(name: &str) -> Plan {
    Plan::Filter(Box::new(Plan::Term {
        field: TextField::Source,
        term: fold_keyword(name),
    }))
}

/// Articles published within the range (whole days, both ends inclusive).
fn published_range(range: DayRange) -> Plan {
    let start_of = |day: NaiveDate| seconds_of(day.and_time(NaiveTime::MIN));
    Plan::Published {
        from: range.from.map(start_of),
        before: range.to.and_then(|d| d.succ_opt()).map(start_of),
    }
}

/// Articles that mention a day within the range.
fn mentioned_range(range: DayRange) -> Plan {
    Plan::Mentioned {
        from: range.from.map(days_of),
        to: range.to.map(days_of),
    }
}

/// The Monday of the week holding `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(value: &str) -> Result<(String, String), BadDate> {
        let range = parse_period(value, d("2024-03-25"))?;
        Ok((
            range.from.unwrap().to_string(),
            range.to.unwrap().to_string(),
        ))
    }

    #[test]
    fn absolute_periods() {
        assert_eq!(
            period("2024").unwrap(),
            ("2024-01-01".into(), "2024-12-31".into())
        );
        assert_eq!(
            period("2024-02").unwrap(),
            ("2024-02-01".into(), "2024-02-29".into())
        );
        assert_eq!(
            period("2024-03-25").unwrap(),
            ("2024-03-25".into(), "2024-03-25".into())
        );
    }

    #[test]
    fn relative_periods_count_back_from_today() {
        assert_eq!(period("today").unwrap().0, "2024-03-25");
        assert_eq!(period("yesterday").unwrap().0, "2024-03-24");
        assert_eq!(period("7d").unwrap().0, "2024-03-18");
        assert_eq!(period("2w").unwrap().0, "2024-03-11");
        assert_eq!(period("3m").unwrap().0, "2023-12-25");
    }

    #[test]
    fn malformed_values_are_errors_naming_the_value() {
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "24-03-01",
            "March",
            "",
            "7x",
            "-3d",
            "2024-3-",
            "99999999999d",
        ] {
            let error = period(bad).expect_err(bad);
            assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d("2024-03-31")), d("2024-03-25"));
        assert_eq!(week_start(d("2024-03-25")), d("2024-03-25"));
    }
}
