//! The read side: a generation's book file, read with one `read` and used in place (fixed
//! records in sorted arrays, looked up by binary search), so that a query process pays
//! for reading the bytes and nothing else, at any corpus size.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use super::store::{
    ArticleRow, Manifest, ARTICLE_LEN, BOOK_MAGIC, BOOK_VERSION, BOOK_VERSION_RECOUNTED,
    HEADER_LEN, NO_DAY, NO_SOURCE, STORY_LEN,
};
use super::StoryId;

/// The stories of one committed generation.
pub struct Stories {
    bytes: Bytes,
    generation: u64,
    /// (count, offset) of: articles, stories, members, story sources, source spans, by size.
    sections: [(usize, usize); 6],
    source_bytes: usize,
    manifest: (usize, usize),
    /// Each story's first member, counted again for a version 2 file (whose own counts
    /// are wrong once a story keeps an earlier id); `None`: the file's counts hold.
    member_starts: Option<Vec<u32>>,
    /// Story keys by document, per index segment (see [`Stories::by_document`]).
    segments: Mutex<HashMap<String, Arc<[u64]>>>,
}

/// One story's summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryInfo {
    pub id: StoryId,
    /// Number of articles.
    pub size: usize,
    /// Earliest and latest publication date among its dated articles.
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// The generation (index commit) in which the story first existed.
    pub created_generation: u64,
    /// Position among the stories in the file, for [`Stories::members`] and
    /// [`Stories::sources`].
    index: usize,
}

/// A book file's bytes: mapped from the file (a query touches a few pages of a large
/// book, instead of reading it whole), or built in memory.
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

const ARTICLES: usize = 0;
const STORIES: usize = 1;
const MEMBERS: usize = 2;
const STORY_SOURCES: usize = 3;
const SPANS: usize = 4;
const BY_SIZE: usize = 5;

impl Stories {
    /// Loads the book file `file_name` (as returned by [`super::StoryBook::save`]) from
    /// the index folder.
    pub fn load(dir: &Path, file_name: &str) -> Result<Stories> {
        let path = dir.join(file_name);
        let file =
            std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        // SAFETY: book files are written whole under a new name, renamed into place and never
        // changed afterwards; a stale one is only unlinked, which leaves a mapping intact.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .with_context(|| format!("reading {}", path.display()))?;
        Stories::from_bytes(Bytes::Mapped(map))
            .with_context(|| format!("reading {}", path.display()))
    }

    /// An empty set of stories (no story file yet).
    pub fn empty() -> Stories {
        let manifest = Manifest::default();
        let bytes = super::store::encode_book(&super::store::BookContents {
            generation: 0,
            articles: &[],
            sources: &[],
            public: &|id| id,
            created: &|_| None,
            manifest: &manifest,
        });
        // Encoding an empty book cannot fail; fall back to an all-empty header anyway.
        Stories::from_bytes(Bytes::Owned(bytes.unwrap_or_default())).unwrap_or(Stories {
            bytes: Bytes::Owned(Vec::new()),
            generation: 0,
            sections: [(0, 0); 6],
            source_bytes: 0,
            manifest: (0, 0),
            member_starts: None,
            segments: Mutex::default(),
        })
    }

    fn from_bytes(bytes: Bytes) -> Result<Stories> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != BOOK_MAGIC {
            bail!("not a newsearch story file");
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
        let version = u32_at(8);
        if version != BOOK_VERSION && version != BOOK_VERSION_RECOUNTED {
            bail!(
                "story file version {} is not supported (rebuild with `newsearch index --full`)",
                u32_at(8)
            );
        }
        let generation = u64::from_le_bytes(bytes[16..24].try_into().unwrap_or([0; 8]));
        let mut sections = [(0usize, 0usize); 6];
        for (i, section) in sections.iter_mut().enumerate() {
            *section = (u32_at(24 + 8 * i) as usize, u32_at(28 + 8 * i) as usize);
        }
        let source_bytes = u32_at(72) as usize;
        let manifest = (u32_at(76) as usize, u32_at(80) as usize);
        let widths = [ARTICLE_LEN, STORY_LEN, 8, 4, 8, 4];
        for (i, &(count, offset)) in sections.iter().enumerate() {
            if offset + count * widths[i] > bytes.len() {
                bail!("story file is truncated");
            }
        }
        if source_bytes > bytes.len() || manifest.0 + manifest.1 > bytes.len() {
            bail!("story file is truncated");
        }
        // Members are written story after story in the stories' order, so each story
        // starts where the ones before it end.
        let member_starts = (version == BOOK_VERSION_RECOUNTED).then(|| {
            let (count, offset) = sections[STORIES];
            let mut next = 0u32;
            (0..count)
                .map(|i| {
                    let start = next;
                    next = next.saturating_add(u32_at(offset + i * STORY_LEN + 20));
                    start
                })
                .collect()
        });
        Ok(Stories {
            bytes,
            generation,
            sections,
            source_bytes,
            manifest,
            member_starts,
            segments: Mutex::default(),
        })
    }

