//! The index on disk: opening and creating it, the schema-version check, and the way to
//! its two sides — [`writer`] (one run at a time, under [`lock`]) and [`reader`] (any
//! number of queries, on the last commit), with [`stats`] for the figures `stats` prints.
//! How entities and dates are kept inside it is [`stored`]'s business.

mod lock;
mod reader;
mod stats;
mod stored;
mod writer;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, Searcher, TantivyError};

pub use lock::{IndexLock, Wait};
pub use reader::{
    article_ids, for_each_article_names, ArticleMeta, ArticleReader, EntityOrds, StoredArticle,
};
pub use stats::IndexStats;
pub use stored::StoredEntity;
pub use writer::NewsWriter;

use crate::error::NewsearchError;
use crate::extract::ArticleId;
use crate::manifest::CommitInfo;
use crate::schema::{register_analyzers, Fields, SCHEMA_VERSION};
use crate::stories::Stories;

/// File beside tantivy's own that records which newsearch schema wrote the index.
const VERSION_FILE: &str = "newsearch.json";
/// How often opening a reader is retried when a concurrent commit removed a segment
/// file between reading `meta.json` and opening the segment.
const OPEN_ATTEMPTS: u32 = 8;
/// zstd level of the stored passages: news prose compresses to about half of what lz4
/// leaves, at a small cost when writing and when reading a hit.
const DOCSTORE_ZSTD_LEVEL: i32 = 1;

#[derive(Serialize, Deserialize)]
struct VersionStamp {
    schema_version: u32,
    written_by: String,
}

/// An open newsearch index.
pub struct NewsIndex {
    index: Index,
    fields: Fields,
    dir: PathBuf,
    reader: Option<IndexReader>,
    commit: CommitInfo,
    /// The stories of the commit, read the first time they are needed.
    stories: OnceLock<Arc<Stories>>,
}

