//! Turning a file's bytes into text: gzip decompression (bounded, keeping what came
//! before a cut), character decoding (UTF-8 with or without a byte-order mark, UTF-16 with
//! one, the charset an HTML page declares, else Windows-1252) and line ends.
//!
//! Binary or text: a few stray control bytes (a NUL left by a crash, an escape pasted from
//! a terminal) do not make a file binary; they are removed from the text, with a note.
//! Data is binary when control bytes are more than a sixteenth of it (compressed data and
//! executables are far above that; text is at or near zero). Files read whole are judged
//! by their start; files of one record a line, line by line, so that one damaged line
//! costs one record, not the file.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use super::{ReadError, BINARY_SNIFF_BYTES};

pub(super) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The outcome of un-gzipping.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unzipped {
    Whole(Vec<u8>),
    /// The data ended early: what was decompressed before the cut, and why.
    Truncated(Vec<u8>, String),
}

/// Decompresses gzip data (several members are read one after the other), refusing
/// more than `max_bytes` of output.
pub(super) fn gunzip(bytes: &[u8], max_bytes: u64) -> Result<Unzipped, ReadError> {
    let mut out = Vec::new();
    let result = MultiGzDecoder::new(bytes)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut out);
    if out.len() as u64 > max_bytes {
        return Err(ReadError::Unusable(format!(
            "decompresses to more than the limit of {max_bytes} bytes (see --max-file-size)"
        )));
    }
    match result {
        Ok(_) => Ok(Unzipped::Whole(out)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Ok(Unzipped::Truncated(out, e.to_string()))
        }
        Err(e) => Err(ReadError::Unusable(format!("not valid gzip data ({e})"))),
    }
}

