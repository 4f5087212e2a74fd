//! One index run: take the index's lock, walk the paths, read and extract the files that
//! changed since the last commit (in parallel), upsert their articles, remove the articles
//! of files that disappeared, and commit together with the manifest that describes the
//! commit. Progress and warnings go to a [`Reporter`]; the result is a summary.
//!
//! Memory is bounded by settings, not by the corpus: records flow in chunks (at most
//! [`CHUNK_RECORDS`] records or about [`CHUNK_BYTES`] of text) that are read, built in
//! parallel, written and dropped before the next is read; small files are read together
//! in batches bounded by count and by size.
//!
//! A run that is killed leaves the last commit and its manifest as they were; long runs
//! commit every `commit_interval` (also in the middle of a big file) so that a killed run
//! loses little work.

mod changes;

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3Default;

use crate::aliases;
use crate::extract::entities::EntityKind;
use crate::extract::{article_id, build_article, Article, ArticleId, Rejection};
use crate::index::{article_ids, IndexLock, NewsIndex, NewsWriter, Wait};
use crate::ingest::{
    self, Chunk, ChunkLimits, End, FieldNames, Problem, ReadOptions, RecordStream, SourceFile,
    SIDECAR_SUFFIX,
};
use crate::manifest::{
    self, absolute, file_key, ArticleEntry, CommitInfo, FileEntry, Manifest, Place, Stamp,
};
use crate::schema::SCHEMA_VERSION;
use crate::stories::{self, StoryBook, StoryInput, StorySketch};
use changes::{Comparison, Previous, RecordOutcome};

/// The manifest entry of articles piped in on standard input: it only grows (a walk never
/// removes them), so that piping an article again finds it unchanged.
const STDIN_KEY: &str = "<stdin>";

/// Most records of one file built and written together.
const CHUNK_RECORDS: usize = 1024;
/// About the most record text (in bytes) built and written together.
const CHUNK_BYTES: usize = 16 << 20;
/// Most files whose first chunks are read and built together.
const BATCH_FILES: usize = 256;
/// Files stop joining a batch once their sizes add up to this many bytes (a gzipped file
/// counts [`GZIP_WEIGHT`] times its size, for the text it unpacks to).
const BATCH_BYTES: u64 = 64 << 20;
const GZIP_WEIGHT: u64 = 4;
const CHUNK_LIMITS: ChunkLimits = ChunkLimits {
    records: CHUNK_RECORDS,
    bytes: CHUNK_BYTES,
};

/// What an index run is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexRequest {
    pub index_dir: PathBuf,
    pub paths: Vec<PathBuf>,
    /// Rebuild from scratch.
    pub full: bool,
    /// Largest file read whole, and largest line of streamed JSON lines, in bytes.
    pub max_file_size: u64,
    /// Names of the fields that hold each part of an article (JSON, CSV, front matter).
    pub fields: FieldNames,
    pub memory_bytes: usize,
    pub threads: usize,
    /// What to do when another run holds the index.
    pub wait: Wait,
    /// Longest time between commits of one run.
    pub commit_interval: Duration,
    /// Group articles into stories (off: the index keeps no stories).
    pub stories: bool,
}

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
pub fn run_index(config: &IndexRequest, reporter: &dyn Reporter) -> Result<IndexSummary> {
    run(config, reporter).map_err(|error| explain_full_disk(&config.index_dir, error))
}

/// Below this many free bytes, an error writing the index is taken for a full disk (the
/// index writer's threads report one as "an index writer was killed").
const FULL_DISK_BYTES: u64 = 16 << 20;

/// An error writing to an index that sits on a disk with (almost) no room left, said as a
/// full disk; other errors as they are.
fn explain_full_disk(index_dir: &Path, error: anyhow::Error) -> anyhow::Error {
    let probe = if index_dir.exists() {
        index_dir
    } else {
        index_dir.parent().unwrap_or(Path::new("."))
    };
    explain_with_free_space(index_dir, error, crate::files::available_bytes(probe))
}

