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
//!
//! A file's records are handed out a chunk at a time ([`RecordStream`]). JSON lines (in
//! a file, gzipped or not, or on standard input) are streamed a line at a time, so memory
//! follows the chunk and the longest line, not the file; other formats are read whole
//! (within `--max-file-size`) and their records handed out in chunks.

mod decode;
mod delimited;
mod fields;
mod html;
mod json;
mod lines;
mod open;
mod text;
mod walk;

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

use crate::wording::counted;

pub use decode::{decode, Decoded};
use decode::{decode_lines, decode_page, is_gzip, normalize_line_ends};
pub use fields::FieldNames;
use open::{open_regular, read_contents, read_regular_to_string, Contents};
pub use text::SIDECAR_SUFFIX;
pub use walk::{is_stdin, walk, SourceFile};

/// How many leading bytes are inspected to tell binary files from text.
const BINARY_SNIFF_BYTES: usize = 8192;
/// Why a binary file is skipped.
const BINARY_REASON: &str = "binary file (mostly control bytes such as NUL)";
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
    /// The id the record's own data gives it, as given (a row number too).
    pub external_id: Option<String>,
    pub meta: RecordMeta,
    /// The body text, with `\n` line ends.
    pub body: String,
}

impl Record {
    /// Hash of everything the record's article is built from except its place in the
    /// file: a record whose line moved (a line prepended, the oldest dropped from a rolling
    /// feed, stdin in another order) hashes the same.
    pub fn content_hash(&self) -> u64 {
        let mut hasher = Xxh3Default::new();
        self.path.hash(&mut hasher);
        self.identity.hash(&mut hasher);
        self.external_id.hash(&mut hasher);
        self.meta.hash(&mut hasher);
        self.body.hash(&mut hasher);
        hasher.finish()
    }

    /// The hash manifests of format 1 kept: the content and the record number together
    /// (the fields in the order of the record, as its derived `Hash` fed them).
    pub fn content_and_place_hash(&self) -> u64 {
        let mut hasher = Xxh3Default::new();
        self.path.hash(&mut hasher);
        self.identity.hash(&mut hasher);
        self.record.hash(&mut hasher);
        self.external_id.hash(&mut hasher);
        self.meta.hash(&mut hasher);
        self.body.hash(&mut hasher);
        hasher.finish()
    }
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

/// Why a file could not be read: the messages are the reasons reported to the user; the
/// kind tells the caller whether the file's earlier articles are gone or only unreachable.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ReadError {
    /// It could not be opened or read (see [`End::Unavailable`]).
    Unavailable(String),
    /// Its content cannot be used (see [`End::Failed`]).
    Unusable(String),
}

impl ReadError {
    fn io(error: &std::io::Error) -> ReadError {
        ReadError::Unavailable(io_reason(error))
    }

    fn unusable(reason: impl Into<String>) -> ReadError {
        ReadError::Unusable(reason.into())
    }

    fn into_reason(self) -> String {
        match self {
            ReadError::Unavailable(reason) | ReadError::Unusable(reason) => reason,
        }
    }

    #[cfg(test)]
    fn reason(&self) -> &str {
        match self {
            ReadError::Unavailable(reason) | ReadError::Unusable(reason) => reason,
        }
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file or folder (it vanished?)".to_string(),
        _ => error.to_string(),
    }
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
    /// Files read whole (and their decompressed data) larger than this many bytes are
    /// refused; in streamed JSON lines, a line (one record) larger than this is skipped.
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

/// What reading one file whole produced: its records, notes worth reporting (such as a
/// non-UTF-8 encoding), records that could not be read and, when nothing could be used,
/// the reason.
#[derive(Debug, Default)]
struct FileRead {
    records: Vec<Record>,
    notes: Vec<Problem>,
    /// Records left out (a malformed JSON line, a CSV row with an unclosed quote), each
    /// named by its record number.
    skipped: Vec<Problem>,
    failure: Option<Problem>,
}

/// At most how many records, and about how many bytes of their text, one chunk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkLimits {
    pub records: usize,
    pub bytes: usize,
}

