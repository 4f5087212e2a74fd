//! Opening the files of a corpus: only regular files (and links to them) are opened, the
//! rest refused without a blocking open; files read whole are bounded by the size limit
//! and un-gzipped when their name says so.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::decode::{gunzip, Unzipped};
use super::{Format, ReadError};

/// A file's bytes, decompressed, and how to read them.
pub(super) struct Contents {
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Why gzip data ended early; only formats with one record a line keep such data.
    pub truncated: Option<String>,
}

/// Reads a file whole (refusing one over `max_bytes`), and un-gzips it when its name ends
/// in `.gz`.
pub(super) fn read_contents(
    path: &Path,
    format: Format,
    gzip: bool,
    max_bytes: u64,
) -> Result<Contents, ReadError> {
    let raw = read_limited(path, max_bytes)?;
    if !gzip || raw.is_empty() {
        return Ok(Contents {
            format,
            bytes: raw,
            truncated: None,
        });
    }
    match gunzip(&raw, max_bytes)? {
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
        Unzipped::Truncated(_, reason) => Err(ReadError::Unusable(format!(
            "gzip data is truncated ({reason})"
        ))),
    }
}

/// Opens a regular file (or a link to one). Anything else is refused without a blocking
/// open: opening a named pipe waits for a writer for ever, and reading a device may never
/// end, which would hold the index lock and lose the run.
pub(super) fn open_regular(path: &Path) -> Result<fs::File, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    check_regular(&fs::metadata(path).map_err(|e| ReadError::io(&e))?)?;
    // Should the path have become a pipe since, this open returns at once and the check
    // below refuses it.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| ReadError::io(&e))?;
    check_regular(&file.metadata().map_err(|e| ReadError::io(&e))?)?;
    Ok(file)
}

/// Refuses what is not a regular file, naming what it is.
fn check_regular(metadata: &fs::Metadata) -> Result<(), ReadError> {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Err(ReadError::unusable(format!(
        "not a regular file but {what}; skipped"
    )))
}

/// Reads a side-car or other small companion file whole, if it is a regular file.
pub(super) fn read_regular_to_string(path: &Path) -> Result<String, ReadError> {
    let mut text = String::new();
    open_regular(path)?
        .read_to_string(&mut text)
        .map_err(|e| ReadError::io(&e))?;
    Ok(text)
}

/// Reads a whole file, refusing files larger than `max_bytes`.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let size = file.metadata().map_err(|e| ReadError::io(&e))?.len();
    if size > max_bytes {
        return Err(ReadError::Unusable(format!(
            "file is {size} bytes, over the limit of {max_bytes} (see --max-file-size)"
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::Unusable(format!(
            "file grew over the limit of {max_bytes} bytes while being read"
        )));
    }
    Ok(bytes)
}
