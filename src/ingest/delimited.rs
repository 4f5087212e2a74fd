//! CSV and TSV articles: a header row naming the fields, then one article a row. Quoted
//! fields may hold separators, doubled quotes and line breaks. A row with an unclosed
//! quote would swallow the rows after it: it is skipped and named, and reading goes on
//! from the next line.

use serde_json::{Map, Value};

use super::fields::{pick, FieldNames, MissingFields};
use super::{FileRead, Origin, Problem};

/// Reads a delimited file. `separator` is `,` or a tab; a `.csv` file whose header row
/// holds semicolons or tabs but no commas is read with that separator instead.
pub(super) fn read(
    text: &str,
    separator: u8,
    origin: &Origin,
    names: &FieldNames,
    out: &mut FileRead,
) {
    let text = super::normalize_line_ends(text);
    let separator = if separator == b',' {
        sniff_separator(&text)
    } else {
        separator
    };
    let builder = |has_headers: bool| {
        let mut builder = csv::ReaderBuilder::new();
        builder
            .delimiter(separator)
            .flexible(true)
            .has_headers(has_headers);
        builder
    };
    let mut reader = builder(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_string()).collect(),
        Err(error) => {
            out.failure = Some(origin.problem(format!("unreadable header row: {error}")));
            return;
        }
    };
    if headers.iter().all(String::is_empty) {
        out.failure = Some(origin.problem("no header row naming the fields"));
        return;
    }
    let mut missing = MissingFields::default();
    let mut ragged = Ragged::default();
    let mut row = csv::StringRecord::new();
    let mut number = 0;
    // Where the rows not yet read begin: after the header, and after a broken row the
    // line that follows its first line, so that one unclosed quote costs one row.
    let mut segment = Segment {
        byte: reader.position().byte() as usize,
        line: reader.position().line(),
    };
    'segments: while segment.byte < text.len() {
        let rest = &text.as_bytes()[segment.byte..];
        let mut reader = builder(false).from_reader(rest);
        loop {
            let start = reader.position().clone();
            let more = reader.read_record(&mut row);
            let end = reader.position().clone();
            match more {
                Ok(false) => break 'segments,
                Ok(true) => number += 1,
                Err(error) => {
                    number += 1;
                    out.skipped
                        .push(origin.record_problem(number, error.to_string()));
                    if end.byte() == start.byte() {
                        break 'segments;
                    }
                    continue;
                }
            }
            let raw = &rest[start.byte() as usize..end.byte() as usize];
            if let Some(problem) = quote_problem(raw, separator) {
                let line = segment.line + start.line() - 1;
                let reason = match problem {
                    QuoteProblem::NeverClosed => {
                        format!("line {line}: unclosed quote (it is never closed); row skipped")
                    }
                    QuoteProblem::RunsOn => format!(
                        "line {line}: unclosed quote (the field ran on over the next lines); row skipped"
                    ),
                };
                out.skipped.push(origin.record_problem(number, reason));
                let first_line_len = raw
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(raw.len(), |i| i + 1);
                segment = Segment {
                    byte: segment.byte + start.byte() as usize + first_line_len,
                    line: line + 1,
                };
                continue 'segments;
            }
            if row.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if row.len() != headers.len() {
                ragged.note(number, row.len());
            }
            let fields: Map<String, Value> = headers
                .iter()
                .zip(row.iter())
                .filter(|(header, _)| !header.is_empty())
                .map(|(header, value)| (header.clone(), Value::String(value.to_string())))
                .collect();
            let picked = pick(&fields, names, &mut missing);
            let body = picked.text.unwrap_or_default();
            out.records
                .push(origin.record(Some(number), picked.meta, &body));
        }
    }
    out.notes.extend(ragged.note_for(origin, headers.len()));
    out.notes.extend(
        missing
            .notes(names)
            .into_iter()
            .map(|note| origin.problem(note)),
    );
}

/// Rows with more or fewer fields than the header: indexed from the fields they have,
/// and reported once for the file (the first such row, and how many others).
#[derive(Default)]
struct Ragged {
    first: Option<(u64, usize)>,
    others: usize,
}

impl Ragged {
    fn note(&mut self, record: u64, fields: usize) {
        match self.first {
            None => self.first = Some((record, fields)),
            Some(_) => self.others += 1,
        }
    }

    fn note_for(&self, origin: &Origin, header_fields: usize) -> Option<Problem> {
        let (record, fields) = self.first?;
        let others = match self.others {
            0 => String::new(),
            1 => " (and 1 other row)".to_string(),
            n => format!(" (and {n} other rows)"),
        };
        Some(origin.record_problem(
            record,
            format!(
                "{fields} field{} where the header names {header_fields}{others}; \
                 indexed from the fields it has",
                if fields == 1 { "" } else { "s" }
            ),
        ))
    }
}

/// Where a run of rows starts in the text: its byte offset and line number.
struct Segment {
    byte: usize,
    line: u64,
}

/// The separator of a `.csv` file: a comma, unless the header row has none and has
/// semicolons (spreadsheets in many locales) or tabs.
fn sniff_separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.contains(',') {
        b','
    } else if header.contains(';') {
        b';'
    } else if header.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

