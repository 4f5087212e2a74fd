//! One index run: take the index's lock, walk the paths, read and extract the files that
//! changed since the last commit (in parallel), upsert their articles, remove the articles
//! of files that disappeared, and commit together with the manifest that describes the
//! commit. Progress and warnings go to a [`Reporter`]; the result is a summary.
//!
//! A run that is killed leaves the last commit and its manifest as they were; long runs
//! commit every `commit_interval` so that a killed run loses little work.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Result};
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3Default;

use crate::aliases;
use crate::config::IndexConfig;
use crate::extract::{article_id, build_article, Article, Rejection};
use crate::index::{article_keys, IndexLock, NewsIndex, NewsWriter};
use crate::ingest::{self, FileRead, Problem, ReadOptions, Record, SourceFile, SIDECAR_SUFFIX};
use crate::manifest::{
    self, absolute, file_key, ArticleEntry, CommitInfo, FileEntry, Manifest, Stamp,
};
use crate::schema::SCHEMA_VERSION;

/// The manifest entry of articles piped in on standard input: it only grows (a walk never
/// removes them), so that piping an article again finds it unchanged.
const STDIN_KEY: &str = "<stdin>";

/// Files read and extracted together before their articles are written.
const BATCH_FILES: usize = 256;

/// Where an index run tells what it is doing.
pub trait Reporter: Sync {
    /// A file, folder or record that was skipped or needed a fix, with the reason.
    fn warn(&self, problem: &Problem);
    /// Another run holds the index and this one waits for it (`--wait`).
    fn waiting(&self, index: &Path);
    /// `total` files changed since the last run and will be read.
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
    /// Files read in this run (new or changed since the last one).
    pub read: usize,
    /// Articles new to the index.
    pub added: usize,
    /// Articles whose text or metadata changed and were re-indexed.
    pub updated: usize,
    /// Articles removed because their file (or their record in it) disappeared.
    pub removed: usize,
    /// Articles left as they were (their file or record did not change).
    pub unchanged: usize,
    /// Files and records that could not be indexed (each was reported).
    pub skipped: usize,
    /// Files with extensions newsearch does not read.
    pub ignored: usize,
    /// Warnings reported (skips plus notes such as a non-UTF-8 encoding).
    pub warnings: usize,
    /// Scrape-debris lines ("Read more", "200 characters", a stray related headline)
    /// dropped from the bodies of the articles read in this run.
    pub boilerplate_lines: usize,
    /// Commits made by this run (0 when nothing changed).
    pub commits: usize,
    /// Articles and passages in the index after the run.
    pub articles: usize,
    pub passages: u64,
    pub elapsed_ms: u64,
}

