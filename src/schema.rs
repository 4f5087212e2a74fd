//! The index schema: every field, the analyzers and the schema version, behind one typed
//! [`Fields`] handle so no other module looks a field up by its name; and the facet paths.
//!
//! One tantivy document is one *article*. Its passages are the values of the multi-valued
//! `body` field, in order; the body analyzer leaves a gap of [`PASSAGE_GAP`] positions
//! between two passages, wider than any phrase slop a query may ask for
//! ([`MAX_PHRASE_SLOP`]), so that a phrase never matches across a paragraph break while
//! Boolean logic (`a AND b`, `-b`) applies to the whole article. `forms` holds every word
//! of the title and body unstemmed, and once more marked when it is written with a
//! capital inside a sentence, so that a query can tell names ("Federer") from common words
//! that share their stem ("federal") and match the name's own forms.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

use crate::extract::dates::Granularity;
use crate::extract::entities::EntityKind;

/// Bumped whenever the fields, their options or the analyzers change in a way that makes
/// an existing index unreadable or its answers wrong. Stored beside the index.
pub const SCHEMA_VERSION: u32 = 9;

/// Name of the analyzer used for prose (titles and query words): case and accent folding
/// plus English stemming, identical at index and query time.
pub const NEWS_ANALYZER: &str = "news";
/// The prose analyzer with each value's positions shifted by [`PASSAGE_GAP`] (the body).
pub const PASSAGE_ANALYZER: &str = "passages";
/// Words unstemmed, plus capitalised ones marked (the `forms` field).
pub const FORMS_ANALYZER: &str = "forms";
/// Name of the analyzer for exact-but-case-insensitive keywords such as the source.
pub const KEYWORD_ANALYZER: &str = "keyword";

/// The widest slop a phrase may have (`"a b"~N`).
pub const MAX_PHRASE_SLOP: u32 = 50;
/// Positions between the last word of a passage and the first of the next: more than any
/// phrase slop, so phrases stay inside a passage.
pub const PASSAGE_GAP: usize = 2 * MAX_PHRASE_SLOP as usize;
/// The mark before a form written with a capital inside a sentence (`^federer`).
pub const CAPITAL_MARK: char = '^';

/// Tokens of this many bytes or more (URLs, base64 debris) are not indexed.
pub const MAX_TOKEN_BYTES: usize = 40;

/// Typed handle to every field of the schema.
#[derive(Clone, Debug)]
pub struct Fields {
    /// The article id as a number: indexed (deleting it removes the article, looking it up
    /// finds it) and fast (the id of a document, the keys of all articles).
    pub article_key: Field,
    /// The id the article's own data gives it (a JSON `id` field, a CSV id column, front
    /// matter `id`), as given.
    pub external_id: Field,
    /// The passages, one value each, in order (analyzed with positions, stored).
    pub body: Field,
    /// The article title when it was given (analyzed with positions, stored).
    pub title: Field,
    /// The title derived from the first sentence when none was given (stored only: the
    /// body holds its words already).
    pub derived_title: Field,
    /// Every word of title and body unstemmed and folded, and `^word` for a word written
    /// with a capital inside a sentence; documents only (no frequencies, no norms).
    pub forms: Field,
    /// Number of passages (fast, for `stats`).
    pub passage_count: Field,
    /// Path of the file the article came from, as walked.
    pub path: Field,
    /// Record number inside a multi-article file, from 1; absent for one-article files.
    pub record: Field,
    /// The outlet (keyword-analyzed for case-insensitive filtering, stored).
    pub source: Field,
    pub url: Field,
    pub author: Field,
    /// Publication date and time as seconds from 1970 (negative before), years 1 to 9999:
    /// fast (for ranges and sorting) and stored. Ranges on fast fields need no index.
    pub published: Field,
    /// Where the publication date came from (`metadata`, `file_name`, `dateline`).
    pub date_source: Field,
    /// Every day the article mentions, as days from 1970 (month mentions as the month's
    /// first day); fast, for ranges.
    pub mentioned: Field,
    /// The mentioned dates with the words they were read from (binary, see `index`).
    pub mentions: Field,
    /// The index generation (commit number) in which the article was added or last
    /// changed (fast); alerts report what is newer than their cursor.
    pub seq: Field,
    /// The article's entities with their mentions (binary, see `index`).
    pub entities: Field,
    /// Article facets, see [`FacetPath`].
    pub facets: Field,
}

