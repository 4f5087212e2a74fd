//! The write side of the index: one [`NewsWriter`] per index run (it holds tantivy's
//! writer lock), upserts of whole articles as their passage documents, deletes, commits
//! with a payload, and the merge policy that bounds merged segments by the memory setting.

use anyhow::{Context, Result};
use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy, UserOperation};
use tantivy::schema::Facet;
use tantivy::{IndexWriter, SegmentMeta, TantivyDocument, Term};

use super::stored;
use crate::extract::{Article, ArticleId};
use crate::schema::{days_of, seconds_of, FacetPath, Fields, TITLE_VALUE_MARK};

/// The index writer, holding the lock until it is committed or dropped.
pub struct NewsWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl NewsWriter {
    /// Wraps tantivy's writer (which holds tantivy's own lock) with newsearch's merge policy.
    pub(super) fn new(writer: IndexWriter, fields: Fields, memory_bytes: usize) -> NewsWriter {
        writer.set_merge_policy(Box::new(BoundedMerges::new(memory_bytes)));
        NewsWriter { writer, fields }
    }

    /// Writes the article as one document, marked with generation `seq`; with `replace`,
    /// first deletes the one it had (pass it whenever the article may be in the index).
    pub fn upsert(&mut self, article: &Article, seq: u64, replace: bool) -> Result<()> {
        let doc = article_document(&self.fields, article, seq);
        if replace {
            let delete = UserOperation::Delete(self.id_term(article.id));
            self.writer.run([delete, UserOperation::Add(doc)])?;
        } else {
            self.writer.add_document(doc)?;
        }
        Ok(())
    }

    fn id_term(&self, id: ArticleId) -> Term {
        Term::from_field_u64(self.fields.article_key, id.0)
    }

    /// Deletes an article.
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
        self.commit_after(|| Ok(((), payload.to_string())))
    }

    /// Commits everything written so far, running `beside` on another thread while the
    /// index writes its segments; `beside` returns a value for the caller and the payload
    /// to record. Work that must be durable before the commit names it (the story state)
    /// so costs no time of its own as long as it takes no longer than the segments. When
    /// `beside` fails nothing is committed.
    pub fn commit_after<T, F>(&mut self, beside: F) -> Result<T>
    where
        T: Send,
        F: FnOnce() -> Result<(T, String)> + Send,
    {
        std::thread::scope(|scope| {
            let side = scope.spawn(beside);
            let prepared = self.writer.prepare_commit().context("committing the index");
            let beside = match side.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            let mut prepared = prepared?;
            let (value, payload) = beside?;
            prepared.set_payload(&payload);
            prepared.commit().context("committing the index")?;
            Ok(value)
        })
    }

    /// Waits for background merges to finish and releases the writer.
    pub fn finish(self) -> Result<()> {
        self.writer
            .wait_merging_threads()
            .context("finishing index merges")
    }
}

/// Index bytes an article takes, about (1.87 GB for a million articles of news wire when
/// each passage was a document; one document an article takes no more): what turns the
/// memory setting into a bound on merged segments.
const INDEX_BYTES_PER_ARTICLE: usize = 1_800;

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
        let max_docs = (memory_bytes / INDEX_BYTES_PER_ARTICLE).max(10_000);
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

/// An article as one document: its passages are the values of `body`, in order.
fn article_document(fields: &Fields, article: &Article, seq: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.article_key, article.id.0);
    if let Some(external) = &article.external_id {
        doc.add_text(fields.external_id, external);
    }
    if article.title_given {
        doc.add_text(fields.title, &article.title);
        doc.add_text(fields.forms, format!("{TITLE_VALUE_MARK}{}", article.title));
    } else {
        doc.add_text(fields.derived_title, &article.title);
    }
    for passage in &article.passages {
        doc.add_text(fields.body, passage);
        doc.add_text(fields.forms, passage);
    }
    doc.add_u64(fields.passage_count, article.passages.len() as u64);
    doc.add_u64(fields.seq, seq);
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
        doc.add_i64(fields.published, seconds_of(date));
    }
    if let Some(source) = article.date_source {
        doc.add_text(fields.date_source, source.as_str());
    }
    let mut days: Vec<i64> = article.mentions.iter().map(|m| days_of(m.date)).collect();
    days.sort_unstable();
    days.dedup();
    for day in days {
        doc.add_i64(fields.mentioned, day);
    }
    if !article.mentions.is_empty() {
        doc.add_bytes(fields.mentions, &stored::encode_mentions(&article.mentions));
    }
    if !article.entities.is_empty() {
        doc.add_bytes(fields.entities, &stored::encode_entities(&article.entities));
    }
    for facet in article_facets(article) {
        doc.add_facet(fields.facets, facet);
    }
    doc
}

/// The article-level facets (on the article's first passage), each once.
fn article_facets(article: &Article) -> Vec<Facet> {
    let mut paths = vec![match article.date {
        Some(date) => FacetPath::Date(date.date()),
        None => FacetPath::UnknownDate,
    }];
    if let Some(source) = &article.source {
        paths.push(FacetPath::Source(source.clone()));
    }
    paths.extend(
        article
            .mentions
            .iter()
            .map(|m| FacetPath::Mentioned(m.date, m.granularity)),
    );
    paths.extend(
        article
            .entities
            .iter()
            .map(|e| FacetPath::Entity(e.kind, e.name.clone())),
    );
    paths.sort();
    paths.dedup();
    paths.iter().map(FacetPath::to_facet).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Index;

    #[test]
    fn merges_stay_within_the_bound_and_leave_large_segments_alone() {
        let (schema, _) = Fields::build();
        let index = Index::create_in_ram(schema);
        let segment = |docs: u32| index.new_segment_meta(SegmentId::generate_random(), docs);
        let mut segments: Vec<SegmentMeta> = (0..12).map(|_| segment(100_000)).collect();
        let large = segment(200_000);
        segments.push(large.clone());
        let policy = BoundedMerges::new(250_000 * INDEX_BYTES_PER_ARTICLE);
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
