//! Walking the paths to index, reading and decoding files, and turning each file into
//! records with their raw metadata. Problems with one file are returned as [`Problem`]s
//! for the caller to report; they never stop the walk.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;
use walkdir::WalkDir;

/// File extensions read as one plain-text article per file.
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown"];
/// Suffix of a side-car metadata file: `story.txt` takes metadata from `story.txt.meta.yaml`.
pub const SIDECAR_SUFFIX: &str = ".meta.yaml";
/// How many leading bytes are inspected to tell binary files from text.
const BINARY_SNIFF_BYTES: usize = 8192;

/// Metadata of a record as found in the file (front matter, side-car), not yet validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecordMeta {
    pub id: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

/// One article's raw material: where it came from, its metadata and its body text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    /// The path as walked, for display.
    pub path: String,
    /// What identifies the article across runs: the canonical path (and record number).
    pub identity: String,
    /// Record number inside a multi-article file, from 1.
    pub record: Option<u64>,
    pub meta: RecordMeta,
    pub body: String,
}

/// A file or folder that could not be (fully) used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

impl Problem {
    fn new(path: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// A file found by the walk that newsearch knows how to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path for display (lossy when it is not valid UTF-8).
    pub display: String,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<SourceFile>,
    /// Files with extensions newsearch does not read.
    pub ignored: usize,
    pub problems: Vec<Problem>,
}

/// Walks every root (file or folder), following symbolic links, skipping hidden entries,
/// in a stable order. Roots that do not exist are returned as errors by the caller's check.
pub fn walk(roots: &[PathBuf]) -> WalkResult {
    let mut result = WalkResult::default();
    for root in roots {
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    let path = entry.into_path();
                    if is_readable_kind(&path) {
                        let display = path.to_string_lossy().into_owned();
                        result.files.push(SourceFile { path, display });
                    } else {
                        result.ignored += 1;
                    }
                }
                Err(error) => {
                    let path = error
                        .path()
                        .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                    result
                        .problems
                        .push(Problem::new(path, walk_reason(&error)));
                }
            }
        }
    }
    result
}

fn walk_reason(error: &walkdir::Error) -> String {
    if let Some(ancestor) = error.loop_ancestor() {
        return format!("symbolic link loop back to {}", ancestor.display());
    }
    match error.io_error() {
        Some(io) => io_reason(io),
        None => error.to_string(),
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file or folder (it vanished?)".to_string(),
        _ => error.to_string(),
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

fn is_readable_kind(path: &Path) -> bool {
    extension(path).is_some_and(|ext| TEXT_EXTENSIONS.contains(&ext.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// What reading one file produced: its records, notes worth reporting (such as a
/// non-UTF-8 encoding) and, when nothing could be used, the reason.
#[derive(Debug, Default)]
pub struct FileRead {
    pub records: Vec<Record>,
    pub notes: Vec<Problem>,
    pub failure: Option<Problem>,
}

/// Reads one file into records. Files over `max_bytes` are refused without being read.
pub fn read_file(file: &SourceFile, max_bytes: u64) -> FileRead {
    let mut out = FileRead::default();
    let fail = |reason: String| FileRead {
        failure: Some(Problem::new(file.display.clone(), reason)),
        ..FileRead::default()
    };
    let bytes = match read_limited(&file.path, max_bytes) {
        Ok(bytes) => bytes,
        Err(reason) => return fail(reason),
    };
    let text = match decode(&bytes) {
        Decoded::Binary => return fail("binary file (contains NUL bytes)".into()),
        Decoded::Text { text, note } => {
            if let Some(note) = note {
                out.notes.push(Problem::new(file.display.clone(), note));
            }
            text
        }
    };
    if text.trim().is_empty() {
        return fail("empty file".into());
    }
    let text = text.replace("\r\n", "\n");
    let (mut meta, body) = match split_front_matter(&text) {
        FrontMatter::None => (RecordMeta::default(), text.as_str()),
        FrontMatter::Parsed(meta, body) => (meta, body),
        FrontMatter::Invalid(reason, body) => {
            out.notes.push(Problem::new(
                file.display.clone(),
                format!("front matter ignored: {reason}"),
            ));
            (RecordMeta::default(), body)
        }
    };
    match read_sidecar(&file.path) {
        Ok(Some(sidecar)) => meta = merge_meta(sidecar, meta),
        Ok(None) => {}
        Err(reason) => out.notes.push(Problem::new(
            format!("{}{SIDECAR_SUFFIX}", file.display),
            format!("side-car metadata ignored: {reason}"),
        )),
    }
    let identity = fs::canonicalize(&file.path)
        .unwrap_or_else(|_| file.path.clone())
        .to_string_lossy()
        .into_owned();
    out.records.push(Record {
        path: file.display.clone(),
        identity,
        record: None,
        meta,
        body: body.to_string(),
    });
    out
}

/// Reads a whole file, refusing files larger than `max_bytes`.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| io_reason(&e))?;
    let size = file.metadata().map_err(|e| io_reason(&e))?.len();
    if size > max_bytes {
        return Err(format!(
            "file is {size} bytes, over the limit of {max_bytes} (see --max-file-size)"
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!(
            "file grew over the limit of {max_bytes} bytes while being read"
        ));
    }
    Ok(bytes)
}

/// The outcome of decoding a file's bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    Binary,
    /// The text, and a note when it was not plain UTF-8.
    Text {
        text: String,
        note: Option<String>,
    },
}

/// Decodes bytes as text: a byte-order mark decides (UTF-8, UTF-16), else UTF-8, else
/// Windows-1252 (a superset of Latin-1's printable range). NUL bytes without a UTF-16
/// mark mean binary.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let note = (encoding != encoding_rs::UTF_8 || had_errors).then(|| {
            let mut note = format!("decoded as {}", encoding.name());
            if had_errors {
                note.push_str(" (invalid sequences replaced)");
            }
            note
        });
        return Decoded::Text {
            text: text.into_owned(),
            note,
        };
    }
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if sniff.contains(&0) {
        return Decoded::Binary;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded::Text {
            text: text.to_string(),
            note: None,
        },
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Decoded::Text {
                text: text.into_owned(),
                note: Some("not valid UTF-8; decoded as Windows-1252".into()),
            }
        }
    }
}

