//! Finding an article's parts in a record of named values (a JSON object, a CSV row, a
//! front-matter block): among the usual names, ignoring case and punctuation
//! (`pubDate`, `publish_date` and `Publish-Date` are one name), or under the names the
//! user gave on the command line.

use serde_json::{Map, Value};

use super::RecordMeta;
use crate::wording::counted;

/// Field names given on the command line; `None` means "look among the usual names".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldNames {
    pub id: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

/// One part of an article that a field can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Id,
    Title,
    Text,
    Date,
    Source,
    Url,
    Author,
}

const PARTS: [Part; 7] = [
    Part::Id,
    Part::Title,
    Part::Text,
    Part::Date,
    Part::Source,
    Part::Url,
    Part::Author,
];

impl Part {
    /// The usual names of the field, normalized (see [`normalize`]), in order of
    /// preference.
    fn usual_names(self) -> &'static [&'static str] {
        match self {
            Part::Id => &["id", "guid", "uuid", "articleid", "docid", "documentid"],
            Part::Title => &["title", "headline", "heading", "webtitle"],
            Part::Text => &[
                "text",
                "body",
                "content",
                "article",
                "articletext",
                "articlebody",
                "bodytext",
                "maintext",
                "fulltext",
                "story",
                "description",
                "summary",
            ],
            Part::Date => &[
                "date",
                "published",
                "publishdate",
                "publishedat",
                "publishedon",
                "publisheddate",
                "publicationdate",
                "pubdate",
                "datepublished",
                "webpublicationdate",
                "datetime",
                "created",
                "createdat",
            ],
            Part::Source => &[
                "source",
                "outlet",
                "site",
                "sitename",
                "publisher",
                "publication",
                "sourcename",
                "newspaper",
            ],
            Part::Url => &[
                "url",
                "link",
                "articlesourcelink",
                "articleurl",
                "weburl",
                "canonicalurl",
                "permalink",
            ],
            Part::Author => &["author", "authors", "byline", "creator", "writer"],
        }
    }

    /// The command-line option that names this field.
    fn option(self) -> &'static str {
        match self {
            Part::Id => "--id-field",
            Part::Title => "--title-field",
            Part::Text => "--text-field",
            Part::Date => "--date-field",
            Part::Source => "--source-field",
            Part::Url => "--url-field",
            Part::Author => "--author-field",
        }
    }

    fn given(self, names: &FieldNames) -> Option<&str> {
        match self {
            Part::Id => names.id.as_deref(),
            Part::Title => names.title.as_deref(),
            Part::Text => names.text.as_deref(),
            Part::Date => names.date.as_deref(),
            Part::Source => names.source.as_deref(),
            Part::Url => names.url.as_deref(),
            Part::Author => names.author.as_deref(),
        }
    }

    /// How the values of a list are joined: paragraphs for text, commas otherwise.
    fn list_separator(self) -> &'static str {
        match self {
            Part::Text => "\n\n",
            _ => ", ",
        }
    }
}

/// A field name reduced to lower-case letters and digits.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The parts of an article found in one record.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Picked {
    pub meta: RecordMeta,
    pub text: Option<String>,
}

/// Counts, for each field named on the command line, the records that lacked it, so that
/// a file can be told about once rather than once a record.
#[derive(Debug, Default)]
pub(super) struct MissingFields {
    records: u64,
    missing: [u64; PARTS.len()],
}

impl MissingFields {
    /// One note for each named field that some records lacked.
    pub fn notes(&self, names: &FieldNames) -> Vec<String> {
        PARTS
            .iter()
            .zip(self.missing)
            .filter(|&(_, missing)| missing > 0)
            .filter_map(|(part, missing)| {
                let name = part.given(names)?;
                Some(format!(
                    "no field {name:?} (named by {}) in {missing} of {}",
                    part.option(),
                    counted(self.records, "record", "records")
                ))
            })
            .collect()
    }
}

/// Picks the parts of an article out of a record's fields.
pub(super) fn pick(
    record: &Map<String, Value>,
    names: &FieldNames,
    missing: &mut MissingFields,
) -> Picked {
    missing.records += 1;
    let normalized: Vec<(String, &Value)> = record.iter().map(|(k, v)| (normalize(k), v)).collect();
    let mut found: [Option<String>; PARTS.len()] = Default::default();
    for (i, part) in PARTS.iter().enumerate() {
        found[i] = match part.given(names) {
            Some(name) => {
                let value = named_field(record, name);
                if value.is_none() {
                    missing.missing[i] += 1;
                }
                value.and_then(|v| value_text(v, *part))
            }
            None => part.usual_names().iter().find_map(|usual| {
                normalized
                    .iter()
                    .filter(|(key, _)| key == usual)
                    .find_map(|(_, value)| value_text(value, *part))
            }),
        };
    }
    let [id, title, text, date, source, url, author] = found;
    Picked {
        meta: RecordMeta {
            id,
            title,
            date,
            source,
            url,
            author,
        },
        text,
    }
}

