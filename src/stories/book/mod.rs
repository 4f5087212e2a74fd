//! The story book: the persistent story state in the index folder, changed by the one
//! index run that holds the index lock.
//!
//! Life of one index run: [`StoryBook::open`] the generation of the last commit,
//! [`upsert`](StoryBook::upsert) and [`remove`](StoryBook::remove) articles as extraction
//! goes (sketches wait in memory up to [`PENDING_MEMORY`], then in a scratch file, so
//! memory does not grow with the batch), then
//! [`save`](StoryBook::save) under the new generation *before* the index commit that
//! names the returned file, and [`remove_stale`] after that commit.
//!
//! Crash safety: a save writes only new files (partition files and the book file carry the
//! new generation in their names; each is written to a temporary file, fsynced and renamed,
//! and the folder is fsynced last), so until the index commit names the new book file the
//! last commit's files are untouched and complete. A run killed at any moment leaves at
//! worst unreferenced files, which [`remove_stale`] deletes.
//!
//! Determinism: the stored state is always what one clustering pass over the whole set in
//! canonical order produces ([`super::cluster_all`]). A save replays from the earliest
//! changed publication day `d0`: the window's earlier members (days `d0 - window` to `d0`)
//! are taken with their stored placements, which by induction equal the one-pass ones, and
//! every later article is placed again until an article is reached that lies more than a
//! window after the last change and after the last article whose placement changed. Such
//! an article sees exactly the window the stored pass saw, and so does every later one:
//! the replay stops there. Undated articles, clustered among themselves by text alone, are
//! replayed whole when one of them changes; which dated story an undated story joins is
//! recomputed at every save while undated articles exist, streaming the dated partitions.
//!
//! Memory: per article on disk, its sketch, story and arrival weights (about 400 bytes,
//! in monthly partition files) and a 32-byte row in the book file; in memory during a
//! save, the rows (24 bytes an article), the window's members (about 1 KB each), one
//! month's partition at a time, all undated articles when they change, and 32 bytes per
//! pending sketch; before a save, up to [`PENDING_MEMORY`] of pending sketches.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rustc_hash::{FxHashMap, FxHashSet};

use super::attach::Attacher;
use super::canonical_key;
use super::engine::{Params, Placement, Window};
use super::read::Stories;
use super::sketch::StorySketch;
use super::store::{
    book_name, encode_book, part_name, read_part, sync_dir, write_atomic, write_part, ArticleRow,
    BookContents, Manifest, PartKey, Stored, PREFIX,
};

/// Name of the scratch file of sketches received before a save.
const PENDING: &str = "stories-open.pending";

/// Bytes of sketches (counted with their allocations) a run holds in memory before the
/// next ones go to the scratch file: the articles of an ordinary run (about 28,000),
/// whose sketches then need no encoding, writing, reading and decoding. A bigger batch
/// (a million-article rebuild) sends the rest through the file and stays within its
/// memory bound.
pub const PENDING_MEMORY: usize = 16 << 20;

/// The persistent story state, opened for changes.
pub struct StoryBook {
    dir: PathBuf,
    params: Params,
    base: Stories,
    manifest: BTreeMap<PartKey, String>,
    pending: FxHashMap<u64, Option<PendingSketch>>,
    /// The sketches held in memory ([`Pending::Memory`] indexes it), and their size.
    in_memory: Vec<Option<StorySketch>>,
    memory: usize,
    memory_limit: usize,
    /// A save took the pending sketches and did not finish: they are gone.
    spent: bool,
    scratch: Option<BufWriter<File>>,
    scratch_len: u64,
}

#[derive(Clone, Copy)]
struct PendingSketch {
    day: Option<i32>,
    at: Pending,
}

/// Where a pending sketch waits.
#[derive(Clone, Copy)]
enum Pending {
    Memory(u32),
    Scratch { offset: u64, len: u32 },
}

/// About the bytes a sketch takes in memory, with its allocations.
fn approx_size(sketch: &StorySketch) -> usize {
    std::mem::size_of::<StorySketch>()
        + 2 * sketch.minhash.len()
        + 8 * (sketch.terms.len() + sketch.names.len())
        + sketch.source.as_ref().map_or(0, String::len)
        + 64
}

