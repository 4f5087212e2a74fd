//! The query language: words, "phrases", AND/OR/NOT, +/-, parentheses, field:value
//! (title, body, source, person, org, place),
//! prefix*, word~ (typo tolerance). Parsed into a small syntax tree; errors name the
//! column and the problem.
//!
//! Precedence, loosest first: `OR`, then a run of clauses side by side (each optional
//! unless marked `+`, excluded when marked `-` or `NOT`), then `AND`.
//!
//! Parentheses nest at most [`MAX_DEPTH`] deep: everything that walks the tree (here, in
//! the compiler and in tantivy) recurses once a level, and thousands of levels overflow
//! the stack. Text the user typed is quoted and escaped when a message repeats it, so a
//! query holding terminal escapes cannot reach the terminal through an error.

use std::fmt;

use crate::extract::entities::EntityKind;

/// Deepest nesting of parentheses a query may have.
pub const MAX_DEPTH: usize = 100;

/// Which field a leaf searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Body and title, with title matches weighted.
    Default,
    Title,
    Body,
    Source,
    /// Articles that mention an entity (by any of its names); a filter, not scored.
    Entity(EntityKind),
}

impl Target {
    /// Field names accepted before a colon.
    pub const NAMES: &'static [&'static str] =
        &["title", "body", "source", "person", "org", "place"];

    fn from_name(name: &str) -> Option<Target> {
        match name.to_ascii_lowercase().as_str() {
            "title" => Some(Target::Title),
            "body" | "text" => Some(Target::Body),
            "source" => Some(Target::Source),
            "person" => Some(Target::Entity(EntityKind::Person)),
            "org" => Some(Target::Entity(EntityKind::Org)),
            "place" => Some(Target::Entity(EntityKind::Place)),
            _ => None,
        }
    }
}

impl Node {
    /// Whether any leaf asks for an entity (so the alias table is needed).
    pub fn has_entities(&self) -> bool {
        match self {
            Node::Leaf { target, .. } => matches!(target, Target::Entity(_)),
            Node::Group(clauses) => clauses.iter().any(|(_, node)| node.has_entities()),
        }
    }
}

/// What a leaf asks for, with the text as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeafKind {
    Word(String),
    Phrase {
        text: String,
        slop: u32,
    },
    Prefix(String),
    /// Typo-tolerant word; `None` picks the distance from the word's length.
    Fuzzy {
        text: String,
        distance: Option<u8>,
    },
}

/// How a clause takes part in its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occur {
    Should,
    Must,
    MustNot,
}

/// The parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Leaf { target: Target, kind: LeafKind },
    Group(Vec<(Occur, Node)>),
}

/// A malformed query: what is wrong and where (column counted in characters, from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for QueryError {}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase { text: String, slop: u32 },
    Field(String),
    Open,
    Close,
    Plus,
    Minus,
    And,
    Or,
    Not,
}

/// A token and the column where it starts.
type Spanned = (Tok, usize);

/// Parses a query.
pub fn parse(input: &str) -> Result<Node, QueryError> {
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Err(QueryError {
            column: 1,
            message: "the query is empty".into(),
        });
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        end_column: input.chars().count() + 1,
        depth: 0,
    };
    let node = parser.or_expr()?;
    if let Some((tok, column)) = parser.tokens.get(parser.pos) {
        let message = match tok {
            Tok::Close => "unbalanced ')' with no '(' before it".to_string(),
            other => format!("unexpected {}", describe(other)),
        };
        return Err(QueryError {
            column: *column,
            message,
        });
    }
    Ok(node)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("word {w:?}"),
        Tok::Phrase { text, .. } => format!("phrase {text:?}"),
        Tok::Field(f) => format!("field '{f}:'"),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Plus => "'+'".into(),
        Tok::Minus => "'-'".into(),
        Tok::And => "AND".into(),
        Tok::Or => "OR".into(),
        Tok::Not => "NOT".into(),
    }
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '"' | '“' | '”')
}

