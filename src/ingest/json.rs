//! JSON articles: a file holding one article object, an array of them, or an object
//! that wraps such an array (`{"articles": [...]}`, as news APIs answer); and JSON lines,
//! one article object a line (also when a `.json` file or standard input holds them).
//! JSON lines files and standard input are streamed: read a chunk of lines at a time.

use std::io;

use serde_json::{Map, Value};

use super::fields::{pick, FieldNames, MissingFields};
use super::lines::{Fallback, Line, LineReader};
use super::{Chunk, ChunkLimits, End, FileRead, Origin, Problem, Record};
use crate::wording::counted;

/// How many leading lines are tried to tell JSON lines from one JSON document.
const SNIFF_LINES: usize = 10;

/// Reads a `.json` file or standard input.
pub(super) fn read_json(text: &str, origin: &Origin, names: &FieldNames, out: &mut FileRead) {
    let document = match serde_json::from_str::<Value>(text) {
        Ok(document) => document,
        Err(_) if looks_like_json_lines(text) => return read_json_lines(text, origin, names, out),
        Err(error) => {
            out.failure = Some(origin.problem(format!("not valid JSON: {error}")));
            return;
        }
    };
    let mut missing = MissingFields::default();
    match document {
        Value::Object(object) => match wrapped_articles(&object, names) {
            Some(items) => read_array(items, origin, names, &mut missing, out),
            None => {
                let picked = pick(&object, names, &mut missing);
                let body = picked.text.unwrap_or_default();
                out.records.push(origin.record(None, picked.meta, &body));
            }
        },
        Value::Array(items) => {
            if items.is_empty() {
                out.failure = Some(origin.problem("no articles in the file (an empty array)"));
                return;
            }
            read_array(&items, origin, names, &mut missing, out);
        }
        _ => {
            out.failure = Some(
                origin.problem("not an article: expected a JSON object or an array of objects"),
            );
            return;
        }
    }
    note_missing(&missing, origin, names, out);
}

/// Reads JSON lines: each non-blank line is one article object; the record number is
/// the line number.
pub(super) fn read_json_lines(text: &str, origin: &Origin, names: &FieldNames, out: &mut FileRead) {
    let mut missing = MissingFields::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index as u64 + 1;
        match parse_line(line, number, origin, names, &mut missing) {
            Ok(record) => out.records.push(record),
            Err(problem) => out.skipped.push(problem),
        }
    }
    note_missing(&missing, origin, names, out);
}

/// One line of JSON lines as a record, or why it is skipped.
fn parse_line(
    line: &str,
    number: u64,
    origin: &Origin,
    names: &FieldNames,
    missing: &mut MissingFields,
) -> Result<Record, Problem> {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => {
            let picked = pick(&object, names, missing);
            let body = picked.text.unwrap_or_default();
            Ok(origin.record(Some(number), picked.meta, &body))
        }
        Ok(_) => Err(origin.record_problem(number, "not a JSON object")),
        Err(error) => Err(origin.record_problem(
            number,
            format!(
                "line {number}, column {}: not valid JSON ({})",
                error.column(),
                without_position(&error)
            ),
        )),
    }
}

/// JSON lines read from a stream a chunk at a time, so that memory follows the chunk,
/// not the file.
pub(super) struct JsonLines {
    lines: LineReader,
    fallback: Fallback,
    gzip: bool,
    names: FieldNames,
    missing: MissingFields,
    /// Records handed out in earlier chunks.
    records: u64,
    /// A line other than a blank one was read: the stream is not empty.
    any_line: bool,
    /// A line that is not UTF-8 was noted (one note a stream is enough).
    recoded_noted: bool,
    /// Lines of binary data not yet reported (the first and last of a run with nothing
    /// but blank lines between them): a run is one skip, and a stream of nothing else is
    /// one binary file.
    binary_run: Option<(u64, u64)>,
    /// A line of text (not blank, not binary) was read.
    any_text: bool,
    /// Stray control characters removed so far, and the first line that had one.
    stripped: (usize, u64),
}

impl JsonLines {
    pub fn new(lines: LineReader, fallback: Fallback, gzip: bool, names: FieldNames) -> JsonLines {
        JsonLines {
            lines,
            fallback,
            gzip,
            names,
            missing: MissingFields::default(),
            records: 0,
            any_line: false,
            recoded_noted: false,
            binary_run: None,
            any_text: false,
            stripped: (0, 0),
        }
    }