impl NewsIndex {
    /// Opens an existing index, checking that this build can read it.
    pub fn open(dir: &Path) -> Result<NewsIndex> {
        if !dir.join("meta.json").is_file() {
            return Err(NewsearchError::NoIndex(dir.to_path_buf()).into());
        }
        check_version(dir)?;
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("opening the index at {}", dir.display()))?;
        let (schema, fields) = Fields::build();
        if index.schema() != schema {
            return Err(NewsearchError::SchemaMismatch {
                path: dir.to_path_buf(),
                found: format!("{SCHEMA_VERSION} with different fields"),
                expected: SCHEMA_VERSION,
            }
            .into());
        }
        register_analyzers(&index);
        Ok(NewsIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
            reader: None,
            commit: CommitInfo::default(),
            stories: OnceLock::new(),
        })
    }

    /// Opens the index at `dir`, creating the folder and an empty index when there is none.
    pub fn open_or_create(dir: &Path) -> Result<NewsIndex> {
        if dir.join("meta.json").is_file() {
            return NewsIndex::open(dir);
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("creating the index folder {}", dir.display()))?;
        let stamp = VersionStamp {
            schema_version: SCHEMA_VERSION,
            written_by: format!("newsearch {}", env!("CARGO_PKG_VERSION")),
        };
        fs::write(
            dir.join(VERSION_FILE),
            serde_json::to_string_pretty(&stamp)?,
        )
        .with_context(|| format!("writing {}", dir.join(VERSION_FILE).display()))?;
        let (schema, fields) = Fields::build();
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor {
                compression_level: Some(DOCSTORE_ZSTD_LEVEL),
            }),
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(dir)
            .with_context(|| format!("creating an index in {}", dir.display()))?;
        register_analyzers(&index);
        Ok(NewsIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
            reader: None,
            commit: CommitInfo::default(),
            stories: OnceLock::new(),
        })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens an existing index for reading and a reader on its last commit, retrying when
    /// an index run commits (and removes old segment files) in the middle of the opening.
    /// The reader is kept: [`NewsIndex::reader`] hands out the same commit afterwards.
    pub fn open_reader(dir: &Path) -> Result<NewsIndex> {
        let mut attempt = 1;
        loop {
            let opened = NewsIndex::open(dir).and_then(|mut index| {
                // The commit's payload is read before the reader opens, so the reader sees
                // that commit or a later one, never an earlier one.
                index.commit = index.commit_info()?;
                index.reader = Some(index.new_reader()?);
                Ok(index)
            });
            match opened {
                Ok(index) => return Ok(index),
                Err(error) if error.downcast_ref::<NewsearchError>().is_some() => {
                    return Err(error)
                }
                Err(error) if attempt >= OPEN_ATTEMPTS => return Err(error),
                Err(_) => {
                    std::thread::sleep(std::time::Duration::from_millis(25 << attempt.min(4)));
                    attempt += 1;
                }
            }
        }
    }

    /// A reader on the last commit (this process reloads by hand, never in the background).
    pub fn reader(&self) -> Result<IndexReader> {
        match &self.reader {
            Some(reader) => Ok(reader.clone()),
            None => self.new_reader(),
        }
    }

    fn new_reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .with_context(|| format!("reading the index at {}", self.dir.display()))
    }

    /// The stories of the commit the index was opened on (none before its first commit).
    pub fn stories(&self) -> Result<Arc<Stories>> {
        if let Some(stories) = self.stories.get() {
            return Ok(Arc::clone(stories));
        }
        let loaded = match &self.commit.stories {
            Some(name) => Stories::load(&self.dir, name)?,
            None => Stories::empty(),
        };
        Ok(Arc::clone(self.stories.get_or_init(|| Arc::new(loaded))))
    }

    /// A searcher on the commit the index was opened on.
    pub fn searcher(&self) -> Result<Searcher> {
        Ok(self.reader()?.searcher())
    }

    /// The article `id` with its passages; `None` when the index does not hold it.
    pub fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>> {
        let searcher = self.searcher()?;
        ArticleReader::new(&searcher, &self.fields).article(id)
    }

    /// Calls `each` with the metadata of every article, in index order.
    pub fn for_each_article(&self, mut each: impl FnMut(ArticleMeta) -> Result<()>) -> Result<()> {
        let searcher = self.searcher()?;
        let reader = ArticleReader::new(&searcher, &self.fields);
        for meta in reader.all_articles() {
            each(meta?)?;
        }
        Ok(())
    }

    /// The commit generation read when the index was opened for reading: the reader's
    /// commit is this one or a later one.
    pub fn generation(&self) -> u64 {
        self.commit.generation
    }

    /// What the last commit's payload says (its generation and manifest).
    pub fn commit_info(&self) -> Result<CommitInfo> {
        let metas = self
            .index
            .load_metas()
            .with_context(|| format!("reading the index at {}", self.dir.display()))?;
        CommitInfo::parse(metas.payload.as_deref())
            .with_context(|| format!("the index at {} has a foreign commit", self.dir.display()))
    }

    /// Takes the writer lock. Fails at once with [`NewsearchError::Locked`] when another
    /// process holds it.
    pub fn writer(&self, threads: usize, memory_bytes: usize) -> Result<NewsWriter> {
        match self.index.writer_with_num_threads(threads, memory_bytes) {
            Ok(writer) => Ok(NewsWriter::new(writer, self.fields.clone(), memory_bytes)),
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                Err(NewsearchError::Locked(self.dir.clone()).into())
            }
            Err(error) => Err(error).context("opening the index writer"),
        }
    }
}

fn check_version(dir: &Path) -> Result<()> {
    let path = dir.join(VERSION_FILE);
    let mismatch = |found: String| NewsearchError::SchemaMismatch {
        path: dir.to_path_buf(),
        found,
        expected: SCHEMA_VERSION,
    };
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(mismatch("unknown (no newsearch.json)".into()).into())
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    match serde_json::from_str::<VersionStamp>(&text) {
        Ok(stamp) if stamp.schema_version == SCHEMA_VERSION => Ok(()),
        Ok(stamp) => Err(mismatch(stamp.schema_version.to_string()).into()),
        Err(_) => Err(mismatch(format!("unreadable ({} is damaged)", path.display())).into()),
    }
}