impl StoryBook {
    /// Opens the state saved under `generation` in `dir`; a missing state means an empty
    /// book (a new index, or `--full`).
    pub fn open(dir: &Path, generation: u64) -> Result<StoryBook> {
        let name = book_name(generation);
        let base = if dir.join(&name).exists() {
            Stories::load(dir, &name)?
        } else {
            Stories::empty()
        };
        let manifest = base.manifest()?.parts.into_iter().collect();
        Ok(StoryBook {
            dir: dir.to_path_buf(),
            params: Params::default(),
            base,
            manifest,
            pending: FxHashMap::default(),
            in_memory: Vec::new(),
            memory: 0,
            memory_limit: PENDING_MEMORY,
            spent: false,
            scratch: None,
            scratch_len: 0,
        })
    }

    /// Holds at most `bytes` of pending sketches in memory (tests of the scratch file).
    pub fn with_pending_memory(mut self, bytes: usize) -> StoryBook {
        self.memory_limit = bytes;
        self
    }

    /// Uses other clustering parameters (for evaluation; an index keeps the defaults, as
    /// the stored state is only reproducible with the parameters that made it).
    pub fn with_params(mut self, params: Params) -> StoryBook {
        self.params = params;
        self
    }

    /// The state as of the last save (or open).
    pub fn stories(&self) -> &Stories {
        &self.base
    }

    /// Adds an article or replaces its earlier version.
    pub fn upsert(&mut self, sketch: StorySketch) -> Result<()> {
        let (id, day) = (sketch.id, sketch.day);
        let replaced = self.pending.get(&id).copied();
        self.release(replaced);
        let size = approx_size(&sketch);
        let at = if self.memory + size <= self.memory_limit {
            self.memory += size;
            self.in_memory.push(Some(sketch));
            Pending::Memory(u32::try_from(self.in_memory.len() - 1)?)
        } else {
            self.write_scratch(&sketch)?
        };
        self.pending.insert(id, Some(PendingSketch { day, at }));
        Ok(())
    }