enum FrontMatter<'a> {
    None,
    Parsed(RecordMeta, &'a str),
    Invalid(String, &'a str),
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
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return match parse_meta(yaml) {
                Ok(meta) => FrontMatter::Parsed(meta, body),
                Err(reason) => FrontMatter::Invalid(reason, body),
            };
        }
        offset += line.len();
    }
    FrontMatter::None
}

/// Reads the side-car metadata file of `path`, if there is one.
fn read_sidecar(path: &Path) -> Result<Option<RecordMeta>, String> {
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    match fs::read_to_string(PathBuf::from(sidecar)) {
        Ok(yaml) => parse_meta(&yaml).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_reason(&e)),
    }
}

/// Keys accepted for each metadata item, in order of preference.
const ID_KEYS: &[&str] = &["id"];
const TITLE_KEYS: &[&str] = &["title", "headline"];
const DATE_KEYS: &[&str] = &[
    "date",
    "published",
    "publish_date",
    "published_at",
    "pubdate",
    "datepublished",
];
const SOURCE_KEYS: &[&str] = &["source", "outlet", "site", "publisher"];
const URL_KEYS: &[&str] = &["url", "link"];
const AUTHOR_KEYS: &[&str] = &["author", "byline"];

/// Parses a YAML mapping of metadata; keys are matched case-insensitively.
fn parse_meta(yaml: &str) -> Result<RecordMeta, String> {
    if yaml.trim().is_empty() {
        return Ok(RecordMeta::default());
    }
    let value: Yaml = serde_norway::from_str(yaml).map_err(|e| format!("not valid YAML: {e}"))?;
    let Yaml::Mapping(map) = value else {
        return Err("not a mapping of keys to values".into());
    };
    let pairs: Vec<(String, String)> = map
        .iter()
        .filter_map(|(key, value)| Some((key.as_str()?.to_ascii_lowercase(), scalar(value)?)))
        .collect();
    let pick = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    };
    Ok(RecordMeta {
        id: pick(ID_KEYS),
        title: pick(TITLE_KEYS),
        date: pick(DATE_KEYS),
        source: pick(SOURCE_KEYS),
        url: pick(URL_KEYS),
        author: pick(AUTHOR_KEYS),
    })
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
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

    #[test]
    fn decodes_utf8_utf16_and_windows_1252() {
        assert_eq!(
            decode("café".as_bytes()),
            Decoded::Text {
                text: "café".into(),
                note: None
            }
        );
        let latin1 = b"caf\xe9 au lait";
        match decode(latin1) {
            Decoded::Text { text, note } => {
                assert_eq!(text, "café au lait");
                assert!(note.unwrap().contains("Windows-1252"));
            }
            other => panic!("{other:?}"),
        }
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "Gaza".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        match decode(&utf16) {
            Decoded::Text { text, note } => {
                assert_eq!(text, "Gaza");
                assert!(note.unwrap().contains("UTF-16LE"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decode(b"\x7fELF\x00\x00\x01"), Decoded::Binary);
    }

    #[test]
    fn front_matter_gives_metadata_and_is_not_body() {
        let text = "---\ntitle: Talks\nDate: 2024-03-25\nsource: AFP\n---\nBody here.\n";
        match split_front_matter(text) {
            FrontMatter::Parsed(meta, body) => {
                assert_eq!(meta.title.as_deref(), Some("Talks"));
                assert_eq!(meta.date.as_deref(), Some("2024-03-25"));
                assert_eq!(meta.source.as_deref(), Some("AFP"));
                assert_eq!(body, "Body here.\n");
            }
            _ => panic!("front matter not parsed"),
        }
    }

    #[test]
    fn broken_or_unclosed_front_matter_is_handled() {
        assert!(matches!(
            split_front_matter("---\ntitle: [unclosed\n---\nBody"),
            FrontMatter::Invalid(_, "Body")
        ));
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
        let sidecar = parse_meta("date: 2024-03-25\n").unwrap();
        let front = parse_meta("date: 2020-01-01\ntitle: T\n").unwrap();
        let merged = merge_meta(sidecar, front);
        assert_eq!(merged.date.as_deref(), Some("2024-03-25"));
        assert_eq!(merged.title.as_deref(), Some("T"));
    }
}
