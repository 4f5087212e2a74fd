//! Opening, creating and writing the tantivy index: the schema-version check, the writer
//! lock, upserts of whole articles and reading stored passages back.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime as ChronoDateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy, UserOperation};
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{
    DateTime, DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Searcher,
    SegmentMeta, TantivyDocument, TantivyError, Term,
};

use crate::error::NewsearchError;
use crate::extract::dates::{Granularity, MentionedDate};
use crate::extract::entities::{ArticleEntity, EntityKind};
use crate::extract::{Article, ArticleId};
use crate::manifest::CommitInfo;
use crate::schema::{count_tokens, register_analyzers, Fields, SCHEMA_VERSION};

/// File beside tantivy's own that records which newsearch schema wrote the index.
const VERSION_FILE: &str = "newsearch.json";
/// File locked for the whole of an index run, so that two runs never interleave.
const LOCK_FILE: &str = "newsearch.lock";
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
        })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn tantivy(&self) -> &Index {
        &self.index
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
            Ok(writer) => {
                writer.set_merge_policy(Box::new(BoundedMerges::new(memory_bytes)));
                Ok(NewsWriter {
                    writer,
                    fields: self.fields.clone(),
                })
            }
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                Err(NewsearchError::Locked(self.dir.clone()).into())
            }
            Err(error) => Err(error).context("opening the index writer"),
        }
    }
}

/// Index bytes a passage takes, about (1.87 GB for 6.1 million passages of news wire): what
/// turns the memory setting into a bound on merged segments.
const INDEX_BYTES_PER_PASSAGE: usize = 300;

/// Merges segments as tantivy's log merge policy does, but never into a segment of more
/// than about the memory setting's worth of index files. A merge reads its segments
/// through memory maps, and those pages count as the process's memory while it runs; left
/// alone, merges of a million-article index touch gigabytes. The price is more segments
/// in a large index (each one is searched in turn).
#[derive(Debug)]
struct BoundedMerges {
    inner: LogMergePolicy,
    max_docs: u64,
}

impl BoundedMerges {
    fn new(memory_bytes: usize) -> BoundedMerges {
        let max_docs = (memory_bytes / INDEX_BYTES_PER_PASSAGE).max(10_000);
        let mut inner = LogMergePolicy::default();
        // A segment of half the bound could only be merged with smaller ones: leave it.
        inner.set_max_docs_before_merge(max_docs / 2);
        BoundedMerges {
            inner,
            max_docs: max_docs as u64,
        }
    }
}

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs = |id: &SegmentId| {
            segments
                .iter()
                .find(|s| s.id() == *id)
                .map_or(0, |s| u64::from(s.num_docs()))
        };
        let mut merges = Vec::new();
        for MergeCandidate(ids) in self.inner.compute_merge_candidates(segments) {
            let mut group: Vec<SegmentId> = Vec::new();
            let mut total = 0;
            for id in ids {
                let size = docs(&id);
                if !group.is_empty() && total + size > self.max_docs {
                    if group.len() > 1 {
                        merges.push(MergeCandidate(std::mem::take(&mut group)));
                    }
                    group.clear();
                    total = 0;
                }
                group.push(id);
                total += size;
            }
            if group.len() > 1 {
                merges.push(MergeCandidate(group));
            }
        }
        merges
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

/// The index writer, holding the lock until it is committed or dropped.
pub struct NewsWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl NewsWriter {
    /// Writes the passages of the article, marked with generation `seq`; with `replace`,
    /// first deletes those it had (pass it whenever the article may be in the index). The
    /// delete and the passages go as one batch, so the passages land side by side in one
    /// segment, first passage first.
    pub fn upsert(&mut self, article: &Article, seq: u64, replace: bool) -> Result<()> {
        let body_tokens: u64 = article.passages.iter().map(|p| count_tokens(p)).sum();
        let title_tokens = count_tokens(&article.title);
        let mut operations = Vec::with_capacity(article.passages.len() + 1);
        if replace {
            operations.push(UserOperation::Delete(self.id_term(article.id)));
        }
        for (index, passage) in article.passages.iter().enumerate() {
            let mut doc = passage_document(&self.fields, article, index, passage, seq);
            doc.add_u64(self.fields.article_tokens, body_tokens);
            doc.add_u64(self.fields.title_tokens, title_tokens);
            operations.push(UserOperation::Add(doc));
        }
        self.writer.run(operations)?;
        Ok(())
    }

    fn id_term(&self, id: ArticleId) -> Term {
        Term::from_field_u64(self.fields.article_key, id.0)
    }

    /// Deletes every passage of an article.
    pub fn delete(&mut self, id: ArticleId) {
        let term = self.id_term(id);
        self.writer.delete_term(term);
    }

