//! Printers: query results, facets, articles, exports, stats, alerts and index summaries,
//! as text, JSON or JSON lines, each over any `impl Write` so tests print into a
//! `Vec<u8>`. JSON documents are the wire types of [`wire`]; corpus text is sanitised
//! before it reaches a terminal, and escaped in HTML highlight mode.

mod documents;
mod results;
mod wire;

use std::io;

use anstyle::{AnsiColor, Style};

pub use documents::{
    print_alerts, print_article, print_export_line, print_stats, print_stories, print_summary,
};
pub use results::{print_facets, print_results};
pub use wire::FORMAT_VERSION;

/// Query output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    Text,
    Json,
    Jsonl,
}

/// How text output marks highlighted words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Highlight {
    Ansi,
    Markdown,
    Html,
    None,
}

const MATCH_STYLE: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const TITLE_STYLE: Style = Style::new().bold();
const DIM_STYLE: Style = Style::new().dimmed();

fn paint(style: Style, color: bool) -> String {
    if color {
        style.render().to_string()
    } else {
        String::new()
    }
}

fn reset(style: Style, color: bool) -> String {
    if color {
        style.render_reset().to_string()
    } else {
        String::new()
    }
}

/// Corpus text made safe for a terminal: control and bidirectional-override characters
/// are dropped (whitespace controls become spaces).
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_safe(&mut out, c);
    }
    out
}

/// Corpus text made safe for a terminal and escaped for the markup that marks the
/// highlights (every field goes through it, not only the passage): HTML's special
/// characters as entities, Markdown's behind a backslash, so that corpus text can neither
/// run as markup nor fake a highlight.
fn escaped(text: &str, highlight: Highlight) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c, highlight);
    }
    if highlight == Highlight::Markdown && out.starts_with(['-', '+', '=']) {
        // A line that begins so would be a list item or a heading rule.
        out.insert(0, '\\');
    }
    out
}

/// Characters that Markdown reads as markup (emphasis, code, links, HTML, headings,
/// strike-through, tables, entities).
const MARKDOWN_SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '~', '|', '&'];

fn push_escaped(out: &mut String, c: char, highlight: Highlight) {
    match (highlight, c) {
        (Highlight::Html, '<') => out.push_str("&lt;"),
        (Highlight::Html, '>') => out.push_str("&gt;"),
        (Highlight::Html, '&') => out.push_str("&amp;"),
        (Highlight::Html, '"') => out.push_str("&quot;"),
        (Highlight::Html, '\'') => out.push_str("&#39;"),
        (Highlight::Markdown, c) if MARKDOWN_SPECIAL.contains(&c) => {
            out.push('\\');
            out.push(c);
        }
        (_, c) => push_safe(out, c),
    }
}

fn push_safe(out: &mut String, c: char) {
    match c {
        '\t' | '\n' | '\r' => out.push(' '),
        c if c.is_control() => {}
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
        c => out.push(c),
    }
}

/// Makes sure what was written to stdout reached its file (a full disk shows here); a pipe
/// or terminal cannot be synced, and needs not be.
pub fn sync_stdout() -> io::Result<()> {
    use std::os::fd::AsFd;
    let fd = io::stdout().as_fd().try_clone_to_owned()?;
    match std::fs::File::from(fd).sync_all() {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}
