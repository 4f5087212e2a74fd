//! One index run: walk the paths, read and extract files in parallel, upsert the articles
//! and commit. Progress and warnings go to a [`Reporter`]; the result is a summary.

use std::time::Instant;

use anyhow::{bail, Result};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::IndexConfig;
use crate::extract::{build_article, Article, Rejection};
use crate::index::{article_keys, NewsIndex};
use crate::ingest::{self, FileRead, Problem, ReadOptions, SourceFile};
use crate::schema::SCHEMA_VERSION;

/// Files read and extracted together before their articles are written.
const BATCH_FILES: usize = 256;

/// Where an index run tells what it is doing.
pub trait Reporter: Sync {
    /// A file, folder or record that was skipped or needed a fix, with the reason.
    fn warn(&self, problem: &Problem);
    /// The walk found `total` files to read.
    fn start(&self, total: u64);
    /// `n` more files were read.
    fn advance(&self, n: u64);
    /// Writing is done; the progress display can go.
    fn finish(&self);
}

/// What an index run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndexSummary {
    pub schema_version: u32,
    /// Files found that newsearch reads.
    pub files: usize,
    /// Articles new to the index.
    pub added: usize,
    /// Articles that replaced an earlier version of themselves.
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files and records that could not be indexed (each was reported).
    pub skipped: usize,
    /// Files with extensions newsearch does not read.
    pub ignored: usize,
    /// Warnings reported (skips plus notes such as a non-UTF-8 encoding).
    pub warnings: usize,
    /// Scrape-debris lines ("Read more", "200 characters", a stray related headline)
    /// dropped from the bodies of the articles written in this run.
    pub boilerplate_lines: usize,
    /// Articles and passages in the index after the commit.
    pub articles: usize,
    pub passages: u64,
    pub elapsed_ms: u64,
}

/// Runs one index run to its commit.
pub fn run_index(config: &IndexConfig, reporter: &dyn Reporter) -> Result<IndexSummary> {
    let started = Instant::now();
    let missing: Vec<String> = config
        .paths
        .iter()
        .filter(|p| !ingest::is_stdin(p) && !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        bail!(
            "nothing to index at {}: no such file or folder",
            missing.join(", ")
        );
    }
    let index = NewsIndex::open_or_create(&config.index_dir)?;
    let mut writer = index.writer(config.threads, config.memory_bytes)?;
    let mut known = if config.full {
        writer.delete_all()?;
        Default::default()
    } else {
        article_keys(&index.reader()?.searcher())?
    };

    let mut summary = IndexSummary {
        schema_version: SCHEMA_VERSION,
        ..IndexSummary::default()
    };
    let walked = ingest::walk(&config.paths);
    summary.files = walked.files.len();
    summary.ignored = walked.ignored;
    for problem in &walked.problems {
        reporter.warn(problem);
        summary.warnings += 1;
        summary.skipped += 1;
    }
    let read_options = ReadOptions {
        max_file_size: config.max_file_size,
        fields: config.fields.clone(),
    };
    reporter.start(walked.files.len() as u64);
    for batch in walked.files.chunks(BATCH_FILES) {
        let extracted: Vec<Extracted> = batch
            .par_iter()
            .map(|file| extract_file(file, &read_options))
            .collect();
        for file in extracted {
            for note in &file.read.notes {
                reporter.warn(note);
                summary.warnings += 1;
            }
            for skipped in &file.read.skipped {
                reporter.warn(skipped);
                summary.warnings += 1;
                summary.skipped += 1;
            }
            summary.boilerplate_lines += file.boilerplate_lines;
            if let Some(failure) = &file.read.failure {
                reporter.warn(failure);
                summary.warnings += 1;
                summary.skipped += 1;
            }
            for outcome in file.articles {
                match outcome {
                    Ok(article) => {
                        if known.insert(article.id.0) {
                            summary.added += 1;
                        } else {
                            summary.updated += 1;
                        }
                        writer.upsert(&article)?;
                    }
                    Err(problem) => {
                        reporter.warn(&problem);
                        summary.warnings += 1;
                        summary.skipped += 1;
                    }
                }
            }
        }
        reporter.advance(batch.len() as u64);
    }
    writer.commit()?;
    reporter.finish();
    let searcher = index.reader()?.searcher();
    summary.articles = article_keys(&searcher)?.len();
    summary.passages = searcher.num_docs();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// One file's read outcome and the articles (or per-record problems) extracted from it.
struct Extracted {
    read: FileRead,
    articles: Vec<Result<Article, Problem>>,
    boilerplate_lines: usize,
}

fn extract_file(file: &SourceFile, options: &ReadOptions) -> Extracted {
    let mut read = ingest::read_file(file, options);
    let records = std::mem::take(&mut read.records);
    // A JSON-lines or CSV file can hold many thousands of articles: extract them in
    // parallel too.
    let built: Vec<_> = records
        .par_iter()
        .map(|record| (record, build_article(record)))
        .collect();
    let mut boilerplate_lines = 0;
    let articles = built
        .into_iter()
        .map(|(record, built)| {
            let place = match record.record {
                Some(n) => format!("{} (record {n})", record.path),
                None => record.path.clone(),
            };
            match built {
                Ok((article, notes)) => {
                    boilerplate_lines += notes.boilerplate_lines;
                    if let Some(bad) = notes.bad_date {
                        read.notes.push(Problem {
                            path: place,
                            reason: format!("date {bad:?} not understood; indexed without a date"),
                        });
                    }
                    Ok(article)
                }
                Err(Rejection::NoText) => Err(Problem {
                    path: place,
                    reason: Rejection::NoText.to_string(),
                }),
            }
        })
        .collect();
    Extracted {
        read,
        articles,
        boilerplate_lines,
    }
}
