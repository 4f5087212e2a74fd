//! The story files in the index folder and their byte layouts: atomic writes, the
//! partition files that keep sketches and placements, and the encoder of the book file
//! that [`super::read`] reads in place.
//!
//! Files (all immutable once renamed into place; a name carries the generation that
//! wrote it):
//! - `stories-<generation>.book`: what queries read, plus the list of partition files
//!   that make up this generation's state;
//! - `stories-<generation>-<part>.part`: the articles of one calendar month (`part` =
//!   `YYYYMM`) or the undated ones (`part` = `undated`), each with its sketch, its story
//!   and the weights it arrived with, in canonical order;
//! - `stories-open.pending`: sketches received by the running index run before its save,
//!   past the first [`super::book::PENDING_MEMORY`] bytes of them, which wait in memory
//!   (removed by the save, or by [`super::remove_stale`] after a crash).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::engine::Placement;
use super::sketch::StorySketch;

pub const PREFIX: &str = "stories-";
const PART_MAGIC: &[u8; 8] = b"NSSTPRT1";
pub const BOOK_MAGIC: &[u8; 8] = b"NSSTBOK1";

/// A partition: one calendar month of dated articles, or all undated ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PartKey {
    /// Year * 12 + month - 1, so months sort and step as integers.
    Month(i32),
    Undated,
}

impl PartKey {
    pub fn of_day(day: Option<i32>) -> PartKey {
        match day.and_then(chrono::NaiveDate::from_num_days_from_ce_opt) {
            Some(date) => {
                use chrono::Datelike;
                PartKey::Month(date.year() * 12 + date.month0() as i32)
            }
            None => PartKey::Undated,
        }
    }

    fn label(self) -> String {
        match self {
            PartKey::Month(m) => format!("{:04}{:02}", m.div_euclid(12), m.rem_euclid(12) + 1),
            PartKey::Undated => "undated".to_string(),
        }
    }
}

/// One article as a partition keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub sketch: StorySketch,
    pub story: u64,
    pub weights: Vec<u16>,
}

impl Stored {
    pub fn placement(&self) -> Placement {
        Placement {
            story: self.story,
            weights: self.weights.clone(),
        }
    }
}

/// The partition files of one generation, by partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub parts: Vec<(PartKey, String)>,
}

pub fn book_name(generation: u64) -> String {
    format!("{PREFIX}{generation}.book")
}

pub fn part_name(generation: u64, key: PartKey) -> String {
    format!("{PREFIX}{generation}-{}.part", key.label())
}

/// Writes `bytes` to `dir/name` atomically: a temporary file, fsync, rename. The caller
/// fsyncs the folder once after its last rename ([`sync_dir`]).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp: PathBuf = dir.join(format!("{name}.tmp"));
    let path = dir.join(name);
    let mut file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    drop(file);
    fs::rename(&tmp, &path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// Makes the renames in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
}

pub fn write_part(dir: &Path, name: &str, records: &[Stored]) -> Result<()> {
    let mut bytes = PART_MAGIC.to_vec();
    bytes.extend(postcard::to_allocvec(records).context("encoding a story partition")?);
    write_atomic(dir, name, &bytes)
}

pub fn read_part(dir: &Path, name: &str) -> Result<Vec<Stored>> {
    let path = dir.join(name);
    let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some(body) = bytes.strip_prefix(PART_MAGIC) else {
        bail!("{} is not a story partition", path.display());
    };
    postcard::from_bytes(body).with_context(|| format!("decoding {}", path.display()))
}

/// One article row of the book file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleRow {
    pub article: u64,
    pub story: u64,
    pub day: Option<i32>,
    /// Index into the source table.
    pub source: Option<u32>,
}

/// Byte sizes of the fixed records of the book file.
pub const HEADER_LEN: usize = 96;
pub const ARTICLE_LEN: usize = 24;
pub const STORY_LEN: usize = 48;
/// Layout version of the book file (2: stories carry their canonical id; 3: a story's
/// members start where they were written).
pub const BOOK_VERSION: u32 = 3;
/// Version 2 files are read too: their member starts were counted in canonical order
/// while the members were written in the order of the shown ids, so the reader counts
/// the starts again (see [`super::read::Stories`]).
pub const BOOK_VERSION_RECOUNTED: u32 = 2;
pub const NO_DAY: i32 = i32::MIN;
pub const NO_SOURCE: u32 = u32::MAX;

