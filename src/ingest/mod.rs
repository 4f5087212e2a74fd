//! Walking the paths to index, reading files (or standard input), un-gzipping and
//! decoding them, detecting their format and splitting each into records with their raw
//! metadata. Problems with one file or record are returned as [`Problem`]s for the caller
//! to report; they never stop the walk.
//!
//! Formats, chosen by file extension (each may also end in `.gz`): plain text and
//! Markdown (one article a file, optional front matter and side-car metadata), JSON (one
//! article, an array of them, or a wrapper object holding such an array), JSON lines,
//! CSV/TSV with a header row, and HTML (main-content extraction). Standard input (`-`)
//! is read as JSON or JSON lines.

mod delimited;
mod fields;
mod html;
mod json;
mod text;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use walkdir::WalkDir;
use xxhash_rust::xxh3::xxh3_64;

pub use fields::FieldNames;
pub use text::SIDECAR_SUFFIX;

/// How many leading bytes are inspected to tell binary files from text.
const BINARY_SNIFF_BYTES: usize = 8192;
/// The path that means standard input on the command line.
pub const STDIN_ARG: &str = "-";
/// How standard input is named in records and messages.
pub const STDIN_DISPLAY: &str = "<stdin>";
/// Default of `--max-file-size`, in bytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100_000_000;

/// Metadata of a record as found in the file (fields, front matter, side-car, page
/// metadata), not yet validated.
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
    /// What identifies the article across runs when its metadata gives no id: the
    /// canonical path (and record number), or for standard input the URL or a hash of
    /// the text.
    pub identity: String,
    /// Record number inside a multi-article file, from 1 (the line number in JSON lines).
    pub record: Option<u64>,
    pub meta: RecordMeta,
    /// The body text, with `\n` line ends.
    pub body: String,
}

/// A file, folder or record that could not be (fully) used, and why.
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

/// A file found by the walk that newsearch knows how to read, or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path to open; `-` for standard input.
    pub path: PathBuf,
    /// The path for display (lossy when it is not valid UTF-8).
    pub display: String,
}

impl SourceFile {
    /// Whether this "file" is standard input.
    pub fn is_stdin(&self) -> bool {
        is_stdin(&self.path)
    }
}

/// Whether a path given on the command line means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN_ARG
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<SourceFile>,
    /// Files with extensions newsearch does not read.
    pub ignored: usize,
    /// Side-car metadata files met on the way (`story.txt.meta.yaml`), so that their
    /// articles' files need no extra look-up to know whether they have one.
    pub sidecars: std::collections::HashSet<PathBuf>,
    pub problems: Vec<Problem>,
}

/// Walks every root (file or folder), following symbolic links, skipping hidden entries,
/// in a stable order. `-` stands for standard input (read once, however often it is
/// given). Roots that do not exist are returned as errors by the caller's check.
pub fn walk(roots: &[PathBuf]) -> WalkResult {
    let mut result = WalkResult::default();
    let mut stdin_seen = false;
    for root in roots {
        if is_stdin(root) {
            if !stdin_seen {
                stdin_seen = true;
                result.files.push(SourceFile {
                    path: root.clone(),
                    display: STDIN_DISPLAY.to_string(),
                });
            }
            continue;
        }
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
                    if kind_of(&path).is_some() {
                        let display = path.to_string_lossy().into_owned();
                        result.files.push(SourceFile { path, display });
                    } else {
                        if path.to_string_lossy().ends_with(SIDECAR_SUFFIX) {
                            result.sidecars.insert(path);
                        }
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
        Some(io) if io.kind() == std::io::ErrorKind::NotFound && is_symlink(error.path()) => {
            "broken symbolic link (its target does not exist)".to_string()
        }
        Some(io) => io_reason(io),
        None => error.to_string(),
    }
}

fn is_symlink(path: Option<&Path>) -> bool {
    path.and_then(|p| fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.file_type().is_symlink())
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

/// How a file's records are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// One article a file, with optional front matter.
    Text,
    /// One article, an array of articles, or JSON lines in disguise.
    Json,
    /// One article a line.
    JsonLines,
    /// A header row, then one article a row, fields separated by this byte.
    Delimited(u8),
    Html,
}

impl Format {
    fn from_extension(extension: &str) -> Option<Format> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "txt" | "text" | "md" | "markdown" => Format::Text,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Delimited(b','),
            "tsv" => Format::Delimited(b'\t'),
            "html" | "htm" | "xhtml" => Format::Html,
            _ => return None,
        })
    }

    /// Formats with one record a line (or row) can keep what came before a cut.
    fn is_line_based(self) -> bool {
        matches!(self, Format::JsonLines | Format::Delimited(_))
    }
}

