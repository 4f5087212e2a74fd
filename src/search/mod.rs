//! Answering a query: the parsed tree becomes a tantivy query (prefix and fuzzy terms
//! expanded against the term dictionary, so they score with BM25 and highlight exactly
//! what they matched), passages are ranked with at most N from one article, and each hit
//! gets its snippet and highlight spans. Returns plain structs; printing is elsewhere.

pub mod facets;
pub mod filters;
pub mod highlight;
pub mod query;
mod rank;
mod scope;

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDateTime;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::columnar::DateTime as ColumnDateTime;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur as TantivyOccur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Order;
use tantivy::{DocAddress, Score, Searcher, SegmentReader, Term};

use crate::error::NewsearchError;
use crate::extract::entities::AliasTable;
use crate::extract::ArticleId;
use crate::index::{ArticleReader, NewsIndex};
use crate::schema::{analyze, fold_keyword, is_stop_word, news_analyzer, Fields};
use facets::{count_facets, FacetRequest, Facets};
use filters::Filters;
use highlight::{cut_snippet, highlight_spans, Matcher};
use query::{LeafKind, Node, Occur, Target};
use scope::ArticleScope;

/// How much more a title match weighs than a body match: the title's field weight in its
/// article's BM25F.
const TITLE_BOOST: Score = 1.5;
/// Most index terms one prefix or fuzzy term expands to (the most frequent are kept).
const MAX_EXPANSIONS: usize = 64;

/// What to search for and how much to return.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub per_article: usize,
    pub snippet_chars: usize,
    pub filters: Filters,
    pub sort: Sort,
    /// Also count the matching articles' facets.
    pub facets: Option<FacetRequest>,
}

/// Result order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Best BM25 score first.
    Relevance,
    /// Newest publication date first (undated articles last), then by score.
    Date,
}

/// One ranked passage.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article_id: ArticleId,
    /// The id the article's own data gives it.
    pub external_id: Option<String>,
    pub path: String,
    pub title: String,
    pub source: Option<String>,
    pub date: Option<NaiveDateTime>,
    pub passage_index: u64,
    /// The passage cut to the snippet length.
    pub text: String,
    /// Character ranges of `text`, end exclusive.
    pub highlights: Vec<(usize, usize)>,
    pub cut_before: bool,
    pub cut_after: bool,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    pub query: String,
    /// Articles with at least one matching passage.
    pub total_articles: usize,
    pub hits: Vec<Hit>,
    pub facets: Option<Facets>,
}

/// A compiled query: what matches, what to highlight, what to rank by.
struct Compiled {
    query: Box<dyn Query>,
    /// Highlight matchers of the positive body-side terms.
    matchers: Vec<Matcher>,
    /// The positive terms and phrases the ranking scores.
    units: Vec<rank::Unit>,
}

/// Parses and compiles a query text. A malformed or wordless query is a
/// [`NewsearchError::BadQuery`].
fn compile_query(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    text: &str,
    aliases: &Aliases,
) -> Result<Compiled> {
    let bad = |message: String| NewsearchError::BadQuery {
        query: text.to_string(),
        message,
    };
    let tree = without_stop_words(query::parse(text).map_err(|e| bad(e.to_string()))?);
    let table = if tree.has_entities() {
        Some(aliases.get()?)
    } else {
        None
    };
    let mut compiler = Compiler {
        searcher,
        fields,
        analyzer,
        aliases: table,
        matchers: Vec::new(),
        units: Vec::new(),
    };
    let query = compiler
        .compile(&tree, false)?
        .ok_or_else(|| bad("it has no words to search for".into()))?;
    Ok(Compiled {
        query,
        matchers: compiler.matchers,
        units: compiler.units,
    })
}

