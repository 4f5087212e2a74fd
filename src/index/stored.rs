//! How an article's entities and mentioned dates are kept inside the index: compact
//! binary records (postcard) of types of their own, so that the program's output can
//! change without changing what an index holds, and a value that cannot be read is an
//! error naming what failed rather than an empty list.
//!
//! An entity keeps its kind, its article-level name and the forms the article wrote it in
//! with how often each (the byte offsets extraction found are not needed after indexing).

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::dates::{Granularity, MentionedDate};
use crate::extract::entities::{ArticleEntity, EntityKind};

/// An entity of an article as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntity {
    pub kind: EntityKind,
    /// The article-level name ("Benjamin Netanyahu").
    pub name: String,
    /// Each form the article wrote it in, in order of first use, with how often.
    pub forms: Vec<(String, u32)>,
}

impl StoredEntity {
    /// Every mention as written, in order of the forms' first use.
    pub fn mentions(&self) -> impl Iterator<Item = &str> {
        self.forms
            .iter()
            .flat_map(|(form, count)| std::iter::repeat_n(form.as_str(), *count as usize))
    }
}

#[derive(Serialize, Deserialize)]
struct EntityRecord {
    kind: u8,
    name: String,
    /// Each form with its count; an empty form is the name itself (the usual one).
    forms: Vec<(String, u32)>,
}

#[derive(Serialize, Deserialize)]
struct DateRecord {
    /// Days from 0001-01-01 (day 1).
    day: i32,
    month: bool,
    text: String,
    start: u32,
    end: u32,
}

fn kind_code(kind: EntityKind) -> u8 {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Place => 2,
    }
}

fn kind_of(code: u8) -> Option<EntityKind> {
    EntityKind::ALL.into_iter().find(|k| kind_code(*k) == code)
}

/// The stored form of an article's mentioned dates.
pub(crate) fn encode_mentions(mentions: &[MentionedDate]) -> Vec<u8> {
    let records: Vec<DateRecord> = mentions
        .iter()
        .map(|m| DateRecord {
            day: chrono::Datelike::num_days_from_ce(&m.date),
            month: m.granularity == Granularity::Month,
            text: m.text.clone(),
            start: m.start as u32,
            end: m.end as u32,
        })
        .collect();
    postcard::to_stdvec(&records).expect("mentioned dates encode")
}

/// Reads back what [`encode_mentions`] stored.
pub(crate) fn decode_mentions(bytes: &[u8]) -> Result<Vec<MentionedDate>> {
    let records: Vec<DateRecord> =
        postcard::from_bytes(bytes).context("the stored mentioned dates cannot be read")?;
    records
        .into_iter()
        .map(|m| {
            let date = NaiveDate::from_num_days_from_ce_opt(m.day)
                .context("a stored mentioned date is out of range")?;
            Ok(MentionedDate {
                date,
                granularity: if m.month {
                    Granularity::Month
                } else {
                    Granularity::Day
                },
                text: m.text,
                start: m.start as usize,
                end: m.end as usize,
            })
        })
        .collect()
}

/// The stored form of an article's entities.
pub(crate) fn encode_entities(entities: &[ArticleEntity]) -> Vec<u8> {
    let records: Vec<EntityRecord> = entities
        .iter()
        .map(|e| {
            let mut forms: Vec<(String, u32)> = Vec::new();
            for mention in &e.mentions {
                match forms.iter_mut().find(|(form, _)| *form == mention.text) {
                    Some((_, count)) => *count += 1,
                    None => forms.push((mention.text.clone(), 1)),
                }
            }
            for (form, _) in &mut forms {
                if *form == e.name {
                    form.clear();
                }
            }
            EntityRecord {
                kind: kind_code(e.kind),
                name: e.name.clone(),
                forms,
            }
        })
        .collect();
    postcard::to_stdvec(&records).expect("entities encode")
}

/// Reads back what [`encode_entities`] stored.
pub(crate) fn decode_entities(bytes: &[u8]) -> Result<Vec<StoredEntity>> {
    let records: Vec<EntityRecord> =
        postcard::from_bytes(bytes).context("the stored entities cannot be read")?;
    records
        .into_iter()
        .map(|e| {
            let forms = e
                .forms
                .into_iter()
                .map(|(form, count)| match form.is_empty() {
                    true => (e.name.clone(), count),
                    false => (form, count),
                })
                .collect();
            Ok(StoredEntity {
                kind: kind_of(e.kind).context("a stored entity has an unknown kind")?,
                name: e.name,
                forms,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::EntityMention;

    #[test]
    fn entities_and_dates_round_trip_and_damage_is_an_error() {
        let mention = |text: &str| EntityMention {
            text: text.into(),
            start: 3,
            end: 8,
            in_title: false,
        };
        let entities = vec![ArticleEntity {
            kind: EntityKind::Person,
            name: "Benjamin Netanyahu".into(),
            mentions: vec![
                mention("Benjamin Netanyahu"),
                mention("Netanyahu"),
                mention("Netanyahu"),
            ],
        }];
        let stored = decode_entities(&encode_entities(&entities)).unwrap();
        assert_eq!(stored[0].kind, EntityKind::Person);
        assert_eq!(stored[0].name, "Benjamin Netanyahu");
        let mentions: Vec<&str> = stored[0].mentions().collect();
        assert_eq!(mentions, ["Benjamin Netanyahu", "Netanyahu", "Netanyahu"]);
        let mentions = vec![MentionedDate {
            date: NaiveDate::from_ymd_opt(1066, 10, 1).unwrap(),
            granularity: Granularity::Month,
            text: "in October".into(),
            start: 0,
            end: 10,
        }];
        assert_eq!(
            decode_mentions(&encode_mentions(&mentions)).unwrap(),
            mentions
        );
        assert!(decode_entities(&[9, 9, 9]).is_err());
        assert!(decode_mentions(&[0xff, 0xff]).is_err());
    }
}
