//! Prints the entities newsearch extracts from articles, one JSON object a line: for
//! checking the extractor by eye and for `bench/entities_eval.py`.
//!
//!     cargo run --release --example entities -- corpus/*.txt
//!     cargo run --release --example entities -- --jsonl articles.jsonl --resolve
//!     cargo run --release --example entities -- --linked corpus/
//!     cargo run --release --example entities -- --names names.tsv
//!
//! Text files (or folders of them, walked for `*.txt`) are read whole as the body (front
//! matter is not parsed); JSON-lines files carry one article a line with `title` and
//! `text` (or `body`) and optional `id`, `path` and `date`. With `--resolve` the names are
//! mapped through the corpus alias table the way an index does it: every article's date
//! and names feed a `CorpusLinker`, then each article's names are resolved in that
//! article's context (`AliasTable::canonical_in`); `--context-free` uses
//! `AliasTable::canonical` instead. With `--mentions` every mention is printed too.
//! `--linked` prints one `{"path", "date", "person", "org", "place"}` line an article with
//! the resolved names. `--names` times the corpus-wide resolution alone over a file of
//! `kind<TAB>name<TAB>articles` lines (as many distinct names as a large corpus yields).

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Parser;
use newsearch::extract::entities::{
    extract_entities, resolve_corpus, AliasTable, ArticleEntity, CorpusLinker, EntityKind,
};
use newsearch::extract::metadata::parse_date;
use serde_json::{json, Map, Value};

#[derive(Parser)]
#[command(about = "Print the entities of articles as JSON lines")]
struct Args {
    /// Text files, one article each, or folders of them.
    files: Vec<PathBuf>,
    /// JSON-lines files, one article a line (`id`, `title`, `text` or `body`).
    #[arg(long)]
    jsonl: Vec<PathBuf>,
    /// Map names through the corpus-wide alias table, each in its article's context.
    #[arg(long)]
    resolve: bool,
    /// With --resolve: the context-free canonical names.
    #[arg(long)]
    context_free: bool,
    /// Print `{"path", "date", "person", "org", "place"}` lines of resolved names.
    #[arg(long)]
    linked: bool,
    /// Also print each entity's mentions.
    #[arg(long)]
    mentions: bool,
    /// Time corpus-wide resolution over `kind<TAB>name<TAB>articles` lines.
    #[arg(long)]
    names: Option<PathBuf>,
}

/// Time this thread has spent on a CPU (Linux), to report work apart from waiting on a
/// shared machine; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// "1.234 s (CPU 0.987 s)".
fn report(wall: Duration, cpu: Option<(Duration, Duration)>) -> String {
    match cpu {
        Some((before, after)) => format!(
            "{:.3} s (CPU {:.3} s)",
            wall.as_secs_f64(),
            after.saturating_sub(before).as_secs_f64()
        ),
        None => format!("{:.3} s", wall.as_secs_f64()),
    }
}

struct Article {
    id: String,
    path: String,
    date: Option<NaiveDate>,
    title: String,
    body: String,
}

/// The `*.txt` files under `path` (or `path` itself), sorted.
fn text_files(path: &PathBuf) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.clone()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(path) {
        let entry = entry.with_context(|| format!("walking {}", path.display()))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "txt") {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

fn read_articles(args: &Args) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    for arg in &args.files {
        for path in text_files(arg)? {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let body = String::from_utf8(bytes)
                .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect());
            out.push(Article {
                id: path.display().to_string(),
                path: path.display().to_string(),
                date: None,
                title: String::new(),
                body,
            });
        }
    }
    for path in &args.jsonl {
        let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line.with_context(|| format!("reading {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&line)
                .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
            let field = |name: &str| {
                value
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let body = if value.get("text").is_some() {
                field("text")
            } else {
                field("body")
            };
            let id = match value.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => format!("{}:{}", path.display(), n + 1),
            };
            let record_path = match value.get("path").and_then(Value::as_str) {
                Some(p) => p.to_string(),
                None => format!("{}:{}", path.display(), n + 1),
            };
            out.push(Article {
                id,
                path: record_path,
                date: parse_date(&field("date")).map(|d| d.date()),
                title: field("title"),
                body,
            });
        }
    }
    Ok(out)
}