/// The format a file's name announces, and whether it is gzip-compressed
/// (`story.json.gz`).
fn kind_of(path: &Path) -> Option<(Format, bool)> {
    let extension = path.extension()?.to_str()?;
    if extension.eq_ignore_ascii_case("gz") {
        let inner = Path::new(path.file_stem()?);
        let format = Format::from_extension(inner.extension()?.to_str()?)?;
        return Some((format, true));
    }
    Some((Format::from_extension(extension)?, false))
}

/// How files are read: the size limit and the names of the fields that hold each part
/// of an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Files (and decompressed data) larger than this many bytes are refused.
    pub max_file_size: u64,
    pub fields: FieldNames,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            fields: FieldNames::default(),
        }
    }
}

/// What reading one file produced: its records, notes worth reporting (such as a
/// non-UTF-8 encoding), records that could not be read and, when nothing could be
/// used, the reason.
#[derive(Debug, Default)]
pub struct FileRead {
    pub records: Vec<Record>,
    pub notes: Vec<Problem>,
    /// Records left out (a malformed JSON line, a CSV row with an unclosed quote), each
    /// named by its record number.
    pub skipped: Vec<Problem>,
    pub failure: Option<Problem>,
}

/// Where a file's records come from: names them in records and problems, and gives them
/// identities that survive re-indexing.
struct Origin {
    display: String,
    /// The canonical path (kept lossless), or [`STDIN_DISPLAY`].
    identity: String,
    stdin: bool,
}

impl Origin {
    fn of(file: &SourceFile) -> Origin {
        if file.is_stdin() {
            return Origin {
                display: file.display.clone(),
                identity: STDIN_DISPLAY.to_string(),
                stdin: true,
            };
        }
        let canonical = fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        let identity = match canonical.to_str() {
            Some(path) => path.to_string(),
            // Escaped rather than lossy, so that two names differing only in invalid
            // bytes stay two articles.
            None => format!("{:?}", canonical.as_os_str()),
        };
        Origin {
            display: file.display.clone(),
            identity,
            stdin: false,
        }
    }

    fn problem(&self, reason: impl Into<String>) -> Problem {
        Problem::new(self.display.clone(), reason)
    }

    fn record_problem(&self, number: u64, reason: impl Into<String>) -> Problem {
        Problem::new(format!("{} (record {number})", self.display), reason)
    }

    /// A record of this file. Its identity: an id in the metadata wins (a bare number,
    /// such as a row number, only within this file); else, in a file, the path and the
    /// record number; on standard input, the URL or else a hash of title and text, so
    /// that piping the same article again replaces it.
    fn record(&self, number: Option<u64>, mut meta: RecordMeta, body: &str) -> Record {
        let body = normalize_line_ends(body);
        let identity = match meta.id.take() {
            Some(id) if id.chars().all(|c| c.is_ascii_digit()) => {
                format!("{}#id={id}", self.identity)
            }
            Some(id) => {
                meta.id = Some(id);
                self.identity.clone()
            }
            None if self.stdin => match &meta.url {
                Some(url) => format!("url:{url}"),
                None => {
                    let title = meta.title.as_deref().unwrap_or_default();
                    let seed = format!("{title}\u{0}{}", body.trim());
                    format!("stdin:{:016x}", xxh3_64(seed.as_bytes()))
                }
            },
            None => match number {
                Some(n) => format!("{}#{n}", self.identity),
                None => self.identity.clone(),
            },
        };
        Record {
            path: self.display.clone(),
            identity,
            record: number,
            meta,
            body,
        }
    }
}