    /// Appends a sketch to the scratch file.
    fn write_scratch(&mut self, sketch: &StorySketch) -> Result<Pending> {
        let bytes = postcard::to_allocvec(sketch).context("encoding a story sketch")?;
        let path = self.dir.join(PENDING);
        if self.scratch.is_none() {
            let file =
                File::create(&path).with_context(|| format!("creating {}", path.display()))?;
            self.scratch = Some(BufWriter::new(file));
            self.scratch_len = 0;
        }
        if let Some(scratch) = self.scratch.as_mut() {
            scratch
                .write_all(&bytes)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        let at = Pending::Scratch {
            offset: self.scratch_len,
            len: u32::try_from(bytes.len())?,
        };
        self.scratch_len += bytes.len() as u64;
        Ok(at)
    }

    /// Removes an article (a no-op for an article the book does not hold).
    pub fn remove(&mut self, article: u64) {
        let replaced = self.pending.insert(article, None);
        self.release(replaced);
    }

    /// Frees the memory of a replaced pending version held in memory (one in the scratch
    /// file stays there unread).
    fn release(&mut self, replaced: Option<Option<PendingSketch>>) {
        if let Some(Some(PendingSketch {
            at: Pending::Memory(i),
            ..
        })) = replaced
        {
            if let Some(old) = self.in_memory[i as usize].take() {
                self.memory -= approx_size(&old);
            }
        }
    }

    /// Re-clusters what changed and writes the new state under `generation` (which must be
    /// newer than the opened one), returning the book file's name for the commit to record.
    pub fn save(&mut self, dir: &Path, generation: u64) -> Result<String> {
        if generation <= self.base.generation() && self.base.article_count() > 0 {
            bail!(
                "story generation {generation} is not newer than {}",
                self.base.generation()
            );
        }
        if self.spent {
            bail!("an earlier story save failed after taking the pending articles; open the book again and redo its changes");
        }
        self.spent = true;
        let upserts = self.read_pending()?;
        let sources = self.base.source_table();
        let source_index: FxHashMap<String, u32> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let mut save = Save {
            dir,
            generation,
            params: self.params,
            manifest: self.manifest.clone(),
            touched: self.pending.keys().copied().collect(),
            rows: FxHashMap::default(),
            sources,
            source_index,
        };
        let old_days: Vec<Option<i32>> = self
            .pending
            .keys()
            .filter_map(|&id| self.base_row(id).map(|r| r.day))
            .collect();
        let new_days = upserts.days();
        let days: Vec<Option<i32>> = old_days.into_iter().chain(new_days).collect();
        let dated: Vec<i32> = days.iter().filter_map(|d| *d).collect();
        if let (Some(&first), Some(&last)) = (dated.iter().min(), dated.iter().max()) {
            save.replay_dated(first, last, &upserts)?;
        }
        if days.iter().any(Option::is_none) {
            save.replay_undated(upserts.load(PartKey::Undated)?)?;
        }
        save.attach_undated()?;

        let mut updates = std::mem::take(&mut save.rows);
        let sources = std::mem::take(&mut save.sources);
        let mut rows: Vec<ArticleRow> = Vec::with_capacity(self.base.article_count());
        for row in self.base.rows() {
            match updates.remove(&row.article) {
                Some(update) => rows.push(update.row()),
                None if save.touched.contains(&row.article) => {}
                None => rows.push(row),
            }
        }
        for update in updates.into_values() {
            rows.push(update.row());
        }
        rows.sort_unstable_by_key(|r| r.article);
        let public = sticky_ids(&self.base, &rows);

        let manifest = Manifest {
            parts: save.manifest.clone().into_iter().collect(),
        };
        let name = book_name(generation);
        let base = &self.base;
        let bytes = encode_book(&BookContents {
            generation,
            articles: &rows,
            sources: &sources,
            public: &|canonical| public.get(&canonical).copied().unwrap_or(canonical),
            created: &|id| base.created(id),
            manifest: &manifest,
        })?;
        write_atomic(dir, &name, &bytes)?;
        sync_dir(dir)?;

        self.base = Stories::load(dir, &name)?;
        self.manifest = save.manifest;
        self.pending.clear();
        self.in_memory.clear();
        self.memory = 0;
        self.spent = false;
        self.scratch = None;
        self.scratch_len = 0;
        let _ = fs::remove_file(self.dir.join(PENDING));
        self.dir = dir.to_path_buf();
        Ok(name)
    }

    fn base_row(&self, article: u64) -> Option<ArticleRow> {
        self.base.row(article)
    }

    /// Where the pending sketches lie, by partition (each partition is read when the
    /// replay reaches it, so a save holds one partition's new sketches at a time).
    fn read_pending(&mut self) -> Result<PendingParts> {
        let path = self.dir.join(PENDING);
        if let Some(mut scratch) = self.scratch.take() {
            scratch
                .flush()
                .with_context(|| format!("writing {}", path.display()))?;
        }
        let mut parts: BTreeMap<PartKey, PendingPart> = BTreeMap::new();
        let mut days = Vec::with_capacity(self.pending.len());
        for entry in self.pending.values().flatten() {
            let part = parts.entry(PartKey::of_day(entry.day)).or_default();
            days.push(entry.day);
            match entry.at {
                Pending::Memory(i) => part
                    .memory
                    .extend(self.in_memory.get_mut(i as usize).and_then(Option::take)),
                Pending::Scratch { offset, len } => part.scratch.push((offset, len)),
            }
        }
        self.in_memory.clear();
        self.memory = 0;
        let file = if self.scratch_len == 0 {
            None
        } else {
            Some(File::open(&path).with_context(|| format!("opening {}", path.display()))?)
        };
        let parts = parts
            .into_iter()
            .map(|(key, part)| (key, std::sync::Mutex::new(part)))
            .collect();
        Ok(PendingParts {
            path,
            file,
            days,
            parts,
        })
    }
}

/// The pending sketches of a save, by partition, read from the scratch file on demand.
struct PendingParts {
    path: PathBuf,
    file: Option<File>,
    /// The publication day of every pending sketch.
    days: Vec<Option<i32>>,
    /// Each partition's sketches, handed over (and emptied) by [`load`](PendingParts::load).
    parts: BTreeMap<PartKey, std::sync::Mutex<PendingPart>>,
}

/// One partition's pending sketches: those held in memory, and where the others lie in
/// the scratch file.
#[derive(Default)]
struct PendingPart {
    memory: Vec<StorySketch>,
    scratch: Vec<(u64, u32)>,
}

impl PendingParts {
    fn keys(&self) -> impl Iterator<Item = &PartKey> + '_ {
        self.parts.keys()
    }