/// `\r\n` and lone `\r` line ends become `\n`.
pub(super) fn normalize_line_ends(text: &str) -> String {
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
pub(super) fn decode_page(bytes: &[u8]) -> Decoded {
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

/// Whether a byte is a control character that text does not hold: whitespace controls
/// (tab, line ends, vertical tab, form feed) are text.
fn is_stray_control_byte(byte: u8) -> bool {
    matches!(byte, 0x00..=0x08 | 0x0e..=0x1f | 0x7f)
}

/// Whether bytes are binary data rather than text with a few stray control bytes: more
/// than a sixteenth of them are control bytes, and either more than eight or more than a
/// quarter (so that one stray byte in a short line is not binary).
pub(super) fn looks_binary(bytes: &[u8]) -> bool {
    let controls = bytes.iter().filter(|&&b| is_stray_control_byte(b)).count();
    controls * 16 > bytes.len() && (controls > 8 || controls * 4 > bytes.len())
}

/// Whether a character is a control character that text does not hold (C0 and C1
/// controls other than whitespace).
fn is_stray_control(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// The text without its stray control characters, and how many there were.
pub(super) fn strip_stray_controls(text: String) -> (String, usize) {
    // C1 controls are U+0080..U+009F, which UTF-8 writes after a 0xC2 byte.
    let suspect = |b: u8| is_stray_control_byte(b) || b == 0xc2;
    if !text.bytes().any(suspect) {
        return (text, 0);
    }
    let removed = text.chars().filter(|&c| is_stray_control(c)).count();
    if removed == 0 {
        return (text, 0);
    }
    (
        text.chars().filter(|&c| !is_stray_control(c)).collect(),
        removed,
    )
}

/// The note for stray control characters removed from a file's text (from `line` on).
pub(super) fn stray_controls_note(removed: usize, line: Option<u64>) -> String {
    let from = line.map_or_else(String::new, |n| format!(", from line {n} on"));
    format!(
        "removed {} (such as NUL bytes{from}); the rest is indexed",
        crate::wording::counted(
            removed as u64,
            "stray control character",
            "stray control characters"
        )
    )
}

/// Line numbers (from 1) as short ranges: "3", "3-5, 9".
pub(super) fn line_ranges(numbers: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

/// Decodes a file of one record a line (CSV, TSV): lines that look binary are blanked
/// (named in the note), stray control characters are removed from the others. Binary
/// only when no line is text.
pub(super) fn decode_lines(bytes: &[u8]) -> Decoded {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return decode(bytes);
    }
    let mut binary_lines = Vec::new();
    let mut text_lines = 0;
    let mut kept: Vec<u8> = Vec::with_capacity(bytes.len());
    for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if looks_binary(line) {
            binary_lines.push(number as u64 + 1);
        } else {
            if line.iter().any(|b| !b.is_ascii_whitespace()) {
                text_lines += 1;
            }
            kept.extend_from_slice(line);
        }
        kept.push(b'\n');
    }
    kept.pop();
    if text_lines == 0 && !binary_lines.is_empty() {
        return Decoded::Binary;
    }
    match decode_text(&kept) {
        Decoded::Text { text, note } => {
            let binary_note = (!binary_lines.is_empty()).then(|| {
                format!(
                    "binary data (control bytes) on line {} left out",
                    line_ranges(&binary_lines)
                )
            });
            Decoded::Text {
                text,
                note: join_notes(binary_note, note),
            }
        }
        Decoded::Binary => Decoded::Binary,
    }
}

fn join_notes(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
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
/// Windows-1252 (a superset of Latin-1's printable range). A start that looks binary
/// (without a UTF-16 mark) means binary; stray control characters are removed from text,
/// with a note.
pub fn decode(bytes: &[u8]) -> Decoded {
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if encoding_rs::Encoding::for_bom(bytes).is_none() && looks_binary(sniff) {
        return Decoded::Binary;
    }
    decode_text(bytes)
}

/// [`decode`] without the binary check.
fn decode_text(bytes: &[u8]) -> Decoded {
    match decode_characters(bytes) {
        Decoded::Text { text, note } => {
            let (text, removed) = strip_stray_controls(text);
            let stripped = (removed > 0).then(|| stray_controls_note(removed, None));
            Decoded::Text {
                text,
                note: join_notes(note, stripped),
            }
        }
        Decoded::Binary => Decoded::Binary,
    }
}

/// Decodes bytes as text, as [`decode`] does, leaving control characters alone.
fn decode_characters(bytes: &[u8]) -> Decoded {
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
pub(super) mod tests {
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
    fn a_few_stray_control_bytes_are_text_and_mostly_control_bytes_are_binary() {
        assert!(!looks_binary(b"{\"t\": \"a\x00\"}"));
        assert!(!looks_binary(&[b"word ".repeat(2000), vec![0; 8]].concat()));
        assert!(looks_binary(&[0u8; 4096]));
        assert!(looks_binary(b"\x00\x01"));
        let random: Vec<u8> = (0..8192u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(looks_binary(&random), "compressed-looking data is binary");
        match decode(b"Aid reached\x00 Rafah\x1b[31m today.\x0c") {
            Decoded::Text { text, note } => {
                assert_eq!(text, "Aid reached Rafah[31m today.\x0c");
                assert!(note.unwrap().contains("removed 2 stray control characters"));
            }
            other => panic!("{other:?}"),
        }
        let mut text = b"x".repeat(9000);
        text[9000 - 10] = 0;
        assert!(matches!(decode(&text), Decoded::Text { .. }));
    }

    #[test]
    fn delimited_files_leave_out_binary_lines_only() {
        let mut data = b"title,text\nA,Aid at Rafah.\n".to_vec();
        data.extend_from_slice(&[0u8; 300]);
        data.extend_from_slice(b"\nB,Boats in\x00 Gaza.\n");
        match decode_lines(&data) {
            Decoded::Text { text, note } => {
                assert_eq!(text, "title,text\nA,Aid at Rafah.\n\nB,Boats in Gaza.\n");
                let note = note.unwrap();
                assert!(note.contains("on line 3 left out"), "{note}");
                assert!(
                    note.contains("removed 1 stray control character "),
                    "{note}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decode_lines(&[0u8; 100]), Decoded::Binary);
        assert_eq!(line_ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
    }

    pub(in crate::ingest) fn gzip(data: &[u8]) -> Vec<u8> {
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
        assert!(gunzip(&packed, 100)
            .unwrap_err()
            .reason()
            .contains("limit of 100"));
        assert!(gunzip(b"\x1f\x8bnot gzip at all", 1000)
            .unwrap_err()
            .reason()
            .contains("gzip"));
    }
}