/// Reads one file (or standard input) into records. Files over the size limit are
/// refused without being read.
pub fn read_file(file: &SourceFile, options: &ReadOptions) -> FileRead {
    let origin = Origin::of(file);
    let mut out = FileRead::default();
    let fail = |mut out: FileRead, reason: String| {
        out.failure = Some(origin.problem(reason));
        out
    };
    if !file.is_stdin() && file.path.to_str().is_none() {
        out.notes.push(origin.problem(
            "file name is not valid UTF-8; indexed, and shown with replacement characters",
        ));
    }
    let Contents {
        format,
        bytes,
        truncated,
    } = match read_contents(file, options.max_file_size) {
        Ok(contents) => contents,
        Err(reason) => return fail(out, reason),
    };
    let decoded = match format {
        Format::Html => decode_page(&bytes),
        _ => decode(&bytes),
    };
    let mut text = match decoded {
        Decoded::Binary => return fail(out, "binary file (contains NUL bytes)".into()),
        Decoded::Text { text, note } => {
            if let Some(note) = note {
                out.notes.push(origin.problem(note));
            }
            text
        }
    };
    if truncated.is_some() {
        // The last line was cut short: keep only whole lines.
        let end = text.rfind('\n').map_or(0, |i| i + 1);
        text.truncate(end);
    }
    if text.trim().is_empty() {
        let reason = match truncated {
            Some(reason) => format!("gzip data is truncated ({reason}) before any whole record"),
            None => "empty file".to_string(),
        };
        return fail(out, reason);
    }
    let fields = &options.fields;
    match format {
        Format::Text => text::read(&text, &file.path, &origin, fields, &mut out),
        Format::Json => json::read_json(&text, &origin, fields, &mut out),
        Format::JsonLines => json::read_json_lines(&text, &origin, fields, &mut out),
        Format::Delimited(separator) => {
            delimited::read(&text, separator, &origin, fields, &mut out)
        }
        Format::Html => html::read(&text, &origin, &mut out),
    }
    if let Some(reason) = truncated {
        out.notes.push(origin.problem(format!(
            "gzip data is truncated ({reason}); kept the {} records before the cut",
            out.records.len()
        )));
    }
    if out.records.is_empty() && out.failure.is_none() && out.skipped.is_empty() {
        return fail(out, "no articles in the file".into());
    }
    out
}

/// A file's bytes, decompressed, and how to read them.
struct Contents {
    format: Format,
    bytes: Vec<u8>,
    /// Why gzip data ended early; only formats with one record a line keep such data.
    truncated: Option<String>,
}

/// Reads a file (refusing one over `max_bytes`) or standard input (JSON, no limit), and
/// un-gzips it when its name ends in `.gz` (standard input: when it starts like gzip).
fn read_contents(file: &SourceFile, max_bytes: u64) -> Result<Contents, String> {
    let (format, gzip, raw, limit) = if file.is_stdin() {
        let bytes = read_stdin()?;
        (Format::Json, is_gzip(&bytes), bytes, u64::MAX)
    } else {
        let (format, gzip) = kind_of(&file.path).ok_or("not a format newsearch reads")?;
        let bytes = read_limited(&file.path, max_bytes)?;
        (format, gzip, bytes, max_bytes)
    };
    if !gzip || raw.is_empty() {
        return Ok(Contents {
            format,
            bytes: raw,
            truncated: None,
        });
    }
    match gunzip(&raw, limit)? {
        Unzipped::Whole(bytes) => Ok(Contents {
            format,
            bytes,
            truncated: None,
        }),
        Unzipped::Truncated(bytes, reason) if format.is_line_based() => Ok(Contents {
            format,
            bytes,
            truncated: Some(reason),
        }),
        Unzipped::Truncated(_, reason) => Err(format!("gzip data is truncated ({reason})")),
    }
}

/// Reads all of standard input.
fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("reading standard input: {e}"))?;
    Ok(bytes)
}