impl Fields {
    /// Builds the schema and the handle to its fields.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let prose = |tokenizer: &str| {
            TextOptions::default().set_stored().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let keyword = TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_ANALYZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let forms = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FORMS_ANALYZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        // Numbers are built from their defaults, which have no field norms (the INDEXED
        // flag would add a byte a document for each).
        let fields = Fields {
            article_key: builder.add_u64_field(
                "article_key",
                NumericOptions::default().set_indexed().set_fast(),
            ),
            external_id: builder.add_text_field("external_id", STORED),
            body: builder.add_text_field("body", prose(PASSAGE_ANALYZER)),
            title: builder.add_text_field("title", prose(NEWS_ANALYZER)),
            derived_title: builder.add_text_field("derived_title", STORED),
            forms: builder.add_text_field("forms", forms),
            passage_count: builder.add_u64_field("passage_count", FAST),
            path: builder.add_text_field("path", STORED),
            record: builder.add_u64_field("record", STORED),
            source: builder.add_text_field("source", keyword),
            url: builder.add_text_field("url", STORED),
            author: builder.add_text_field("author", STORED),
            published: builder.add_i64_field("published", FAST | STORED),
            date_source: builder.add_text_field("date_source", STORED),
            mentioned: builder.add_i64_field("mentioned", FAST),
            mentions: builder.add_bytes_field("mentions", STORED),
            seq: builder.add_u64_field("seq", NumericOptions::default().set_indexed().set_stored()),
            entities: builder.add_bytes_field("entities", STORED),
            facets: builder.add_facet_field("facets", FacetOptions::default()),
        };
        (builder.build(), fields)
    }

    /// Name of the fast field holding the article key (collectors read it by name).
    pub const ARTICLE_KEY: &'static str = "article_key";
    /// Name of the fast field holding the number of passages.
    pub const PASSAGE_COUNT: &'static str = "passage_count";
    /// Name of the fast field holding the publication time in seconds.
    pub const PUBLISHED: &'static str = "published";
    /// Name of the facet field.
    pub const FACETS: &'static str = "facets";
}

/// Seconds from 1970-01-01T00:00:00 of a date and time (the `published` field).
pub fn seconds_of(date: chrono::NaiveDateTime) -> i64 {
    date.and_utc().timestamp()
}

/// The date and time `seconds_of` gave `seconds`.
pub fn date_of_seconds(seconds: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|d| d.naive_utc())
}

/// Days from 1970-01-01 of a day (the `mentioned` field).
pub fn days_of(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce()) - i64::from(EPOCH_DAYS_FROM_CE)
}

/// Days from 0001-01-01 (day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The prose analyzer: split on non-alphanumerics, drop overlong tokens, lower-case, fold
/// accents to ASCII, stem English. The last three steps are remembered per word form, as
/// news prose repeats its words: indexing spends far less time stemming.
pub fn news_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Normalize)
        .build()
}

/// Lower-casing, accent folding and stemming of one word, as tantivy's filters do them.
pub fn word_normalizer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Word forms remembered by one analyzer before its memory is emptied.
const NORMALIZED_FORMS: usize = 65_536;

/// Token filter: each word's normalized term (see [`word_normalizer`]), remembered.
#[derive(Clone)]
struct Normalize;

impl TokenFilter for Normalize {
    type Tokenizer<T: Tokenizer> = NormalizeFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NormalizeFilter<T> {
        NormalizeFilter {
            inner: tokenizer,
            normalizer: word_normalizer(),
            known: FxHashMap::default(),
        }
    }
}

#[derive(Clone)]
struct NormalizeFilter<T> {
    inner: T,
    normalizer: TextAnalyzer,
    /// Word as written → term.
    known: FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for NormalizeFilter<T> {
    type TokenStream<'a> = NormalizeStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.known.len() >= NORMALIZED_FORMS {
            self.known.clear();
        }
        NormalizeStream {
            tail: self.inner.token_stream(text),
            normalizer: &mut self.normalizer,
            known: &mut self.known,
        }
    }
}

struct NormalizeStream<'a, T> {
    tail: T,
    normalizer: &'a mut TextAnalyzer,
    known: &'a mut FxHashMap<String, String>,
}

