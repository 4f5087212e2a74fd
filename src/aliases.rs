//! The corpus-wide entity alias table of an index: which article-level names are one
//! entity ("Netanyahu" and "Benjamin Netanyahu", "US" and "United States"), and which
//! person a bare surname means around a date and in the company of other names. It is
//! computed from every article's names and date in the committed index after each commit
//! (streaming: memory follows the distinct names, not the articles), so that an article
//! that introduces a full name merges with surname-only mentions indexed before, and saved
//! beside the index as `aliases-<generation>.json.zst` (JSON, zstd-compressed). Readers load the file of their
//! commit's generation, or compute the table themselves when it is missing (a run killed
//! between its commit and the save).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::extract::entities::{AliasTable, CorpusLinker, EntityKind};
use crate::files::{write_atomic, ALIAS_TABLE_FILES as TABLES};
use crate::index::{for_each_article_names, NewsIndex, StoredEntity};

/// zstd level of the saved table (JSON of names compresses about sevenfold).
const ZSTD_LEVEL: i32 = 3;

/// Computes the table from the index's last commit: every article's names and date.
fn compute(index: &NewsIndex) -> Result<AliasTable> {
    let mut linker = CorpusLinker::new();
    for_each_article_names(&index.searcher()?, |date, names| linker.add(date, names))?;
    Ok(linker.finish())
}

/// Makes sure the table of commit `generation` is saved (the caller holds the index
/// lock and has just committed, or found the file missing), and removes older ones.
pub fn save_for(index: &NewsIndex, generation: u64) -> Result<()> {
    let path = TABLES.path(index.dir(), generation);
    if !path.exists() {
        let table = compute(index)?;
        write_atomic(&path, |file| {
            let mut encoder = zstd::Encoder::new(file, ZSTD_LEVEL)?;
            serde_json::to_writer(&mut encoder, &table)?;
            encoder.finish()?.flush()
        })
        .with_context(|| format!("saving the alias table {}", path.display()))?;
    }
    TABLES.remove_others(index.dir(), Some(&TABLES.name(generation)));
    Ok(())
}

/// Renames the table of generation `from` to generation `to` (a commit that changed no
/// article); false when there is none to carry over.
pub fn carry_over(dir: &Path, from: u64, to: u64) -> bool {
    from > 0 && fs::rename(TABLES.path(dir, from), TABLES.path(dir, to)).is_ok()
}

/// The table for the commit an index was opened on (see [`NewsIndex::generation`]).
pub fn load(index: &NewsIndex) -> Result<AliasTable> {
    let path = TABLES.path(index.dir(), index.generation());
    match fs::read(&path) {
        Ok(bytes) => match zstd::decode_all(bytes.as_slice())
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
        {
            Some(table) => Ok(table),
            // A damaged file is not fatal: the table can be computed again.
            None => compute(index),
        },
        Err(_) => compute(index),
    }
}

/// One entity of an article as shown to users: its corpus-wide name, the name the article
/// gives it, and its mentions as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownEntity {
    pub kind: EntityKind,
    pub name: String,
    pub article_name: String,
    pub mentions: Vec<String>,
}

/// The entities an article names, each by its corpus-wide name (a shared name resolved by
/// the article's date and the other names it gives), sorted, each once.
pub fn canonical_entities(
    table: &AliasTable,
    entities: &[StoredEntity],
    date: Option<NaiveDate>,
) -> Vec<(EntityKind, String)> {
    let names: Vec<(EntityKind, &str)> =
        entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
    let mut canonical: Vec<(EntityKind, String)> = entities
        .iter()
        .map(|e| (e.kind, table.canonical_in(e.kind, &e.name, date, &names)))
        .collect();
    canonical.sort();
    canonical.dedup();
    canonical
}

/// The entities of one article (published on `date`) under their corpus-wide names as
/// this article uses them (a bare surname goes to the person the corpus means by it around
/// that date and in that company), people first, then organisations and places, each by
/// number of mentions. Two article-level names that the corpus merges become one entry.
pub fn shown_entities(
    table: &AliasTable,
    entities: &[StoredEntity],
    date: Option<NaiveDate>,
) -> Vec<ShownEntity> {
    let names: Vec<(EntityKind, &str)> =
        entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
    let mut shown: Vec<ShownEntity> = Vec::new();
    for entity in entities {
        let name = table.canonical_in(entity.kind, &entity.name, date, &names);
        let mentions = entity.mentions().map(str::to_string);
        match shown
            .iter_mut()
            .find(|s| s.kind == entity.kind && s.name == name)
        {
            Some(existing) => existing.mentions.extend(mentions),
            None => shown.push(ShownEntity {
                kind: entity.kind,
                name,
                article_name: entity.name.clone(),
                mentions: mentions.collect(),
            }),
        }
    }
    shown.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| b.mentions.len().cmp(&a.mentions.len()))
            .then_with(|| a.name.cmp(&b.name))
    });
    shown
}