/// Drops optional stop words ("the", "of", "which"…) from every group that has another
/// positive clause, so that they neither match nor score on their own. Phrases, required
/// (`+`) words and `field:` words keep theirs, and a group made only of stop words is left
/// as it is: "the who" still searches for both words.
fn without_stop_words(node: Node) -> Node {
    let Node::Group(clauses) = node else {
        return node;
    };
    let clauses: Vec<(Occur, Node)> = clauses
        .into_iter()
        .map(|(occur, child)| (occur, without_stop_words(child)))
        .collect();
    let is_stop = |node: &Node| {
        matches!(node, Node::Leaf { target: Target::Default, kind: LeafKind::Word(word) }
            if is_stop_word(without_possessive(word)))
    };
    let has_other = clauses
        .iter()
        .any(|(occur, child)| *occur != Occur::MustNot && !is_stop(child));
    if !has_other {
        return Node::Group(clauses);
    }
    Node::Group(
        clauses
            .into_iter()
            .filter(|(occur, child)| !(*occur == Occur::Should && is_stop(child)))
            .collect(),
    )
}

/// The index's entity alias table, loaded the first time something needs it (plain
/// queries never do).
struct Aliases<'a> {
    index: &'a NewsIndex,
    table: OnceCell<Arc<AliasTable>>,
}