    fn days(&self) -> impl Iterator<Item = Option<i32>> + '_ {
        self.days.iter().copied()
    }

    /// A partition's pending sketches in canonical order (`None`: it has none). Each
    /// partition is loaded once: its sketches held in memory are handed over.
    fn load(&self, key: PartKey) -> Result<Option<Vec<StorySketch>>> {
        let Some(part) = self.parts.get(&key) else {
            return Ok(None);
        };
        let mut part = match part.lock() {
            Ok(part) => part,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut sketches = std::mem::take(&mut part.memory);
        sketches.reserve(part.scratch.len());
        let mut buf = Vec::new();
        for &(offset, len) in &part.scratch {
            let Some(file) = self.file.as_ref() else {
                bail!("{} is missing", self.path.display());
            };
            buf.resize(len as usize, 0);
            file.read_exact_at(&mut buf, offset)
                .with_context(|| format!("reading {}", self.path.display()))?;
            let sketch: StorySketch = postcard::from_bytes(&buf)
                .with_context(|| format!("decoding {}", self.path.display()))?;
            sketches.push(sketch);
        }
        sketches.sort_by_key(canonical_key);
        Ok(Some(sketches))
    }
}

/// The ids stories show, where they differ from the canonical ones (the key of the
/// story's first article in canonical order, which a one-pass clustering gives): a story
/// keeps the id it had while the article that id names is still in it, so an article
/// that joins a story (even one dated earlier, or the same day with a smaller key) never
/// changes the story's id. Where a story holds the id articles of several earlier
/// stories (they merged), it keeps the oldest story's id (then the smallest). Ids stay
/// unique: each names an article of its own story.
fn sticky_ids(base: &Stories, rows: &[ArticleRow]) -> FxHashMap<u64, u64> {
    let mut chosen: FxHashMap<u64, (u64, u64)> = FxHashMap::default(); // canonical → (created, id)
    for (shown, _, created) in base.ids() {
        let Ok(i) = rows.binary_search_by_key(&shown, |r| r.article) else {
            continue;
        };
        let candidate = (created, shown);
        chosen
            .entry(rows[i].story)
            .and_modify(|c| *c = (*c).min(candidate))
            .or_insert(candidate);
    }
    chosen
        .into_iter()
        .filter(|(canonical, (_, shown))| canonical != shown)
        .map(|(canonical, (_, shown))| (canonical, shown))
        .collect()
}

/// A changed placement, to become a book row (its source as an index into the source
/// table, so that a save re-placing a million articles holds no string for each).
struct Update {
    article: u64,
    story: u64,
    day: Option<i32>,
    source: Option<u32>,
}

impl Update {
    fn row(self) -> ArticleRow {
        ArticleRow {
            article: self.article,
            story: self.story,
            day: self.day,
            source: self.source,
        }
    }
}

/// The stored records of a partition (in the file `stored` names), without the touched
/// articles, plus the upserted ones, in canonical order; and whether that differs from
/// what is stored.
fn partition_records(
    dir: &Path,
    stored: Option<&str>,
    touched: &FxHashSet<u64>,
    upserts: Option<Vec<StorySketch>>,
) -> Result<(Vec<Stored>, bool)> {
    let stored = match stored {
        Some(name) => read_part(dir, name)?,
        None => Vec::new(),
    };
    let before = stored.len();
    let mut records: Vec<Stored> = stored
        .into_iter()
        .filter(|r| !touched.contains(&r.sketch.id))
        .collect();
    let changed = records.len() != before || upserts.as_ref().is_some_and(|u| !u.is_empty());
    for sketch in upserts.into_iter().flatten() {
        records.push(Stored {
            sketch,
            story: 0,
            weights: Vec::new(),
        });
    }
    records.sort_by_key(|r| canonical_key(&r.sketch));
    Ok((records, changed))
}

/// A partition read for a replay: its key, its records, and whether they changed.
type LoadedPartition = (PartKey, (Vec<Stored>, bool));