impl<T: TokenStream> TokenStream for NormalizeStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(term) = self.known.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(term);
            return true;
        }
        let word = std::mem::take(&mut token.text);
        let term = {
            let mut stream = self.normalizer.token_stream(&word);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                word.to_lowercase()
            }
        };
        token.text.push_str(&term);
        self.known.insert(word, term);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// General English function words (the Snowball project's English stop list, without its
/// forms with apostrophes, which the analyzer splits anyway), sorted. Optional query words
/// on this list are dropped before searching; the index keeps every word, so phrases that
/// contain them ("bank of japan") still match exactly.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "cannot", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "me",
    "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
    "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "with", "would", "you", "your", "yours", "yourself", "yourselves",
];

/// Whether a query word is a general English stop word (compared after case and accent
/// folding, before stemming).
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS
        .binary_search(&fold_keyword(word).as_str())
        .is_ok()
}

/// The keyword analyzer: the whole value as one lower-cased, accent-folded token.
pub fn keyword_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers the schema names on an index (needed after every open).
pub fn register_analyzers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(NEWS_ANALYZER, news_analyzer());
    tokenizers.register(PASSAGE_ANALYZER, passage_analyzer());
    tokenizers.register(
        FORMS_ANALYZER,
        TextAnalyzer::from(FormsTokenizer::default()),
    );
    tokenizers.register(KEYWORD_ANALYZER, keyword_analyzer());
}

/// The prose analyzer for one passage of a body: its positions start [`PASSAGE_GAP`] after
/// the end of the passage before (tantivy adds one more between two values).
pub fn passage_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Normalize)
        .filter(ShiftPositions)
        .build()
}

/// Token filter: every position moved [`PASSAGE_GAP`] further.
#[derive(Clone)]
struct ShiftPositions;

impl TokenFilter for ShiftPositions {
    type Tokenizer<T: Tokenizer> = ShiftPositionsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ShiftPositionsFilter<T> {
        ShiftPositionsFilter(tokenizer)
    }
}

#[derive(Clone)]
struct ShiftPositionsFilter<T>(T);

impl<T: Tokenizer> Tokenizer for ShiftPositionsFilter<T> {
    type TokenStream<'a> = ShiftPositionsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ShiftPositionsStream {
            inner: self.0.token_stream(text),
            shifted: false,
        }
    }
}

struct ShiftPositionsStream<T> {
    inner: T,
    /// The current token's position is shifted (the tokenizer counts on from the
    /// unshifted one, so the shift is undone before it advances).
    shifted: bool,
}