/// Everything the book file holds, ready to encode.
pub struct BookContents<'a> {
    pub generation: u64,
    /// Sorted by article key.
    pub articles: &'a [ArticleRow],
    pub sources: &'a [String],
    /// The id a story shows, by its canonical id (the one-pass founder the rows carry):
    /// an id a story had keeps following it ([`super::book`]).
    pub public: &'a dyn Fn(u64) -> u64,
    /// Creation generation of each shown story id that exists (others are new:
    /// `generation`).
    pub created: &'a dyn Fn(u64) -> Option<u64>,
    pub manifest: &'a Manifest,
}

/// Encodes the book file. Layout (little-endian):
/// header: magic, version u32, pad u32, generation, then the count and byte offset of
/// each section as u64 pairs: articles, stories, members, story sources, source spans,
/// by size, then source bytes offset and manifest offset and length;
/// articles: (key u64, story index u32, source u32, day i32, pad u32), by key;
/// stories: (id u64, created u64, members start u32, count u32, first day i32, last day
/// i32, sources start u32, count u32, canonical id u64), by id (the shown one); members: article keys u64, per story by day
/// then key (undated last); story sources: u32 source indices; source spans: (start u32,
/// length u32) into the source bytes; by size: u32 story indices, largest first.
pub fn encode_book(contents: &BookContents<'_>) -> Result<Vec<u8>> {
    let rows = contents.articles;
    // Members grouped by story, each group in canonical order.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| {
        let r = &rows[i];
        (r.story, r.day.is_none(), r.day.unwrap_or(0), r.article)
    });
    // (canonical id, start, len) in `order`, by canonical id.
    let mut by_canonical: Vec<(u64, usize, usize)> = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        match by_canonical.last_mut() {
            Some(last) if last.0 == rows[i].story => last.2 += 1,
            _ => by_canonical.push((rows[i].story, pos, 1)),
        }
    }
    // The records, by shown id: (shown id, start, len, canonical id).
    let mut stories: Vec<(u64, usize, usize, u64)> = by_canonical
        .iter()
        .map(|&(canonical, start, len)| ((contents.public)(canonical), start, len, canonical))
        .collect();
    stories.sort_unstable_by_key(|s| s.0);
    if stories.windows(2).any(|w| w[0].0 == w[1].0) {
        bail!("two stories with one id");
    }
    let mut index_of: Vec<(u64, u32)> = Vec::with_capacity(stories.len());
    for (i, s) in stories.iter().enumerate() {
        index_of.push((s.3, u32::try_from(i)?));
    }
    index_of.sort_unstable_by_key(|s| s.0);
    let story_index = |canonical: u64| {
        index_of
            .binary_search_by_key(&canonical, |s| s.0)
            .ok()
            .map(|i| index_of[i].1)
    };

    let mut article_bytes = Vec::with_capacity(rows.len() * ARTICLE_LEN);
    for row in rows {
        let Some(index) = story_index(row.story) else {
            bail!("article without a story");
        };
        article_bytes.extend(row.article.to_le_bytes());
        article_bytes.extend(index.to_le_bytes());
        article_bytes.extend(row.source.unwrap_or(NO_SOURCE).to_le_bytes());
        article_bytes.extend(row.day.unwrap_or(NO_DAY).to_le_bytes());
        article_bytes.extend(0u32.to_le_bytes());
    }
    let mut story_bytes = Vec::with_capacity(stories.len() * STORY_LEN);
    let mut member_bytes = Vec::with_capacity(rows.len() * 8);
    let mut story_sources: Vec<u32> = Vec::new();
    for &(id, start, len, canonical) in &stories {
        let members = &order[start..start + len];
        let days = members.iter().filter_map(|&i| rows[i].day);
        let first = days.clone().min().unwrap_or(NO_DAY);
        let last = days.max().unwrap_or(NO_DAY);
        let mut sources: Vec<u32> = members.iter().filter_map(|&i| rows[i].source).collect();
        sources.sort_unstable();
        sources.dedup();
        story_bytes.extend(id.to_le_bytes());
        story_bytes.extend(
            (contents.created)(id)
                .unwrap_or(contents.generation)
                .to_le_bytes(),
        );
        // Members are written story after story in the order of the shown ids, which is
        // not the canonical order `start` counts in once a story keeps an earlier id.
        story_bytes.extend(u32::try_from(member_bytes.len() / 8)?.to_le_bytes());
        story_bytes.extend(u32::try_from(len)?.to_le_bytes());
        story_bytes.extend(first.to_le_bytes());
        story_bytes.extend(last.to_le_bytes());
        story_bytes.extend(u32::try_from(story_sources.len())?.to_le_bytes());
        story_bytes.extend(u32::try_from(sources.len())?.to_le_bytes());
        story_bytes.extend(canonical.to_le_bytes());
        story_sources.extend(sources);
        for &i in members {
            member_bytes.extend(rows[i].article.to_le_bytes());
        }
    }
    let mut by_size: Vec<usize> = (0..stories.len()).collect();
    by_size.sort_by_key(|&i| (std::cmp::Reverse(stories[i].2), stories[i].0));
    let by_size_bytes: Vec<u8> = by_size
        .iter()
        .flat_map(|&i| (i as u32).to_le_bytes())
        .collect();
    let story_source_bytes: Vec<u8> = story_sources.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut span_bytes = Vec::new();
    let mut text_bytes: Vec<u8> = Vec::new();
    for source in contents.sources {
        span_bytes.extend(u32::try_from(text_bytes.len())?.to_le_bytes());
        span_bytes.extend(u32::try_from(source.len())?.to_le_bytes());
        text_bytes.extend(source.as_bytes());
    }
    let manifest = postcard::to_allocvec(contents.manifest).context("encoding a manifest")?;

    let sections: [(usize, &[u8]); 6] = [
        (rows.len(), &article_bytes),
        (stories.len(), &story_bytes),
        (rows.len(), &member_bytes),
        (story_sources.len(), &story_source_bytes),
        (contents.sources.len(), &span_bytes),
        (stories.len(), &by_size_bytes),
    ];
    let mut out =
        Vec::with_capacity(HEADER_LEN + sections.iter().map(|s| s.1.len()).sum::<usize>());
    out.extend(BOOK_MAGIC);
    out.extend(BOOK_VERSION.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(contents.generation.to_le_bytes());
    // Six (count u32, offset u32) pairs, then source bytes, manifest offset and length.
    let mut offset = HEADER_LEN;
    let mut header_tail = Vec::new();
    for (count, bytes) in &sections {
        header_tail.extend(u32::try_from(*count)?.to_le_bytes());
        header_tail.extend(u32::try_from(offset)?.to_le_bytes());
        offset += bytes.len();
    }
    header_tail.extend(u32::try_from(offset)?.to_le_bytes());
    offset += text_bytes.len();
    header_tail.extend(u32::try_from(offset)?.to_le_bytes());
    header_tail.extend(u32::try_from(manifest.len())?.to_le_bytes());
    out.extend(header_tail);
    out.resize(HEADER_LEN, 0);
    for (_, bytes) in &sections {
        out.extend(*bytes);
    }
    out.extend(text_bytes);
    out.extend(manifest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_months_and_sort_in_time() {
        let day = |y, m, d| {
            chrono::Datelike::num_days_from_ce(&chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
        };
        let march = PartKey::of_day(Some(day(2024, 3, 25)));
        assert_eq!(march, PartKey::of_day(Some(day(2024, 3, 1))));
        assert!(march < PartKey::of_day(Some(day(2024, 4, 1))));
        assert!(march < PartKey::Undated);
        assert_eq!(part_name(7, march), "stories-7-202403.part");
        assert_eq!(part_name(7, PartKey::Undated), "stories-7-undated.part");
    }
}
