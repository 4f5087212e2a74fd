//! Prints the entities newsearch extracts from articles, one JSON object a line: for
//! checking the extractor by eye and for `bench/entities_eval.py`.
//!
//!     cargo run --release --example entities -- corpus/*.txt
//!     cargo run --release --example entities -- --jsonl articles.jsonl --resolve
//!     cargo run --release --example entities -- --names names.tsv
//!
//! Text files are read whole as the body (front matter is not parsed); JSON-lines files
//! carry one article a line with `title` and `text` (or `body`) and an optional `id`.
//! With `--resolve` the names are mapped through the corpus-wide alias table, the way
//! `newsearch export` reports them; with `--mentions` every mention is printed too.
//! `--names` times the corpus-wide resolution alone over a file of `kind<TAB>name<TAB>
//! articles` lines (as many distinct names as a large corpus yields).

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use newsearch::extract::entities::{extract_entities, resolve_corpus, ArticleEntity, EntityKind};
use serde_json::{json, Map, Value};

#[derive(Parser)]
#[command(about = "Print the entities of articles as JSON lines")]
struct Args {
    /// Text files, one article each.
    files: Vec<PathBuf>,
    /// JSON-lines files, one article a line (`id`, `title`, `text` or `body`).
    #[arg(long)]
    jsonl: Vec<PathBuf>,
    /// Map names through the corpus-wide alias table.
    #[arg(long)]
    resolve: bool,
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
    title: String,
    body: String,
}

fn read_articles(args: &Args) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    for path in &args.files {
        let body =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        out.push(Article {
            id: path.display().to_string(),
            title: String::new(),
            body,
        });
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
            out.push(Article {
                id,
                title: field("title"),
                body,
            });
        }
    }
    Ok(out)
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
    let table = args.resolve.then(|| {
        let mut counts: std::collections::HashMap<(EntityKind, String), u64> = Default::default();
        for entities in &extracted {
            for e in entities {
                *counts.entry((e.kind, e.name.clone())).or_default() += 1;
            }
        }
        let names: Vec<(EntityKind, String, u64)> =
            counts.into_iter().map(|((k, n), c)| (k, n, c)).collect();
        resolve_corpus(&names)
    });
    let resolve_time = report(started.elapsed(), cpu_before.zip(cpu_time()));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (article, entities) in articles.iter().zip(&extracted) {
        let mut by_kind = Map::new();
        for kind in EntityKind::ALL {
            let mut names: Vec<String> = entities
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| match &table {
                    Some(t) => t.canonical(kind, &e.name),
                    None => e.name.clone(),
                })
                .collect();
            names.dedup();
            by_kind.insert(kind.as_str().to_string(), json!(names));
        }
        let mut line =
            json!({"article_id": article.id, "title": article.title, "entities": by_kind});
        if args.mentions {
            line["mentions"] = json!(entities);
        }
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