/// Some records of a file, in order, and what was found reading them.
#[derive(Debug, Default)]
pub struct Chunk {
    pub records: Vec<Record>,
    /// Notes worth reporting (a non-UTF-8 encoding, a truncated gzip stream).
    pub notes: Vec<Problem>,
    /// Records left out (a malformed JSON line, an over-long line, a CSV row with an
    /// unclosed quote), each named by its record number.
    pub skipped: Vec<Problem>,
    /// Set on a file's last chunk: how reading ended.
    pub end: Option<End>,
}

/// How reading a file ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Read to its end (what could not be used was reported as notes and skips).
    Complete,
    /// The file's content could not be used, or only the records handed out before the
    /// reason; whatever else it held before is gone from it.
    Failed(Problem),
    /// The file could not be opened or read at all (it vanished, permission was denied, a
    /// device error): what it held before is unknown, not gone.
    Unavailable(Problem),
    /// Reading stopped at an input error: the records not reached are unknown, not gone.
    Interrupted(Problem),
}

/// The records of one file (or standard input), a chunk at a time.
pub struct RecordStream {
    origin: Origin,
    state: StreamState,
    /// Notes and skips found on opening, handed out with the first chunk.
    opening: Chunk,
}

enum StreamState {
    /// Read whole: the records left to hand out, and how reading ended.
    Whole {
        records: std::vec::IntoIter<Record>,
        end: End,
    },
    Lines(Box<json::JsonLines>),
    Ended,
}

impl RecordStream {
    /// The next records, at most `limits` of them; the last chunk has an [`End`]. After
    /// it the file is closed and further chunks are empty.
    pub fn next_chunk(&mut self, limits: ChunkLimits) -> Chunk {
        let mut chunk = std::mem::take(&mut self.opening);
        match &mut self.state {
            StreamState::Whole { records, end } => {
                let mut bytes = 0;
                while chunk.records.len() < limits.records && bytes < limits.bytes {
                    let Some(record) = records.next() else { break };
                    bytes += record.body.len();
                    chunk.records.push(record);
                }
                if records.len() == 0 {
                    chunk.end = Some(std::mem::replace(end, End::Complete));
                }
            }
            StreamState::Lines(lines) => {
                let more = lines.next_chunk(&self.origin, limits);
                chunk.records.extend(more.records);
                chunk.notes.extend(more.notes);
                chunk.skipped.extend(more.skipped);
                chunk.end = more.end;
            }
            StreamState::Ended => chunk.end = Some(End::Complete),
        }
        if chunk.end.is_some() {
            self.state = StreamState::Ended;
        }
        chunk
    }
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
    /// such as a row number, only within this file); else, in a file of many articles, the
    /// path and a hash of the record's content (so that a line that moves is the same
    /// article); on standard input, the URL or else a hash of title and text, so that
    /// piping the same article again replaces it.
    fn record(&self, number: Option<u64>, mut meta: RecordMeta, body: &str) -> Record {
        let body = normalize_line_ends(body);
        let external_id = meta.id.clone();
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
                Some(_) => format!("{}#{:016x}", self.identity, content_key(&meta, &body)),
                None => self.identity.clone(),
            },
        };
        Record {
            path: self.display.clone(),
            identity,
            record: number,
            external_id,
            meta,
            body,
        }
    }
}

/// A hash naming a record without an id by its content: every metadata value and the text.
fn content_key(meta: &RecordMeta, body: &str) -> u64 {
    let mut seed = String::with_capacity(body.len() + 64);
    for value in [
        &meta.title,
        &meta.date,
        &meta.source,
        &meta.url,
        &meta.author,
    ] {
        seed.push_str(value.as_deref().unwrap_or_default());
        seed.push('\u{0}');
    }
    seed.push_str(body.trim());
    xxh3_64(seed.as_bytes())
}

