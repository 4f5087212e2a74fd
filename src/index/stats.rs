//! Index-wide figures for `stats`: counts, size on disk and the range of publication dates
//! of one commit.

use std::fs;

use anyhow::{Context, Result};
use chrono::{DateTime as ChronoDateTime, NaiveDate};
use tantivy::{DateTime, Searcher};

use super::reader::article_ids;
use super::NewsIndex;
use crate::schema::Fields;

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
            articles: article_ids(&searcher)?.len(),
            passages: searcher.num_docs(),
            segments: searcher.segment_readers().len(),
            first_date: first,
            last_date: last,
        })
    }
}

fn date_range(searcher: &Searcher) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let mut first: Option<DateTime> = None;
    let mut last: Option<DateTime> = None;
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().date(Fields::DATE)?;
        for doc in 0..segment.max_doc() {
            for value in column.values_for_doc(doc) {
                first = Some(first.map_or(value, |f| f.min(value)));
                last = Some(last.map_or(value, |l| l.max(value)));
            }
        }
    }
    let day = |d: Option<DateTime>| {
        d.and_then(|d| ChronoDateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.date_naive())
    };
    Ok((day(first), day(last)))
}