impl<'a> Aliases<'a> {
    fn new(index: &'a NewsIndex) -> Aliases<'a> {
        Aliases {
            index,
            table: OnceCell::new(),
        }
    }

    fn get(&self) -> Result<Arc<AliasTable>> {
        if let Some(table) = self.table.get() {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(crate::aliases::load(self.index)?);
        Ok(Arc::clone(self.table.get_or_init(|| table)))
    }
}

/// Runs a query against the last commit of the index.
pub fn search(index: &NewsIndex, request: &SearchRequest) -> Result<SearchResults> {
    let searcher = index.reader()?.searcher();
    let fields = index.fields();
    let aliases = Aliases::new(index);
    let mut analyzer = news_analyzer();
    let Compiled {
        query,
        matchers,
        units,
    } = compile_query(&searcher, fields, &mut analyzer, &request.query, &aliases)?;
    let filtered = filters::apply(query, fields, &request.filters, || aliases.get())?;

    // `usize::MAX` asks for every match (alerts): as many as the query counts.
    let need = if request.limit == usize::MAX {
        searcher.search(filtered.as_ref(), &Count)?
    } else {
        request.offset.saturating_add(request.limit)
    };
    let Ranked {
        passages: ranked,
        articles,
    } = match request.sort {
        Sort::Relevance => rank::rank(
            &searcher,
            fields,
            filtered.as_ref(),
            &units,
            need,
            request.per_article,
        )?,
        Sort::Date => rank_by_date(&searcher, filtered.as_ref(), need, request.per_article)?,
    };
    let total_articles = articles.len();
    let articles = std::sync::Arc::new(articles);
    let facets = match request.facets {
        Some(facet_request) => Some(count_facets(
            &searcher,
            fields,
            articles,
            facet_request,
            request.filters.published,
            &aliases.get()?,
        )?),
        None => None,
    };
    let mut hits = Vec::new();
    let reader = ArticleReader::new(&searcher, fields);
    for (i, (score, address)) in ranked.into_iter().enumerate().skip(request.offset) {
        let stored = reader.passage(address)?;
        let spans = highlight_spans(&mut analyzer, &stored.text, &matchers);
        let snippet = cut_snippet(&stored.text, &spans, request.snippet_chars);
        hits.push(Hit {
            rank: i + 1,
            score,
            article_id: stored.article_id,
            external_id: stored.external_id,
            path: stored.path,
            title: stored.title,
            source: stored.source,
            date: stored.date,
            passage_index: stored.passage_index,
            text: snippet.text,
            highlights: snippet.highlights,
            cut_before: snippet.cut_before,
            cut_after: snippet.cut_after,
        });
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_articles,
        hits,
        facets,
    })
}

/// Facet counts of the articles a query (or, without one, every article) and the filters
/// select; with the number of those articles.
pub fn facets_of(
    index: &NewsIndex,
    query_text: Option<&str>,
    filters: &Filters,
    request: FacetRequest,
) -> Result<(usize, Facets)> {
    let searcher = index.reader()?.searcher();
    let fields = index.fields();
    let aliases = Aliases::new(index);
    let base: Box<dyn Query> = match query_text {
        Some(text) => compile_query(&searcher, fields, &mut news_analyzer(), text, &aliases)?.query,
        None => Box::new(AllQuery),
    };
    let filtered = filters::apply(base, fields, filters, || aliases.get())?;
    let articles = searcher.search(filtered.as_ref(), &DistinctArticles)?;
    let total = articles.len();
    let facets = count_facets(
        &searcher,
        fields,
        articles.into(),
        request,
        filters.published,
        &aliases.get()?,
    )?;
    Ok((total, facets))
}

/// Ranked passages and the keys of every matching article.
struct Ranked {
    passages: Vec<(Score, DocAddress)>,
    articles: HashSet<u64>,
}

/// Like [`rank::rank`], newest first: passages ordered by their article's publication date,
/// each scored afterwards so results still carry their relevance.
fn rank_by_date(
    searcher: &Searcher,
    query: &dyn Query,
    need: usize,
    per_article: usize,
) -> Result<Ranked> {
    let per_article = per_article.max(1);
    let mut fetch = (need * 3).max(32);
    let by_date = |limit: usize| {
        TopDocs::with_limit(limit)
            .order_by_fast_field::<ColumnDateTime>(Fields::SORT_DATE, Order::Desc)
    };
    let (mut top, articles) = searcher.search(query, &(by_date(fetch), DistinctArticles))?;
    loop {
        let addresses: Vec<(Score, DocAddress)> = top.iter().map(|&(_, a)| (0.0, a)).collect();
        let capped = cap_per_article(searcher, &addresses, per_article, need)?;
        if capped.len() >= need || top.len() < fetch {
            let scored = capped
                .into_iter()
                .map(|(_, address)| {
                    let score = query.explain(searcher, address).map_or(0.0, |e| e.value());
                    (score, address)
                })
                .collect();
            return Ok(Ranked {
                passages: scored,
                articles,
            });
        }
        fetch *= 4;
        top = searcher.search(query, &by_date(fetch))?;
    }
}

fn cap_per_article(
    searcher: &Searcher,
    top: &[(Score, DocAddress)],
    per_article: usize,
    need: usize,
) -> Result<Vec<(Score, DocAddress)>> {
    let mut columns: HashMap<u32, Column<u64>> = HashMap::new();
    let mut taken: HashMap<u64, usize> = HashMap::new();
    let mut out = Vec::new();
    for &(score, address) in top {
        if out.len() >= need {
            break;
        }
        let column = match columns.get(&address.segment_ord) {
            Some(column) => column,
            None => {
                let reader = searcher.segment_reader(address.segment_ord);
                let column = reader.fast_fields().u64(Fields::ARTICLE_KEY)?;
                columns.entry(address.segment_ord).or_insert(column)
            }
        };
        let key = column.first(address.doc_id).unwrap_or_default();
        let count = taken.entry(key).or_insert(0);
        if *count < per_article {
            *count += 1;
            out.push((score, address));
        }
    }
    Ok(out)
}

/// Collects the distinct article keys of all matching passages.
struct DistinctArticles;

struct DistinctArticlesSegment {
    column: Column<u64>,
    keys: HashSet<u64>,
}

impl Collector for DistinctArticles {
    type Fruit = HashSet<u64>;
    type Child = DistinctArticlesSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(DistinctArticlesSegment {
            column: segment.fast_fields().u64(Fields::ARTICLE_KEY)?,
            keys: HashSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashSet<u64>>) -> tantivy::Result<HashSet<u64>> {
        let mut all = HashSet::new();
        for fruit in fruits {
            all.extend(fruit);
        }
        Ok(all)
    }
}

impl SegmentCollector for DistinctArticlesSegment {
    type Fruit = HashSet<u64>;

