//! Reading a stream a line at a time with memory bounded by the longest line allowed, not
//! by the stream: the first bytes are looked at before any line is read (to tell
//! byte-order marks and, on standard input, a JSON document from JSON lines), then lines
//! are handed out one by one, decoded, each judged text (stray control characters
//! removed) or binary on its own.

use std::io::{self, BufRead, BufReader, Read};

use super::decode::{looks_binary, strip_stray_controls};

/// Buffer size of the line reader.
const BUFFER_BYTES: usize = 64 << 10;

/// A reader that first replays bytes already read (and the error that stopped them, if
/// any), then reads on from the rest of its input.
pub(super) struct Replay {
    head: Vec<u8>,
    position: usize,
    error: Option<io::Error>,
    rest: Box<dyn Read + Send>,
}

impl Replay {
    pub fn new(head: Vec<u8>, error: Option<io::Error>, rest: Box<dyn Read + Send>) -> Replay {
        Replay {
            head,
            position: 0,
            error,
            rest,
        }
    }
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.position < self.head.len() {
            let n = buf.len().min(self.head.len() - self.position);
            buf[..n].copy_from_slice(&self.head[self.position..self.position + n]);
            self.position += n;
            if self.position == self.head.len() {
                self.head = Vec::new();
                self.position = 0;
            }
            return Ok(n);
        }
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.rest.read(buf)
    }
}

/// The first bytes of a stream, read until `enough` says so or the stream ends, and the
/// error that stopped reading early, if one did. Reads grow with the head, so that looking
/// at it again after each read costs time in proportion to its length, not its square.
pub(super) fn read_head(
    input: &mut dyn Read,
    enough: impl Fn(&[u8]) -> bool,
) -> (Vec<u8>, Option<io::Error>) {
    let mut head = Vec::new();
    loop {
        let want = head.len().max(BUFFER_BYTES);
        let start = head.len();
        head.resize(start + want, 0);
        match input.read(&mut head[start..]) {
            Ok(0) => {
                head.truncate(start);
                return (head, None);
            }
            Ok(n) => {
                head.truncate(start + n);
                if enough(&head) {
                    return (head, None);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => head.truncate(start),
            Err(error) => {
                head.truncate(start);
                return (head, Some(error));
            }
        }
    }
}

/// One line of the stream (without its `\n` or `\r\n`).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    Text {
        /// Line number, from 1.
        number: u64,
        text: String,
        /// The line was not valid UTF-8 and was decoded otherwise.
        recoded: bool,
        /// Stray control characters removed from the line.
        stripped: usize,
    },
    /// A line over the length limit: skipped without being held in memory.
    TooLong { number: u64, bytes: u64 },
    /// A line of binary data (mostly control bytes), not text.
    Binary { number: u64 },
}

/// How lines that are not valid UTF-8 are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fallback {
    /// As Windows-1252 (a superset of Latin-1's printable range).
    Windows1252,
    /// As UTF-8 with invalid sequences replaced (the stream began with a UTF-8 mark).
    Utf8Lossy,
}

/// Lines of a stream, each at most `limit` bytes.
pub(super) struct LineReader {
    input: BufReader<Box<dyn Read + Send>>,
    limit: u64,
    number: u64,
    fallback: Fallback,
}

impl LineReader {
    pub fn new(input: Box<dyn Read + Send>, limit: u64, fallback: Fallback) -> LineReader {
        LineReader {
            input: BufReader::with_capacity(BUFFER_BYTES, input),
            limit,
            number: 0,
            fallback,
        }
    }

    /// The longest line read whole, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The next line; `None` at the end of the stream. A line that the end of the stream
    /// cuts without a line end is a line; one that an error cuts is lost with the error.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        let mut bytes = Vec::new();
        let mut length: u64 = 0;
        let mut too_long = false;
        let mut started = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                if !started {
                    return Ok(None);
                }
                break;
            }
            started = true;
            let (piece, used, ended) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], end + 1, true),
                None => (available, available.len(), false),
            };
            length += piece.len() as u64;
            if !too_long {
                if length > self.limit {
                    too_long = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(piece);
                }
            }
            self.input.consume(used);
            if ended {
                break;
            }
        }
        self.number += 1;
        if too_long {
            return Ok(Some(Line::TooLong {
                number: self.number,
                bytes: length,
            }));
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        if looks_binary(&bytes) {
            return Ok(Some(Line::Binary {
                number: self.number,
            }));
        }
        let (text, recoded) = match String::from_utf8(bytes) {
            Ok(text) => (text, false),
            Err(error) => {
                let bytes = error.into_bytes();
                let text = match self.fallback {
                    Fallback::Windows1252 => encoding_rs::WINDOWS_1252.decode(&bytes).0,
                    Fallback::Utf8Lossy => String::from_utf8_lossy(&bytes),
                };
                (text.into_owned(), true)
            }
        };
        let (text, stripped) = strip_stray_controls(text);
        Ok(Some(Line::Text {
            number: self.number,
            text,
            recoded,
            stripped,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(data: &[u8], limit: u64) -> LineReader {
        let input = io::Cursor::new(data.to_vec());
        LineReader::new(Box::new(input), limit, Fallback::Windows1252)
    }

    fn texts(mut lines: LineReader) -> Vec<Line> {
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    fn text(number: u64, text: &str) -> Line {
        Line::Text {
            number,
            text: text.into(),
            recoded: false,
            stripped: 0,
        }
    }

    #[test]
    fn lines_are_numbered_and_lose_their_line_ends() {
        let lines = texts(reader(b"one\r\n\ntwo\nthree", 100));
        assert_eq!(
            lines,
            vec![
                text(1, "one"),
                text(2, ""),
                text(3, "two"),
                text(4, "three")
            ]
        );
    }

    #[test]
    fn an_over_long_line_is_measured_and_skipped() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 300_000));
        data.extend_from_slice(b"\nafter\n");
        let lines = texts(reader(&data, 1000));
        assert_eq!(
            lines,
            vec![
                text(1, "short"),
                Line::TooLong {
                    number: 2,
                    bytes: 300_000
                },
                text(3, "after")
            ]
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_decoded_alone() {
        let lines = texts(reader("caf\u{e9}\ncaf\u{e9}\n".as_bytes(), 100));
        assert_eq!(lines[0], text(1, "café"));
        let lines = texts(reader(b"ok\ncaf\xe9 au lait\n", 100));
        assert_eq!(
            lines,
            vec![
                text(1, "ok"),
                Line::Text {
                    number: 2,
                    text: "café au lait".into(),
                    recoded: true,
                    stripped: 0
                }
            ]
        );
    }

    #[test]
    fn replay_gives_back_the_head_then_its_error_then_the_rest() {
        let head = b"ab".to_vec();
        let error = io::Error::new(io::ErrorKind::UnexpectedEof, "cut");
        let rest = io::Cursor::new(b"cd".to_vec());
        let mut replay = Replay::new(head, Some(error), Box::new(rest));
        let mut buf = [0u8; 8];
        assert_eq!(replay.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"ab");
        assert_eq!(
            replay.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        assert_eq!(replay.read(&mut buf).unwrap(), 2);
    }

    #[test]
    fn the_head_is_read_until_it_is_enough_or_the_stream_ends() {
        let data = vec![b'a'; 200_000];
        let (head, error) = read_head(&mut &data[..], |h| h.len() >= 10);
        assert!(error.is_none());
        assert!(head.len() >= 10 && head.len() < 200_000);
        let (head, _) = read_head(&mut &data[..], |_| false);
        assert_eq!(head.len(), 200_000);
    }
}