/// Runs one index run to its last commit.
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
    let _lock = IndexLock::acquire(&config.index_dir, config.wait, || {
        reporter.waiting(&config.index_dir)
    })?;
    let index = NewsIndex::open_or_create(&config.index_dir)?;
    let info = index.commit_info()?;
    manifest::remove_stale(index.dir(), info.manifest.as_deref());
    let previous = match Manifest::load(index.dir(), &info) {
        Ok(previous) => previous,
        // A rebuild does not need the old manifest; it only reuses its generations.
        Err(_) if config.full => Manifest::default(),
        Err(error) => return Err(error),
    };
    let writer = index.writer(config.threads, config.memory_bytes)?;
    let known = if config.full {
        HashSet::new()
    } else {
        article_keys(&index.reader()?.searcher())?
    };
    let mut run = Run::new(&index, writer, &info, previous, known, config, reporter);
    if config.full {
        run.writer.delete_all()?;
        run.dirty = true;
    }

    let walked = ingest::walk(&config.paths);
    run.summary.files = walked.files.len();
    run.summary.ignored = walked.ignored;
    for problem in &walked.problems {
        run.warn(problem, true);
    }
    // Files under a folder the walk could not read keep their articles until it can.
    let unreadable: Vec<PathBuf> = walked
        .problems
        .iter()
        .map(|p| absolute(Path::new(&p.path)))
        .collect();
    // Stat-ing every file is most of a run over an unchanged folder: done in parallel.
    let stamped: Vec<(SourceFile, String, Option<Stamp>)> = walked
        .files
        .into_par_iter()
        .map(|file| {
            let key = if file.is_stdin() {
                STDIN_KEY.to_string()
            } else {
                file_key(&file.path)
            };
            let sidecar = sidecar_of(&file.path);
            // A file given by itself was not listed with its folder: look its side-car up.
            let has_sidecar = if config.paths.contains(&file.path) {
                sidecar.exists()
            } else {
                walked.sidecars.contains(&sidecar)
            };
            let stamp = if file.is_stdin() {
                None
            } else {
                Stamp::of(&file.path, has_sidecar.then_some(sidecar.as_path()))
            };
            (file, key, stamp)
        })
        .collect();
    let mut seen = HashSet::new();
    let mut changed = Vec::new();
    for (file, key, stamp) in stamped {
        if !seen.insert(key.clone()) {
            continue;
        }
        match (stamp, run.manifest.files.get(&key)) {
            (Some(stamp), Some(entry)) if entry.stamp == stamp => {
                run.summary.unchanged += entry.articles.len();
            }
            _ => changed.push(Changed { file, key, stamp }),
        }
    }
    let roots: Vec<PathBuf> = config
        .paths
        .iter()
        .filter(|p| !ingest::is_stdin(p))
        .map(|p| absolute(p))
        .collect();
    let gone: Vec<String> = run
        .manifest
        .files
        .keys()
        .filter(|key| !seen.contains(*key))
        .filter(|key| under_any(key, &roots) && !under_any(key, &unreadable))
        .cloned()
        .collect();
    for key in gone {
        run.remove_file(&key)?;
    }

    let read_options = ReadOptions {
        max_file_size: config.max_file_size,
        fields: config.fields.clone(),
    };
    reporter.start(changed.len() as u64);
    for batch in changed.chunks(BATCH_FILES) {
        let outcomes: Vec<FileOutcome> = batch
            .par_iter()
            .map(|changed| {
                let old = run.manifest.files.get(&changed.key);
                let reuse = run.previous.files.get(&changed.key);
                read_changed(changed, old, reuse, &read_options)
            })
            .collect();
        for (changed, outcome) in batch.iter().zip(outcomes) {
            run.apply(changed, outcome)?;
        }
        reporter.advance(batch.len() as u64);
        if !config.full && run.dirty && run.last_commit.elapsed() >= config.commit_interval {
            run.commit()?;
        }
    }
    if run.dirty || info.manifest.is_none() {
        run.commit()?;
    } else {
        // Nothing changed; the alias table may still be missing if a run was killed
        // between its commit and saving it.
        aliases::save_for(&index, info.generation)?;
    }
    let mut summary = run.finish()?;
    reporter.finish();
    let searcher = index.reader()?.searcher();
    summary.articles = article_keys(&searcher)?.len();
    summary.passages = searcher.num_docs();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// A walked file whose stamp differs from its manifest entry (or that has none).
struct Changed {
    file: SourceFile,
    key: String,
    stamp: Option<Stamp>,
}

/// What became of one record of a changed file.
enum RecordOutcome {
    /// Same id and same content as before: nothing to do.
    Same(ArticleEntry),
    /// New or changed: to be written, with the seq to reuse when a rebuild finds it unchanged.
    Built {
        article: Box<Article>,
        hash: u64,
        reuse_seq: Option<u64>,
    },
    Rejected(Problem),
}

/// One changed file, read and extracted.
struct FileOutcome {
    read: FileRead,
    records: Vec<RecordOutcome>,
    /// Hash of the file's records in order.
    hash: u64,
    /// The file could not be opened at all (it vanished, or permissions): its previous
    /// articles stay until a later run can read it.
    transient: bool,
    /// Scrape-debris lines dropped from the articles built.
    boilerplate_lines: usize,
}