/// The field a user named: exactly, else ignoring case, else as a dotted path into nested
/// objects (`source.name`).
fn named_field<'a>(record: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(value) = record.get(name) {
        return Some(value);
    }
    if let Some((_, value)) = record.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
        return Some(value);
    }
    let mut parts = name.split('.');
    let mut value = named_field_flat(record, parts.next()?)?;
    for part in parts {
        value = named_field_flat(value.as_object()?, part)?;
    }
    Some(value)
}

fn named_field_flat<'a>(record: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    record.get(name).or_else(|| {
        record
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The text of a field's value: strings and numbers as they are; lists joined; objects
/// by their name or text (`"source": {"id": "bbc", "name": "BBC News"}`). Empty values
/// count as missing.
fn value_text(value: &Value, part: Part) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(|item| value_text(item, part))
            .collect::<Vec<_>>()
            .join(part.list_separator()),
        Value::Object(map) => {
            return ["name", "text", "value"]
                .iter()
                .find_map(|key| named_field_flat(map, key))
                .and_then(|v| value_text(v, part));
        }
        Value::Null | Value::Bool(_) => return None,
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn usual_names_are_found_whatever_their_case_and_punctuation() {
        let record = object(json!({
            "Headline": "Talks fail",
            "article_body": "The talks failed.",
            "pubDate": "Mon, 25 Mar 2024 10:00:00 GMT",
            "Publisher": "Example Wire",
            "article_source_link": "https://www.example.org/a",
            "By-line": "A. Writer",
            "ID": 42
        }));
        let picked = pick(
            &record,
            &FieldNames::default(),
            &mut MissingFields::default(),
        );
        assert_eq!(picked.meta.title.as_deref(), Some("Talks fail"));
        assert_eq!(picked.text.as_deref(), Some("The talks failed."));
        assert_eq!(
            picked.meta.date.as_deref(),
            Some("Mon, 25 Mar 2024 10:00:00 GMT")
        );
        assert_eq!(picked.meta.source.as_deref(), Some("Example Wire"));
        assert_eq!(
            picked.meta.url.as_deref(),
            Some("https://www.example.org/a")
        );
        assert_eq!(picked.meta.author.as_deref(), Some("A. Writer"));
        assert_eq!(picked.meta.id.as_deref(), Some("42"));
    }

    #[test]
    fn preferred_names_win_and_empty_values_do_not_count() {
        let record = object(json!({
            "description": "A summary.",
            "content": "",
            "body": "The full body.",
            "source": {"id": null, "name": "BBC News"},
            "authors": ["A. Writer", "B. Writer"]
        }));
        let picked = pick(
            &record,
            &FieldNames::default(),
            &mut MissingFields::default(),
        );
        assert_eq!(picked.text.as_deref(), Some("The full body."));
        assert_eq!(picked.meta.source.as_deref(), Some("BBC News"));
        assert_eq!(picked.meta.author.as_deref(), Some("A. Writer, B. Writer"));
        assert_eq!(picked.meta.title, None);
    }

    #[test]
    fn named_fields_replace_the_usual_ones_and_missing_ones_are_counted() {
        let names = FieldNames {
            text: Some("story_html_free".into()),
            date: Some("meta.when".into()),
            title: Some("missing".into()),
            ..FieldNames::default()
        };
        let record = object(json!({
            "text": "Not this.",
            "Story_HTML_Free": "This one.",
            "meta": {"when": "2024-03-25"},
            "title": "Not used"
        }));
        let mut missing = MissingFields::default();
        let picked = pick(&record, &names, &mut missing);
        assert_eq!(picked.text.as_deref(), Some("This one."));
        assert_eq!(picked.meta.date.as_deref(), Some("2024-03-25"));
        assert_eq!(picked.meta.title, None, "a named field is not guessed");
        pick(&record, &names, &mut missing);
        assert_eq!(
            missing.notes(&names),
            vec!["no field \"missing\" (named by --title-field) in 2 of 2 records"]
        );
    }
}