/// The work of one save.
struct Save<'a> {
    dir: &'a Path,
    generation: u64,
    params: Params,
    manifest: BTreeMap<PartKey, String>,
    /// Articles upserted or removed in this save.
    touched: FxHashSet<u64>,
    /// New placements, by article.
    rows: FxHashMap<u64, Update>,
    /// The source table, grown as updates name new sources.
    sources: Vec<String>,
    source_index: FxHashMap<String, u32>,
}

impl Save<'_> {
    /// Records a new placement.
    fn update(&mut self, stored: &Stored) {
        let source = stored.sketch.source.as_ref().map(|s| {
            if let Some(&i) = self.source_index.get(s) {
                return i;
            }
            self.sources.push(s.clone());
            let i = (self.sources.len() - 1) as u32;
            self.source_index.insert(s.clone(), i);
            i
        });
        self.rows.insert(
            stored.sketch.id,
            Update {
                article: stored.sketch.id,
                story: stored.story,
                day: stored.sketch.day,
                source,
            },
        );
    }

    /// [`partition_records`] of this save.
    fn records(
        &self,
        key: PartKey,
        upserts: Option<Vec<StorySketch>>,
    ) -> Result<(Vec<Stored>, bool)> {
        let stored = self.manifest.get(&key).map(String::as_str);
        partition_records(self.dir, stored, &self.touched, upserts)
    }

    fn write(&mut self, key: PartKey, records: &[Stored]) -> Result<()> {
        match self.name_part(key, records) {
            Some(name) => write_part(self.dir, &name, records),
            None => Ok(()),
        }
    }

    /// Records in the manifest the file a partition's records go to (`None`: the
    /// partition is empty, and leaves the manifest).
    fn name_part(&mut self, key: PartKey, records: &[Stored]) -> Option<String> {
        if records.is_empty() {
            self.manifest.remove(&key);
            return None;
        }
        let name = part_name(self.generation, key);
        self.manifest.insert(key, name.clone());
        Some(name)
    }

    /// Replays dated articles from the first changed day (see the module comment).
    ///
    /// Reading and decoding the next partition and writing the last one happen on two
    /// other threads while this one clusters, each handing over one partition at a
    /// time: a save holds at most three partitions' records (one read ahead, the one
    /// clustered, one being written).
    fn replay_dated(
        &mut self,
        first_change: i32,
        last_change: i32,
        upserts: &PendingParts,
    ) -> Result<()> {
        let span = self.params.window_days;
        let start = PartKey::of_day(Some(first_change - span));
        let keys: BTreeSet<PartKey> = self
            .manifest
            .keys()
            .chain(upserts.keys())
            .copied()
            .filter(|k| *k >= start && *k != PartKey::Undated)
            .collect();
        let stored: Vec<(PartKey, Option<String>)> = keys
            .into_iter()
            .map(|key| (key, self.manifest.get(&key).cloned()))
            .collect();
        let touched = std::mem::take(&mut self.touched);
        let dir = self.dir;
        let result = std::thread::scope(|scope| {
            let (loaded_tx, loaded) = std::sync::mpsc::sync_channel(0);
            let touched = &touched;
            scope.spawn(move || {
                for (key, name) in stored {
                    let records = upserts
                        .load(key)
                        .and_then(|u| partition_records(dir, name.as_deref(), touched, u));
                    let failed = records.is_err();
                    if loaded_tx.send(records.map(|r| (key, r))).is_err() || failed {
                        break;
                    }
                }
            });
            let (write_tx, to_write) = std::sync::mpsc::sync_channel::<(String, Vec<Stored>)>(0);
            let writer = scope.spawn(move || -> Result<()> {
                for (name, records) in to_write {
                    write_part(dir, &name, &records)?;
                }
                Ok(())
            });
            let replayed = self.replay_loaded(
                loaded,
                touched,
                first_change,
                last_change,
                |save, key, out| {
                    match save.name_part(key, &out) {
                        // A failed send means the writer stopped on an error, which its
                        // join reports.
                        Some(name) => write_tx.send((name, out)).is_ok(),
                        None => true,
                    }
                },
            );
            drop(write_tx);
            let written = match writer.join() {
                Ok(written) => written,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            written.and(replayed)
        });
        self.touched = touched;
        result
    }

    /// The clustering of [`replay_dated`](Save::replay_dated), over partitions as they
    /// arrive; `write` takes each changed partition's records (false: stop).
    fn replay_loaded(
        &mut self,
        loaded: std::sync::mpsc::Receiver<Result<LoadedPartition>>,
        touched: &FxHashSet<u64>,
        first_change: i32,
        last_change: i32,
        mut write: impl FnMut(&mut Self, PartKey, Vec<Stored>) -> bool,
    ) -> Result<()> {
        let span = self.params.window_days;
        let mut window = Window::dated(self.params);
        let mut last_difference = last_change;
        let mut converged = false;
        for partition in loaded {
            if converged {
                break;
            }
            let (key, (records, mut changed)) = partition?;
            let mut out = Vec::with_capacity(records.len());
            for mut record in records {
                let Some(day) = record.sketch.day else {
                    continue;
                };
                if converged || day < first_change {
                    if !converged {
                        window.slide_to(day);
                        window.admit(&record.sketch, &record.placement());
                    }
                    out.push(record);
                    continue;
                }
                if day > last_difference + span {
                    converged = true;
                    out.push(record);
                    continue;
                }
                window.slide_to(day);
                let placement: Placement = window.place(&record.sketch);
                window.admit(&record.sketch, &placement);
                let is_new = touched.contains(&record.sketch.id);
                if is_new || placement != record.placement() {
                    last_difference = last_difference.max(day);
                    record.story = placement.story;
                    record.weights = placement.weights;
                    self.update(&record);
                    changed = true;
                }
                out.push(record);
            }
            if changed && !write(self, key, out) {
                break;
            }
        }
        Ok(())
    }

    /// Replays all undated articles.
    fn replay_undated(&mut self, upserts: Option<Vec<StorySketch>>) -> Result<()> {
        let key = PartKey::Undated;
        let (mut records, mut changed) = self.records(key, upserts)?;
        let mut window = Window::undated(self.params, records.iter().map(|r| &r.sketch));
        for record in &mut records {
            let placement = window.place(&record.sketch);
            window.admit(&record.sketch, &placement);
            if self.touched.contains(&record.sketch.id) || placement != record.placement() {
                record.story = placement.story;
                record.weights = placement.weights;
                self.update(record);
                changed = true;
            }
        }
        if changed {
            self.write(key, &records)?;
        }
        Ok(())
    }
}