    /// Reports the run of binary lines read last, if any, as one skip.
    fn flush_binary_run(&mut self, origin: &Origin, chunk: &mut Chunk) {
        let Some((first, last)) = self.binary_run.take() else {
            return;
        };
        let reason = "binary data (mostly control bytes such as NUL), not a JSON line; skipped";
        chunk.skipped.push(if first == last {
            origin.record_problem(first, reason)
        } else {
            Problem::new(
                format!("{} (records {first}-{last})", origin.display),
                reason,
            )
        });
    }

    /// The next lines' records; the last chunk says how reading ended.
    pub fn next_chunk(&mut self, origin: &Origin, limits: ChunkLimits) -> Chunk {
        let mut chunk = Chunk::default();
        let mut bytes = 0;
        while chunk.records.len() < limits.records && bytes < limits.bytes {
            match self.lines.next_line() {
                Ok(Some(Line::Text {
                    number,
                    text,
                    recoded,
                    stripped,
                })) => {
                    if stripped > 0 {
                        if self.stripped.0 == 0 {
                            self.stripped.1 = number;
                        }
                        self.stripped.0 += stripped;
                    }
                    if text.trim().is_empty() {
                        continue;
                    }
                    self.any_line = true;
                    self.any_text = true;
                    self.flush_binary_run(origin, &mut chunk);
                    bytes += text.len();
                    if recoded && !self.recoded_noted {
                        self.recoded_noted = true;
                        chunk.notes.push(origin.problem(self.recoded_note(number)));
                    }
                    match parse_line(&text, number, origin, &self.names, &mut self.missing) {
                        Ok(record) => chunk.records.push(record),
                        Err(problem) => chunk.skipped.push(problem),
                    }
                }
                Ok(Some(Line::Binary { number })) => {
                    self.any_line = true;
                    self.binary_run = Some(match self.binary_run {
                        Some((first, _)) => (first, number),
                        None => (number, number),
                    });
                }
                Ok(Some(Line::TooLong { number, bytes })) => {
                    self.any_line = true;
                    self.any_text = true;
                    self.flush_binary_run(origin, &mut chunk);
                    chunk.skipped.push(origin.record_problem(
                        number,
                        format!(
                            "line is {bytes} bytes, over the limit of {} for one record \
                             (see --max-file-size); skipped",
                            self.lines.limit()
                        ),
                    ));
                }
                Ok(None) => {
                    chunk.end = Some(self.end(origin, None, &mut chunk));
                    break;
                }
                Err(error) => {
                    chunk.end = Some(self.end(origin, Some(error), &mut chunk));
                    break;
                }
            }
        }
        self.records += chunk.records.len() as u64;
        chunk
    }

    fn recoded_note(&self, number: u64) -> String {
        match self.fallback {
            Fallback::Windows1252 => {
                format!(
                    "not valid UTF-8 (from line {number} on); such lines decoded as Windows-1252"
                )
            }
            Fallback::Utf8Lossy => {
                format!("decoded as UTF-8 (invalid sequences replaced, from line {number} on)")
            }
        }
    }

    /// How reading ended: at the end of the stream, or at `error`.
    fn end(&mut self, origin: &Origin, error: Option<io::Error>, chunk: &mut Chunk) -> End {
        if self.binary_run.is_some() && !self.any_text && error.is_none() {
            return End::Failed(origin.problem(super::BINARY_REASON));
        }
        self.flush_binary_run(origin, chunk);
        if self.stripped.0 > 0 {
            chunk
                .notes
                .push(origin.problem(super::decode::stray_controls_note(
                    self.stripped.0,
                    Some(self.stripped.1),
                )));
        }
        chunk.notes.extend(
            self.missing
                .notes(&self.names)
                .into_iter()
                .map(|note| origin.problem(note)),
        );
        let kept = self.records + chunk.records.len() as u64;
        let Some(error) = error else {
            return if self.any_line {
                End::Complete
            } else {
                End::Failed(origin.problem("empty file"))
            };
        };
        match error.kind() {
            io::ErrorKind::UnexpectedEof if self.gzip => {
                if !self.any_line {
                    return End::Failed(origin.problem(format!(
                        "gzip data is truncated ({error}) before any whole record"
                    )));
                }
                chunk.notes.push(origin.problem(format!(
                    "gzip data is truncated ({error}); kept the {} before the cut",
                    counted(kept, "record", "records")
                )));
                End::Complete
            }
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData if self.gzip => {
                let reason = if self.any_line {
                    format!(
                        "not valid gzip data ({error}); kept the {} before it",
                        counted(kept, "record", "records")
                    )
                } else {
                    format!("not valid gzip data ({error})")
                };
                End::Failed(origin.problem(reason))
            }
            _ => End::Interrupted(origin.problem(format!(
                "reading stopped after {} ({}); the file's other articles stay until a later \
                 run reads it",
                counted(kept, "record", "records"),
                super::io_reason(&error)
            ))),
        }
    }
}