fn lex(input: &str) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                tokens.push((Tok::Open, column));
                i += 1;
            }
            ')' => {
                tokens.push((Tok::Close, column));
                i += 1;
            }
            '"' | '“' | '”' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&q| q == '"' || q == '”' || q == '“')
                    .map(|p| p + i + 1)
                    .ok_or(QueryError {
                        column,
                        message: "unbalanced quote: this '\"' is never closed".into(),
                    })?;
                let text: String = chars[i + 1..close].iter().collect();
                i = close + 1;
                let mut slop = 0;
                if chars.get(i) == Some(&'~') {
                    let digits: String = chars[i + 1..]
                        .iter()
                        .take_while(|d| d.is_ascii_digit())
                        .collect();
                    slop = digits.parse().map_err(|_| QueryError {
                        column: i + 1,
                        message: "a phrase's '~' needs a number of words of slack, as in \"ground attack\"~2".into(),
                    })?;
                    i += 1 + digits.len();
                }
                tokens.push((Tok::Phrase { text, slop }, column));
            }
            '+' | '-'
                if chars
                    .get(i + 1)
                    .is_some_and(|&n| is_word_char(n) || n == '(' || n == '"') =>
            {
                tokens.push((if c == '+' { Tok::Plus } else { Tok::Minus }, column));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                    if chars[i - 1] == ':' && i - 1 > start {
                        let name: String = chars[start..i - 1].iter().collect();
                        // `https://…` is a pasted address, not a field: it stays one word.
                        let address = chars[i..].starts_with(&['/', '/']);
                        if name.chars().all(|ch| ch.is_ascii_alphabetic()) && !address {
                            break;
                        }
                    }
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push((classify_word(word, column, &chars[i..])?, column));
            }
        }
    }
    Ok(tokens)
}

/// A word as a token; `rest` is what follows it (for the message about an unknown field).
fn classify_word(word: String, column: usize, rest: &[char]) -> Result<Tok, QueryError> {
    if let Some(name) = word.strip_suffix(':') {
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
            return match Target::from_name(name) {
                Some(_) => Ok(Tok::Field(name.to_ascii_lowercase())),
                None => {
                    let value: String = rest.iter().take_while(|&&c| is_word_char(c)).collect();
                    Err(QueryError {
                        column,
                        message: format!(
                            "unknown field '{name}:' (fields: {}); to search for the text, put it in quotes: {:?}",
                            Target::NAMES.join(", "),
                            format!("{word}{value}")
                        ),
                    })
                }
            };
        }
    }
    Ok(match word.as_str() {
        "AND" | "&&" => Tok::And,
        "OR" | "||" => Tok::Or,
        "NOT" => Tok::Not,
        _ => Tok::Word(word),
    })
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
    end_column: usize,
    /// Parentheses open around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.end_column, |(_, column)| *column)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, QueryError> {
        Err(QueryError {
            column: self.column(),
            message: message.into(),
        })
    }

    fn or_expr(&mut self) -> Result<Node, QueryError> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            if self.starts_clause() {
                alternatives.push(self.sequence()?);
            } else {
                return self.error("OR needs a term after it");
            }
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Group(
                alternatives
                    .into_iter()
                    .map(|n| (Occur::Should, n))
                    .collect(),
            )
        })
    }

    fn starts_clause(&self) -> bool {
        matches!(
            self.peek(),
            Some(
                Tok::Word(_)
                    | Tok::Phrase { .. }
                    | Tok::Field(_)
                    | Tok::Open
                    | Tok::Plus
                    | Tok::Minus
                    | Tok::Not
            )
        )
    }

    /// Clauses side by side, each with its own occurrence.
    fn sequence(&mut self) -> Result<Node, QueryError> {
        let mut clauses = Vec::new();
        while self.starts_clause() {
            clauses.push(self.and_chain()?);
        }
        if clauses.is_empty() {
            return match self.peek() {
                Some(Tok::And) | Some(Tok::Or) => self.error("AND/OR needs a term on both sides"),
                Some(Tok::Close) => self.error("empty parentheses or ')' without a term before it"),
                _ => self.error("expected a word, a \"phrase\" or '(' here"),
            };
        }
        Ok(if clauses.len() == 1 && clauses[0].0 == Occur::Should {
            clauses.remove(0).1
        } else {
            Node::Group(clauses)
        })
    }

    /// `a AND b AND -c`: every member required (or excluded).
    fn and_chain(&mut self) -> Result<(Occur, Node), QueryError> {
        let first = self.unary()?;
        if self.peek() != Some(&Tok::And) {
            return Ok(first);
        }
        let mut members = vec![required(first)];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            if !self.starts_clause() {
                return self.error("AND needs a term after it");
            }
            members.push(required(self.unary()?));
        }
        Ok((Occur::Must, Node::Group(members)))
    }

    fn unary(&mut self) -> Result<(Occur, Node), QueryError> {
        let occur = match self.peek() {
            Some(Tok::Plus) => Occur::Must,
            Some(Tok::Minus) | Some(Tok::Not) => Occur::MustNot,
            _ => return Ok((Occur::Should, self.primary(Target::Default)?)),
        };
        self.pos += 1;
        if !self.starts_clause() || matches!(self.peek(), Some(Tok::Plus | Tok::Minus | Tok::Not)) {
            return self.error("'+', '-' and NOT need a term right after them");
        }
        Ok((occur, self.primary(Target::Default)?))
    }

    fn primary(&mut self, target: Target) -> Result<Node, QueryError> {
        let column = self.column();
        let Some((tok, _)) = self.tokens.get(self.pos).cloned() else {
            return self.error("the query ends where a term was expected");
        };
        self.pos += 1;
        match tok {
            Tok::Word(word) => leaf_from_word(word, target, column),
            Tok::Phrase { text, slop } => Ok(Node::Leaf {
                target,
                kind: LeafKind::Phrase { text, slop },
            }),
            Tok::Field(name) => {
                if target != Target::Default {
                    return Err(QueryError {
                        column,
                        message: "a field inside another field's value".into(),
                    });
                }
                let field = Target::from_name(&name).expect("lexer checked the field name");
                match self.peek() {
                    Some(Tok::Word(_) | Tok::Phrase { .. } | Tok::Open) => self.primary(field),
                    Some(_) => self.error(format!(
                        "'{name}:' needs a word, a \"phrase\" or '(' after it"
                    )),
                    None => self.error(format!("the query ends after '{name}:': it needs a value")),
                }
            }
            Tok::Open => {
                if self.depth == MAX_DEPTH {
                    return Err(QueryError {
                        column,
                        message: format!(
                            "parentheses nested more than {MAX_DEPTH} deep; simplify the query"
                        ),
                    });
                }
                self.depth += 1;
                let inner = self.or_expr_in(target);
                self.depth -= 1;
                let inner = inner?;
                if self.peek() == Some(&Tok::Close) {
                    self.pos += 1;
                    Ok(inner)
                } else {
                    Err(QueryError {
                        column,
                        message: "unbalanced parenthesis: this '(' is never closed".into(),
                    })
                }
            }
            other => Err(QueryError {
                column,
                message: format!("unexpected {}", describe(&other)),
            }),
        }
    }

    /// A parenthesised expression whose leaves default to `target`.
    fn or_expr_in(&mut self, target: Target) -> Result<Node, QueryError> {
        if !self.starts_clause() {
            return match self.peek() {
                None => self.error("the query ends after '(': expected a term"),
                _ => self.error("expected a term after '('"),
            };
        }
        let node = self.or_expr()?;
        Ok(retarget(node, target))
    }
}

