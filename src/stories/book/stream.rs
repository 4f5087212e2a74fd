//! Clustering while the index run is still reading: the dated articles of a book that
//! starts empty (a new index, or `--full`) are placed on a thread of their own as they
//! arrive, so that the save at the end of the run has little left to place.
//!
//! The clustering is defined in canonical order (publication day, then key), which the
//! arrival order only approaches: a folder of news is read file by file, not day by day.
//! The stream holds arrivals back until the newest day seen is more than [`LAG`] days
//! past theirs, then places them in canonical order. What it places is therefore, at
//! every moment, one pass in canonical order over the set of articles placed so far.
//! Everything else is left to the save: an article that arrives after one it precedes in
//! canonical order was placed (a straggler), a new version or the removal of a placed
//! article, and undated articles.
//!
//! So the save sees what an incremental run sees: a stored state (the months the stream
//! wrote, with their placements) and changes to it (the articles left to it, which stay
//! pending in the book). It replays from the earliest of those as it would after any
//! earlier run ([`super`]), and the result is the one-pass grouping of the whole set.
//! On input in publication order the save places only the last month (and what a
//! straggler disturbs); on input in no order the stream soon gives up ([`MAX_LATE`])
//! and the save places the rest, as without it: the stream's cost is then what it
//! placed that the save places again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{Context, Result};
use rustc_hash::FxHashMap;

use super::SourceTable;
use crate::stories::engine::{Params, Window};
use crate::stories::sketch::StorySketch;
use crate::stories::store::{write_part, PartKey, Stored, PREFIX};

/// Days an article may arrive after articles published later than it and still be
/// placed by the stream: the clustering window, a month. An article later than that is
/// left to the save, which places again what follows it until the grouping converges
/// (about two windows), so the lag is as long as that costs nothing: a save places at
/// most the last month of a run plus what any straggler disturbs.
const LAG: i32 = 30;
/// Articles held back at most (about 400 bytes each); past this the stream breaks, as
/// the input is not in publication order.
const MAX_HELD: usize = 100_000;
/// Stragglers at which a stream that places fewer articles than it receives stragglers
/// gives up: its input is not in publication order (outlet after outlet, say), and what
/// it would place the save would place again.
const MAX_LATE: usize = 64;
/// Changes sent to the thread at a time: one hand-over (and wake-up) per article cost
/// more than the placing saved.
const BATCH: usize = 256;
/// Batches queued for the stream at most: when it falls behind, the run waits for it,
/// which gives it the processor rather than leaving a backlog for the save to wait on.
const QUEUE: usize = 4;

/// A placement the stream made, for the book file.
pub(super) struct StreamedRow {
    pub article: u64,
    pub story: u64,
    pub day: i32,
    pub source: Option<u32>,
}

/// What a finished stream hands the save.
#[derive(Default)]
pub(super) struct Streamed {
    /// The months placed: their partition files (under temporary names).
    pub parts: Vec<(PartKey, String)>,
    /// The articles placed and still current, with their placements.
    pub rows: Vec<StreamedRow>,
    /// Articles placed, then changed or removed: the day they were placed under.
    pub superseded: Vec<(u64, i32)>,
    /// The source table `rows` index.
    pub sources: Vec<String>,
}

enum Change {
    Upsert(StorySketch),
    Remove(u64),
}

enum Message {
    Changes(Vec<Change>),
    End,
}

/// The running stream, owned by the book.
pub(super) struct Stream {
    /// Changes not sent yet.
    batch: Vec<Change>,
    sender: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<Result<Streamed>>>,
    /// Set when the book is dropped unsaved: the thread stops working.
    abandoned: Arc<AtomicBool>,
}

impl Stream {
    pub fn start(dir: &Path, params: Params) -> Result<Stream> {
        let (sender, receiver) = sync_channel(QUEUE);
        let abandoned = Arc::new(AtomicBool::new(false));
        let mut streamer = Streamer::new(dir, params, Arc::clone(&abandoned));
        let thread = std::thread::Builder::new()
            .name("stories".to_string())
            .spawn(move || streamer.run(&receiver))
            .context("starting the story thread")?;
        Ok(Stream {
            batch: Vec::with_capacity(BATCH),
            sender: Some(sender),
            thread: Some(thread),
            abandoned,
        })
    }

    pub fn upsert(&mut self, sketch: StorySketch) {
        self.change(Change::Upsert(sketch));
    }

    pub fn remove(&mut self, article: u64) {
        self.change(Change::Remove(article));
    }

    fn change(&mut self, change: Change) {
        self.batch.push(change);
        if self.batch.len() >= BATCH {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.send(Message::Changes(batch));
        }
    }