fn read_changed(
    changed: &Changed,
    old: Option<&FileEntry>,
    reuse: Option<&FileEntry>,
    options: &ReadOptions,
) -> FileOutcome {
    let mut read = ingest::read_file(&changed.file, options);
    let transient = read.failure.is_some() && std::fs::File::open(&changed.file.path).is_err();
    let records = std::mem::take(&mut read.records);
    let by_id = |entry: Option<&FileEntry>| -> HashMap<u64, ArticleEntry> {
        entry
            .map(|e| e.articles.iter().map(|a| (a.id, *a)).collect())
            .unwrap_or_default()
    };
    let old = by_id(old);
    let reuse = by_id(reuse);
    let mut file_hash = Xxh3Default::new();
    let keys: Vec<(u64, u64)> = records
        .iter()
        .map(|record| {
            let hash = record_hash(record);
            file_hash.write_u64(hash);
            (article_id(record).0, hash)
        })
        .collect();
    // A JSON-lines or CSV file can hold many thousands of articles: they are built in
    // parallel too.
    let built: Vec<(RecordOutcome, Option<Problem>, usize)> = records
        .par_iter()
        .zip(keys.par_iter())
        .map(|(record, &(id, hash))| {
            if let Some(same) = old.get(&id).filter(|a| a.hash == hash) {
                return (RecordOutcome::Same(*same), None, 0);
            }
            let place = match record.record {
                Some(n) => format!("{} (record {n})", record.path),
                None => record.path.clone(),
            };
            match build_article(record) {
                Ok((article, notes)) => {
                    let bad_date = notes.bad_date.map(|bad| Problem {
                        path: place,
                        reason: format!("date {bad:?} not understood; indexed without a date"),
                    });
                    let outcome = RecordOutcome::Built {
                        article: Box::new(article),
                        hash,
                        reuse_seq: reuse.get(&id).filter(|a| a.hash == hash).map(|a| a.seq),
                    };
                    (outcome, bad_date, notes.boilerplate_lines)
                }
                Err(Rejection::NoText) => {
                    let problem = Problem {
                        path: place,
                        reason: Rejection::NoText.to_string(),
                    };
                    (RecordOutcome::Rejected(problem), None, 0)
                }
            }
        })
        .collect();
    let mut outcomes = Vec::with_capacity(built.len());
    let mut boilerplate_lines = 0;
    for (outcome, note, dropped) in built {
        outcomes.push(outcome);
        read.notes.extend(note);
        boilerplate_lines += dropped;
    }
    FileOutcome {
        read,
        records: outcomes,
        hash: if records.is_empty() {
            0
        } else {
            file_hash.finish()
        },
        transient,
        boilerplate_lines,
    }
}

/// Hash of everything a record's article is built from.
fn record_hash(record: &Record) -> u64 {
    let mut hasher = Xxh3Default::new();
    record.hash(&mut hasher);
    hasher.finish()
}

fn sidecar_of(path: &Path) -> PathBuf {
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    PathBuf::from(sidecar)
}

fn under_any(key: &str, roots: &[PathBuf]) -> bool {
    let path = Path::new(key);
    roots.iter().any(|root| path.starts_with(root))
}

/// The state of a run between commits.
struct Run<'a> {
    index: &'a NewsIndex,
    writer: NewsWriter,
    /// Generation of the next commit: articles written now carry it as their seq.
    generation: u64,
    /// The manifest as it will be committed.
    manifest: Manifest,
    /// The manifest of the last commit (a rebuild reuses the seq of unchanged articles).
    previous: Manifest,
    /// How many files yield each article id (an article goes when none does).
    contributors: HashMap<u64, u32>,
    /// Article ids in the index (before this run, or added by it).
    known: HashSet<u64>,
    dirty: bool,
    /// Articles were written or deleted since the last commit (not only file stamps).
    articles_changed: bool,
    last_commit: Instant,
    summary: IndexSummary,
    reporter: &'a dyn Reporter,
}

