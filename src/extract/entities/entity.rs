//! The values extraction hands out: the kind of an entity, one entity of an article and
//! its mentions. A leaf: every other module of the extractor may use these types.

use serde::{Deserialize, Serialize};

/// The three kinds of entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Org,
    Place,
}

impl EntityKind {
    /// "person", "org" or "place" (facet paths, JSON keys, query fields).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Org => "org",
            EntityKind::Place => "place",
        }
    }

    pub const ALL: [EntityKind; 3] = [EntityKind::Person, EntityKind::Org, EntityKind::Place];
}

/// One entity of one article, after in-article resolution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleEntity {
    pub kind: EntityKind,
    /// The article-level name: the fullest form the article gives ("Benjamin Netanyahu"
    /// for an article that also says "Netanyahu"), places and organisations through the
    /// alias table ("U.S." → "United States"); a bare surname when the article gives no
    /// full name ("Blinken").
    pub name: String,
    /// Every mention, body mentions first, each in text order.
    pub mentions: Vec<EntityMention>,
}

/// One mention of an entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMention {
    /// The name as written (without titles such as "Mr", and without a possessive "'s").
    pub text: String,
    /// Byte offsets into the body, or into the title when `in_title` is set.
    pub start: usize,
    pub end: usize,
    /// The mention is in the title (offsets are relative to the title).
    #[serde(default)]
    pub in_title: bool,
}