/// Whether the start of a stream is JSON lines rather than one JSON document: its first
/// non-blank line is a whole JSON object, and more follows it.
pub(super) fn starts_json_lines(head: &[u8]) -> bool {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let Some(length) = head[start..].iter().position(|&b| b == b'\n') else {
        return false;
    };
    let (first, rest) = head[start..].split_at(length);
    rest.iter().any(|b| !b.is_ascii_whitespace())
        && matches!(serde_json::from_slice::<Value>(first), Ok(Value::Object(_)))
}

/// Whether enough of a stream's start was read for [`starts_json_lines`] to decide: it
/// does not begin like an object, or its first line ended and more follows it.
pub(super) fn json_lines_decidable(head: &[u8]) -> bool {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    if head[start] != b'{' {
        return true;
    }
    match head[start..].iter().position(|&b| b == b'\n') {
        Some(length) => head[start + length..]
            .iter()
            .any(|b| !b.is_ascii_whitespace()),
        None => false,
    }
}

fn read_array(
    items: &[Value],
    origin: &Origin,
    names: &FieldNames,
    missing: &mut MissingFields,
    out: &mut FileRead,
) {
    for (index, item) in items.iter().enumerate() {
        let number = index as u64 + 1;
        match item {
            Value::Object(object) => push_record(object, Some(number), origin, names, missing, out),
            _ => out
                .skipped
                .push(origin.record_problem(number, "not a JSON object")),
        }
    }
}

fn push_record(
    object: &Map<String, Value>,
    number: Option<u64>,
    origin: &Origin,
    names: &FieldNames,
    missing: &mut MissingFields,
    out: &mut FileRead,
) {
    let picked = pick(object, names, missing);
    let body = picked.text.unwrap_or_default();
    out.records.push(origin.record(number, picked.meta, &body));
}

fn note_missing(missing: &MissingFields, origin: &Origin, names: &FieldNames, out: &mut FileRead) {
    out.notes.extend(
        missing
            .notes(names)
            .into_iter()
            .map(|note| origin.problem(note)),
    );
}

/// A JSON error's message without its " at line 1 column 5" (the line is told apart).
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => message,
    }
}

/// Whether text that is not one JSON document holds one object a line: one of its first
/// lines is a whole JSON object on its own.
fn looks_like_json_lines(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(SNIFF_LINES)
        .any(|line| matches!(serde_json::from_str::<Value>(line), Ok(Value::Object(_))))
}