impl<T: TokenStream> TokenStream for ShiftPositionsStream<T> {
    fn advance(&mut self) -> bool {
        if self.shifted {
            self.inner.token_mut().position -= PASSAGE_GAP;
            self.shifted = false;
        }
        if !self.inner.advance() {
            return false;
        }
        self.inner.token_mut().position += PASSAGE_GAP;
        self.shifted = true;
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// A value of the `forms` field starting with this character is a title: its words are
/// not marked for capitals (headlines capitalise common words).
pub const TITLE_VALUE_MARK: char = '\u{1}';

/// The folded, unstemmed form of a word, as the `forms` field holds it: lower case,
/// accents folded to ASCII as tantivy's folding filter does.
pub fn word_form(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(word);
    let mut out = String::new();
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

/// Whether a word is written with a capital and at least one small letter (`Federer`,
/// `McCain`; not `NATO`, not `oil`).
pub fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

/// Whether the word starting at byte `at` of `text` opens a sentence: nothing but
/// spaces, quotes and brackets stand between it and the start of the text or a `.`,
/// `!`, `?` or `:`.
fn opens_sentence(text: &str, at: usize) -> bool {
    for c in text[..at].chars().rev() {
        match c {
            c if c.is_whitespace() => {}
            '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '—' | '–' | '-' => {}
            '.' | '!' | '?' | ':' | TITLE_VALUE_MARK => return true,
            _ => return false,
        }
    }
    true
}

/// The `forms` tokenizer: each word as [`word_form`] makes it, and once more as `^form`
/// when it is capitalised inside a sentence (not in a title value). Only words whose form
/// is not their stemmed term are kept: for the others, matching the term is matching the
/// form, and no query asks for them here.
#[derive(Clone)]
pub struct FormsTokenizer {
    inner: SimpleTokenizer,
    token: Token,
    normalizer: TextAnalyzer,
    /// Word as written → its form, when that differs from its term.
    known: FxHashMap<String, Option<String>>,
}

impl Default for FormsTokenizer {
    fn default() -> FormsTokenizer {
        FormsTokenizer {
            inner: SimpleTokenizer::default(),
            token: Token::default(),
            normalizer: word_normalizer(),
            known: FxHashMap::default(),
        }
    }
}

impl Tokenizer for FormsTokenizer {
    type TokenStream<'a> = FormsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FormsStream<'a> {
        if self.known.len() >= NORMALIZED_FORMS {
            self.known.clear();
        }
        FormsStream {
            title: text.starts_with(TITLE_VALUE_MARK),
            text,
            inner: self.inner.token_stream(text),
            token: &mut self.token,
            normalizer: &mut self.normalizer,
            known: &mut self.known,
            marked: None,
        }
    }
}

pub struct FormsStream<'a> {
    text: &'a str,
    title: bool,
    inner: tantivy::tokenizer::SimpleTokenStream<'a>,
    token: &'a mut Token,
    normalizer: &'a mut TextAnalyzer,
    known: &'a mut FxHashMap<String, Option<String>>,
    /// The marked form of the last word, still to be handed out.
    marked: Option<String>,
}

/// The form of a word when it differs from its stemmed term (remembered in `known`).
fn distinct_form(
    known: &mut FxHashMap<String, Option<String>>,
    normalizer: &mut TextAnalyzer,
    word: &str,
) -> Option<String> {
    if let Some(known) = known.get(word) {
        return known.clone();
    }
    let form = word_form(word);
    let term = {
        let mut stream = normalizer.token_stream(word);
        if stream.advance() {
            stream.token().text.clone()
        } else {
            form.clone()
        }
    };
    let distinct = (term != form).then_some(form);
    known.insert(word.to_string(), distinct.clone());
    distinct
}

impl TokenStream for FormsStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(marked) = self.marked.take() {
            self.token.text = marked;
            return true;
        }
        loop {
            if !self.inner.advance() {
                return false;
            }
            let word = self.inner.token();
            if word.text.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            let Some(form) = distinct_form(self.known, self.normalizer, &word.text) else {
                continue;
            };
            if !self.title
                && is_capitalised(&word.text)
                && !opens_sentence(self.text, word.offset_from)
            {
                self.marked = Some(format!("{CAPITAL_MARK}{form}"));
            }
            self.token.offset_from = word.offset_from;
            self.token.offset_to = word.offset_to;
            self.token.position = word.position;
            self.token.position_length = 1;
            self.token.text = form;
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Folds a keyword value the way the keyword analyzer does, for building filter terms.
pub fn fold_keyword(value: &str) -> String {
    let mut analyzer = keyword_analyzer();
    let mut stream = analyzer.token_stream(value.trim());
    let mut out = String::new();
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

/// One analyzed token of a text: the indexed term and where it sits in the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The term as indexed (folded and stemmed).
    pub term: String,
    /// Byte offsets into the analyzed text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Token position (consecutive words have consecutive positions).
    pub position: usize,
}

/// Runs the prose analyzer over `text`, returning every token with its byte offsets.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push(AnalyzedToken {
            term: token.text.clone(),
            start: token.offset_from,
            end: token.offset_to,
            position: token.position,
        });
    }
    tokens
}

/// The article-level facets and their paths: the one place that knows how a facet is
/// spelled (`/date/2024/03/25`, `/date/unknown`, `/source/Reuters`, `/mentioned/2023/10`,
/// `/mentioned/2024/03/26`, `/person/Benjamin Netanyahu`, `/org/Hamas`, `/place/Rafah`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetPath {
    /// The publication day.
    Date(NaiveDate),
    /// No known publication date.
    UnknownDate,
    /// The outlet, as given.
    Source(String),
    /// A mentioned day, or a mentioned month (as its first day).
    Mentioned(NaiveDate, Granularity),
    /// A person, organisation or place, by its article-level name.
    Entity(EntityKind, String),
}

const DATE: &str = "date";
const UNKNOWN: &str = "unknown";
const SOURCE: &str = "source";
const MENTIONED: &str = "mentioned";