    /// Deletes everything (for a full rebuild); readers keep the old commit until the next.
    pub fn delete_all(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits everything written so far, with `payload` recorded in the commit.
    pub fn commit(&mut self, payload: &str) -> Result<()> {
        let mut prepared = self
            .writer
            .prepare_commit()
            .context("committing the index")?;
        prepared.set_payload(payload);
        prepared.commit().context("committing the index")?;
        Ok(())
    }

    /// Waits for background merges to finish and releases the writer.
    pub fn finish(self) -> Result<()> {
        self.writer
            .wait_merging_threads()
            .context("finishing index merges")
    }
}

/// Opens (creating it and its folder) a file used only for its lock; its content is never
/// read or written.
pub fn open_lock_file(path: &Path) -> Result<fs::File> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening the lock file {}", path.display()))
}

/// The lock of an index run, held until dropped. Queries never take it.
#[derive(Debug)]
pub struct IndexLock {
    _file: fs::File,
}

impl IndexLock {
    /// Takes the lock of the index at `dir` (creating the folder). Without `wait`, fails at
    /// once with [`NewsearchError::Locked`] when another run holds it; with `wait`, waits
    /// for it — for at most the given time, or for as long as it takes.
    pub fn acquire(
        dir: &Path,
        wait: Option<Option<std::time::Duration>>,
        on_wait: impl FnOnce(),
    ) -> Result<IndexLock> {
        let path = dir.join(LOCK_FILE);
        let file = open_lock_file(&path)?;
        let started = std::time::Instant::now();
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(IndexLock { _file: file }),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(error)) => {
                    return Err(error).with_context(|| format!("locking {}", path.display()))
                }
            }
            let Some(limit) = wait else {
                return Err(NewsearchError::Locked(dir.to_path_buf()).into());
            };
            if limit.is_some_and(|limit| started.elapsed() >= limit) {
                return Err(NewsearchError::LockTimeout {
                    path: dir.to_path_buf(),
                    seconds: started.elapsed().as_secs_f64(),
                }
                .into());
            }
            if let Some(tell) = on_wait.take() {
                tell();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// One passage as a document: its text and the fast fields every passage carries; the
/// first passage also carries everything that belongs to the whole article.
fn passage_document(
    fields: &Fields,
    article: &Article,
    index: usize,
    text: &str,
    seq: u64,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.article_key, article.id.0);
    doc.add_u64(fields.passage_index, index as u64);
    doc.add_text(fields.body, text);
    if let Some(date) = article.date {
        doc.add_date(fields.sort_date, to_tantivy(date));
    }
    if index > 0 {
        return doc;
    }
    doc.add_text(fields.article_id, article.id.to_string());
    doc.add_u64(fields.passage_count, article.passages.len() as u64);
    doc.add_u64(fields.seq, seq);
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.path, &article.path);
    if let Some(record) = article.record {
        doc.add_u64(fields.record, record);
    }
    for (field, value) in [
        (fields.source, &article.source),
        (fields.url, &article.url),
        (fields.author, &article.author),
    ] {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    if let Some(date) = article.date {
        doc.add_date(fields.date, to_tantivy(date));
    }
    if let Some(source) = article.date_source {
        doc.add_text(fields.date_source, source.as_str());
    }
    let mut days: Vec<NaiveDate> = article.mentions.iter().map(|m| m.date).collect();
    days.sort_unstable();
    days.dedup();
    for day in days {
        doc.add_date(fields.mentioned, to_tantivy(day.and_time(NaiveTime::MIN)));
    }
    if !article.mentions.is_empty() {
        let json = serde_json::to_string(&article.mentions).unwrap_or_default();
        doc.add_text(fields.mentions, json);
    }
    if !article.entities.is_empty() {
        let json = serde_json::to_string(&article.entities).unwrap_or_default();
        doc.add_text(fields.entities, json);
    }
    for facet in article_facets(article) {
        doc.add_facet(fields.facets, facet);
    }
    doc
}

fn to_tantivy(date: NaiveDateTime) -> DateTime {
    DateTime::from_timestamp_secs(date.and_utc().timestamp())
}