    /// The generation that wrote this file.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of articles with a story.
    pub fn article_count(&self) -> usize {
        self.sections[ARTICLES].0
    }

    /// Number of stories.
    pub fn story_count(&self) -> usize {
        self.sections[STORIES].0
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().unwrap_or([0; 4]))
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().unwrap_or([0; 8]))
    }

    fn record(&self, section: usize, width: usize, i: usize) -> usize {
        self.sections[section].1 + i * width
    }

    /// The record of `key` in a section sorted by its leading u64. Keys are hashes, spread
    /// evenly, so interpolation finds the record in a few probes (each a page a query
    /// touches); after `INTERPOLATIONS` probes the search halves, so a skewed section costs
    /// no more than a binary search and a few probes.
    fn search(&self, section: usize, width: usize, key: u64) -> Option<usize> {
        const INTERPOLATIONS: usize = 6;
        let (mut lo, mut hi) = (0, self.sections[section].0);
        let mut probes = 0;
        while lo < hi {
            probes += 1;
            let mid = if probes <= INTERPOLATIONS {
                let (first, last) = (
                    self.u64_at(self.record(section, width, lo)),
                    self.u64_at(self.record(section, width, hi - 1)),
                );
                if key < first || key > last {
                    return None;
                }
                let span = u128::from(last - first).max(1);
                let guess = lo + (u128::from(key - first) * (hi - 1 - lo) as u128 / span) as usize;
                guess.min(hi - 1)
            } else {
                (lo + hi) / 2
            };
            let value = self.u64_at(self.record(section, width, mid));
            match value.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The story of an article.
    pub fn story_of(&self, article: u64) -> Option<StoryId> {
        let i = self.search(ARTICLES, ARTICLE_LEN, article)?;
        let story = self.u32_at(self.record(ARTICLES, ARTICLE_LEN, i) + 8) as usize;
        Some(StoryId(self.u64_at(self.record(STORIES, STORY_LEN, story))))
    }

    /// The canonical id of an article's story: the one a single pass over the same
    /// articles gives it (its founding article's key), where [`story_of`](Self::story_of)
    /// gives the id the story is shown under, which stays the id it was first given.
    pub fn canonical_story_of(&self, article: u64) -> Option<StoryId> {
        self.row(article).map(|row| StoryId(row.story))
    }

    /// The story keys of a segment's documents, if [`Stories::by_document`] computed them.
    pub fn cached(&self, segment: &str) -> Option<Arc<[u64]>> {
        let segments = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        segments.get(segment).cloned()
    }

    /// The story key (the story's id, else the article's own key; `u64::MAX` for a
    /// document without an article) of every document of an index segment, `article_of`
    /// giving each document's article: computed once per segment and kept while these
    /// stories are, so that a long-running reader (`serve`) counts the stories of many
    /// matches with an array read each rather than a binary search. `segment` names the
    /// segment (its documents never change).
    pub fn by_document(
        &self,
        segment: &str,
        documents: u32,
        article_of: impl Fn(u32) -> Option<u64>,
    ) -> Arc<[u64]> {
        let mut segments = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(keys) = segments.get(segment) {
            return Arc::clone(keys);
        }
        let keys: Arc<[u64]> = (0..documents)
            .map(|doc| {
                article_of(doc).map_or(u64::MAX, |article| {
                    self.story_of(article).map_or(article, |s| s.0)
                })
            })
            .collect();
        segments.insert(segment.to_string(), Arc::clone(&keys));
        keys
    }

    /// How many distinct stories `articles` (sorted, without repeats) belong to; an
    /// article outside any story counts as one of its own. Few articles are looked up one
    /// by one; many are merged with the sorted article records in one sequential pass.
    pub fn count_stories(&self, articles: &[u64]) -> usize {
        let n = self.sections[ARTICLES].0;
        let mut seen = vec![0u64; self.sections[STORIES].0 / 64 + 1];
        let mut outside = 0;
        let mut mark = |record: usize| {
            let story = self.u32_at(self.record(ARTICLES, ARTICLE_LEN, record) + 8) as usize;
            if let Some(word) = seen.get_mut(story / 64) {
                *word |= 1 << (story % 64);
            }
        };
        if articles.len().saturating_mul(16) < n {
            for &key in articles {
                match self.search(ARTICLES, ARTICLE_LEN, key) {
                    Some(record) => mark(record),
                    None => outside += 1,
                }
            }
        } else {
            let start = self.sections[ARTICLES].1;
            let records = self.bytes[start..start + n * ARTICLE_LEN].chunks_exact(ARTICLE_LEN);
            let key_of = |r: &[u8]| u64::from_le_bytes(r[..8].try_into().unwrap_or([0; 8]));
            let mut records = records.enumerate().peekable();
            for &key in articles {
                while records.next_if(|(_, r)| key_of(r) < key).is_some() {}
                match records.peek() {
                    Some(&(record, r)) if key_of(r) == key => mark(record),
                    _ => outside += 1,
                }
            }
        }
        seen.iter().map(|w| w.count_ones() as usize).sum::<usize>() + outside
    }

    /// A story's summary.
    pub fn story(&self, id: StoryId) -> Option<StoryInfo> {
        let i = self.search(STORIES, STORY_LEN, id.0)?;
        Some(self.info(i))
    }

    fn info(&self, index: usize) -> StoryInfo {
        let at = self.record(STORIES, STORY_LEN, index);
        let date = |at: usize| {
            let day = self.u32_at(at) as i32;
            (day != NO_DAY)
                .then(|| NaiveDate::from_num_days_from_ce_opt(day))
                .flatten()
        };
        StoryInfo {
            id: StoryId(self.u64_at(at)),
            created_generation: self.u64_at(at + 8),
            size: self.u32_at(at + 20) as usize,
            first_date: date(at + 24),
            last_date: date(at + 28),
            index,
        }
    }

    /// Whether the story already existed at generation `generation` (an alert that ran
    /// then has reported it).
    pub fn existed_at(&self, id: StoryId, generation: u64) -> bool {
        self.story(id)
            .is_some_and(|s| s.created_generation <= generation)
    }

    /// The story's articles, by publication date then key (undated ones last).
    pub fn members(&self, story: &StoryInfo) -> impl Iterator<Item = u64> + '_ {
        let at = self.record(STORIES, STORY_LEN, story.index);
        let start = match &self.member_starts {
            Some(starts) => starts.get(story.index).copied().unwrap_or(0) as usize,
            None => self.u32_at(at + 16) as usize,
        };
        let len = self.u32_at(at + 20) as usize;
        // A damaged file lists fewer members rather than reading past its end.
        let end = start.saturating_add(len).min(self.sections[MEMBERS].0);
        (start.min(end)..end).map(move |i| self.u64_at(self.record(MEMBERS, 8, i)))
    }

    /// The story's distinct sources, in the order of the source table.
    pub fn sources(&self, story: &StoryInfo) -> impl Iterator<Item = &str> + '_ {
        let at = self.record(STORIES, STORY_LEN, story.index);
        let start = self.u32_at(at + 32) as usize;
        let len = self.u32_at(at + 36) as usize;
        (start..start + len).filter_map(move |i| {
            let source = self.u32_at(self.record(STORY_SOURCES, 4, i)) as usize;
            self.source(source)
        })
    }

    fn source(&self, i: usize) -> Option<&str> {
        if i >= self.sections[SPANS].0 {
            return None;
        }
        let at = self.record(SPANS, 8, i);
        let start = self.source_bytes + self.u32_at(at) as usize;
        let len = self.u32_at(at + 4) as usize;
        std::str::from_utf8(self.bytes.get(start..start + len)?).ok()
    }

    /// Every story, largest first (ties by id).
    pub fn by_size(&self) -> impl Iterator<Item = StoryInfo> + '_ {
        (0..self.sections[BY_SIZE].0)
            .map(move |i| self.info(self.u32_at(self.record(BY_SIZE, 4, i)) as usize))
    }

    /// Every article row, by article key, with its story's canonical id (for the book
    /// that extends this generation).
    pub(super) fn rows(&self) -> impl Iterator<Item = ArticleRow> + '_ {
        (0..self.sections[ARTICLES].0).map(move |i| self.row_at(i))
    }

    fn row_at(&self, i: usize) -> ArticleRow {
        let at = self.record(ARTICLES, ARTICLE_LEN, i);
        let story = self.u32_at(at + 8) as usize;
        let source = self.u32_at(at + 12);
        let day = self.u32_at(at + 16) as i32;
        ArticleRow {
            article: self.u64_at(at),
            story: self.u64_at(self.record(STORIES, STORY_LEN, story) + 40),
            source: (source != NO_SOURCE).then_some(source),
            day: (day != NO_DAY).then_some(day),
        }
    }

    /// The row of one article.
    pub(super) fn row(&self, article: u64) -> Option<ArticleRow> {
        let i = self.search(ARTICLES, ARTICLE_LEN, article)?;
        Some(self.row_at(i))
    }

    /// Every story as (shown id, canonical id, creation generation).
    pub(super) fn ids(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        (0..self.sections[STORIES].0).map(move |i| {
            let at = self.record(STORIES, STORY_LEN, i);
            (self.u64_at(at), self.u64_at(at + 40), self.u64_at(at + 8))
        })
    }

    /// The source table.
    pub(super) fn source_table(&self) -> Vec<String> {
        (0..self.sections[SPANS].0)
            .map(|i| self.source(i).unwrap_or("").to_string())
            .collect()
    }

    /// The partition files of this generation.
    pub(super) fn manifest(&self) -> Result<Manifest> {
        let (at, len) = self.manifest;
        postcard::from_bytes(&self.bytes[at..at + len]).context("decoding the story manifest")
    }

    /// The creation generation of a story id, if it exists here.
    pub(super) fn created(&self, id: u64) -> Option<u64> {
        self.search(STORIES, STORY_LEN, id)
            .map(|i| self.u64_at(self.record(STORIES, STORY_LEN, i) + 8))
    }
}
