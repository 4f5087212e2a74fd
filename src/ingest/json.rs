//! JSON articles: a file holding one article object, an array of them, or an object
//! that wraps such an array (`{"articles": [...]}`, as news APIs answer); and JSON lines,
//! one article object a line (also when a `.json` file or standard input holds them).

use serde_json::{Map, Value};

use super::fields::{pick, FieldNames, MissingFields};
use super::{FileRead, Origin};

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
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => {
                push_record(&object, Some(number), origin, names, &mut missing, out)
            }
            Ok(_) => out
                .skipped
                .push(origin.record_problem(number, "not a JSON object")),
            Err(error) => out.skipped.push(origin.record_problem(
                number,
                format!(
                    "line {number}, column {}: not valid JSON ({})",
                    error.column(),
                    without_position(&error)
                ),
            )),
        }
    }
    note_missing(&missing, origin, names, out);
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
    fn an_empty_array_or_a_scalar_is_a_failure() {
        assert!(read("[]", false)
            .failure
            .unwrap()
            .reason
            .contains("empty array"));
        assert!(read("\"just a string\"", false).failure.is_some());
    }
}