impl FacetPath {
    /// The tantivy facet.
    pub fn to_facet(&self) -> Facet {
        let ymd = |day: &NaiveDate| {
            [
                format!("{:04}", day.year()),
                format!("{:02}", day.month()),
                format!("{:02}", day.day()),
            ]
        };
        match self {
            FacetPath::Date(day) => {
                let [y, m, d] = ymd(day);
                Facet::from_path([DATE, &y, &m, &d])
            }
            FacetPath::UnknownDate => Facet::from_path([DATE, UNKNOWN]),
            FacetPath::Source(name) => Facet::from_path([SOURCE, name.as_str()]),
            FacetPath::Mentioned(day, Granularity::Day) => {
                let [y, m, d] = ymd(day);
                Facet::from_path([MENTIONED, &y, &m, &d])
            }
            FacetPath::Mentioned(day, Granularity::Month) => {
                let [y, m, _] = ymd(day);
                Facet::from_path([MENTIONED, &y, &m])
            }
            FacetPath::Entity(kind, name) => Facet::from_path([kind.as_str(), name.as_str()]),
        }
    }

    /// The path a facet stands for; `None` for one newsearch does not write.
    pub fn from_facet(facet: &Facet) -> Option<FacetPath> {
        let path = facet.to_path();
        let day = |y: &str, m: &str, d: &str| {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        };
        Some(match path.as_slice() {
            [DATE, UNKNOWN] => FacetPath::UnknownDate,
            [DATE, y, m, d] => FacetPath::Date(day(y, m, d)?),
            [SOURCE, name] => FacetPath::Source(name.to_string()),
            [MENTIONED, y, m] => FacetPath::Mentioned(day(y, m, "01")?, Granularity::Month),
            [MENTIONED, y, m, d] => FacetPath::Mentioned(day(y, m, d)?, Granularity::Day),
            [kind, name] => {
                let kind = EntityKind::ALL.into_iter().find(|k| k.as_str() == *kind)?;
                FacetPath::Entity(kind, name.to_string())
            }
            _ => return None,
        })
    }

    /// The path of a facet as the facet dictionary stores it (its encoded bytes).
    pub fn from_encoded(bytes: &[u8]) -> Option<FacetPath> {
        FacetPath::from_facet(&Facet::from_encoded(bytes.to_vec()).ok()?)
    }

    /// The range of encoded facet-dictionary keys holding the entities of `kind` (start
    /// inclusive, end exclusive): the facet dictionary is sorted, so one kind's names are
    /// contiguous and can be streamed without looking each one up.
    pub fn entity_key_range(kind: EntityKind) -> (Vec<u8>, Vec<u8>) {
        // The encoding of `/person/` followed by a name: the kind and one separator.
        let low = Facet::from_path([kind.as_str(), ""])
            .encoded_str()
            .as_bytes()
            .to_vec();
        let mut high = low.clone();
        if let Some(last) = high.last_mut() {
            *last += 1;
        }
        (low, high)
    }