    /// A failed send means the thread stopped on an error, which `finish` reports.
    fn send(&self, message: Message) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(message);
        }
    }

    /// Places what is held back and hands over the months placed.
    pub fn finish(mut self) -> Result<Streamed> {
        let batch = std::mem::take(&mut self.batch);
        self.send(Message::Changes(batch));
        self.send(Message::End);
        self.sender = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(Streamed::default()),
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.abandoned.store(true, Ordering::Relaxed);
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A canonical key of a dated article: (day, article key).
type Key = (i32, u64);

struct Streamer {
    dir: PathBuf,
    params: Params,
    window: Window,
    abandoned: Arc<AtomicBool>,
    /// Arrivals held back, by canonical key.
    held: BTreeMap<Key, StorySketch>,
    /// The day each held article is held under.
    held_day: FxHashMap<u64, i32>,
    newest_day: Option<i32>,
    last_placed: Option<Key>,
    /// The day of every placed article.
    placed_day: FxHashMap<u64, i32>,
    /// Placed articles changed or removed since, with the day they were placed under.
    superseded: FxHashMap<u64, i32>,
    /// Stragglers so far, articles placed since the first, and whether the stream gave
    /// up placing.
    late: usize,
    placed_since_late: usize,
    given_up: bool,
    /// The month being placed, and its records so far.
    month: Option<PartKey>,
    records: Vec<Stored>,
    parts: Vec<(PartKey, String)>,
    rows: Vec<StreamedRow>,
    sources: SourceTable,
}

impl Streamer {
    fn new(dir: &Path, params: Params, abandoned: Arc<AtomicBool>) -> Streamer {
        Streamer {
            dir: dir.to_path_buf(),
            params,
            window: Window::dated(params),
            abandoned,
            held: BTreeMap::new(),
            held_day: FxHashMap::default(),
            newest_day: None,
            last_placed: None,
            placed_day: FxHashMap::default(),
            superseded: FxHashMap::default(),
            late: 0,
            placed_since_late: 0,
            given_up: false,
            month: None,
            records: Vec::new(),
            parts: Vec::new(),
            rows: Vec::new(),
            sources: SourceTable::default(),
        }
    }

    fn run(&mut self, receiver: &Receiver<Message>) -> Result<Streamed> {
        for message in receiver {
            if self.abandoned.load(Ordering::Relaxed) {
                break;
            }
            let changes = match message {
                Message::Changes(changes) => changes,
                Message::End => return self.end(),
            };
            for change in changes {
                match change {
                    Change::Upsert(sketch) => self.upsert(sketch)?,
                    Change::Remove(article) => {
                        self.forget(article);
                    }
                }
            }
        }
        // The book went away unsaved: what was written is left for `remove_stale`.
        Ok(Streamed::default())
    }

    /// An earlier version of the article is void: a placed one is superseded (the save
    /// takes it out again), a held one is let go. Returns whether one was placed.
    fn forget(&mut self, article: u64) -> bool {
        if let Some(day) = self.held_day.remove(&article) {
            self.held.remove(&(day, article));
        }
        if self.superseded.contains_key(&article) {
            return true;
        }
        match self.placed_day.get(&article) {
            Some(&day) => {
                self.superseded.insert(article, day);
                true
            }
            None => false,
        }
    }

    fn upsert(&mut self, sketch: StorySketch) -> Result<()> {
        // A new version of a placed article, an undated article (clustered at the save,
        // among undated ones) and an article that comes after one it precedes in
        // canonical order has been placed are left to the save.
        if self.forget(sketch.id) {
            return Ok(());
        }
        let Some(day) = sketch.day else {
            return Ok(());
        };
        let key = (day, sketch.id);
        if self.given_up {
            return Ok(());
        }
        if self.last_placed.is_some_and(|last| key < last) {
            self.late += 1;
            if self.late >= MAX_LATE && self.late > self.placed_since_late {
                // What is held is left to the save too, and the window's memory goes.
                self.given_up = true;
                self.held.clear();
                self.held_day.clear();
                self.window = Window::dated(self.params);
            }
            return Ok(());
        }
        self.held_day.insert(sketch.id, day);
        self.held.insert(key, sketch);
        let newest = self.newest_day.map_or(day, |d| d.max(day));
        self.newest_day = Some(newest);
        let mut over = self.held.len().saturating_sub(MAX_HELD);
        self.place_held(|held_day| {
            let forced = over > 0;
            over = over.saturating_sub(1);
            forced || held_day < newest - LAG
        })
    }

    /// Places held articles in canonical order while `ready` says so of their day.
    fn place_held(&mut self, mut ready: impl FnMut(i32) -> bool) -> Result<()> {
        while let Some(entry) = self.held.first_entry() {
            if !ready(entry.key().0) {
                break;
            }
            let sketch = entry.remove();
            self.held_day.remove(&sketch.id);
            self.place(sketch)?;
        }
        Ok(())
    }

    fn place(&mut self, sketch: StorySketch) -> Result<()> {
        let day = sketch.day.unwrap_or(i32::MIN);
        let month = PartKey::of_day(Some(day));
        if self.month != Some(month) {
            self.close_month()?;
            self.month = Some(month);
        }
        self.window.slide_to(day);
        let placement = self.window.place(&sketch);
        self.window.admit(&sketch, &placement);
        let source = sketch.source.as_deref().map(|s| self.sources.index(s));
        self.rows.push(StreamedRow {
            article: sketch.id,
            story: placement.story,
            day,
            source,
        });
        self.placed_day.insert(sketch.id, day);
        self.last_placed = Some((day, sketch.id));
        if self.late > 0 {
            self.placed_since_late += 1;
        }
        self.records.push(Stored {
            sketch,
            story: placement.story,
            weights: placement.weights,
        });
        Ok(())
    }

    /// Writes the month being placed to its partition file.
    fn close_month(&mut self) -> Result<()> {
        let Some(month) = self.month.take() else {
            return Ok(());
        };
        let name = streamed_name(month);
        write_part(&self.dir, &name, &self.records)?;
        self.records.clear();
        self.parts.push((month, name));
        Ok(())
    }

    fn end(&mut self) -> Result<Streamed> {
        self.place_held(|_| true)?;
        self.close_month()?;
        let superseded = std::mem::take(&mut self.superseded);
        let rows = std::mem::take(&mut self.rows)
            .into_iter()
            .filter(|row| !superseded.contains_key(&row.article))
            .collect();
        Ok(Streamed {
            parts: std::mem::take(&mut self.parts),
            rows,
            superseded: superseded.into_iter().collect(),
            sources: std::mem::take(&mut self.sources).names,
        })
    }
}

/// The temporary name of a month's partition written by a stream (renamed by the save;
/// left by a killed run for [`super::remove_stale`]).
fn streamed_name(month: PartKey) -> String {
    format!("{PREFIX}open-{}.streamed", month.label())
}