/// The article-level facets (on the article's first passage).
fn article_facets(article: &Article) -> Vec<Facet> {
    let mut facets = vec![match article.date {
        Some(date) => Facet::from_path([
            "date".to_string(),
            date.format("%Y").to_string(),
            date.format("%m").to_string(),
            date.format("%d").to_string(),
        ]),
        None => Facet::from_path(["date", "unknown"]),
    }];
    if let Some(source) = &article.source {
        facets.push(Facet::from_path(["source", source.as_str()]));
    }
    let mut mentioned: Vec<Facet> = article
        .mentions
        .iter()
        .map(|m| {
            let mut path = vec![
                "mentioned".to_string(),
                m.date.format("%Y").to_string(),
                m.date.format("%m").to_string(),
            ];
            if m.granularity == Granularity::Day {
                path.push(m.date.format("%d").to_string());
            }
            Facet::from_path(path)
        })
        .collect();
    mentioned.sort();
    mentioned.dedup();
    facets.extend(mentioned);
    let mut entities: Vec<Facet> = article
        .entities
        .iter()
        .map(|e| Facet::from_path([e.kind.as_str(), e.name.as_str()]))
        .collect();
    entities.sort();
    entities.dedup();
    facets.extend(entities);
    facets
}

/// A passage as stored, with its article's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPassage {
    pub article_id: String,
    pub path: String,
    pub record: Option<u64>,
    pub title: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub date: Option<NaiveDateTime>,
    pub date_source: Option<String>,
    /// Mentioned dates (stored with the first passage only).
    pub mentions: Vec<MentionedDate>,
    /// Entities with their mentions (stored with the first passage only).
    pub entities: Vec<ArticleEntity>,
    pub passage_index: u64,
    pub passage_count: u64,
    pub text: String,
}

/// Reads one stored passage, with its article's metadata (stored on the article's first
/// passage, which sits `passage_index` documents before it).
pub fn load_passage(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
) -> Result<StoredPassage> {
    let doc: TantivyDocument = searcher.doc(address).context("reading a stored passage")?;
    let passage_index = doc
        .get_first(fields.passage_index)
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let text = doc
        .get_first(fields.body)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_default();
    let first: TantivyDocument = match u32::try_from(passage_index) {
        Ok(0) => doc,
        Ok(back) if back <= address.doc_id => searcher
            .doc(DocAddress::new(address.segment_ord, address.doc_id - back))
            .context("reading a stored passage")?,
        _ => doc,
    };
    let text_of = |field| {
        first
            .get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let number = |field| first.get_first(field).and_then(|v| v.as_u64());
    let date = first
        .get_first(fields.date)
        .and_then(|v| v.as_datetime())
        .and_then(|d| ChronoDateTime::from_timestamp(d.into_timestamp_secs(), 0))
        .map(|d| d.naive_utc());
    Ok(StoredPassage {
        article_id: text_of(fields.article_id).unwrap_or_default(),
        path: text_of(fields.path).unwrap_or_default(),
        record: number(fields.record),
        title: text_of(fields.title).unwrap_or_default(),
        source: text_of(fields.source),
        url: text_of(fields.url),
        author: text_of(fields.author),
        date,
        date_source: text_of(fields.date_source),
        mentions: text_of(fields.mentions)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        entities: text_of(fields.entities)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        passage_index,
        passage_count: number(fields.passage_count).unwrap_or(0),
        text,
    })
}

/// Every passage of one article, in order; empty when the id is unknown.
pub fn article_passages(
    searcher: &Searcher,
    fields: &Fields,
    id: &str,
) -> Result<Vec<StoredPassage>> {
    let Some(key) = parse_article_id(id) else {
        return Ok(Vec::new());
    };
    let query = TermQuery::new(
        Term::from_field_u64(fields.article_key, key),
        IndexRecordOption::Basic,
    );
    let hits = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
    let mut passages = hits
        .into_iter()
        .map(|address| load_passage(searcher, fields, address))
        .collect::<Result<Vec<_>>>()?;
    passages.sort_by_key(|p| p.passage_index);
    Ok(passages)
}

/// The article key an id as shown (16 hex digits) stands for.
fn parse_article_id(id: &str) -> Option<u64> {
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(id, 16).ok()
}

/// The keys of every article in the last commit (deleted documents excluded).
pub fn article_keys(searcher: &Searcher) -> Result<HashSet<u64>> {
    let mut keys = HashSet::new();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64(Fields::ARTICLE_KEY)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                keys.extend(column.values_for_doc(doc));
            }
        }
    }
    Ok(keys)
}

/// Index-wide figures for `stats`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexStats {
    pub schema_version: u32,
    pub index: String,
    pub size_bytes: u64,
    pub articles: usize,
    pub passages: u64,
    pub segments: usize,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
}

/// Counts, size on disk and date range of the last commit.
pub fn index_stats(index: &NewsIndex) -> Result<IndexStats> {
    let searcher = index.reader()?.searcher();
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
            .map(|d| d.format("%Y-%m-%d").to_string())
    };
    let size_bytes = fs::read_dir(&index.dir)
        .with_context(|| format!("listing {}", index.dir.display()))?
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum();
    Ok(IndexStats {
        schema_version: SCHEMA_VERSION,
        index: index.dir.display().to_string(),
        size_bytes,
        articles: article_keys(&searcher)?.len(),
        passages: searcher.num_docs(),
        segments: searcher.segment_readers().len(),
        first_date: day(first),
        last_date: day(last),
    })
}

