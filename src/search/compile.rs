//! From the parsed query to what the search runs: one tantivy query over article documents
//! (so AND, OR and NOT apply to whole articles), the highlight matchers of its positive
//! words, the units the passages are scored by, and which of them the query requires.
//!
//! Words search the body and the title (a title match weighs [`TITLE_BOOST`] times a body
//! match); prefix and fuzzy words are expanded against the term dictionary, so they score
//! and highlight exactly what they matched. A word that is a name in this corpus (written
//! with a capital inside sentences in most of the articles that use it) matches its own
//! unstemmed forms only: `Federer` does not find "federal", while `disappointing` still
//! finds "disappointed".

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::Result;
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher, Term};

use super::filters;
use super::highlight::Matcher;
use super::plan::{Plan, TextField};
use super::query::{LeafKind, Node, Occur, Target};
use crate::error::NewsearchError;
use crate::extract::entities::{AliasTable, EntityKind};
use crate::schema::{
    analyze, fold_keyword, is_stop_word, word_form, Fields, CAPITAL_MARK, MAX_PHRASE_SLOP,
};

/// How much more a title match weighs than a body match.
pub(super) const TITLE_BOOST: Score = 1.5;
/// Most index terms one prefix or fuzzy term expands to (the most frequent are kept).
const MAX_EXPANSIONS: usize = 64;
/// A word is a name when at least this share of the articles that use it write it with a
/// capital inside a sentence: a majority, whatever the corpus.
const NAME_SHARE: f64 = 0.5;

/// A positive word or phrase as the passages are scored by it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Unit {
    /// Index of its highlight matcher.
    pub matcher: usize,
    /// Its inverse document frequency over articles.
    pub idf: f32,
}

/// The compiled query.
pub(super) struct Compiled {
    pub query: Plan,
    /// Highlight matchers of the positive body-side words and phrases.
    pub matchers: Vec<Matcher>,
    /// What the passages are scored by.
    pub units: Vec<Unit>,
    /// Groups of matchers the query requires: an article shows passages that highlight
    /// at least one matcher of each group, where its passages allow.
    pub required: Vec<Vec<usize>>,
    /// Matchers that stand for an entity the query names (`person:netanyahu`): each
    /// article fills them with the names it gives that entity.
    pub entities: Vec<EntitySlot>,
}

impl Compiled {
    /// Every article, with nothing to highlight: a listing narrowed by filters only.
    pub fn everything() -> Compiled {
        Compiled {
            query: Plan::All,
            matchers: Vec::new(),
            units: Vec::new(),
            required: Vec::new(),
            entities: Vec::new(),
        }
    }
}

/// A matcher to fill, per article, with how the article names an entity.
pub(super) struct EntitySlot {
    pub matcher: usize,
    pub kind: EntityKind,
    /// The entity's corpus-wide name.
    pub canonical: String,
}

/// Parses and compiles a query text. A malformed or wordless query is a
/// [`NewsearchError::BadQuery`].
pub(super) fn compile_query(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    text: &str,
    aliases: impl FnOnce() -> Result<Arc<AliasTable>>,
) -> Result<Compiled> {
    let bad = |message: String| NewsearchError::BadQuery {
        query: text.to_string(),
        message,
    };
    let tree = without_stop_words(super::query::parse(text).map_err(|e| bad(e.to_string()))?);
    let table = if tree.has_entities() {
        Some(aliases()?)
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
        required: Vec::new(),
        entities: Vec::new(),
        articles: searcher.num_docs().max(1) as f32,
    };
    let query = compiler
        .compile(&tree, false, true)
        .map_err(|message| bad(message.to_string()))?
        .ok_or_else(|| bad("it has no words to search for".into()))?;
    Ok(Compiled {
        query,
        matchers: compiler.matchers,
        units: compiler.units,
        required: compiler.required,
        entities: compiler.entities,
    })
}