/// Reads a whole file, refusing files larger than `max_bytes`.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| io_reason(&e))?;
    let metadata = file.metadata().map_err(|e| io_reason(&e))?;
    if metadata.is_dir() {
        return Err("is a folder, not a file".into());
    }
    let size = metadata.len();
    if size > max_bytes {
        return Err(format!(
            "file is {size} bytes, over the limit of {max_bytes} (see --max-file-size)"
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!(
            "file grew over the limit of {max_bytes} bytes while being read"
        ));
    }
    Ok(bytes)
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The outcome of un-gzipping.
#[derive(Debug, PartialEq, Eq)]
enum Unzipped {
    Whole(Vec<u8>),
    /// The data ended early: what was decompressed before the cut, and why.
    Truncated(Vec<u8>, String),
}

/// Decompresses gzip data (several members are read one after the other), refusing
/// more than `max_bytes` of output.
fn gunzip(bytes: &[u8], max_bytes: u64) -> Result<Unzipped, String> {
    let mut out = Vec::new();
    let result = MultiGzDecoder::new(bytes)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut out);
    if out.len() as u64 > max_bytes {
        return Err(format!(
            "decompresses to more than the limit of {max_bytes} bytes (see --max-file-size)"
        ));
    }
    match result {
        Ok(_) => Ok(Unzipped::Whole(out)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Ok(Unzipped::Truncated(out, e.to_string()))
        }
        Err(e) => Err(format!("not valid gzip data ({e})")),
    }
}