impl<'a> Run<'a> {
    fn new(
        index: &'a NewsIndex,
        writer: NewsWriter,
        info: &CommitInfo,
        previous: Manifest,
        known: HashSet<u64>,
        config: &IndexConfig,
        reporter: &'a dyn Reporter,
    ) -> Run<'a> {
        let manifest = if config.full {
            Manifest::default()
        } else {
            previous.clone()
        };
        let mut contributors: HashMap<u64, u32> = HashMap::new();
        for entry in manifest.files.values() {
            for id in unique_ids(entry) {
                *contributors.entry(id).or_default() += 1;
            }
        }
        Run {
            index,
            writer,
            generation: info.generation + 1,
            manifest,
            previous,
            contributors,
            known,
            dirty: false,
            articles_changed: false,
            last_commit: Instant::now(),
            summary: IndexSummary {
                schema_version: SCHEMA_VERSION,
                ..IndexSummary::default()
            },
            reporter,
        }
    }

    fn warn(&mut self, problem: &Problem, skipped: bool) {
        self.reporter.warn(problem);
        self.summary.warnings += 1;
        if skipped {
            self.summary.skipped += 1;
        }
    }

    /// One file fewer yields `id`; the article goes when no file yields it any more.
    fn release(&mut self, id: u64) {
        let left = match self.contributors.get_mut(&id) {
            Some(count) => {
                *count = count.saturating_sub(1);
                *count
            }
            None => 0,
        };
        if left == 0 {
            self.contributors.remove(&id);
            self.writer.delete(crate::extract::ArticleId(id));
            self.articles_changed = true;
            if self.known.remove(&id) {
                self.summary.removed += 1;
            }
            self.dirty = true;
        }
    }

    /// A file that disappeared from the walked paths: its articles go.
    fn remove_file(&mut self, key: &str) -> Result<()> {
        if let Some(entry) = self.manifest.files.remove(key) {
            for id in unique_ids(&entry) {
                self.release(id);
            }
            self.dirty = true;
        }
        Ok(())
    }

    /// Writes what a changed file now yields and retires what it no longer does.
    fn apply(&mut self, changed: &Changed, outcome: FileOutcome) -> Result<()> {
        self.summary.read += 1;
        for note in &outcome.read.notes {
            self.warn(note, false);
        }
        for skipped in &outcome.read.skipped {
            self.warn(skipped, true);
        }
        self.summary.boilerplate_lines += outcome.boilerplate_lines;
        if let Some(failure) = &outcome.read.failure {
            self.warn(failure, true);
            if outcome.transient {
                return Ok(());
            }
        }
        let old = self.manifest.files.remove(&changed.key);
        let old_ids: HashSet<u64> = old.as_ref().map(unique_ids).unwrap_or_default();
        let mut entry = FileEntry {
            stamp: changed.stamp.unwrap_or_default(),
            hash: outcome.hash,
            articles: Vec::with_capacity(outcome.records.len()),
        };
        for record in outcome.records {
            match record {
                RecordOutcome::Same(same) => {
                    self.summary.unchanged += 1;
                    entry.articles.push(same);
                }
                RecordOutcome::Built {
                    article,
                    hash,
                    reuse_seq,
                } => {
                    let id = article.id.0;
                    let seq = reuse_seq.unwrap_or(self.generation);
                    self.writer.upsert(&article, seq)?;
                    self.articles_changed = true;
                    if self.known.insert(id) {
                        self.summary.added += 1;
                    } else {
                        self.summary.updated += 1;
                    }
                    entry.articles.push(ArticleEntry { id, hash, seq });
                }
                RecordOutcome::Rejected(problem) => self.warn(&problem, true),
            }
        }
        let stdin = changed.file.is_stdin();
        if stdin {
            // Articles piped in earlier stay, whether or not this batch repeats them.
            let piped: HashSet<u64> = unique_ids(&entry);
            if let Some(old) = &old {
                entry
                    .articles
                    .extend(old.articles.iter().filter(|a| !piped.contains(&a.id)));
            }
        }
        let new_ids = unique_ids(&entry);
        for id in new_ids.difference(&old_ids) {
            *self.contributors.entry(*id).or_default() += 1;
        }
        for id in old_ids.difference(&new_ids) {
            self.release(*id);
        }
        if old.as_ref() != Some(&entry) {
            self.dirty = true;
        }
        // A file that could not be read keeps no stamp, so the next run tries it again.
        if changed.stamp.is_some() || stdin {
            self.manifest.files.insert(changed.key.clone(), entry);
        }
        Ok(())
    }

    /// Writes the manifest, then commits with a payload naming it.
    fn commit(&mut self) -> Result<()> {
        let name = self.manifest.save(self.index.dir(), self.generation)?;
        let info = CommitInfo {
            generation: self.generation,
            manifest: Some(name.clone()),
        };
        self.writer.commit(&info.to_payload())?;
        manifest::remove_stale(self.index.dir(), Some(&name));
        // A commit of new file stamps only leaves every entity name as it was.
        if self.articles_changed
            || !aliases::carry_over(self.index.dir(), self.generation - 1, self.generation)
        {
            aliases::save_for(self.index, self.generation)?;
        }
        self.articles_changed = false;
        self.generation += 1;
        self.dirty = false;
        self.last_commit = Instant::now();
        self.summary.commits += 1;
        Ok(())
    }

    fn finish(self) -> Result<IndexSummary> {
        self.writer.finish()?;
        Ok(self.summary)
    }
}

fn unique_ids(entry: &FileEntry) -> HashSet<u64> {
    entry.articles.iter().map(|a| a.id).collect()
}