/// The corpus alias table of the articles, built as an index builds it: one pass that
/// hands each article's date and article-level names to a [`CorpusLinker`].
fn link_corpus(articles: &[Article], extracted: &[Vec<ArticleEntity>]) -> AliasTable {
    let mut linker = CorpusLinker::new();
    for (article, entities) in articles.iter().zip(extracted) {
        let names: Vec<(EntityKind, &str)> =
            entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
        linker.add(article.date, &names);
    }
    linker.finish()
}

/// The names of an article's entities by kind, each once, in order of first mention:
/// canonical in the article's context when a table is given.
fn resolved_names(
    table: Option<&AliasTable>,
    context_free: bool,
    article: &Article,
    entities: &[ArticleEntity],
) -> Vec<(EntityKind, Vec<String>)> {
    let all: Vec<(EntityKind, &str)> = entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
    EntityKind::ALL
        .iter()
        .map(|&kind| {
            let mut names: Vec<String> = Vec::new();
            for e in entities.iter().filter(|e| e.kind == kind) {
                let name = match table {
                    Some(t) if context_free => t.canonical(kind, &e.name),
                    Some(t) => t.canonical_in(kind, &e.name, article.date, &all),
                    None => e.name.clone(),
                };
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            (kind, names)
        })
        .collect()
}

/// Resolves the names in `path` and reports how long it took and what merged.
fn time_resolution(path: &PathBuf) -> Result<()> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut names = Vec::new();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let kind = match fields.next() {
            Some("person") => EntityKind::Person,
            Some("org") => EntityKind::Org,
            Some("place") => EntityKind::Place,
            _ => continue,
        };
        let name = fields.next().unwrap_or_default().to_string();
        let count = fields.next().and_then(|c| c.parse().ok()).unwrap_or(1);
        names.push((kind, name, count));
    }
    let cpu_before = cpu_time();
    let started = Instant::now();
    let table = resolve_corpus(&names);
    let elapsed = started.elapsed();
    let cpu = cpu_before.zip(cpu_time());
    let merged = names
        .iter()
        .filter(|(kind, name, _)| table.canonical(*kind, name) != *name)
        .count();
    eprintln!(
        "{} names: corpus resolution {}, {} merged into another name",
        names.len(),
        report(elapsed, cpu),
        merged
    );
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.names {
        return time_resolution(path);
    }
    let articles = read_articles(&args)?;
    // The word lists and the automaton load once, on first use; time them apart.
    let cpu_before = cpu_time();
    let started = Instant::now();
    extract_entities("", "Warm-up.");
    let load_time = report(started.elapsed(), cpu_before.zip(cpu_time()));
    let cpu_before = cpu_time();
    let started = Instant::now();
    let extracted: Vec<Vec<ArticleEntity>> = articles
        .iter()
        .map(|a| extract_entities(&a.title, &a.body))
        .collect();
    let extract_time = report(started.elapsed(), cpu_before.zip(cpu_time()));
    let cpu_before = cpu_time();
    let started = Instant::now();
    let table = (args.resolve || args.linked).then(|| link_corpus(&articles, &extracted));
    let resolve_time = report(started.elapsed(), cpu_before.zip(cpu_time()));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (article, entities) in articles.iter().zip(&extracted) {
        let names = resolved_names(table.as_ref(), args.context_free, article, entities);
        let line = if args.linked {
            let mut line = json!({"path": article.path, "date": article.date});
            for (kind, list) in names {
                line[kind.as_str()] = json!(list);
            }
            line
        } else {
            let mut by_kind = Map::new();
            for (kind, list) in names {
                by_kind.insert(kind.as_str().to_string(), json!(list));
            }
            let mut line =
                json!({"article_id": article.id, "title": article.title, "entities": by_kind});
            if args.mentions {
                line["mentions"] = json!(entities);
            }
            line
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    eprintln!(
        "{} articles: word lists loaded in {load_time}, extraction {extract_time}, corpus \
         resolution {resolve_time}",
        articles.len(),
    );
    Ok(())
}