/// `\r\n` and lone `\r` line ends become `\n`.
fn normalize_line_ends(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// How far into a page its `<meta charset>` is looked for.
const CHARSET_SNIFF_BYTES: usize = 4096;

/// Decodes an HTML page: as [`decode`], except that a page that is not UTF-8 is decoded
/// in the character set it declares (`<meta charset="shift_jis">`) when it declares one.
fn decode_page(bytes: &[u8]) -> Decoded {
    let plain =
        encoding_rs::Encoding::for_bom(bytes).is_none() && std::str::from_utf8(bytes).is_err();
    if let Some(encoding) = declared_charset(bytes).filter(|e| plain && *e != encoding_rs::UTF_8) {
        let (text, _, had_errors) = encoding.decode(bytes);
        let replaced = if had_errors {
            " (invalid sequences replaced)"
        } else {
            ""
        };
        return Decoded::Text {
            text: text.into_owned(),
            note: Some(format!(
                "decoded as {}, the character set the page declares{replaced}",
                encoding.name()
            )),
        };
    }
    decode(bytes)
}

/// The character set a page's head declares (`charset=...` in a meta tag).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(CHARSET_SNIFF_BYTES)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let start = head.find("charset=")? + "charset=".len();
    let label: String = head[start..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
    fn a_page_is_decoded_in_the_character_set_it_declares() {
        let mut page = b"<html><head><meta charset=\"Shift_JIS\"></head><body>".to_vec();
        let (encoded, _, _) = encoding_rs::SHIFT_JIS.encode("東京の記者");
        page.extend_from_slice(&encoded);
        match decode_page(&page) {
            Decoded::Text { text, note } => {
                assert!(text.contains("東京の記者"), "{text}");
                assert!(note.unwrap().contains("Shift_JIS"));
            }
            other => panic!("{other:?}"),
        }
        let utf8 =
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">café";
        assert_eq!(
            decode_page(utf8.as_bytes()),
            Decoded::Text {
                text: utf8.to_string(),
                note: None
            },
            "a page that is valid UTF-8 is read as UTF-8 whatever it declares"
        );
    }

    #[test]
    fn formats_follow_the_extension_and_gz_wraps_any_of_them() {
        let kind = |name: &str| kind_of(Path::new(name));
        assert_eq!(kind("a/story.TXT"), Some((Format::Text, false)));
        assert_eq!(kind("feed.jsonl.gz"), Some((Format::JsonLines, true)));
        assert_eq!(kind("dump.ndjson"), Some((Format::JsonLines, false)));
        assert_eq!(kind("table.csv.gz"), Some((Format::Delimited(b','), true)));
        assert_eq!(kind("page.htm"), Some((Format::Html, false)));
        assert_eq!(kind("photo.jpg"), None);
        assert_eq!(kind("archive.tar.gz"), None);
        assert_eq!(kind("bare.gz"), None);
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gunzip_keeps_what_came_before_a_cut_and_refuses_bombs() {
        let data: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        let packed = gzip(data.as_bytes());
        assert_eq!(
            gunzip(&packed, 1 << 20),
            Ok(Unzipped::Whole(data.clone().into_bytes()))
        );
        match gunzip(&packed[..packed.len() / 2], 1 << 20) {
            Ok(Unzipped::Truncated(bytes, _)) => {
                assert!(!bytes.is_empty() && data.as_bytes().starts_with(&bytes));
            }
            other => panic!("{other:?}"),
        }
        assert!(gunzip(&packed, 100).unwrap_err().contains("limit of 100"));
        assert!(gunzip(b"\x1f\x8bnot gzip at all", 1000)
            .unwrap_err()
            .contains("gzip"));
    }

    fn source(path: &Path) -> SourceFile {
        SourceFile {
            path: path.to_path_buf(),
            display: path.display().to_string(),
        }
    }

    #[test]
    fn a_file_that_vanished_after_the_walk_is_a_failure_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let read = read_file(
            &source(&dir.path().join("gone.txt")),
            &ReadOptions::default(),
        );
        assert!(read.records.is_empty());
        assert!(read.failure.unwrap().reason.contains("vanished"));
    }

    #[test]
    fn a_truncated_gzip_of_json_lines_keeps_the_whole_lines_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let lines: String = (1..=400)
            .map(|i| format!("{{\"id\":\"a{i}\",\"text\":\"Story {i} about Rafah.\"}}\n"))
            .collect();
        let packed = gzip(lines.as_bytes());
        let path = dir.path().join("feed.jsonl.gz");
        fs::write(&path, &packed[..packed.len() * 2 / 3]).unwrap();
        let read = read_file(&source(&path), &ReadOptions::default());
        assert!(read.failure.is_none() && read.skipped.is_empty());
        let kept = read.records.len();
        assert!(kept > 0 && kept < 400, "{kept}");
        assert_eq!(read.notes.len(), 1);
        assert!(read.notes[0].reason.contains("truncated"));
        assert!(read.notes[0]
            .reason
            .contains(&format!("kept the {kept} records")));
        assert_eq!(read.records[kept - 1].meta.id, Some(format!("a{kept}")));

        let json_path = dir.path().join("one.json.gz");
        let packed = gzip(br#"{"title": "T", "text": "A long enough body of text."}"#);
        fs::write(&json_path, &packed[..packed.len() - 6]).unwrap();
        let read = read_file(&source(&json_path), &ReadOptions::default());
        assert!(read.failure.unwrap().reason.contains("truncated"));
    }

    #[test]
    fn record_identities_survive_re_reading_and_follow_given_ids() {
        let file = Origin {
            display: "a.jsonl".into(),
            identity: "/abs/a.jsonl".into(),
            stdin: false,
        };
        let meta = |id: Option<&str>, url: Option<&str>| RecordMeta {
            id: id.map(String::from),
            url: url.map(String::from),
            title: Some("T".into()),
            ..RecordMeta::default()
        };
        assert_eq!(
            file.record(Some(3), meta(None, None), "x").identity,
            "/abs/a.jsonl#3"
        );
        let numeric = file.record(Some(3), meta(Some("17"), None), "x");
        assert_eq!(numeric.identity, "/abs/a.jsonl#id=17");
        assert_eq!(
            numeric.meta.id, None,
            "a bare number is only unique in its file"
        );
        let named = file.record(Some(3), meta(Some("reut-17"), None), "x");
        assert_eq!(named.meta.id.as_deref(), Some("reut-17"));

        let stdin = Origin {
            display: STDIN_DISPLAY.into(),
            identity: STDIN_DISPLAY.into(),
            stdin: true,
        };
        let by_url = stdin.record(Some(1), meta(None, Some("https://x.org/a")), "x");
        assert_eq!(by_url.identity, "url:https://x.org/a");
        let a = stdin.record(Some(1), meta(None, None), "Same text.\r\n");
        let b = stdin.record(Some(9), meta(None, None), "Same text.\n");
        let c = stdin.record(Some(1), meta(None, None), "Other text.");
        assert_eq!(a.identity, b.identity);
        assert_ne!(a.identity, c.identity);
        assert_eq!(a.body, "Same text.\n", "CRLF becomes LF");
    }
}
