//! The comparison form of words and names: accents folded to ASCII, lower case, dots
//! dropped. Every other module of the extractor compares text through it, so it depends
//! on none of them.

/// The comparison form of a name or word: accents folded to ASCII, lower case, dots
/// dropped ("U.S." → "us"), curly apostrophes straightened, whitespace collapsed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        fold_ascii(text, collapses(text), |b| out.push(char::from(b)));
        return out;
    }
    let ascii = deunicode::deunicode(text);
    if ascii.is_ascii() {
        fold_ascii(&ascii, true, |b| out.push(char::from(b)));
        return out;
    }
    let mut space = false;
    for ch in ascii.chars() {
        match ch {
            '.' => {}
            c if c.is_whitespace() => space = !out.is_empty(),
            c => {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Whether [`fold`] collapses whitespace in ASCII `text`: when it holds any (a vertical
/// tab alone is kept as it is).
fn collapses(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_whitespace())
}

/// [`fold`] of ASCII text, a byte at a time: dots dropped, lower case, and with
/// `collapse` each run of whitespace (`char::is_whitespace`) one space between words.
fn fold_ascii(text: &str, collapse: bool, mut push: impl FnMut(u8)) {
    if !collapse {
        for b in text.bytes().filter(|&b| b != b'.') {
            push(b.to_ascii_lowercase());
        }
        return;
    }
    let (mut any, mut space) = (false, false);
    for b in text.bytes() {
        match b {
            b'.' => {}
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => space = any,
            _ => {
                if space {
                    push(b' ');
                    space = false;
                }
                push(b.to_ascii_lowercase());
                any = true;
            }
        }
    }
}

/// Calls `f` with [`fold`]`(text)`, building short ASCII text on the stack.
pub(crate) fn with_folded<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    const MAX: usize = 64;
    if text.len() <= MAX && text.is_ascii() {
        let mut bytes = [0; MAX];
        let mut len = 0;
        fold_ascii(text, collapses(text), |b| {
            bytes[len] = b;
            len += 1;
        });
        return f(std::str::from_utf8(&bytes[..len]).expect("ASCII stays UTF-8"));
    }
    f(&fold(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_case_and_dots() {
        assert_eq!(fold("U.S."), "us");
        assert_eq!(fold("  Zürich \n Airport "), "zurich airport");
        assert_eq!(fold("Côte d’Ivoire"), "cote d'ivoire");
        assert_eq!(fold(""), "");
    }

    /// `fold` as it was before the byte-wise paths.
    fn fold_reference(text: &str) -> String {
        if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_whitespace()) {
            return text
                .bytes()
                .filter(|&b| b != b'.')
                .map(|b| char::from(b.to_ascii_lowercase()))
                .collect();
        }
        let ascii;
        let text = if text.is_ascii() {
            text
        } else {
            ascii = deunicode::deunicode(text);
            &ascii
        };
        let mut out = String::with_capacity(text.len());
        let mut space = false;
        for ch in text.chars() {
            match ch {
                '.' => {}
                c if c.is_whitespace() => space = !out.is_empty(),
                c => {
                    if space {
                        out.push(' ');
                        space = false;
                    }
                    out.extend(c.to_lowercase());
                }
            }
        }
        out
    }

    #[test]
    fn folding_byte_wise_and_on_the_stack_matches_the_reference() {
        let long = "A".repeat(70);
        for text in [
            "",
            ".",
            "U.S.",
            "New  York",
            " Leading and trailing ",
            "tab\there",
            "vertical\u{b}tab",
            "vertical\u{b}tab and space",
            "Zürich",
            "Côte d’Ivoire",
            "ÉTATS-UNIS  D’AMÉRIQUE",
            "日本",
            "Kim Jong-un",
            long.as_str(),
        ] {
            assert_eq!(fold(text), fold_reference(text), "{text:?}");
            assert_eq!(
                with_folded(text, str::to_string),
                fold_reference(text),
                "{text:?}"
            );
        }
    }
}