    fn collect(&mut self, doc: u32, _: Score) {
        self.keys.extend(self.column.first(doc));
    }

    fn harvest(self) -> HashSet<u64> {
        self.keys
    }
}

/// Turns the syntax tree into a tantivy query and gathers the highlight matchers of its
/// positive body-side leaves on the way.
struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    analyzer: &'a mut TextAnalyzer,
    /// Loaded when the query names entities.
    aliases: Option<Arc<AliasTable>>,
    matchers: Vec<Matcher>,
    units: Vec<rank::Unit>,
}

impl Compiler<'_> {
    /// `None` when the node has nothing searchable (only punctuation, say).
    fn compile(&mut self, node: &Node, negated: bool) -> Result<Option<Box<dyn Query>>> {
        match node {
            Node::Leaf { target, kind } => self.leaf(*target, kind, negated),
            Node::Group(clauses) => {
                let mut compiled = Vec::new();
                for (occur, child) in clauses {
                    let child_negated = negated || *occur == Occur::MustNot;
                    if let Some(query) = self.compile(child, child_negated)? {
                        compiled.push((tantivy_occur(*occur), query));
                    }
                }
                if compiled.is_empty() {
                    return Ok(None);
                }
                if compiled.iter().all(|(o, _)| *o == TantivyOccur::MustNot) {
                    compiled.push((TantivyOccur::Must, Box::new(AllQuery)));
                }
                Ok(Some(Box::new(BooleanQuery::new(compiled))))
            }
        }
    }

    fn leaf(
        &mut self,
        target: Target,
        kind: &LeafKind,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        if let Target::Entity(entity) = target {
            let value = match kind {
                LeafKind::Word(text) | LeafKind::Phrase { text, .. } => text,
                _ => {
                    return Err(anyhow::anyhow!(
                        "{}: takes a name or a \"quoted name\"",
                        entity.as_str()
                    ))
                }
            };
            let table = self
                .aliases
                .as_ref()
                .expect("the alias table is loaded for queries naming entities");
            let entity = filters::entity_query(self.fields, table, entity, value);
            return Ok(Some(Box::new(ArticleScope::new(entity))));
        }
        if target == Target::Source {
            let value = match kind {
                LeafKind::Word(text) | LeafKind::Phrase { text, .. } => text,
                _ => return Err(anyhow::anyhow!("source: takes a name or a \"quoted name\"")),
            };
            let source = filters::source_query(self.fields, value);
            return Ok(Some(Box::new(ArticleScope::new(source))));
        }
        let Some(matcher) = self.matcher(kind)? else {
            return Ok(None);
        };
        let slop = match kind {
            LeafKind::Phrase { slop, .. } => *slop,
            _ => 0,
        };
        // The title is on the article's first passage; a title match selects every
        // passage of its article (the ranking scores the title once per article).
        let title = || -> Box<dyn Query> {
            Box::new(ArticleScope::new(matcher_query(
                &matcher,
                self.fields.title,
                slop,
            )))
        };
        let query: Box<dyn Query> = match target {
            Target::Title => title(),
            Target::Body => matcher_query(&matcher, self.fields.body, slop),
            _ => Box::new(BooleanQuery::new(vec![
                (
                    TantivyOccur::Should,
                    matcher_query(&matcher, self.fields.body, slop),
                ),
                (TantivyOccur::Should, title()),
            ])),
        };
        if !negated {
            self.units.extend(rank::units(&matcher, slop, target));
        }
        if !negated && target != Target::Title {
            match matcher {
                // A loose phrase may match words apart: highlight each of them.
                Matcher::Sequence(steps) if slop > 0 => {
                    self.matchers.extend(steps.into_iter().map(Matcher::Terms))
                }
                matcher => self.matchers.push(matcher),
            }
        }
        Ok(Some(query))
    }