/// Drops optional stop words ("the", "of", "which"…) from every group that has another
/// positive clause, so that they neither match nor score on their own. Phrases, required
/// (`+`) words and `field:` words keep theirs, and a group made only of stop words is left
/// as it is: "the who" still searches for both words.
pub(super) fn without_stop_words(node: Node) -> Node {
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

/// Turns the syntax tree into a tantivy query and gathers the highlight matchers and
/// scoring units of its positive body-side leaves on the way.
struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    analyzer: &'a mut TextAnalyzer,
    /// Loaded when the query names entities.
    aliases: Option<Arc<AliasTable>>,
    matchers: Vec<Matcher>,
    units: Vec<Unit>,
    required: Vec<Vec<usize>>,
    entities: Vec<EntitySlot>,
    articles: f32,
}

/// What a leaf matches in the text: its highlight matcher, and for a lone word whether it
/// is a name (its unstemmed form) and what term it stands for.
struct LeafMatch {
    matcher: Matcher,
    /// The name's unstemmed form, when the word is a name.
    name: Option<String>,
}

impl Compiler<'_> {
    /// `None` when the node has nothing searchable (only punctuation, say). `required`:
    /// the articles that match must match this node (it is not optional nor excluded);
    /// its matchers then form a group of [`Compiled::required`].
    fn compile(&mut self, node: &Node, negated: bool, required: bool) -> Result<Option<Plan>> {
        let first_matcher = self.matchers.len();
        match node {
            Node::Leaf { target, kind } => {
                let query = self.leaf(*target, kind, negated)?;
                if required && !negated {
                    self.require_from(first_matcher);
                }
                Ok(query)
            }
            Node::Group(clauses) => {
                let conjunction = clauses.iter().any(|(o, _)| *o == Occur::Must);
                let mut compiled = Vec::new();
                for (occur, child) in clauses {
                    let child_negated = negated || *occur == Occur::MustNot;
                    let child_required = required && *occur == Occur::Must;
                    if let Some(query) = self.compile(child, child_negated, child_required)? {
                        compiled.push((*occur, query));
                    }
                }
                // A group of alternatives required as a whole: any of its words will do.
                if required && !negated && !conjunction {
                    self.require_from(first_matcher);
                }
                if compiled.is_empty() {
                    return Ok(None);
                }
                if compiled.iter().all(|(o, _)| *o == Occur::MustNot) {
                    compiled.push((Occur::Must, Plan::All));
                }
                if compiled.len() == 1 && compiled[0].0 != Occur::MustNot {
                    return Ok(compiled.pop().map(|(_, q)| q));
                }
                Ok(Some(Plan::Bool(compiled)))
            }
        }
    }

    fn leaf(&mut self, target: Target, kind: &LeafKind, negated: bool) -> Result<Option<Plan>> {
        if let Target::Entity(entity) = target {
            let value = match kind {
                LeafKind::Word(text) | LeafKind::Phrase { text, .. } => text,
                _ => anyhow::bail!("{}: takes a name or a \"quoted name\"", entity.as_str()),
            };
            let table = self
                .aliases
                .as_ref()
                .expect("the alias table is loaded for queries naming entities");
            let query = filters::entity_plan(table, entity, value);
            if let (false, Some(canonical)) = (negated, table.lookup(entity, value)) {
                self.entities.push(EntitySlot {
                    matcher: self.matchers.len(),
                    kind: entity,
                    canonical,
                });
                self.units.push(Unit {
                    matcher: self.matchers.len(),
                    idf: 1.0,
                });
                self.matchers.push(Matcher::Mentions(Vec::new()));
            }
            return Ok(Some(query));
        }
        if target == Target::Source {
            let value = match kind {
                LeafKind::Word(text) | LeafKind::Phrase { text, .. } => text,
                _ => anyhow::bail!("source: takes a name or a \"quoted name\""),
            };
            return Ok(Some(filters::source_plan(value)));
        }
        let slop = match kind {
            LeafKind::Phrase { slop, .. } => *slop,
            _ => 0,
        };
        if slop > MAX_PHRASE_SLOP {
            anyhow::bail!(
                "a phrase may allow at most {MAX_PHRASE_SLOP} words of slack (~{slop} asks for more)"
            );
        }
        let Some(LeafMatch { matcher, name }) = self.matcher(kind)? else {
            return Ok(None);
        };
        let body = matcher_plan(&matcher, TextField::Body, slop);
        let title = || {
            Plan::Boost(
                Box::new(matcher_plan(&matcher, TextField::Title, slop)),
                TITLE_BOOST,
            )
        };
        let query = match target {
            Target::Title => title(),
            Target::Body => body,
            _ => Plan::Bool(vec![(Occur::Should, body), (Occur::Should, title())]),
        };
        // A name matches its own forms: the stemmed terms score it, its forms select it.
        let query = match &name {
            Some(form) => Plan::Bool(vec![
                (Occur::Must, forms_filter(form)),
                (Occur::Must, query),
            ]),
            None => query,
        };
        if !negated && target != Target::Title {
            let highlight = match (&name, matcher) {
                (Some(form), _) => vec![Matcher::Forms(HashSet::from([form.clone()]))],
                // A loose phrase may match words apart: highlight each of them.
                (None, Matcher::Sequence(steps)) if slop > 0 => {
                    steps.into_iter().map(Matcher::Terms).collect()
                }
                (None, matcher) => vec![matcher],
            };
            for matcher in highlight {
                let idf = self.idf_of(&matcher)?;
                self.units.push(Unit {
                    matcher: self.matchers.len(),
                    idf,
                });
                self.matchers.push(matcher);
            }
        }
        Ok(Some(query))
    }

    /// The inverse document frequency (over articles) of what a matcher matches: for a set
    /// of terms, of the most frequent; for a phrase, the sum of its words'.
    fn idf_of(&self, matcher: &Matcher) -> Result<f32> {
        let df = |field: Field, term: &str| -> Result<u64> {
            Ok(self
                .searcher
                .doc_freq(&Term::from_field_text(field, term))?)
        };
        let idf = |df: u64| idf(df, self.articles);
        Ok(match matcher {
            Matcher::Terms(terms) => {
                let mut most = 0;
                for term in terms {
                    most = most.max(df(self.fields.body, term)?);
                }
                idf(most)
            }
            Matcher::Forms(forms) => {
                let mut most = 0;
                for form in forms {
                    most = most.max(df(self.fields.forms, form)?);
                }
                idf(most)
            }
            Matcher::Mentions(_) => 1.0,
            Matcher::Sequence(steps) => {
                let mut sum = 0.0;
                for step in steps {
                    let mut most = 0;
                    for term in step {
                        most = most.max(df(self.fields.body, term)?);
                    }
                    sum += idf(most);
                }
                sum
            }
        })
    }

    /// The matchers made since `first` form a required group (when there are any).
    fn require_from(&mut self, first: usize) {
        if self.matchers.len() > first {
            self.required.push((first..self.matchers.len()).collect());
        }
    }

    /// The analyzed form of a leaf; `None` when it has no indexable token.
    fn matcher(&mut self, kind: &LeafKind) -> Result<Option<LeafMatch>> {
        let single = |term: String| Matcher::Terms(HashSet::from([term]));
        let sequence = |terms: Vec<String>| {
            Matcher::Sequence(terms.into_iter().map(|t| HashSet::from([t])).collect())
        };
        let plain = |matcher: Matcher| LeafMatch {
            matcher,
            name: None,
        };
        Ok(match kind {
            LeafKind::Word(text) => {
                let word = without_possessive(text);
                let mut terms = self.terms(word);
                match terms.len() {
                    0 => None,
                    1 => {
                        let term = terms.pop().unwrap_or_default();
                        let name = self.name_form(word, &term)?;
                        Some(LeafMatch {
                            matcher: single(term),
                            name,
                        })
                    }
                    _ => Some(plain(sequence(terms))),
                }
            }
            LeafKind::Phrase { text, .. } => {
                let mut terms = self.terms(text);
                match terms.len() {
                    0 => None,
                    1 => terms.pop().map(single).map(plain),
                    _ => Some(plain(sequence(terms))),
                }
            }
            LeafKind::Prefix(text) => {
                let mut terms = self.terms(text);
                let Some(last) = terms.pop() else {
                    return Ok(None);
                };
                let expansions = self.prefix_expansions(text, &last)?;
                if terms.is_empty() {
                    Some(plain(Matcher::Terms(expansions)))
                } else {
                    let mut steps: Vec<HashSet<String>> =
                        terms.into_iter().map(|t| HashSet::from([t])).collect();
                    steps.push(expansions);
                    Some(plain(Matcher::Sequence(steps)))
                }
            }
            LeafKind::Fuzzy { text, distance } => {
                let mut terms = self.terms(text);
                if terms.len() != 1 {
                    return Ok(match terms.len() {
                        0 => None,
                        _ => Some(plain(sequence(terms))),
                    });
                }
                let term = terms.pop().unwrap_or_default();
                let distance = distance.unwrap_or_else(|| auto_distance(&term));
                Some(plain(Matcher::Terms(
                    self.fuzzy_expansions(&term, distance)?,
                )))
            }
        })
    }

    /// The unstemmed form of `word` when it is a name in this corpus and stemming would
    /// join it to other words (its form differs from its term).
    fn name_form(&self, word: &str, term: &str) -> Result<Option<String>> {
        let form = word_form(word);
        if form == term || !form.chars().all(char::is_alphanumeric) {
            return Ok(None);
        }
        let count = |text: &str| -> Result<u64> {
            Ok(self
                .searcher
                .doc_freq(&Term::from_field_text(self.fields.forms, text))?)
        };
        let all = count(&form)?;
        if all == 0 {
            return Ok(None);
        }
        let capitalised = count(&format!("{CAPITAL_MARK}{form}"))?;
        Ok((capitalised as f64 >= NAME_SHARE * all as f64).then_some(form))
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

/// BM25's inverse document frequency.
pub(super) fn idf(doc_freq: u64, docs: f32) -> f32 {
    let doc_freq = doc_freq as f32;
    (1.0 + (docs - doc_freq + 0.5).max(0.0) / (doc_freq + 0.5)).ln()
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

/// Articles that hold the unstemmed form anywhere (title or body); not scored.
fn forms_filter(form: &str) -> Plan {
    Plan::Boost(
        Box::new(Plan::Term {
            field: TextField::Forms,
            term: form.to_string(),
        }),
        0.0,
    )
}

/// The plan for a matcher on one field; `slop` loosens phrases.
fn matcher_plan(matcher: &Matcher, field: TextField, slop: u32) -> Plan {
    let term = |t: &String| Plan::Term {
        field,
        term: t.clone(),
    };
    match matcher {
        Matcher::Mentions(_) => Plan::Nothing,
        Matcher::Terms(terms) | Matcher::Forms(terms) if terms.is_empty() => Plan::Nothing,
        Matcher::Terms(terms) | Matcher::Forms(terms) if terms.len() == 1 => {
            term(terms.iter().next().expect("one term"))
        }
        Matcher::Terms(terms) | Matcher::Forms(terms) => {
            let mut sorted: Vec<&String> = terms.iter().collect();
            sorted.sort();
            Plan::Bool(
                sorted
                    .into_iter()
                    .map(|t| (Occur::Should, term(t)))
                    .collect(),
            )
        }
        Matcher::Sequence(steps) => {
            if steps.iter().any(HashSet::is_empty) {
                return Plan::Nothing;
            }
            let single = |s: &HashSet<String>| s.iter().next().expect("one term").clone();
            if steps.iter().all(|s| s.len() == 1) {
                return Plan::Phrase {
                    field,
                    terms: steps.iter().map(single).collect(),
                    slop,
                };
            }
            // A phrase ending in a prefix: one phrase per expansion of its last word.
            let (last, head) = steps.split_last().expect("non-empty sequence");
            let mut expansions: Vec<&String> = last.iter().collect();
            expansions.sort();
            Plan::Bool(
                expansions
                    .into_iter()
                    .map(|end| {
                        let mut terms: Vec<String> = head.iter().map(single).collect();
                        terms.push(end.clone());
                        let phrase = Plan::Phrase {
                            field,
                            terms,
                            slop: 0,
                        };
                        (Occur::Should, phrase)
                    })
                    .collect(),
            )
        }
    }
}