/// The article list inside a wrapper object: an object with no title or text of its own
/// and exactly one field holding an array of objects.
fn wrapped_articles<'a>(object: &'a Map<String, Value>, names: &FieldNames) -> Option<&'a [Value]> {
    let own = pick(object, names, &mut MissingFields::default());
    if own.text.is_some() || own.meta.title.is_some() {
        return None;
    }
    let mut lists = object.values().filter_map(|value| match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            Some(items.as_slice())
        }
        _ => None,
    });
    let list = lists.next()?;
    lists.next().is_none().then_some(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            display: "feed.json".into(),
            identity: "/abs/feed.json".into(),
            stdin: false,
        }
    }

    fn read(text: &str, lines: bool) -> FileRead {
        let mut out = FileRead::default();
        if lines {
            read_json_lines(text, &origin(), &FieldNames::default(), &mut out);
        } else {
            read_json(text, &origin(), &FieldNames::default(), &mut out);
        }
        out
    }

    #[test]
    fn one_object_is_one_article_without_a_record_number() {
        let out = read(r#"{"title": "Talks", "body": "They failed."}"#, false);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].record, None);
        assert_eq!(out.records[0].identity, "/abs/feed.json");
        assert_eq!(out.records[0].body, "They failed.");
        assert_eq!(out.records[0].meta.title.as_deref(), Some("Talks"));
    }

    #[test]
    fn arrays_and_wrapped_arrays_give_numbered_records() {
        let out = read(r#"[{"text": "One."}, 7, {"text": "Three."}]"#, false);
        let numbers: Vec<_> = out.records.iter().map(|r| r.record).collect();
        assert_eq!(numbers, vec![Some(1), Some(3)]);
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].path, "feed.json (record 2)");

        let wrapped = r#"{"status": "ok", "totalResults": 2,
            "articles": [{"title": "A", "content": "One."}, {"title": "B", "content": "Two."}]}"#;
        let out = read(wrapped, false);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[1].meta.title.as_deref(), Some("B"));
    }

    #[test]
    fn a_bad_line_is_skipped_and_named_and_the_rest_is_read() {
        let text = "{\"text\": \"One.\"}\r\n\n{\"text\": \"Two.\"\n{\"text\": \"Four.\"}\n";
        let out = read(text, true);
        let numbers: Vec<_> = out.records.iter().map(|r| r.record).collect();
        assert_eq!(
            numbers,
            vec![Some(1), Some(4)],
            "records are numbered by line"
        );
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].path, "feed.json (record 3)");
        assert_eq!(
            out.skipped[0].reason,
            "line 3, column 15: not valid JSON (EOF while parsing an object)"
        );
    }

    #[test]
    fn a_json_file_holding_json_lines_is_read_as_lines() {
        let out = read("{\"text\": \"One.\"}\n{\"text\": \"Two.\"}\n", false);
        assert_eq!(out.records.len(), 2);
        assert!(out.failure.is_none());
        let broken = read("{\n  \"text\": \"One.\",\n", false);
        assert!(broken.failure.unwrap().reason.contains("not valid JSON"));
    }

    #[test]
    fn an_input_error_in_the_middle_interrupts_and_keeps_the_records_before_it() {
        let head = b"{\"text\": \"One.\"}\n{\"text\": \"Two.\"}\n{\"text\": \"Thr".to_vec();
        let error = io::Error::other("device error");
        let rest = Box::new(io::Cursor::new(Vec::new()));
        let input = Box::new(super::super::lines::Replay::new(head, Some(error), rest));
        let lines = LineReader::new(input, 1000, Fallback::Windows1252);
        let mut stream = JsonLines::new(lines, Fallback::Windows1252, false, FieldNames::default());
        let limits = ChunkLimits {
            records: 1,
            bytes: 1000,
        };
        let first = stream.next_chunk(&origin(), limits);
        assert_eq!((first.records.len(), first.end), (1, None));
        let second = stream.next_chunk(&origin(), limits);
        assert_eq!(second.records.len(), 1);
        assert_eq!(second.end, None);
        let last = stream.next_chunk(&origin(), limits);
        assert!(last.records.is_empty());
        match last.end {
            Some(End::Interrupted(problem)) => {
                assert!(problem.reason.contains("after 2 records"), "{problem:?}");
                assert!(problem.reason.contains("device error"), "{problem:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn standard_input_is_streamed_only_when_it_starts_with_an_object_line_and_more() {
        assert!(starts_json_lines(
            b"\n{\"text\": \"a\"}\r\n{\"text\": \"b\"}"
        ));
        assert!(!starts_json_lines(b"{\"text\": \"a\"}\n\n"), "one document");
        assert!(!starts_json_lines(b"[\n  {\"text\": \"a\"}\n]\n"));
        assert!(!starts_json_lines(b"{\n  \"text\": \"a\"\n}\n"));
        assert!(json_lines_decidable(b"[1"));
        assert!(!json_lines_decidable(b"{\"text\": \"a\"}\n  "));
        assert!(json_lines_decidable(b"{\"text\": \"a\"}\n{"));
    }

    #[test]
    fn an_empty_array_or_a_scalar_is_a_failure() {
        assert!(read("[]", false)
            .failure
            .unwrap()
            .reason
            .contains("empty array"));
        assert!(read("\"just a string\"", false).failure.is_some());
    }
}
