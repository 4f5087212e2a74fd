//! Article-level conditions over passages. What belongs to a whole article (title, source,
//! dates, entities, generation) is indexed once, on its first passage; the passages of an
//! article sit side by side in one segment, first passage first (they are written as one
//! batch). [`ArticleScope`] matches every passage of each article whose first passage
//! matches the query it wraps, so `ceasefire AND person:netanyahu` finds the passages about
//! the ceasefire in articles that name Netanyahu anywhere.

use tantivy::columnar::Column;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use crate::schema::Fields;

/// Every passage of the articles whose first passage matches `inner`; not scored.
#[derive(Debug)]
pub struct ArticleScope {
    inner: Box<dyn Query>,
}

impl Clone for ArticleScope {
    fn clone(&self) -> Self {
        ArticleScope {
            inner: self.inner.box_clone(),
        }
    }
}

impl ArticleScope {
    pub fn new(inner: Box<dyn Query>) -> ArticleScope {
        ArticleScope { inner }
    }
}

impl Query for ArticleScope {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let disabled = match enable_scoring {
            EnableScoring::Enabled { searcher, .. } => {
                EnableScoring::disabled_from_searcher(searcher)
            }
            disabled => disabled,
        };
        Ok(Box::new(ArticleScopeWeight {
            inner: self.inner.weight(disabled)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct ArticleScopeWeight {
    inner: Box<dyn Weight>,
}

impl ArticleScopeWeight {
    /// The passages of the matching articles of one segment.
    fn passages(&self, reader: &SegmentReader) -> tantivy::Result<Option<BitSet>> {
        let max_doc = reader.max_doc();
        let mut articles = self.inner.scorer(reader, 1.0)?;
        if articles.doc() == TERMINATED {
            return Ok(None);
        }
        let counts: Column<u64> = reader.fast_fields().u64(Fields::PASSAGE_COUNT)?;
        let mut passages = BitSet::with_max_value(max_doc);
        let mut doc = articles.doc();
        while doc != TERMINATED {
            let count = counts.first(doc).unwrap_or(1).max(1);
            let end = (u64::from(doc) + count).min(u64::from(max_doc)) as DocId;
            for passage in doc..end {
                passages.insert(passage);
            }
            doc = articles.advance();
        }
        Ok(Some(passages))
    }
}

impl Weight for ArticleScopeWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.passages(reader)? {
            Some(passages) => Box::new(ConstScorer::new(BitSetDocSet::from(passages), 0.0)),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        // A scorer starts on its first document; seeking backwards is not allowed.
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in an article that matches"
            )));
        }
        Ok(Explanation::new("article-level condition", 0.0))
    }
}
