//! Plain-text and Markdown articles: one a file, with optional `---` front matter and a
//! `<file>.meta.yaml` side-car whose values win over the front matter's.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use serde_norway::Value as Yaml;

use super::fields::{pick, FieldNames, MissingFields};
use super::{FileRead, Origin, Problem, RecordMeta};

/// Suffix of a side-car metadata file: `story.txt` takes metadata from `story.txt.meta.yaml`.
pub const SIDECAR_SUFFIX: &str = ".meta.yaml";

/// Reads a text file's one record.
pub(super) fn read(
    text: &str,
    path: &Path,
    origin: &Origin,
    names: &FieldNames,
    out: &mut FileRead,
) {
    let text = super::normalize_line_ends(text);
    let (mut meta, body) = match split_front_matter(&text) {
        FrontMatter::None => (RecordMeta::default(), text.as_str()),
        FrontMatter::Parsed(yaml, body) => match parse_meta(yaml, names) {
            Ok(meta) => (meta, body),
            Err(reason) => {
                out.notes
                    .push(origin.problem(format!("front matter ignored: {reason}")));
                (RecordMeta::default(), body)
            }
        },
    };
    match read_sidecar(path, names) {
        Ok(Some(sidecar)) => meta = merge_meta(sidecar, meta),
        Ok(None) => {}
        Err(reason) => out.notes.push(Problem::new(
            format!("{}{SIDECAR_SUFFIX}", origin.display),
            format!("side-car metadata ignored: {reason}"),
        )),
    }
    out.records.push(origin.record(None, meta, body));
}

enum FrontMatter<'a> {
    None,
    /// The YAML between the fences, and the body after them.
    Parsed(&'a str, &'a str),
}

/// Splits `---` front matter off the top of a text file.
fn split_front_matter(text: &str) -> FrontMatter<'_> {
    let Some(rest) = text.strip_prefix("---\n") else {
        return FrontMatter::None;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let fence = line.trim_end();
        if fence == "---" || fence == "..." {
            return FrontMatter::Parsed(&rest[..offset], &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    FrontMatter::None
}

/// Reads the side-car metadata file of `path`, if there is one.
fn read_sidecar(path: &Path, names: &FieldNames) -> Result<Option<RecordMeta>, String> {
    if super::is_stdin(path) {
        return Ok(None);
    }
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    let sidecar = PathBuf::from(sidecar);
    if !sidecar.exists() {
        return Ok(None);
    }
    match super::read_regular_to_string(&sidecar) {
        Ok(yaml) => parse_meta(&yaml, names).map(Some),
        Err(error) => Err(error.into_reason()),
    }
}

/// Parses a YAML mapping of metadata; keys are found as in any other record.
fn parse_meta(yaml: &str, names: &FieldNames) -> Result<RecordMeta, String> {
    if yaml.trim().is_empty() {
        return Ok(RecordMeta::default());
    }
    let value: Yaml = serde_norway::from_str(yaml).map_err(|e| format!("not valid YAML: {e}"))?;
    let Yaml::Mapping(mapping) = value else {
        return Err("not a mapping of keys to values".into());
    };
    let map: Map<String, Value> = mapping
        .iter()
        .filter_map(|(key, value)| {
            Some((key.as_str()?.to_string(), serde_json::to_value(value).ok()?))
        })
        .collect();
    Ok(pick(&map, names, &mut MissingFields::default()).meta)
}

/// Side-car values win over front matter; front matter fills what the side-car lacks.
fn merge_meta(sidecar: RecordMeta, front: RecordMeta) -> RecordMeta {
    RecordMeta {
        id: sidecar.id.or(front.id),
        title: sidecar.title.or(front.title),
        date: sidecar.date.or(front.date),
        source: sidecar.source.or(front.source),
        url: sidecar.url.or(front.url),
        author: sidecar.author.or(front.author),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(yaml: &str) -> RecordMeta {
        parse_meta(yaml, &FieldNames::default()).unwrap()
    }

    #[test]
    fn front_matter_gives_metadata_and_is_not_body() {
        let text = "---\ntitle: Talks\nDate: 2024-03-25\nsource: AFP\n---\nBody here.\n";
        match split_front_matter(text) {
            FrontMatter::Parsed(yaml, body) => {
                let meta = meta(yaml);
                assert_eq!(meta.title.as_deref(), Some("Talks"));
                assert_eq!(meta.date.as_deref(), Some("2024-03-25"));
                assert_eq!(meta.source.as_deref(), Some("AFP"));
                assert_eq!(body, "Body here.\n");
            }
            FrontMatter::None => panic!("front matter not parsed"),
        }
    }

    #[test]
    fn broken_or_unclosed_front_matter_is_handled() {
        assert!(parse_meta("title: [unclosed\n", &FieldNames::default()).is_err());
        assert!(parse_meta("- a list\n", &FieldNames::default()).is_err());
        assert!(matches!(
            split_front_matter("---\nno closing fence"),
            FrontMatter::None
        ));
        assert!(matches!(
            split_front_matter("Plain body"),
            FrontMatter::None
        ));
    }

    #[test]
    fn sidecar_values_win_over_front_matter() {
        let merged = merge_meta(
            meta("date: 2024-03-25\n"),
            meta("date: 2020-01-01\ntitle: T\n"),
        );
        assert_eq!(merged.date.as_deref(), Some("2024-03-25"));
        assert_eq!(merged.title.as_deref(), Some("T"));
    }

    #[test]
    fn named_fields_apply_to_front_matter_too() {
        let names = FieldNames {
            date: Some("filed".into()),
            ..FieldNames::default()
        };
        let meta = parse_meta("date: 2020-01-01\nfiled: 2024-03-25\n", &names).unwrap();
        assert_eq!(meta.date.as_deref(), Some("2024-03-25"));
    }
}
