//! Turning a file's bytes into text: gzip decompression (bounded, keeping what came
//! before a cut), character decoding (UTF-8 with or without a byte-order mark, UTF-16 with
//! one, the charset an HTML page declares, else Windows-1252) and line ends.

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