    /// The name of an entity facet key inside [`FacetPath::entity_key_range`]`(kind)`.
    pub fn entity_name_in_key(kind: EntityKind, key: &[u8]) -> Option<&str> {
        let (low, _) = FacetPath::entity_key_range(kind);
        std::str::from_utf8(key.strip_prefix(low.as_slice())?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_words_give_the_terms_tantivys_filters_give() {
        let mut reference = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let text = "Ministers' RUNNING running Runs ran: Straße, Ελληνικά ΣΟΦΟΣ Ålesund naïve \
                    café CAFÉ 1987 U.S. x2 supercalifragilisticexpialidocious-antidisestablishment \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa İstanbul";
        let mut cached = news_analyzer();
        for _ in 0..3 {
            // The second and third passes read every term from memory.
            assert_eq!(analyze(&mut cached, text), analyze(&mut reference, text));
        }
    }

    fn terms(text: &str) -> Vec<String> {
        analyze(&mut news_analyzer(), text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn stems_and_folds_the_same_way_for_every_form() {
        assert_eq!(terms("disappointing"), terms("Disappointed"));
        assert_eq!(terms("Élysée"), vec!["elyse"]);
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let text = "Gaza’s “ceasefire”";
        let tokens = analyze(&mut news_analyzer(), text);
        let words: Vec<&str> = tokens.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, vec!["Gaza", "s", "ceasefire"]);
    }

    fn forms(text: &str) -> Vec<String> {
        let mut tokenizer = FormsTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn forms_are_unstemmed_and_capitals_inside_sentences_are_marked() {
        // Only forms that differ from their stemmed term are kept.
        assert_eq!(
            forms("Federal judges met Federer. Oil rose; “Apple” fell, NATO said Élysée"),
            ["federal", "judges", "federer", "^federer", "apple", "^apple", "elysee", "^elysee"]
        );
        let title = format!("{TITLE_VALUE_MARK}Oil Prices Rise After Federer Wins");
        assert!(forms(&title).iter().all(|f| !f.starts_with(CAPITAL_MARK)));
        assert_eq!(word_form("Ålesund"), "alesund");
        assert!(is_capitalised("McCain") && !is_capitalised("NATO") && !is_capitalised("oil"));
    }

    #[test]
    fn passages_are_kept_apart_by_the_gap() {
        let mut analyzer = passage_analyzer();
        let positions: Vec<usize> = analyze(&mut analyzer, "ground attack on Rafah")
            .iter()
            .map(|t| t.position)
            .collect();
        let gap = PASSAGE_GAP;
        assert_eq!(positions, [gap, gap + 1, gap + 2, gap + 3]);
        assert!(PASSAGE_GAP > MAX_PHRASE_SLOP as usize);
    }

    #[test]
    fn days_and_seconds_cover_years_one_to_9999() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(days_of(day(1970, 1, 1)), 0);
        assert_eq!(days_of(day(1970, 1, 2)), 1);
        assert!(days_of(day(1, 1, 1)) < days_of(day(1066, 10, 14)));
        assert!(days_of(day(2262, 4, 12)) < days_of(day(9999, 12, 31)));
        for date in [
            day(1, 1, 1),
            day(1066, 10, 14),
            day(2999, 1, 1),
            day(9999, 12, 31),
        ] {
            let time = date.and_hms_opt(13, 5, 0).unwrap();
            assert_eq!(date_of_seconds(seconds_of(time)), Some(time));
        }
    }

    #[test]
    fn stop_words_are_sorted_folded_and_found_in_any_case() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| fold_keyword(w) == *w));
        assert!(is_stop_word("The") && is_stop_word("WHICH"));
        assert!(!is_stop_word("us") && !is_stop_word("Gaza") && !is_stop_word("attack"));
    }

    #[test]
    fn keywords_fold_case_and_accents() {
        assert_eq!(fold_keyword("  Le Monde "), "le monde");
        assert_eq!(fold_keyword("Télérama"), "telerama");
    }

    #[test]
    fn facet_paths_round_trip_through_tantivy_facets_and_their_encoding() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 25).unwrap();
        let early = NaiveDate::from_ymd_opt(17, 1, 2).unwrap();
        let paths = [
            FacetPath::Date(day),
            FacetPath::Date(early),
            FacetPath::UnknownDate,
            FacetPath::Source("Le Monde / AFP".into()),
            FacetPath::Mentioned(day, Granularity::Day),
            FacetPath::Mentioned(
                NaiveDate::from_ymd_opt(2023, 10, 1).unwrap(),
                Granularity::Month,
            ),
            FacetPath::Entity(EntityKind::Person, "Benjamin Netanyahu".into()),
            FacetPath::Entity(EntityKind::Place, "Rafah".into()),
        ];
        for path in paths {
            let facet = path.to_facet();
            assert_eq!(FacetPath::from_facet(&facet), Some(path.clone()));
            let encoded = facet.encoded_str().as_bytes();
            assert_eq!(FacetPath::from_encoded(encoded), Some(path));
        }
        assert_eq!(
            FacetPath::Date(day).to_facet().to_path_string(),
            "/date/2024/03/25"
        );
        assert_eq!(
            FacetPath::Date(early).to_facet().to_path_string(),
            "/date/0017/01/02"
        );
    }

    #[test]
    fn an_entity_kind_has_one_key_range_holding_exactly_its_names() {
        let key = |path: FacetPath| path.to_facet().encoded_str().as_bytes().to_vec();
        let (low, high) = FacetPath::entity_key_range(EntityKind::Person);
        let inside = key(FacetPath::Entity(EntityKind::Person, "Ann Lee".into()));
        assert!(low <= inside && inside < high);
        assert_eq!(
            FacetPath::entity_name_in_key(EntityKind::Person, &inside),
            Some("Ann Lee")
        );
        for outside in [
            key(FacetPath::Entity(EntityKind::Place, "Ann Lee".into())),
            key(FacetPath::Source("person".into())),
            key(FacetPath::UnknownDate),
        ] {
            assert!(!(low <= outside && outside < high));
        }
    }
}