/// Opens one file (or standard input) to read its records. JSON lines are streamed;
/// other files are read whole, and refused without being read when over the size limit.
pub fn open(file: &SourceFile, options: &ReadOptions) -> RecordStream {
    let origin = Origin::of(file);
    let mut opening = Chunk::default();
    if !file.is_stdin() && file.path.to_str().is_none() {
        opening.notes.push(origin.problem(
            "file name is not valid UTF-8; indexed, and shown with replacement characters",
        ));
    }
    let whole = |read: FileRead, opening: &mut Chunk| {
        opening.notes.extend(read.notes);
        opening.skipped.extend(read.skipped);
        StreamState::Whole {
            records: read.records.into_iter(),
            end: read.failure.map_or(End::Complete, End::Failed),
        }
    };
    let state = match open_input(file, options.max_file_size) {
        Ok(Input::Lines {
            lines,
            fallback,
            gzip,
        }) => StreamState::Lines(Box::new(json::JsonLines::new(
            lines,
            fallback,
            gzip,
            options.fields.clone(),
        ))),
        Ok(Input::Whole(contents)) => {
            let read = read_whole(&origin, &file.path, contents, &options.fields);
            whole(read, &mut opening)
        }
        Err(ReadError::Unusable(reason)) => {
            let read = FileRead {
                failure: Some(origin.problem(reason)),
                ..FileRead::default()
            };
            whole(read, &mut opening)
        }
        Err(ReadError::Unavailable(reason)) => StreamState::Whole {
            records: Vec::new().into_iter(),
            end: End::Unavailable(origin.problem(reason)),
        },
    };
    RecordStream {
        origin,
        state,
        opening,
    }
}

/// A file opened for reading.
enum Input {
    /// JSON lines to stream.
    Lines {
        lines: lines::LineReader,
        fallback: lines::Fallback,
        gzip: bool,
    },
    /// A file read whole.
    Whole(Contents),
}

/// Opens a file: JSON lines (and standard input holding them) for streaming; other
/// files, UTF-16 JSON lines and a JSON document on standard input are read whole.
fn open_input(file: &SourceFile, max_bytes: u64) -> Result<Input, ReadError> {
    if file.is_stdin() {
        let mut stdin: Box<dyn Read + Send> = Box::new(std::io::stdin());
        let (magic, error) = lines::read_head(&mut *stdin, |head| head.len() >= 2);
        let gzip = is_gzip(&magic);
        let raw = Box::new(lines::Replay::new(magic, error, stdin));
        return open_lines(raw, gzip, Format::Json, max_bytes, max_bytes);
    }
    let (format, gzip) =
        kind_of(&file.path).ok_or_else(|| ReadError::unusable("not a format newsearch reads"))?;
    if format != Format::JsonLines {
        return read_contents(&file.path, format, gzip, max_bytes).map(Input::Whole);
    }
    let mut opened = open_regular(&file.path)?;
    // An empty file is empty, not a gzip stream cut short.
    let (start, error) = lines::read_head(&mut opened, |head| !head.is_empty());
    let gzip = gzip && !start.is_empty();
    let raw = Box::new(lines::Replay::new(start, error, Box::new(opened)));
    open_lines(raw, gzip, format, max_bytes, max_bytes)
}