#[derive(Debug, PartialEq, Eq)]
enum QuoteProblem {
    /// A quoted field reaches the end of the data.
    NeverClosed,
    /// A quoted field spans lines and is "closed" by a quote that is followed by more
    /// text: the sign of an unclosed quote that swallowed the rows after it.
    RunsOn,
}

/// Checks the quoting of one row's raw text. The CSV reader accepts broken quoting
/// silently, so the symptoms of an unclosed quote are looked for here.
fn quote_problem(raw: &[u8], separator: u8) -> Option<QuoteProblem> {
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut quoted_newline = false;
    let mut i = 0;
    while i < raw.len() {
        let byte = raw[i];
        if in_quotes {
            match byte {
                b'"' if raw.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => {
                    in_quotes = false;
                    let next = raw.get(i + 1).copied();
                    let ends_field = next.is_none_or(|c| c == separator || c == b'\n');
                    if !ends_field && quoted_newline {
                        return Some(QuoteProblem::RunsOn);
                    }
                }
                b'\n' => quoted_newline = true,
                _ => {}
            }
            at_field_start = false;
        } else {
            if at_field_start && byte == b'"' {
                in_quotes = true;
                quoted_newline = false;
            }
            at_field_start = !in_quotes && (byte == separator || byte == b'\n');
        }
        i += 1;
    }
    in_quotes.then_some(QuoteProblem::NeverClosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv(text: &str) -> FileRead {
        let origin = Origin {
            display: "t.csv".into(),
            identity: "/abs/t.csv".into(),
            stdin: false,
        };
        let mut out = FileRead::default();
        read(text, b',', &origin, &FieldNames::default(), &mut out);
        out
    }

    #[test]
    fn rows_become_records_with_quoted_commas_quotes_and_line_breaks() {
        let text = "Title,Date,Text,Link\r\n\
            Talks,2024-03-25,\"Para one, with a comma.\r\n\r\nPara \"\"two\"\".\",https://www.example.org/a\r\n\
            ,,,\r\n\
            Vote,2024-03-26,Plain text.,\r\n";
        let out = read_csv(text);
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        assert_eq!(out.records.len(), 2, "an all-empty row is not an article");
        let first = &out.records[0];
        assert_eq!(first.meta.title.as_deref(), Some("Talks"));
        assert_eq!(first.body, "Para one, with a comma.\n\nPara \"two\".");
        assert_eq!(first.meta.url.as_deref(), Some("https://www.example.org/a"));
        assert_eq!(first.record, Some(1));
        assert_eq!(out.records[1].record, Some(3));
        assert!(out.records[1].identity.starts_with("/abs/t.csv#"));
        assert_ne!(out.records[1].identity, out.records[0].identity);
    }

    #[test]
    fn an_unclosed_quote_skips_its_row_and_names_it() {
        let titles = |out: &FileRead| -> Vec<String> {
            out.records
                .iter()
                .map(|r| r.meta.title.clone().unwrap_or_default())
                .collect()
        };
        let text = "title,text\nA,\"Good.\"\nB,\"Unclosed text\nC,\"More text.\"\nD,Fine.\n";
        let out = read_csv(text);
        assert_eq!(titles(&out), vec!["A", "C", "D"]);
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].path, "t.csv (record 2)");
        assert!(out.skipped[0].reason.contains("line 3: unclosed quote"));
        let numbers: Vec<_> = out.records.iter().map(|r| r.record).collect();
        assert_eq!(numbers, vec![Some(1), Some(3), Some(4)]);

        let at_end = read_csv("title,text\nA,Good.\nB,\"Never closed\nC,more\n");
        assert_eq!(titles(&at_end), vec!["A", "C"]);
        assert!(at_end.skipped[0]
            .reason
            .contains("line 3: unclosed quote (it is never closed)"));
    }

    #[test]
    fn sloppy_quotes_on_one_line_are_tolerated() {
        let out = read_csv("title,text\n\"Quote\" he said,Body.\n");
        assert!(out.skipped.is_empty());
        assert_eq!(out.records[0].meta.title.as_deref(), Some("Quote he said"));
    }

    #[test]
    fn semicolon_separated_csv_is_recognised() {
        let out = read_csv("titel;text;date\nA;Body, with comma.;2024-03-25\n");
        assert_eq!(out.records[0].body, "Body, with comma.");
        assert_eq!(out.records[0].meta.date.as_deref(), Some("2024-03-25"));
    }

    #[test]
    fn rows_with_too_few_or_too_many_fields_are_indexed_and_reported_once() {
        let out = read_csv(
            "id,title,text\n1,Full,Body one.\n2,Short\n3,Long,Body three.,extra\n4,Too,few\n",
        );
        assert_eq!(out.records.len(), 4, "every row is indexed");
        assert_eq!(out.records[1].meta.title.as_deref(), Some("Short"));
        assert_eq!(out.records[2].body, "Body three.");
        assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
        assert_eq!(out.notes[0].path, "t.csv (record 2)");
        assert_eq!(
            out.notes[0].reason,
            "2 fields where the header names 3 (and 1 other row); indexed from the fields it has"
        );
        assert!(read_csv("title,text\nA,B\n").notes.is_empty());
    }
}
