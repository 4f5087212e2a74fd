//! Index-wide figures for `stats`: counts, size on disk and the range of publication dates
//! of one commit.

use std::fs;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use tantivy::Searcher;

use super::NewsIndex;
use crate::schema::{date_of_seconds, Fields};

/// What `stats` reports of an index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexStats {
    pub schema_version: u32,
    pub index: String,
    pub size_bytes: u64,
    pub articles: usize,
    pub passages: u64,
    pub segments: usize,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
}

impl NewsIndex {
    /// Counts, size on disk and date range of the commit the index was opened on.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.searcher()?;
        let (first, last) = date_range(&searcher)?;
        let size_bytes = fs::read_dir(self.dir())
            .with_context(|| format!("listing {}", self.dir().display()))?
            .filter_map(|entry| entry.ok()?.metadata().ok())
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
            .sum();
        Ok(IndexStats {
            schema_version: crate::schema::SCHEMA_VERSION,
            index: self.dir().display().to_string(),
            size_bytes,
            articles: searcher.num_docs() as usize,
            passages: passage_total(&searcher)?,
            segments: searcher.segment_readers().len(),
            first_date: first,
            last_date: last,
        })
    }
}

fn date_range(searcher: &Searcher) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().i64(Fields::PUBLISHED)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                continue;
            }
            for value in column.values_for_doc(doc) {
                first = Some(first.map_or(value, |f| f.min(value)));
                last = Some(last.map_or(value, |l| l.max(value)));
            }
        }
    }
    let day = |seconds: Option<i64>| seconds.and_then(date_of_seconds).map(|d| d.date());
    Ok((day(first), day(last)))
}

/// The passages of every live article.
fn passage_total(searcher: &Searcher) -> Result<u64> {
    let mut total = 0;
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64(Fields::PASSAGE_COUNT)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                total += column.first(doc).unwrap_or(0);
            }
        }
    }
    Ok(total)
}
