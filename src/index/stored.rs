//! How an article's entities and mentioned dates are kept inside the index: JSON stored on
//! the article, in types of its own, so that the program's output can change without
//! changing what an index holds, and a value that cannot be read is an error naming what
//! failed rather than an empty list.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::dates::{Granularity, MentionedDate};
use crate::extract::entities::{ArticleEntity, EntityKind, EntityMention};

#[derive(Serialize, Deserialize)]
struct StoredDate {
    date: NaiveDate,
    /// `true` for a whole month (`date` is its first day).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    month: bool,
    text: String,
    start: usize,
    end: usize,
}

#[derive(Serialize, Deserialize)]
struct StoredEntity {
    kind: StoredKind,
    name: String,
    mentions: Vec<StoredMention>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoredKind {
    Person,
    Org,
    Place,
}

#[derive(Serialize, Deserialize)]
struct StoredMention {
    text: String,
    start: usize,
    end: usize,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    in_title: bool,
}

/// The stored form of an article's mentioned dates.
pub(crate) fn encode_mentions(mentions: &[MentionedDate]) -> String {
    let stored: Vec<StoredDate> = mentions
        .iter()
        .map(|m| StoredDate {
            date: m.date,
            month: m.granularity == Granularity::Month,
            text: m.text.clone(),
            start: m.start,
            end: m.end,
        })
        .collect();
    serde_json::to_string(&stored).expect("mentioned dates serialize")
}

/// Reads back what [`encode_mentions`] stored.
pub(crate) fn decode_mentions(json: &str) -> Result<Vec<MentionedDate>> {
    let stored: Vec<StoredDate> =
        serde_json::from_str(json).context("the stored mentioned dates cannot be read")?;
    Ok(stored
        .into_iter()
        .map(|m| MentionedDate {
            date: m.date,
            granularity: if m.month {
                Granularity::Month
            } else {
                Granularity::Day
            },
            text: m.text,
            start: m.start,
            end: m.end,
        })
        .collect())
}

/// The stored form of an article's entities.
pub(crate) fn encode_entities(entities: &[ArticleEntity]) -> String {
    let stored: Vec<StoredEntity> = entities
        .iter()
        .map(|e| StoredEntity {
            kind: match e.kind {
                EntityKind::Person => StoredKind::Person,
                EntityKind::Org => StoredKind::Org,
                EntityKind::Place => StoredKind::Place,
            },
            name: e.name.clone(),
            mentions: e
                .mentions
                .iter()
                .map(|m| StoredMention {
                    text: m.text.clone(),
                    start: m.start,
                    end: m.end,
                    in_title: m.in_title,
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&stored).expect("entities serialize")
}

/// Reads back what [`encode_entities`] stored.
pub(crate) fn decode_entities(json: &str) -> Result<Vec<ArticleEntity>> {
    let stored: Vec<StoredEntity> =
        serde_json::from_str(json).context("the stored entities cannot be read")?;
    Ok(stored
        .into_iter()
        .map(|e| ArticleEntity {
            kind: match e.kind {
                StoredKind::Person => EntityKind::Person,
                StoredKind::Org => EntityKind::Org,
                StoredKind::Place => EntityKind::Place,
            },
            name: e.name,
            mentions: e
                .mentions
                .into_iter()
                .map(|m| EntityMention {
                    text: m.text,
                    start: m.start,
                    end: m.end,
                    in_title: m.in_title,
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_dates_round_trip_and_damage_is_an_error() {
        let entities = vec![ArticleEntity {
            kind: EntityKind::Org,
            name: "Hamas".into(),
            mentions: vec![EntityMention {
                text: "Hamas".into(),
                start: 3,
                end: 8,
                in_title: true,
            }],
        }];
        assert_eq!(
            decode_entities(&encode_entities(&entities)).unwrap(),
            entities
        );
        let mentions = vec![MentionedDate {
            date: NaiveDate::from_ymd_opt(2023, 10, 1).unwrap(),
            granularity: Granularity::Month,
            text: "in October".into(),
            start: 0,
            end: 10,
        }];
        assert_eq!(
            decode_mentions(&encode_mentions(&mentions)).unwrap(),
            mentions
        );
        assert!(decode_entities("[{\"kind\": 3}]").is_err());
        assert!(decode_mentions("not json").is_err());
    }
}