impl Save<'_> {
    /// Places undated stories in dated ones ([`super::attach`]): recomputed at every save
    /// while there are undated articles, as any dated change may move them.
    fn attach_undated(&mut self) -> Result<()> {
        let Some(name) = self.manifest.get(&PartKey::Undated) else {
            return Ok(());
        };
        let undated = read_part(self.dir, name)?;
        let mut attacher = Attacher::default();
        for record in &undated {
            attacher.add_undated(&record.sketch, &record.placement());
        }
        for (key, name) in &self.manifest {
            if *key == PartKey::Undated {
                continue;
            }
            for record in read_part(self.dir, name)? {
                attacher.add_dated(&record.sketch, &record.placement());
            }
        }
        let attach = attacher.finish(self.params);
        for mut record in undated {
            record.story = attach.get(&record.story).copied().unwrap_or(record.story);
            self.update(&record);
        }
        Ok(())
    }
}

/// Deletes the story files of other generations than the one named `keep` (a book file
/// name returned by [`StoryBook::save`] and recorded by the last commit), keeping the
/// partition files it refers to. Returns how many files it deleted. Call it after the
/// commit, from the run that holds the index lock.
pub fn remove_stale(dir: &Path, keep: &str) -> Result<usize> {
    let kept = Stories::load(dir, keep)?;
    let mut live: FxHashSet<String> = kept.manifest()?.parts.into_iter().map(|p| p.1).collect();
    live.insert(keep.to_string());
    let mut removed = 0;
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(PREFIX) || live.contains(&name) {
            continue;
        }
        let path = entry.path();
        fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        removed += 1;
    }
    Ok(removed)
}

/// Deletes every story file in `dir` (an index that keeps no stories); what cannot be
/// removed now is left for a later run.
pub fn remove_all(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests;
