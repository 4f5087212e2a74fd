//! In-process query latency: opens an index once, then times each query of a list (top 10
//! passages with snippets and highlight spans, as `newsearch query` computes them, without
//! printing), several rounds. For `bench/harness.py`, next to the peers' in-process figures.
//!
//!     cargo run --release --example query_bench -- INDEX QUERIES.json [ROUNDS]
//!
//! QUERIES.json is a JSON array of query strings. Prints `{"times": [seconds, …]}`, one
//! figure per query and round, to stdout.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use newsearch::index::NewsIndex;
use newsearch::search::filters::Filters;
use newsearch::search::source::Source;
use newsearch::search::{search, Group, SearchRequest, Sort};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: query_bench INDEX QUERIES.json [ROUNDS]";
    let index_dir = PathBuf::from(args.next().context(usage)?);
    let queries_file = PathBuf::from(args.next().context(usage)?);
    let rounds: usize = match args.next() {
        Some(n) => n.parse().context("ROUNDS is a number")?,
        None => 5,
    };
    let text = std::fs::read_to_string(&queries_file)
        .with_context(|| format!("reading {}", queries_file.display()))?;
    let queries: Vec<String> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON array of strings", queries_file.display()))?;
    let index = NewsIndex::open_reader(&index_dir)?;
    let mut times = Vec::with_capacity(rounds * queries.len());
    let mut passages = 0;
    for _ in 0..rounds {
        for query in &queries {
            let request = SearchRequest {
                query: query.clone(),
                limit: 10,
                offset: 0,
                per_article: 2,
                snippet_chars: 200,
                filters: Filters::default(),
                sort: Sort::Relevance,
                group: Group::Story,
                facets: None,
            };
            let started = Instant::now();
            let results = search(Source::local(&index), &request)?;
            times.push(started.elapsed().as_secs_f64());
            passages += results.hits.len();
        }
    }
    println!(
        "{}",
        serde_json::json!({ "times": times, "passages": passages })
    );
    Ok(())
}