    /// The analyzed form of a leaf; `None` when it has no indexable token.
    fn matcher(&mut self, kind: &LeafKind) -> Result<Option<Matcher>> {
        let single = |term: String| Matcher::Terms(HashSet::from([term]));
        let sequence = |terms: Vec<String>| {
            Matcher::Sequence(terms.into_iter().map(|t| HashSet::from([t])).collect())
        };
        Ok(match kind {
            LeafKind::Word(text) | LeafKind::Phrase { text, .. } => {
                let text = match kind {
                    LeafKind::Word(_) => without_possessive(text),
                    _ => text,
                };
                let mut terms = self.terms(text);
                match terms.len() {
                    0 => None,
                    1 => terms.pop().map(single),
                    _ => Some(sequence(terms)),
                }
            }
            LeafKind::Prefix(text) => {
                let mut terms = self.terms(text);
                let Some(last) = terms.pop() else {
                    return Ok(None);
                };
                let expansions = self.prefix_expansions(text, &last)?;
                if terms.is_empty() {
                    Some(Matcher::Terms(expansions))
                } else {
                    let mut steps: Vec<HashSet<String>> =
                        terms.into_iter().map(|t| HashSet::from([t])).collect();
                    steps.push(expansions);
                    Some(Matcher::Sequence(steps))
                }
            }
            LeafKind::Fuzzy { text, distance } => {
                let mut terms = self.terms(text);
                if terms.len() != 1 {
                    return Ok(match terms.len() {
                        0 => None,
                        _ => Some(sequence(terms)),
                    });
                }
                let term = terms.pop().unwrap_or_default();
                let distance = distance.unwrap_or_else(|| auto_distance(&term));
                Some(Matcher::Terms(self.fuzzy_expansions(&term, distance)?))
            }
        })
    }

