//! The write side of the index: one [`NewsWriter`] per index run (it holds tantivy's
//! writer lock), upserts of whole articles as their passage documents, deletes, commits
//! with a payload, and the merge policy that bounds merged segments by the memory setting.

use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy, UserOperation};
use tantivy::schema::Facet;
use tantivy::{DateTime, IndexWriter, SegmentMeta, TantivyDocument, Term};

use super::stored;
use crate::extract::{Article, ArticleId};
use crate::schema::{count_tokens, FacetPath, Fields};

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
    if let Some(external) = &article.external_id {
        doc.add_text(fields.external_id, external);
    }
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
        doc.add_text(fields.mentions, stored::encode_mentions(&article.mentions));
    }
    if !article.entities.is_empty() {
        doc.add_text(fields.entities, stored::encode_entities(&article.entities));
    }
    for facet in article_facets(article) {
        doc.add_facet(fields.facets, facet);
    }
    doc
}

fn to_tantivy(date: NaiveDateTime) -> DateTime {
    DateTime::from_timestamp_secs(date.and_utc().timestamp())
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
