//! The index on disk: opening and creating it, the schema-version check, and the way to
//! its two sides — [`writer`] (one run at a time, under [`lock`]) and [`reader`] (any
//! number of queries, on the last commit), with [`stats`] for the figures `stats` prints.
//! How entities and dates are kept inside it is [`stored`]'s business.

mod directory;
mod lock;
mod reader;
mod stats;
mod stored;
mod writer;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError};
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
use crate::files::{ALIAS_TABLE_FILES, MANIFEST_FILES};
use crate::manifest::CommitInfo;
use crate::schema::{register_analyzers, Fields, SCHEMA_VERSION};
use crate::stories::Stories;
use directory::NewsDirectory;

/// File beside tantivy's own that records which newsearch schema wrote the index.
const VERSION_FILE: &str = "newsearch.json";
/// Folder of the saved alerts, inside the index folder.
pub const ALERTS_DIR: &str = "alerts";
/// What newsearch may leave in a folder before it holds an index: the run's lock and the
/// alerts folder.
const OWN_ENTRIES: &[&str] = &[lock::LOCK_FILE, ALERTS_DIR];
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
    /// Fails with [`NewsearchError::NoIndex`] when there is no index at `dir`.
    pub fn ensure_exists(dir: &Path) -> Result<()> {
        if dir.join("meta.json").is_file() {
            Ok(())
        } else if dir.is_file() {
            bail!(
                "--index {} is a file, not an index folder: point --index (or NEWSEARCH_INDEX) at the folder `newsearch index` wrote",
                dir.display()
            )
        } else {
            Err(NewsearchError::NoIndex(dir.to_path_buf()).into())
        }
    }

    /// Checks that an index run may write to `dir`: a newsearch index, a folder holding
    /// nothing but what newsearch itself leaves there (its lock, its alerts, hidden files
    /// such as `.gitignore`), or nothing yet. A file, or a folder of other files, is refused
    /// rather than written into.
    pub fn check_writable_folder(dir: &Path) -> Result<()> {
        let metadata = match fs::metadata(dir) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        if !metadata.is_dir() {
            bail!(
                "--index {} is a file, not a folder: point --index (or NEWSEARCH_INDEX) at a new or empty folder, or at an index",
                dir.display()
            );
        }
        if dir.join("meta.json").exists() || dir.join(VERSION_FILE).exists() {
            return Ok(());
        }
        let entries = fs::read_dir(dir)
            .with_context(|| format!("listing the index folder {}", dir.display()))?;
        let mut foreign: Vec<String> = entries
            .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
            .filter(|name| !name.starts_with('.') && !OWN_ENTRIES.contains(&name.as_str()))
            .collect();
        if foreign.is_empty() {
            return Ok(());
        }
        foreign.sort();
        bail!(
            "--index {} is not a newsearch index and is not empty (it holds {:?}{}): point --index at a new or empty folder, or at an existing index",
            dir.display(),
            foreign[0],
            match foreign.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            }
        )
    }

    /// Opens an existing index, checking that this build can read it.
    pub fn open(dir: &Path) -> Result<NewsIndex> {
        NewsIndex::ensure_exists(dir)?;
        check_version(dir)?;
        let index = NewsDirectory::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
            .map_err(|error| explain_open_error(dir, error))?;
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

    /// Whether opening the index at `dir` failed because this version cannot read it (a
    /// schema of another version, or index files it cannot make sense of): what
    /// `index --full` rebuilds in place.
    pub fn is_unreadable_index(error: &anyhow::Error) -> bool {
        error.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<NewsearchError>(),
                Some(NewsearchError::SchemaMismatch { .. })
            ) || cause.downcast_ref::<TantivyError>().is_some()
        }) && !error.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
        })
    }

    /// What the last commit of an index this version cannot open says of itself, read
    /// from `meta.json` without tantivy's schema: its generation (and manifest), so that a
    /// rebuild goes on counting where it stopped. Generation 0 when it cannot be read.
    pub fn foreign_commit_info(dir: &Path) -> CommitInfo {
        let payload = fs::read_to_string(dir.join("meta.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|meta| meta.get("payload")?.as_str().map(String::from));
        CommitInfo::parse(payload.as_deref()).unwrap_or_default()
    }

    /// Replaces the index at `dir` by an empty one of this version whose first commit
    /// carries `generation`, keeping the alerts, the run's lock and files that are not the
    /// index's (a `.gitignore`). For `index --full` over an index this version cannot
    /// read; the caller holds the run's lock.
    pub fn recreate(dir: &Path, generation: u64) -> Result<NewsIndex> {
        for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| !t.is_dir());
            if is_file && is_index_file(&name) {
                fs::remove_file(entry.path())
                    .with_context(|| format!("removing {}", entry.path().display()))?;
            }
        }
        let index = NewsIndex::open_or_create(dir)?;
        let mut writer = index.writer(1, 15 << 20)?;
        let info = CommitInfo {
            generation,
            manifest: None,
            stories: None,
        };
        writer.commit(&info.to_payload())?;
        writer.finish()?;
        Ok(index)
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
        let index = NewsDirectory::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(|directory| {
                Index::builder()
                    .schema(schema)
                    .settings(settings)
                    .open_or_create(directory)
            })
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

    /// Computes the story of every document of every segment once, for a reader that
    /// answers many queries (`serve`): counting a result's stories then reads an array.
    pub fn warm_stories(&self) -> Result<()> {
        let stories = self.stories()?;
        for segment in self.searcher()?.segment_readers() {
            let articles = segment.fast_fields().u64(Fields::ARTICLE_KEY)?;
            stories.by_document(
                &segment.segment_id().uuid_string(),
                segment.max_doc(),
                |doc| articles.first(doc),
            );
        }
        Ok(())
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

    /// Removes segment files that the last commit does not use: left by a run that failed
    /// (a full disk) or was killed before committing them, which tantivy's own clean-up
    /// may not know of. Call it holding the writer, before writing anything.
    pub fn remove_orphan_files(&self) -> Result<usize> {
        let metas = self
            .index
            .load_metas()
            .with_context(|| format!("reading the index at {}", self.dir.display()))?;
        let living: HashSet<String> = metas
            .segments
            .iter()
            .map(|segment| segment.id().uuid_string())
            .collect();
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir)
            .with_context(|| format!("listing {}", self.dir.display()))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if segment_of(&name).is_some_and(|id| !living.contains(id))
                && fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
        Ok(removed)
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

/// The segment a file of the index folder belongs to (`<32 hex digits>.<kind>`).
fn segment_of(name: &str) -> Option<&str> {
    let (id, _) = name.split_once('.')?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// Whether a file of the index folder belongs to the index itself (tantivy's files and
/// newsearch's own beside them), as opposed to the alerts, the run's lock, or a file the
/// user keeps there.
fn is_index_file(name: &str) -> bool {
    let own = [VERSION_FILE, "meta.json", ".managed.json"];
    own.contains(&name)
        || segment_of(name).is_some()
        || name.starts_with(".tantivy-")
        || (name.starts_with('.') && name.ends_with(".tmp"))
        || MANIFEST_FILES.matches(name)
        || ALIAS_TABLE_FILES.matches(name)
        || name.starts_with(crate::stories::FILE_PREFIX)
}

/// An error opening the index as one sentence: a file this user may not read is named
/// with what to do; anything else keeps tantivy's words.
fn explain_open_error(dir: &Path, error: TantivyError) -> anyhow::Error {
    let denied = match &error {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            (io_error.kind() == std::io::ErrorKind::PermissionDenied).then(|| dir.join(filepath))
        }
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
            (io_error.kind() == std::io::ErrorKind::PermissionDenied).then(|| dir.to_path_buf())
        }
        _ => None,
    };
    match denied {
        Some(path) => anyhow::anyhow!(
            "cannot read the index at {}: permission denied on {} (its owner can run `chmod -R a+rX {}`; indexes written by this version are readable by others as the umask allows)",
            dir.display(),
            path.display(),
            dir.display()
        ),
        None => anyhow::Error::new(error).context(format!("opening the index at {}", dir.display())),
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