    fn terms(&mut self, text: &str) -> Vec<String> {
        analyze(self.analyzer, text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    /// Index terms that start with the folded (unstemmed) prefix, plus the prefix's own
    /// stem ("israeli*" also finds the stem of "Israeli").
    fn prefix_expansions(&mut self, raw: &str, stem: &str) -> Result<HashSet<String>> {
        let last_word = raw.split_whitespace().last().unwrap_or(raw);
        let prefix: String = fold_keyword(last_word)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let mut found: HashMap<String, u64> = HashMap::new();
        for field in [self.fields.body, self.fields.title] {
            for segment in self.searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let terms = index.terms();
                if let Some(info) = terms.get(stem.as_bytes())? {
                    *found.entry(stem.to_string()).or_default() += u64::from(info.doc_freq);
                }
                if prefix.is_empty() {
                    continue;
                }
                let mut stream = terms.range().ge(prefix.as_bytes()).into_stream()?;
                while stream.advance() && stream.key().starts_with(prefix.as_bytes()) {
                    if let Ok(key) = std::str::from_utf8(stream.key()) {
                        *found.entry(key.to_string()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        Ok(most_frequent(found))
    }

    /// Index terms within `distance` edits of `term`.
    fn fuzzy_expansions(&mut self, term: &str, distance: u8) -> Result<HashSet<String>> {
        let mut found: HashMap<String, u64> = HashMap::new();
        for field in [self.fields.body, self.fields.title] {
            let automaton = FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true)
                .automaton()?;
            for segment in self.searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut stream = index.terms().search(&automaton).into_stream()?;
                while stream.advance() {
                    if let Ok(key) = std::str::from_utf8(stream.key()) {
                        *found.entry(key.to_string()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        Ok(most_frequent(found))
    }
}

/// A word without its English possessive ending ("Netanyahu's" finds "Netanyahu" in every
/// form, not only before "'s"); quoted phrases keep theirs.
fn without_possessive(word: &str) -> &str {
    ["'s", "’s", "'S", "’S"]
        .iter()
        .find_map(|ending| word.strip_suffix(ending).filter(|w| !w.is_empty()))
        .unwrap_or(word)
}

/// Typo tolerance by word length, as search engines usually pick it.
fn auto_distance(term: &str) -> u8 {
    match term.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

fn most_frequent(found: HashMap<String, u64>) -> HashSet<String> {
    let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(MAX_EXPANSIONS)
        .map(|(t, _)| t)
        .collect()
}

fn tantivy_occur(occur: Occur) -> TantivyOccur {
    match occur {
        Occur::Should => TantivyOccur::Should,
        Occur::Must => TantivyOccur::Must,
        Occur::MustNot => TantivyOccur::MustNot,
    }
}

/// The tantivy query for a matcher on one field; `slop` loosens phrases.
fn matcher_query(matcher: &Matcher, field: Field, slop: u32) -> Box<dyn Query> {
    let term_query = |t: &String| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))
    };
    match matcher {
        Matcher::Terms(terms) if terms.is_empty() => Box::new(EmptyQuery),
        Matcher::Terms(terms) if terms.len() == 1 => {
            term_query(terms.iter().next().expect("one term"))
        }
        Matcher::Terms(terms) => {
            let mut sorted: Vec<&String> = terms.iter().collect();
            sorted.sort();
            Box::new(BooleanQuery::new(
                sorted
                    .into_iter()
                    .map(|t| (TantivyOccur::Should, term_query(t)))
                    .collect(),
            ))
        }
        Matcher::Sequence(steps) => {
            if steps.iter().any(HashSet::is_empty) {
                return Box::new(EmptyQuery);
            }
            if steps.iter().all(|s| s.len() == 1) {
                let terms = steps
                    .iter()
                    .map(|s| Term::from_field_text(field, s.iter().next().expect("one term")))
                    .collect();
                let mut phrase = PhraseQuery::new(terms);
                phrase.set_slop(slop);
                return Box::new(phrase);
            }
            // A phrase ending in a prefix: one phrase per expansion of its last word.
            let (last, head) = steps.split_last().expect("non-empty sequence");
            let mut expansions: Vec<&String> = last.iter().collect();
            expansions.sort();
            Box::new(BooleanQuery::new(
                expansions
                    .into_iter()
                    .map(|end| {
                        let mut terms: Vec<Term> = head
                            .iter()
                            .map(|s| {
                                Term::from_field_text(field, s.iter().next().expect("one term"))
                            })
                            .collect();
                        terms.push(Term::from_field_text(field, end));
                        let q: Box<dyn Query> = Box::new(PhraseQuery::new(terms));
                        (TantivyOccur::Should, q)
                    })
                    .collect(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(node: &Node) -> Vec<String> {
        match node {
            Node::Leaf {
                kind: LeafKind::Word(w) | LeafKind::Phrase { text: w, .. },
                ..
            } => vec![w.clone()],
            Node::Leaf { .. } => Vec::new(),
            Node::Group(clauses) => clauses.iter().flat_map(|(_, n)| words(n)).collect(),
        }
    }

    fn kept(query: &str) -> Vec<String> {
        words(&without_stop_words(query::parse(query).unwrap()))
    }

    #[test]
    fn optional_stop_words_go_when_something_else_is_searched() {
        assert_eq!(
            kept("the ground attack on Rafah"),
            ["ground", "attack", "Rafah"]
        );
        assert_eq!(kept("\"the hague\" of"), ["the hague"]);
        assert_eq!(kept("+the gaza"), ["the", "gaza"]);
        assert_eq!(kept("title:the gaza"), ["the", "gaza"]);
        assert_eq!(kept("(the OR a) AND gaza"), ["the", "a", "gaza"]);
    }

    #[test]
    fn queries_of_stop_words_only_are_kept_whole() {
        assert_eq!(kept("the who"), ["the", "who"]);
        assert_eq!(kept("the -gaza"), ["the", "gaza"]);
        assert_eq!(kept("it"), ["it"]);
    }

    #[test]
    fn possessives_are_dropped_from_words() {
        assert_eq!(without_possessive("Netanyahu's"), "Netanyahu");
        assert_eq!(without_possessive("Gaza’s"), "Gaza");
        assert_eq!(without_possessive("'s"), "'s");
        assert_eq!(without_possessive("bus"), "bus");
    }
}