/// [`explain_full_disk`], given the free space.
fn explain_with_free_space(
    index_dir: &Path,
    error: anyhow::Error,
    free: Option<u64>,
) -> anyhow::Error {
    let writing = error.chain().any(|cause| {
        cause.downcast_ref::<tantivy::TantivyError>().is_some()
            || cause.downcast_ref::<std::io::Error>().is_some()
    });
    match free {
        Some(free) if writing && free < FULL_DISK_BYTES => anyhow::anyhow!(
            "the disk holding the index at {} is full ({} free): free some space and run again; the last commit is intact, and the next run removes what this one left",
            index_dir.display(),
            crate::wording::size(free)
        ),
        _ => error,
    }
}

fn run(config: &IndexRequest, reporter: &dyn Reporter) -> Result<IndexSummary> {
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
    NewsIndex::check_writable_folder(&config.index_dir)?;
    let _lock = IndexLock::acquire(&config.index_dir, config.wait, || {
        reporter.waiting(&config.index_dir)
    })?;
    let (index, info, previous) = open_for_run(config)?;
    let writer = index.writer(config.threads, config.memory_bytes)?;
    // Segment files of a run that failed (a full disk) or was killed before its commit.
    index.remove_orphan_files()?;
    let known = if config.full {
        HashSet::new()
    } else {
        article_ids(&index.searcher()?)?
    };
    let mut run = Run::new(&index, writer, &info, previous, known, config, reporter)?;
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
    let may_commit = |run: &Run| {
        !config.full && run.dirty && run.last_commit.elapsed() >= config.commit_interval
    };
    reporter.start(changed.len() as u64);
    for batch in batches(&changed) {
        // Small files are read and built together; each yields its first chunk here.
        let firsts: Vec<(RecordStream, Previous, BuiltChunk)> = batch
            .par_iter()
            .map(|changed| {
                let previous = Previous::of(
                    run.manifest.files.get(&changed.key),
                    run.previous.files.get(&changed.key),
                );
                let mut stream = ingest::open(&changed.file, &read_options);
                let built = build_chunk(stream.next_chunk(CHUNK_LIMITS), &previous, config.stories);
                (stream, previous, built)
            })
            .collect();
        for (changed, (mut stream, previous, first)) in batch.iter().zip(firsts) {
            let mut file = run.begin_file(changed, previous);
            let mut built = first;
            // The rest of a big file: a chunk at a time, committing on the way.
            let end = loop {
                if let Some(end) = run.apply_chunk(&mut file, built)? {
                    break end;
                }
                if may_commit(&run) {
                    run.commit(Some(&file))?;
                }
                built = build_chunk(
                    stream.next_chunk(CHUNK_LIMITS),
                    &file.previous,
                    config.stories,
                );
            };
            run.end_file(file, end);
            reporter.advance(1);
        }
        if may_commit(&run) {
            run.commit(None)?;
        }
    }
    if run.dirty || info.manifest.is_none() {
        run.commit(None)?;
    } else {
        // Nothing changed; the alias table may still be missing if a run was killed
        // between its commit and saving it.
        aliases::save_for(&index, info.generation)?;
    }
    let mut summary = run.finish()?;
    reporter.finish();
    let stats = index.stats()?;
    summary.articles = stats.articles;
    summary.passages = stats.passages;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// Opens (or creates) the index for a run, with its last commit's payload and manifest.
/// `--full` over an index this version cannot read (another schema version, damaged
/// index files) rebuilds it in place: alerts stay, and the generations go on from the
/// old index's, so alert cursors keep their meaning and unchanged articles their seq.
fn open_for_run(config: &IndexRequest) -> Result<(NewsIndex, CommitInfo, Manifest)> {
    let dir = &config.index_dir;
    let index = match NewsIndex::open_or_create(dir) {
        Ok(index) => index,
        Err(error) if config.full && NewsIndex::is_unreadable_index(&error) => {
            let old = NewsIndex::foreign_commit_info(dir);
            let previous = Manifest::load(dir, &old).unwrap_or_default();
            let index = NewsIndex::recreate(dir, old.generation)?;
            let info = index.commit_info()?;
            return Ok((index, info, previous));
        }
        Err(error) => return Err(error),
    };
    let info = index.commit_info()?;
    manifest::remove_stale(index.dir(), info.manifest.as_deref());
    let previous = match Manifest::load(index.dir(), &info) {
        Ok(previous) => previous,
        // A rebuild does not need the old manifest; it only reuses its generations.
        Err(_) if config.full => Manifest::default(),
        Err(error) => return Err(error),
    };
    Ok((index, info, previous))
}

/// A walked file whose stamp differs from its manifest entry (or that has none).
struct Changed {
    file: SourceFile,
    key: String,
    stamp: Option<Stamp>,
}

/// The changed files in batches read together: at most [`BATCH_FILES`] files, and no
/// more once their sizes reach [`BATCH_BYTES`].
fn batches(changed: &[Changed]) -> Vec<&[Changed]> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, file) in changed.iter().enumerate() {
        if i > start && (i - start == BATCH_FILES || bytes >= BATCH_BYTES) {
            batches.push(&changed[start..i]);
            start = i;
            bytes = 0;
        }
        let size = file.stamp.map_or(0, |s| s.size);
        let gzipped = file
            .file
            .path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        bytes += if gzipped { size * GZIP_WEIGHT } else { size };
    }
    if start < changed.len() {
        batches.push(&changed[start..]);
    }
    batches
}

