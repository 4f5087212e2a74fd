//! Prints the entities newsearch extracts from articles, one JSON object a line: for
//! checking the extractor by eye and for `bench/entities_eval.py`.
//!
//!     cargo run --release --example entities -- corpus/*.txt
//!     cargo run --release --example entities -- --jsonl articles.jsonl --resolve
//!
//! Text files are read whole as the body (front matter is not parsed); JSON-lines files
//! carry one article a line with `title` and `text` (or `body`) and an optional `id`.
//! With `--resolve` the names are mapped through the corpus-wide alias table, the way
//! `newsearch export` reports them; with `--mentions` every mention is printed too.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

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

fn main() -> Result<()> {
    let args = Args::parse();
    let articles = read_articles(&args)?;
    let started = Instant::now();
    let extracted: Vec<Vec<ArticleEntity>> = articles
        .iter()
        .map(|a| extract_entities(&a.title, &a.body))
        .collect();
    let extract_time = started.elapsed();
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
    let resolve_time = started.elapsed();
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
        "{} articles: extraction {:.3} s, corpus resolution {:.3} s",
        articles.len(),
        extract_time.as_secs_f64(),
        resolve_time.as_secs_f64()
    );
    Ok(())
}
