//! The story book: the persistent story state in the index folder, changed by the one
//! index run that holds the index lock.
//!
//! Life of one index run: [`StoryBook::open`] the generation of the last commit,
//! [`upsert`](StoryBook::upsert) and [`remove`](StoryBook::remove) articles as extraction
//! goes (sketches wait in a scratch file, so memory does not grow with the batch), then
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
//! pending sketch.

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

/// The persistent story state, opened for changes.
pub struct StoryBook {
    dir: PathBuf,
    params: Params,
    base: Stories,
    manifest: BTreeMap<PartKey, String>,
    pending: FxHashMap<u64, Option<PendingSketch>>,
    scratch: Option<BufWriter<File>>,
    scratch_len: u64,
}

#[derive(Clone, Copy)]
struct PendingSketch {
    day: Option<i32>,
    offset: u64,
    len: u32,
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
            scratch: None,
            scratch_len: 0,
        })
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
    pub fn upsert(&mut self, sketch: &StorySketch) -> Result<()> {
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
        self.pending.insert(
            sketch.id,
            Some(PendingSketch {
                day: sketch.day,
                offset: self.scratch_len,
                len: u32::try_from(bytes.len())?,
            }),
        );
        self.scratch_len += bytes.len() as u64;
        Ok(())
    }

    /// Removes an article (a no-op for an article the book does not hold).
    pub fn remove(&mut self, article: u64) {
        self.pending.insert(article, None);
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
        self.scratch = None;
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
        let mut parts: BTreeMap<PartKey, Vec<PendingSketch>> = BTreeMap::new();
        for entry in self.pending.values().flatten() {
            parts
                .entry(PartKey::of_day(entry.day))
                .or_default()
                .push(*entry);
        }
        let file = if parts.is_empty() {
            None
        } else {
            Some(File::open(&path).with_context(|| format!("opening {}", path.display()))?)
        };
        Ok(PendingParts { path, file, parts })
    }
}

/// The pending sketches of a save, by partition, read from the scratch file on demand.
struct PendingParts {
    path: PathBuf,
    file: Option<File>,
    parts: BTreeMap<PartKey, Vec<PendingSketch>>,
}