/// One chunk of a changed file, read and extracted.
struct BuiltChunk {
    /// Each record's outcome, with the hash of the record.
    records: Vec<(RecordOutcome, u64)>,
    /// Notes from reading, then from building (a date not understood).
    notes: Vec<Problem>,
    /// Records the reader left out.
    skipped: Vec<Problem>,
    /// Scrape-debris lines dropped from the articles built.
    boilerplate_lines: usize,
    end: Option<End>,
}

/// Builds the articles of a chunk's records (in parallel), except those unchanged.
fn build_chunk(chunk: Chunk, previous: &Previous, stories: bool) -> BuiltChunk {
    let Chunk {
        records,
        mut notes,
        skipped,
        end,
    } = chunk;
    let built: Vec<(RecordOutcome, u64, Option<Problem>, usize)> = records
        .par_iter()
        .map(|record| {
            let hash = record.content_hash();
            let id = article_id(record);
            let (reuse_seq, moved) = match previous.compare(id, record, hash) {
                Comparison::Same(same) => return (RecordOutcome::Same(same), hash, None, 0),
                Comparison::Moved(seq) => (Some(seq), true),
                Comparison::Changed(seq) => (seq, false),
            };
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
                    let sketch = stories.then(|| story_sketch(&article));
                    let outcome = RecordOutcome::Built {
                        article: Box::new(article),
                        sketch,
                        hash,
                        reuse_seq,
                        moved,
                    };
                    (outcome, hash, bad_date, notes.boilerplate_lines)
                }
                Err(Rejection::NoText) => {
                    let problem = Problem {
                        path: place,
                        reason: Rejection::NoText.to_string(),
                    };
                    (RecordOutcome::Rejected(problem), hash, None, 0)
                }
            }
        })
        .collect();
    let mut outcomes = Vec::with_capacity(built.len());
    let mut boilerplate_lines = 0;
    for (outcome, hash, note, dropped) in built {
        outcomes.push((outcome, hash));
        notes.extend(note);
        boilerplate_lines += dropped;
    }
    BuiltChunk {
        records: outcomes,
        notes,
        skipped,
        boilerplate_lines,
        end,
    }
}

/// A changed file while its chunks are written.
struct OpenFile<'c> {
    changed: &'c Changed,
    previous: Previous,
    /// The file's entry before this run, taken out of the manifest until the file ends.
    old: Option<FileEntry>,
    /// The articles the file yielded so far (written, or unchanged), in record order.
    articles: Vec<ArticleEntry>,
    /// Hash of the records read so far, in order.
    hash: Xxh3Default,
    records: usize,
}

impl OpenFile<'_> {
    /// The articles listed so far, then those of the old entry not met (they are still in
    /// the index).
    fn listed_with_unmet(&self) -> Vec<ArticleEntry> {
        let mut articles = self.articles.clone();
        if let Some(old) = &self.old {
            let met: HashSet<ArticleId> = self.articles.iter().map(|a| a.id).collect();
            articles.extend(old.articles.iter().filter(|a| !met.contains(&a.id)));
        }
        articles
    }

    /// The file's entry while it is being read: every article of it now in the index, and
    /// a stamp that makes the next run read the file again.
    fn unfinished_entry(&self) -> FileEntry {
        FileEntry {
            stamp: Stamp::default(),
            hash: 0,
            articles: self.listed_with_unmet(),
        }
    }
}