fn required((occur, node): (Occur, Node)) -> (Occur, Node) {
    match occur {
        Occur::MustNot => (Occur::MustNot, node),
        _ => (Occur::Must, node),
    }
}

/// Points leaves that use the default field at `target` (for `title:(a OR b)`).
fn retarget(node: Node, target: Target) -> Node {
    if target == Target::Default {
        return node;
    }
    match node {
        Node::Leaf {
            target: Target::Default,
            kind,
        } => Node::Leaf { target, kind },
        Node::Leaf { .. } => node,
        Node::Group(clauses) => Node::Group(
            clauses
                .into_iter()
                .map(|(occur, n)| (occur, retarget(n, target)))
                .collect(),
        ),
    }
}

fn leaf_from_word(word: String, target: Target, column: usize) -> Result<Node, QueryError> {
    let kind = if let Some(stem) = word.strip_suffix('*') {
        if stem.is_empty() || stem.ends_with('*') {
            return Err(QueryError {
                column,
                message: "'*' must follow at least one letter, as in rafa*".into(),
            });
        }
        LeafKind::Prefix(stem.to_string())
    } else if let Some((text, distance)) = word.rsplit_once('~') {
        if text.is_empty() {
            return Err(QueryError {
                column,
                message: "'~' must follow a word, as in Netanyahoo~".into(),
            });
        }
        let distance = match distance {
            "" => None,
            "0" | "1" | "2" => distance.parse().ok(),
            _ => {
                return Err(QueryError {
                    column,
                    message: format!(
                        "typo tolerance '~{}' must be ~0, ~1 or ~2",
                        distance.escape_debug()
                    ),
                })
            }
        };
        LeafKind::Fuzzy {
            text: text.to_string(),
            distance,
        }
    } else {
        LeafKind::Word(word)
    };
    Ok(Node::Leaf { target, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Node {
        Node::Leaf {
            target: Target::Default,
            kind: LeafKind::Word(w.into()),
        }
    }

    fn error_of(query: &str) -> QueryError {
        parse(query).expect_err(query)
    }

    #[test]
    fn words_side_by_side_are_optional_and_marks_make_them_required_or_excluded() {
        assert_eq!(
            parse("gaza +rafah -hamas").unwrap(),
            Node::Group(vec![
                (Occur::Should, word("gaza")),
                (Occur::Must, word("rafah")),
                (Occur::MustNot, word("hamas")),
            ])
        );
        assert_eq!(parse("Hamas-run").unwrap(), word("Hamas-run"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(
            parse("a AND b OR c").unwrap(),
            Node::Group(vec![
                (
                    Occur::Should,
                    Node::Group(vec![(
                        Occur::Must,
                        Node::Group(vec![(Occur::Must, word("a")), (Occur::Must, word("b"))])
                    )])
                ),
                (Occur::Should, word("c")),
            ])
        );
    }

    #[test]
    fn fields_phrases_prefixes_and_fuzzy_words() {
        assert_eq!(
            parse("title:\"ground attack\"~1").unwrap(),
            Node::Leaf {
                target: Target::Title,
                kind: LeafKind::Phrase {
                    text: "ground attack".into(),
                    slop: 1
                }
            }
        );
        assert_eq!(
            parse("raf*").unwrap(),
            Node::Leaf {
                target: Target::Default,
                kind: LeafKind::Prefix("raf".into())
            }
        );
        assert_eq!(
            parse("Netanyahoo~").unwrap(),
            Node::Leaf {
                target: Target::Default,
                kind: LeafKind::Fuzzy {
                    text: "Netanyahoo".into(),
                    distance: None
                }
            }
        );
        assert_eq!(
            parse("title:(rafah OR gaza)").unwrap(),
            Node::Group(vec![
                (
                    Occur::Should,
                    Node::Leaf {
                        target: Target::Title,
                        kind: LeafKind::Word("rafah".into())
                    }
                ),
                (
                    Occur::Should,
                    Node::Leaf {
                        target: Target::Title,
                        kind: LeafKind::Word("gaza".into())
                    }
                ),
            ])
        );
    }

    #[test]
    fn colons_that_are_not_fields_stay_in_words() {
        assert_eq!(parse("10:30").unwrap(), word("10:30"));
    }

    #[test]
    fn a_pasted_address_is_text_and_an_unknown_field_says_how_to_quote_it() {
        let url = "https://www.bbc.co.uk/news/world-68647217";
        assert_eq!(parse(url).unwrap(), word(url));
        assert_eq!(
            parse(&format!("rafah {url}")).unwrap(),
            Node::Group(vec![
                (Occur::Should, word("rafah")),
                (Occur::Should, word(url))
            ])
        );
        let e = error_of("gaza titel:ceasefire");
        assert_eq!(e.column, 6);
        assert!(e.message.contains("unknown field 'titel:'"), "{e}");
        assert!(e.message.contains("\"titel:ceasefire\""), "{e}");
    }

    #[test]
    fn nesting_is_bounded_and_the_limit_is_named() {
        let deep = |n: usize| format!("{}gaza{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(parse(&deep(MAX_DEPTH)).unwrap(), word("gaza"));
        let e = error_of(&deep(MAX_DEPTH + 1));
        assert_eq!(e.column, MAX_DEPTH + 1);
        assert!(
            e.message.contains(&format!("more than {MAX_DEPTH} deep")),
            "{e}"
        );
        // Far past the limit the parser stops at the limit instead of overflowing.
        assert!(error_of(&"(".repeat(100_000)).message.contains("deep"));
        let siblings = "(a) ".repeat(5_000);
        assert!(parse(&siblings).is_ok(), "side by side is not deep");
    }

    #[test]
    fn messages_escape_what_the_user_typed() {
        for query in ["gaza~\u{1b}[31m", "\"\u{1b}]0;x\u{7}\" )"] {
            let e = error_of(&format!("{query})"));
            assert!(!e.message.chars().any(char::is_control), "{e:?}");
        }
    }

    #[test]
    fn malformed_queries_name_the_problem_and_the_column() {
        let e = error_of("title:(");
        assert_eq!(e.column, 8);
        assert!(e.message.contains("ends after '('"), "{e}");
        let e = error_of("\"ground attack");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("unbalanced quote"), "{e}");
        assert!(error_of("(gaza").message.contains("never closed"));
        assert!(error_of("gaza)").message.contains("unbalanced ')'"));
        assert!(error_of("gaza AND").message.contains("AND needs a term"));
        assert!(error_of("OR gaza").message.contains("AND/OR"));
        assert!(error_of("titel:gaza")
            .message
            .contains("unknown field 'titel:'"));
        assert!(error_of("title:").message.contains("needs a value"));
        assert!(error_of("gaza~7").message.contains("~0, ~1 or ~2"));
        assert!(error_of("*").message.contains("'*' must follow"));
        assert!(error_of("   ").message.contains("empty"));
        assert!(error_of("()").message.contains("expected a term"));
    }
}