/// Looks at the start of a stream of JSON lines (or of standard input, `format` JSON)
/// and sets it up to be read a line at a time, or reads it whole when it cannot be: a
/// UTF-16 stream, or one JSON document on standard input. `whole_limit` bounds what is
/// read whole, `line_limit` one line.
fn open_lines(
    raw: Box<dyn Read + Send>,
    gzip: bool,
    format: Format,
    whole_limit: u64,
    line_limit: u64,
) -> Result<Input, ReadError> {
    let mut decoded: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::new(raw)))
    } else {
        raw
    };
    let stdin = format == Format::Json;
    let (mut head, error) = lines::read_head(&mut *decoded, |head| {
        head.len() >= BINARY_SNIFF_BYTES && (!stdin || json::json_lines_decidable(head))
    });
    let bom = encoding_rs::Encoding::for_bom(&head);
    let utf8_bom = matches!(bom, Some((encoding, _)) if encoding == encoding_rs::UTF_8);
    let text_start = if utf8_bom { 3 } else { 0 };
    // Lines are judged binary or text one by one as they are read (see `lines`).
    let streamable =
        (bom.is_none() || utf8_bom) && (!stdin || json::starts_json_lines(&head[text_start..]));
    if !streamable {
        let rest = lines::Replay::new(head, error, decoded);
        return read_rest(rest, format, gzip, whole_limit).map(Input::Whole);
    }
    head.drain(..text_start);
    let fallback = if utf8_bom {
        lines::Fallback::Utf8Lossy
    } else {
        lines::Fallback::Windows1252
    };
    let rest = lines::Replay::new(head, error, decoded);
    Ok(Input::Lines {
        lines: lines::LineReader::new(Box::new(rest), line_limit, fallback),
        fallback,
        gzip,
    })
}

/// Reads the rest of a stream whose start did not allow reading it a line at a time.
fn read_rest(
    rest: lines::Replay,
    format: Format,
    gzip: bool,
    max_bytes: u64,
) -> Result<Contents, ReadError> {
    let mut bytes = Vec::new();
    let result = rest
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes);
    if bytes.len() as u64 > max_bytes {
        let what = if format == Format::Json {
            "a JSON document on standard input is read whole"
        } else {
            "UTF-16 text is read whole"
        };
        return Err(ReadError::Unusable(format!(
            "{what}, and this is over the limit of {max_bytes} bytes (see --max-file-size)"
        )));
    }
    match result {
        Ok(_) => Ok(Contents {
            format,
            bytes,
            truncated: None,
        }),
        Err(e) if gzip && e.kind() == std::io::ErrorKind::UnexpectedEof => {
            if format.is_line_based() {
                Ok(Contents {
                    format,
                    bytes,
                    truncated: Some(e.to_string()),
                })
            } else {
                Err(ReadError::Unusable(format!("gzip data is truncated ({e})")))
            }
        }
        Err(e)
            if gzip
                && matches!(
                    e.kind(),
                    std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
                ) =>
        {
            Err(ReadError::Unusable(format!("not valid gzip data ({e})")))
        }
        Err(e) => Err(ReadError::io(&e)),
    }
}