/// What story clustering keeps of an article.
fn story_sketch(article: &Article) -> StorySketch {
    let names: Vec<(EntityKind, &str)> = article
        .entities
        .iter()
        .map(|e| (e.kind, e.name.as_str()))
        .collect();
    stories::sketch(&StoryInput {
        id: article.id.0,
        date: article.date.map(|d| d.date()),
        source: article.source.as_deref(),
        title: &article.title,
        passages: &article.passages,
        entities: &names,
    })
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
    /// The stories, saved with every commit (none when the run keeps no stories).
    book: Option<StoryBook>,
    /// Generation of the next commit: articles written now carry it as their seq.
    generation: u64,
    /// The manifest as it will be committed.
    manifest: Manifest,
    /// The manifest of the last commit (a rebuild reuses the seq of unchanged articles).
    previous: Manifest,
    /// How many files yield each article id (an article goes when none does).
    contributors: HashMap<ArticleId, u32>,
    /// Article ids in the index (before this run, or added by it).
    known: HashSet<ArticleId>,
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
        known: HashSet<ArticleId>,
        config: &IndexRequest,
        reporter: &'a dyn Reporter,
    ) -> Result<Run<'a>> {
        // A rebuild starts from no stories; a run that goes on, from the last commit's.
        let book = if config.stories {
            Some(StoryBook::open(
                index.dir(),
                if config.full { 0 } else { info.generation },
            )?)
        } else {
            None
        };
        let manifest = if config.full {
            Manifest::default()
        } else {
            previous.clone()
        };
        let mut contributors: HashMap<ArticleId, u32> = HashMap::new();
        for entry in manifest.files.values() {
            for id in unique_ids(entry) {
                *contributors.entry(id).or_default() += 1;
            }
        }
        Ok(Run {
            index,
            writer,
            book,
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
        })
    }

    fn warn(&mut self, problem: &Problem, skipped: bool) {
        self.reporter.warn(problem);
        self.summary.warnings += 1;
        if skipped {
            self.summary.skipped += 1;
        }
    }

    /// One file fewer yields `id`; the article goes when no file yields it any more.
    fn release(&mut self, id: ArticleId) {
        let left = match self.contributors.get_mut(&id) {
            Some(count) => {
                *count = count.saturating_sub(1);
                *count
            }
            None => 0,
        };
        if left == 0 {
            self.contributors.remove(&id);
            self.writer.delete(id);
            if let Some(book) = self.book.as_mut() {
                book.remove(id.0);
            }
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

    /// Starts writing a changed file: its old entry leaves the manifest until it ends.
    fn begin_file<'c>(&mut self, changed: &'c Changed, previous: Previous) -> OpenFile<'c> {
        self.summary.read += 1;
        let old = self.manifest.files.remove(&changed.key);
        OpenFile {
            changed,
            previous,
            old,
            articles: Vec::new(),
            hash: Xxh3Default::new(),
            records: 0,
        }
    }

    /// Writes a chunk of a file; returns how the file ended when this was its last chunk.
    fn apply_chunk(&mut self, file: &mut OpenFile, chunk: BuiltChunk) -> Result<Option<End>> {
        for note in &chunk.notes {
            self.warn(note, false);
        }
        for skipped in &chunk.skipped {
            self.warn(skipped, true);
        }
        self.summary.boilerplate_lines += chunk.boilerplate_lines;
        for (record, record_hash) in chunk.records {
            file.hash.write_u64(record_hash);
            file.records += 1;
            match record {
                RecordOutcome::Same(same) => {
                    self.summary.unchanged += 1;
                    file.articles.push(same);
                }
                RecordOutcome::Built {
                    article,
                    sketch,
                    hash,
                    reuse_seq,
                    moved,
                } => {
                    let id = article.id;
                    let seq = reuse_seq.unwrap_or(self.generation);
                    // An article not in the index needs no delete (a queued delete holds
                    // memory until the commit: a kilobyte or two an article).
                    self.writer
                        .upsert(&article, seq, self.known.contains(&id))?;
                    if let (Some(book), Some(sketch)) = (self.book.as_mut(), sketch) {
                        book.upsert(sketch)?;
                    }
                    self.articles_changed = true;
                    self.dirty = true;
                    if self.known.insert(id) {
                        self.summary.added += 1;
                    } else if moved {
                        self.summary.unchanged += 1;
                    } else {
                        self.summary.updated += 1;
                    }
                    let place = Place::At(article.record);
                    file.articles.push(ArticleEntry {
                        id,
                        hash,
                        seq,
                        place,
                    });
                }
                RecordOutcome::Rejected(problem) => self.warn(&problem, true),
            }
        }
        Ok(chunk.end)
    }

    /// Ends a file: what it yielded is its entry, and what it no longer yields is retired.
    /// A file that could not be opened keeps its old entry. One whose reading stopped at an
    /// input error keeps the old articles it did not reach, under a stamp that makes the
    /// next run read it again.
    fn end_file(&mut self, file: OpenFile, end: End) {
        let changed = file.changed;
        let stdin = changed.file.is_stdin();
        let interrupted = match &end {
            End::Complete => false,
            End::Failed(failure) => {
                self.warn(failure, true);
                false
            }
            End::Unavailable(failure) => {
                self.warn(failure, true);
                // It could not be opened at all (it vanished, or permissions): its previous
                // articles stay until a later run can read it.
                if file.records == 0 {
                    if let Some(old) = file.old {
                        self.manifest.files.insert(changed.key.clone(), old);
                    }
                    return;
                }
                true
            }
            End::Interrupted(failure) => {
                self.warn(failure, true);
                true
            }
        };
        let hash = if interrupted || file.records == 0 {
            0
        } else {
            file.hash.finish()
        };
        let entry = FileEntry {
            stamp: if interrupted {
                Stamp::default()
            } else {
                changed.stamp.unwrap_or_default()
            },
            hash,
            // Articles piped in earlier stay, whether or not this input repeats them.
            articles: if interrupted || stdin {
                file.listed_with_unmet()
            } else {
                file.articles
            },
        };
        let old_ids: HashSet<ArticleId> = file.old.as_ref().map(unique_ids).unwrap_or_default();
        let new_ids = unique_ids(&entry);
        for id in new_ids.difference(&old_ids) {
            *self.contributors.entry(*id).or_default() += 1;
        }
        for id in old_ids.difference(&new_ids) {
            self.release(*id);
        }
        if file.old.as_ref() != Some(&entry) {
            self.dirty = true;
        }
        // A file that could not be stat-ed keeps no stamp, so the next run tries it again.
        if changed.stamp.is_some() || stdin || interrupted {
            self.manifest.files.insert(changed.key.clone(), entry);
        }
    }

    /// Writes the manifest, then commits with a payload naming it. A file being written
    /// (`open`) is listed with every article of it now in the index, under a stamp that
    /// makes the next run read it again, so that a run killed after this commit orphans
    /// nothing and the next one finishes the file.
    fn commit(&mut self, open: Option<&OpenFile>) -> Result<()> {
        if let Some(file) = open {
            let entry = file.unfinished_entry();
            self.manifest.files.insert(file.changed.key.clone(), entry);
        }
        let saved = self.manifest.save(self.index.dir(), self.generation);
        if let Some(file) = open {
            self.manifest.files.remove(&file.changed.key);
        }
        let name = saved?;
        // The story state is saved while the index writes its segments, and the commit
        // that names it follows both.
        let (dir, generation) = (self.index.dir(), self.generation);
        let book = self.book.as_mut();
        let manifest = &name;
        let stories = self.writer.commit_after(move || {
            let stories = match book {
                Some(book) => Some(book.save(dir, generation)?),
                None => None,
            };
            let info = CommitInfo {
                generation,
                manifest: Some(manifest.clone()),
                stories: stories.clone(),
            };
            Ok((stories, info.to_payload()))
        })?;
        manifest::remove_stale(self.index.dir(), Some(&name));
        // Leftovers of earlier commits; failing to remove them now is not an error, the
        // next commit tries again.
        match &stories {
            Some(name) => {
                let _ = stories::remove_stale(self.index.dir(), name);
            }
            None => stories::remove_all(self.index.dir()),
        }
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

fn unique_ids(entry: &FileEntry) -> HashSet<ArticleId> {
    entry.articles.iter().map(|a| a.id).collect()
}

#[cfg(test)]
mod tests;