impl PendingParts {
    fn keys(&self) -> impl Iterator<Item = &PartKey> + '_ {
        self.parts.keys()
    }

    fn days(&self) -> impl Iterator<Item = Option<i32>> + '_ {
        self.parts.values().flatten().map(|entry| entry.day)
    }

    /// A partition's pending sketches in canonical order (`None`: it has none).
    fn load(&self, key: PartKey) -> Result<Option<Vec<StorySketch>>> {
        let (Some(entries), Some(file)) = (self.parts.get(&key), self.file.as_ref()) else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        let mut sketches = Vec::with_capacity(entries.len());
        for entry in entries {
            buf.resize(entry.len as usize, 0);
            file.read_exact_at(&mut buf, entry.offset)
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

    /// The stored records of a partition, without the touched articles, plus the
    /// upserted ones, in canonical order; and whether that differs from what is stored.
    fn records(
        &self,
        key: PartKey,
        upserts: Option<Vec<StorySketch>>,
    ) -> Result<(Vec<Stored>, bool)> {
        let stored = match self.manifest.get(&key) {
            Some(name) => read_part(self.dir, name)?,
            None => Vec::new(),
        };
        let before = stored.len();
        let mut records: Vec<Stored> = stored
            .into_iter()
            .filter(|r| !self.touched.contains(&r.sketch.id))
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

    fn write(&mut self, key: PartKey, records: &[Stored]) -> Result<()> {
        if records.is_empty() {
            self.manifest.remove(&key);
            return Ok(());
        }
        let name = part_name(self.generation, key);
        write_part(self.dir, &name, records)?;
        self.manifest.insert(key, name);
        Ok(())
    }

    /// Replays dated articles from the first changed day (see the module comment).
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
        let mut window = Window::dated(self.params);
        let mut last_difference = last_change;
        let mut converged = false;
        for key in keys {
            if converged {
                break;
            }
            let (records, mut changed) = self.records(key, upserts.load(key)?)?;
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
                let is_new = self.touched.contains(&record.sketch.id);
                if is_new || placement != record.placement() {
                    last_difference = last_difference.max(day);
                    record.story = placement.story;
                    record.weights = placement.weights;
                    self.update(&record);
                    changed = true;
                }
                out.push(record);
            }
            if changed {
                self.write(key, &out)?;
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
mod tests {
    use super::*;
    use crate::extract::entities::EntityKind;
    use crate::stories::{cluster_all, sketch, StoryId, StoryInput};
    use chrono::NaiveDate;

    /// A small corpus: two outlets on one flood, a wire copy of one of them, the same
    /// mayor in two different events three weeks apart, an unrelated market report, and
    /// two undated copies.
    const FLOOD_A: &str = "Floodwater swept through the town of Ballinrobe on Tuesday after \
        the River Robe burst its banks, forcing hundreds of residents from their homes. \
        Rescue crews in boats searched flooded streets, and the county council opened an \
        emergency shelter in the sports hall.";
    const FLOOD_B: &str = "Hundreds of Ballinrobe residents were evacuated when the River Robe \
        burst its banks overnight. Council rescue crews used boats to reach flooded streets \
        and an emergency shelter was opened at the local sports hall, officials said.";
    const MAYOR_BRIDGE: &str = "Mayor Aoife Brennan opened the new pedestrian bridge over the \
        harbour on Monday, cutting a ribbon before a crowd of schoolchildren. The bridge took \
        two years to build and links the ferry terminal with the old market square.";
    const MAYOR_RESIGNS: &str = "Aoife Brennan resigned as mayor on Friday after auditors found \
        irregular payments in the council budget. Opposition councillors had demanded an \
        inquiry into the accounts, and a caretaker will chair meetings until an election.";
    const MARKET: &str = "Copper prices rose to a three-month high on the London Metal Exchange \
        as warehouse stocks fell and traders bet on stronger demand from smelters in China.";
    const QUAKE: &str = "A magnitude 6.1 earthquake shook the island of Crete before dawn, \
        cracking walls in Heraklion and sending tourists into the streets, but no injuries \
        were reported, the seismological institute said.";

    struct Doc {
        id: u64,
        day: Option<u32>,
        source: &'static str,
        text: String,
        person: Option<&'static str>,
    }

    fn doc(id: u64, day: Option<u32>, source: &'static str, text: &str) -> Doc {
        Doc {
            id,
            day,
            source,
            text: text.to_string(),
            person: None,
        }
    }

    fn corpus() -> Vec<Doc> {
        let mut docs = vec![
            doc(11, Some(3), "Western People", FLOOD_A),
            doc(12, Some(3), "Irish Wire", FLOOD_B),
            doc(
                13,
                Some(4),
                "Daily Copy",
                &FLOOD_A.replace("hundreds", "300"),
            ),
            doc(21, Some(2), "Harbour News", MAYOR_BRIDGE),
            doc(22, Some(23), "Harbour News", MAYOR_RESIGNS),
            doc(31, Some(3), "Metals Daily", MARKET),
            doc(41, None, "Quake Wire", QUAKE),
            doc(
                42,
                None,
                "Quake Copy",
                &QUAKE.replace("before dawn", "at dawn"),
            ),
        ];
        docs[3].person = Some("Aoife Brennan");
        docs[4].person = Some("Aoife Brennan");
        docs
    }

    fn sketch_of(d: &Doc) -> StorySketch {
        let passages = vec![d.text.clone()];
        let entities: Vec<(EntityKind, &str)> =
            d.person.iter().map(|p| (EntityKind::Person, *p)).collect();
        sketch(&StoryInput {
            id: d.id,
            date: d.day.and_then(|day| NaiveDate::from_ymd_opt(2024, 3, day)),
            source: Some(d.source),
            title: "",
            passages: &passages,
            entities: &entities,
        })
    }

    fn assignment(stories: &Stories, ids: &[u64]) -> Vec<Option<StoryId>> {
        ids.iter().map(|&id| stories.story_of(id)).collect()
    }

    /// Which articles share a story, whatever the ids: each article's story named by the
    /// position of its story's first article in the list.
    fn grouping(assignment: &[Option<StoryId>]) -> Vec<Option<usize>> {
        assignment
            .iter()
            .map(|story| story.map(|s| assignment.iter().position(|t| *t == Some(s)).unwrap()))
            .collect()
    }

    fn one_pass(docs: &[Doc]) -> Vec<Option<StoryId>> {
        let sketches: Vec<StorySketch> = docs.iter().map(sketch_of).collect();
        cluster_all(&sketches, Params::default())
            .into_iter()
            .map(Some)
            .collect()
    }

    /// A book holding `docs`, saved as generation 1.
    fn saved_book<'a>(dir: &Path, docs: impl IntoIterator<Item = &'a Doc>) -> StoryBook {
        let mut book = StoryBook::open(dir, 0).unwrap();
        for d in docs {
            book.upsert(&sketch_of(d)).unwrap();
        }
        book.save(dir, 1).unwrap();
        book
    }

    fn ids(docs: &[Doc]) -> Vec<u64> {
        docs.iter().map(|d| d.id).collect()
    }

    #[test]
    fn copies_and_two_outlets_group_and_other_events_stay_apart() {
        let docs = corpus();
        let stories = one_pass(&docs);
        let story = |id: u64| stories[docs.iter().position(|d| d.id == id).unwrap()];
        assert_eq!(story(12), story(11), "two outlets on one flood");
        assert_eq!(story(13), story(11), "a wire copy");
        assert_eq!(
            story(11),
            Some(StoryId(11)),
            "founded by the earliest article"
        );
        assert_ne!(story(21), story(22), "the same mayor in two events");
        assert_ne!(story(31), story(11));
        assert_eq!(story(41), story(42), "undated copies");
        assert_ne!(story(41), story(11));
    }

    #[test]
    fn shuffled_incremental_saves_equal_one_pass() {
        let docs = corpus();
        let expected = one_pass(&docs);
        let mut seed = 7u64;
        for round in 0..6 {
            let dir = tempfile::tempdir().unwrap();
            let mut order: Vec<usize> = (0..docs.len()).collect();
            for i in (1..order.len()).rev() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                order.swap(i, (seed >> 33) as usize % (i + 1));
            }
            let mut generation = 0;
            let mut book = StoryBook::open(dir.path(), generation).unwrap();
            for chunk in order.chunks(1 + round % 3) {
                for &i in chunk {
                    book.upsert(&sketch_of(&docs[i])).unwrap();
                }
                generation += 1;
                let name = book.save(dir.path(), generation).unwrap();
                remove_stale(dir.path(), &name).unwrap();
                book = StoryBook::open(dir.path(), generation).unwrap();
            }
            let found = assignment(book.stories(), &ids(&docs));
            assert_eq!(grouping(&found), grouping(&expected), "order {order:?}");
            // Every id names an article of its own story.
            for story in found.iter().flatten() {
                assert_eq!(book.stories().story_of(story.0), Some(*story));
            }
        }
    }

    #[test]
    fn removing_and_re_adding_gives_the_one_pass_result() {
        let docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = saved_book(dir.path(), &docs);
        book.remove(11);
        book.remove(41);
        book.save(dir.path(), 2).unwrap();
        let rest: Vec<Doc> = corpus()
            .into_iter()
            .filter(|d| d.id != 11 && d.id != 41)
            .collect();
        assert_eq!(
            grouping(&assignment(book.stories(), &ids(&rest))),
            grouping(&one_pass(&rest))
        );
        assert_eq!(
            book.stories().story_of(11),
            None,
            "a removed article leaves"
        );
        book.upsert(&sketch_of(&docs[0])).unwrap();
        book.upsert(&sketch_of(&docs[6])).unwrap();
        book.save(dir.path(), 3).unwrap();
        assert_eq!(
            grouping(&assignment(book.stories(), &ids(&docs))),
            grouping(&one_pass(&docs))
        );
    }

    #[test]
    fn counting_stories_agrees_with_looking_each_article_up() {
        let docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = StoryBook::open(dir.path(), 0).unwrap();
        // Many articles, so that a few keys take the one-by-one path and many the merge.
        for extra in 0..40u64 {
            let text =
                format!("Unrelated item {extra} about harvest number {extra} in county {extra}.");
            book.upsert(&sketch_of(&doc(
                1000 + extra * 7919,
                Some(100 + extra as u32 * 40),
                "Extra",
                &text,
            )))
            .unwrap();
        }
        for d in &docs {
            book.upsert(&sketch_of(d)).unwrap();
        }
        book.save(dir.path(), 1).unwrap();
        let stories = book.stories();
        let expected = |keys: &[u64]| {
            keys.iter()
                .map(|&k| stories.story_of(k).map_or(k, |s| s.0))
                .collect::<std::collections::HashSet<u64>>()
                .len()
        };
        let mut all: Vec<u64> = ids(&docs);
        all.extend((0..40u64).map(|e| 1000 + e * 7919));
        all.push(5); // an article outside any story counts as its own
        all.sort_unstable();
        for keys in [
            &all[..],
            &all[..3],
            &[11, 12, 13][..],
            &[5, 11][..],
            &[5][..],
            &[][..],
        ] {
            assert_eq!(stories.count_stories(keys), expected(keys), "{keys:?}");
        }
    }

    #[test]
    fn an_earlier_or_smaller_article_joining_a_story_keeps_its_id() {
        let docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 12));
        let flood = book.stories().story_of(11).unwrap();
        assert_eq!(flood, StoryId(11));
        let created = book.stories().story(flood).unwrap().created_generation;
        // The same day, a smaller key: in one pass it would found the story (id 5).
        let mut same_day = doc(5, Some(3), "Irish Wire", FLOOD_B);
        same_day.person = None;
        // A day earlier: in one pass it would found the story too.
        let earlier = doc(
            6,
            Some(2),
            "Early Wire",
            &FLOOD_A.replace("hundreds", "many"),
        );
        book.upsert(&sketch_of(&same_day)).unwrap();
        book.upsert(&sketch_of(&earlier)).unwrap();
        book.save(dir.path(), 2).unwrap();
        let stories = book.stories();
        assert_eq!(stories.story_of(5), Some(flood), "joins without a new id");
        assert_eq!(stories.story_of(6), Some(flood), "joins without a new id");
        assert_eq!(stories.story_of(11), Some(flood));
        let info = stories.story(flood).unwrap();
        assert_eq!(
            info.created_generation, created,
            "the same story, not a new one"
        );
        assert_eq!(info.size, 4);
        // Without the article that names it, the story takes another of its articles' ids.
        book.remove(11);
        book.save(dir.path(), 3).unwrap();
        let renamed = book.stories().story_of(13).unwrap();
        assert_ne!(renamed, flood);
        assert_eq!(book.stories().story_of(renamed.0), Some(renamed));
        assert_eq!(book.stories().story_of(5), Some(renamed));
    }

    #[test]
    fn an_edited_article_keeps_its_story_and_new_members_keep_the_id() {
        let mut docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 12));
        let flood = book.stories().story_of(11).unwrap();
        book.upsert(&sketch_of(&docs[1])).unwrap();
        book.save(dir.path(), 2).unwrap();
        assert_eq!(
            book.stories().story_of(12),
            Some(flood),
            "joins without a new id"
        );
        docs[1].text = FLOOD_B.replace("overnight", "late on Monday night");
        book.upsert(&sketch_of(&docs[1])).unwrap();
        book.save(dir.path(), 3).unwrap();
        assert_eq!(book.stories().story_of(12), Some(flood));
        assert_eq!(assignment(book.stories(), &ids(&docs)), one_pass(&docs));
    }

    #[test]
    fn the_read_side_lists_members_sources_dates_and_creation() {
        let docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 13));
        book.upsert(&sketch_of(&docs[2])).unwrap();
        let chess = "Grandmaster Tomas Varga won the Reykjavik chess open on Sunday after a \
                     marathon final game against the defending champion Lena Okafor.";
        book.upsert(&sketch_of(&doc(51, Some(5), "Metals Daily", chess)))
            .unwrap();
        let name = book.save(dir.path(), 2).unwrap();
        let stories = Stories::load(dir.path(), &name).unwrap();
        let flood = stories.story(StoryId(11)).unwrap();
        assert_eq!(flood.size, 3);
        assert_eq!(stories.members(&flood).collect::<Vec<_>>(), [11, 12, 13]);
        let mut sources: Vec<&str> = stories.sources(&flood).collect();
        sources.sort_unstable();
        assert_eq!(sources, ["Daily Copy", "Irish Wire", "Western People"]);
        assert_eq!(flood.first_date, NaiveDate::from_ymd_opt(2024, 3, 3));
        assert_eq!(flood.last_date, NaiveDate::from_ymd_opt(2024, 3, 4));
        assert_eq!(flood.created_generation, 1);
        assert!(stories.existed_at(StoryId(11), 1));
        assert!(!stories.existed_at(StoryId(51), 1), "new in generation 2");
        assert!(stories.existed_at(StoryId(51), 2));
        let sizes: Vec<usize> = stories.by_size().map(|s| s.size).collect();
        assert_eq!(sizes.first(), Some(&3));
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(stories.article_count(), docs.len() + 1);
    }

    #[test]
    fn an_unsaved_run_and_stale_files_leave_the_committed_state_intact() {
        let docs = corpus();
        let dir = tempfile::tempdir().unwrap();
        let mut book = StoryBook::open(dir.path(), 0).unwrap();
        for d in &docs[..4] {
            book.upsert(&sketch_of(d)).unwrap();
        }
        let first = book.save(dir.path(), 1).unwrap();
        // A later run saves generation 2 but dies before its commit names it.
        for d in &docs[4..] {
            book.upsert(&sketch_of(d)).unwrap();
        }
        book.save(dir.path(), 2).unwrap();
        let committed = StoryBook::open(dir.path(), 1).unwrap();
        assert_eq!(committed.stories().article_count(), 4);
        assert!(remove_stale(dir.path(), &first).unwrap() > 0);
        let reopened = StoryBook::open(dir.path(), 1).unwrap();
        assert_eq!(
            assignment(reopened.stories(), &ids(&docs[..4])),
            assignment(committed.stories(), &ids(&docs[..4]))
        );
        assert!(
            StoryBook::open(dir.path(), 2)
                .unwrap()
                .stories()
                .article_count()
                == 0
        );
    }
}