/// Reads a whole file's records.
fn read_whole(origin: &Origin, path: &Path, contents: Contents, fields: &FieldNames) -> FileRead {
    let mut out = FileRead::default();
    let fail = |mut out: FileRead, reason: String| {
        out.failure = Some(origin.problem(reason));
        out
    };
    let Contents {
        format,
        bytes,
        truncated,
    } = contents;
    let decoded = match format {
        Format::Html => decode_page(&bytes),
        Format::Delimited(_) => decode_lines(&bytes),
        _ => decode(&bytes),
    };
    drop(bytes);
    let mut text = match decoded {
        Decoded::Binary => return fail(out, BINARY_REASON.into()),
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
    match format {
        Format::Text => text::read(&text, path, origin, fields, &mut out),
        Format::Json => json::read_json(&text, origin, fields, &mut out),
        Format::JsonLines => json::read_json_lines(&text, origin, fields, &mut out),
        Format::Delimited(separator) => delimited::read(&text, separator, origin, fields, &mut out),
        Format::Html => html::read(&text, origin, &mut out),
    }
    if let Some(reason) = truncated {
        out.notes.push(origin.problem(format!(
            "gzip data is truncated ({reason}); kept the {} before the cut",
            counted(out.records.len() as u64, "record", "records")
        )));
    }
    if out.records.is_empty() && out.failure.is_none() && out.skipped.is_empty() {
        return fail(out, "no articles in the file".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decode::tests::gzip;
    use super::*;

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

    fn source(path: &Path) -> SourceFile {
        SourceFile {
            path: path.to_path_buf(),
            display: path.display().to_string(),
        }
    }

    /// Every chunk of a file put together (small chunks, to cross their borders), and
    /// how reading ended.
    fn read_file(file: &SourceFile, options: &ReadOptions) -> FileRead {
        let mut stream = open(file, options);
        let mut out = FileRead::default();
        loop {
            let chunk = stream.next_chunk(ChunkLimits {
                records: 7,
                bytes: 1 << 20,
            });
            out.records.extend(chunk.records);
            out.notes.extend(chunk.notes);
            out.skipped.extend(chunk.skipped);
            match chunk.end {
                None => continue,
                Some(End::Complete) => return out,
                Some(
                    End::Failed(problem) | End::Unavailable(problem) | End::Interrupted(problem),
                ) => {
                    out.failure = Some(problem);
                    return out;
                }
            }
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
    fn json_lines_are_streamed_with_their_bom_crlf_and_bad_lines_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = b"\xef\xbb\xbf".to_vec();
        for n in 1..=12 {
            let line = match n {
                5 => "{\"text\": \"broken\"".to_string(),
                8 => String::new(),
                _ => format!("{{\"id\": \"a{n}\", \"text\": \"Story {n}\\r\\nabout Rafah.\"}}"),
            };
            data.extend_from_slice(line.as_bytes());
            data.extend_from_slice(b"\r\n");
        }
        let path = dir.path().join("feed.jsonl");
        fs::write(&path, &data).unwrap();
        let read = read_file(&source(&path), &ReadOptions::default());
        assert!(read.failure.is_none() && read.notes.is_empty(), "{read:?}");
        let numbers: Vec<u64> = read.records.iter().filter_map(|r| r.record).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 6, 7, 9, 10, 11, 12]);
        assert_eq!(
            read.records[0].meta.id.as_deref(),
            Some("a1"),
            "BOM stripped"
        );
        assert_eq!(read.records[0].body, "Story 1\nabout Rafah.");
        assert_eq!(read.skipped.len(), 1);
        assert!(read.skipped[0].path.ends_with("feed.jsonl (record 5)"));
        assert!(read.skipped[0].reason.contains("not valid JSON"));
    }

    #[test]
    fn a_json_line_that_is_not_utf8_is_decoded_as_windows_1252_with_one_note() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin.jsonl");
        fs::write(
            &path,
            b"{\"text\": \"plain\"}\n{\"text\": \"caf\xe9 au lait\"}\n{\"text\": \"na\xefve\"}\n",
        )
        .unwrap();
        let read = read_file(&source(&path), &ReadOptions::default());
        let bodies: Vec<&str> = read.records.iter().map(|r| r.body.as_str()).collect();
        assert_eq!(bodies, vec!["plain", "café au lait", "naïve"]);
        assert_eq!(read.notes.len(), 1, "{:?}", read.notes);
        assert!(read.notes[0].reason.contains("Windows-1252"));
        assert!(read.notes[0].reason.contains("line 2"));
    }

    #[test]
    fn the_size_limit_bounds_a_json_line_not_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{{\"text\": \"{}\"}}", "word ".repeat(100));
        let lines = format!("{{\"text\": \"one\"}}\n{long}\n{{\"text\": \"three\"}}\n");
        let path = dir.path().join("feed.jsonl");
        fs::write(&path, &lines).unwrap();
        let options = ReadOptions {
            max_file_size: 100,
            ..ReadOptions::default()
        };
        assert!(lines.len() > 100);
        let read = read_file(&source(&path), &options);
        assert!(read.failure.is_none());
        let numbers: Vec<u64> = read.records.iter().filter_map(|r| r.record).collect();
        assert_eq!(numbers, vec![1, 3]);
        assert_eq!(read.skipped.len(), 1);
        assert!(read.skipped[0].path.ends_with("(record 2)"));
        assert!(
            read.skipped[0]
                .reason
                .contains(&format!("line is {} bytes", long.len()))
                && read.skipped[0].reason.contains("over the limit of 100"),
            "{:?}",
            read.skipped[0]
        );

        let text_path = dir.path().join("story.txt");
        fs::write(&text_path, &lines).unwrap();
        let read = read_file(&source(&text_path), &options);
        assert!(read
            .failure
            .unwrap()
            .reason
            .contains("over the limit of 100"));
    }

    #[test]
    fn empty_binary_and_corrupt_json_lines_fail_as_files_read_whole_do() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, data: &[u8]| {
            let path = dir.path().join(name);
            fs::write(&path, data).unwrap();
            read_file(&source(&path), &ReadOptions::default())
                .failure
                .map(|f| f.reason)
        };
        assert_eq!(
            write("empty.jsonl", b"\n  \r\n").as_deref(),
            Some("empty file")
        );
        assert_eq!(write("empty.jsonl.gz", b"").as_deref(), Some("empty file"));
        assert!(write(
            "binary.jsonl",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\n\x00\x01"
        )
        .unwrap()
        .contains("binary"));
        assert_eq!(
            write("one-bad-line.jsonl", b"{\"text\": \"a\"}\n\x00\x01"),
            None,
            "one binary line is one record"
        );
        assert!(write("bad.jsonl.gz", b"\x1f\x8bnot gzip at all")
            .unwrap()
            .contains("not valid gzip data"));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "{\"text\": \"Gaza\"}\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(write("wide.jsonl", &utf16), None, "UTF-16 is read whole");
    }

    #[test]
    fn json_lines_are_judged_line_by_line_and_stray_control_bytes_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = Vec::new();
        data.extend_from_slice(b"{\"id\": \"a1\", \"text\": \"Aid at Ra\x00fah.\"}\n");
        data.extend_from_slice(&[0u8; 4096]);
        data.extend_from_slice(b"\n\n");
        data.extend_from_slice(&[0u8, 1, 2, 3, 0, 0, 7, 8, 0, 0, b'x']);
        data.extend_from_slice(b"\n{\"id\": \"a5\", \"text\": \"Boats\x1b in Gaza.\"}\n");
        let path = dir.path().join("feed.jsonl");
        fs::write(&path, &data).unwrap();
        let read = read_file(&source(&path), &ReadOptions::default());
        assert!(read.failure.is_none(), "{read:?}");
        let bodies: Vec<&str> = read.records.iter().map(|r| r.body.as_str()).collect();
        assert_eq!(bodies, ["Aid at Rafah.", "Boats in Gaza."]);
        assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
        assert!(read.skipped[0].path.ends_with("feed.jsonl (records 2-4)"));
        assert!(read.skipped[0].reason.contains("binary data"));
        assert_eq!(read.notes.len(), 1, "{:?}", read.notes);
        assert!(read.notes[0]
            .reason
            .contains("removed 2 stray control characters"));
        assert!(read.notes[0].reason.contains("from line 1 on"));
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
        // Without an id, a record of a file is named by its content, wherever it sits.
        let at_3 = file.record(Some(3), meta(None, None), "x").identity;
        assert!(at_3.starts_with("/abs/a.jsonl#"), "{at_3}");
        assert_eq!(
            file.record(Some(9), meta(None, None), "x\r\n").identity,
            at_3
        );
        assert_ne!(file.record(Some(3), meta(None, None), "y").identity, at_3);
        let moved = file.record(Some(4), meta(Some("reut-17"), None), "x");
        let here = file.record(Some(3), meta(Some("reut-17"), None), "x");
        assert_eq!(moved.content_hash(), here.content_hash());
        assert_ne!(
            moved.content_and_place_hash(),
            here.content_and_place_hash()
        );
        // Format-1 manifests hashed the record as its derived `Hash` feeds it.
        let mut derived = Xxh3Default::new();
        here.hash(&mut derived);
        assert_eq!(derived.finish(), here.content_and_place_hash());
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