/// The first passage of every article (which carries the article-level stored fields),
/// in index order.
pub fn first_passages(searcher: &Searcher, fields: &Fields) -> Result<Vec<DocAddress>> {
    let query = TermQuery::new(
        Term::from_field_u64(fields.passage_index, 0),
        IndexRecordOption::Basic,
    );
    let mut addresses: Vec<DocAddress> = searcher
        .search(&query, &tantivy::collector::DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    Ok(addresses)
}

/// Every article-level entity name in the last commit, with the number of articles that
/// carry it.
pub fn entity_names(searcher: &Searcher) -> Result<Vec<(EntityKind, String, u64)>> {
    let mut counts: std::collections::HashMap<(EntityKind, String), u64> =
        std::collections::HashMap::new();
    for segment in searcher.segment_readers() {
        let facets = segment.facet_reader(Fields::FACETS)?;
        let entities = EntityOrds::of(&facets)?;
        let first_passage = segment.fast_fields().u64(Fields::PASSAGE_INDEX)?;
        let alive = segment.alive_bitset();
        let mut per_ord: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) || first_passage.first(doc) != Some(0)
            {
                continue;
            }
            for ord in facets.facet_ords(doc) {
                if entities.get(ord).is_some() {
                    *per_ord.entry(ord).or_default() += 1;
                }
            }
        }
        for (ord, count) in per_ord {
            if let Some((kind, name)) = entities.get(ord) {
                *counts.entry((kind, name.to_string())).or_default() += count;
            }
        }
    }
    Ok(counts
        .into_iter()
        .map(|((kind, name), count)| (kind, name, count))
        .collect())
}

/// The entity facets of one segment: for each kind, the first facet ordinal of its
/// (contiguous) range and the names in ordinal order. Built by streaming the facet
/// dictionary once, which is far cheaper than looking ordinals up one by one.
pub struct EntityOrds {
    kinds: Vec<(EntityKind, u64, Vec<String>)>,
}

impl EntityOrds {
    pub fn of(reader: &tantivy::fastfield::FacetReader) -> std::io::Result<EntityOrds> {
        let mut kinds = Vec::new();
        for kind in EntityKind::ALL {
            let mut low = kind.as_str().as_bytes().to_vec();
            let mut high = low.clone();
            low.push(0);
            high.push(1);
            let mut stream = reader
                .facet_dict()
                .range()
                .ge(&low)
                .lt(&high)
                .into_stream()?;
            let mut first = None;
            let mut names = Vec::new();
            while stream.advance() {
                first.get_or_insert(stream.term_ord());
                let name = &stream.key()[low.len()..];
                names.push(String::from_utf8_lossy(name).into_owned());
            }
            if let Some(first) = first {
                kinds.push((kind, first, names));
            }
        }
        Ok(EntityOrds { kinds })
    }

    /// The entity a facet ordinal stands for; `None` for other facets.
    pub fn get(&self, ord: u64) -> Option<(EntityKind, &str)> {
        self.kinds.iter().find_map(|(kind, first, names)| {
            let index = ord.checked_sub(*first)? as usize;
            names.get(index).map(|name| (*kind, name.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_stay_within_the_bound_and_leave_large_segments_alone() {
        let (schema, _) = Fields::build();
        let index = Index::create_in_ram(schema);
        let segment = |docs: u32| index.new_segment_meta(SegmentId::generate_random(), docs);
        let mut segments: Vec<SegmentMeta> = (0..12).map(|_| segment(100_000)).collect();
        let large = segment(200_000);
        segments.push(large.clone());
        let policy = BoundedMerges::new(250_000 * INDEX_BYTES_PER_PASSAGE);
        let merges = policy.compute_merge_candidates(&segments);
        assert!(!merges.is_empty());
        let docs_of = |id: &SegmentId| {
            segments
                .iter()
                .find(|s| s.id() == *id)
                .map(|s| s.num_docs())
                .unwrap()
        };
        for MergeCandidate(ids) in &merges {
            assert!(ids.len() >= 2);
            assert!(ids.iter().map(docs_of).sum::<u32>() <= 250_000);
            assert!(!ids.contains(&large.id()));
        }
        // Without the bound, tantivy would merge the twelve into one 1.2-million-doc segment.
        let unbounded = LogMergePolicy::default().compute_merge_candidates(&segments);
        assert!(unbounded.iter().any(|MergeCandidate(ids)| ids.len() >= 12));
    }
}
