//! Load on a running `newsearch serve`: CLIENTS threads, each with its own keep-alive
//! connection, send the page's result request (`/api/search?q=…&group=story&limit=10`,
//! the way the web page asks) for each query of a list in turn, as fast as answers come,
//! for SECONDS. For `bench/serve_load.py`.
//!
//!     cargo run --release --example serve_load -- URL QUERIES.json CLIENTS SECONDS
//!
//! QUERIES.json is a JSON array of query strings. Prints one JSON object to stdout:
//! requests, errors (anything but a 200 with a JSON body, by kind), requests per second
//! and latency percentiles in milliseconds.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<f64>,
    errors: BTreeMap<String, usize>,
}

fn client(base: &str, queries: &[String], first: usize, stop: &AtomicBool) -> Tally {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    let mut tally = Tally::default();
    let mut n = first;
    while !stop.load(Ordering::Relaxed) {
        let query = &queries[n % queries.len()];
        n += 1;
        let started = Instant::now();
        let answer = agent
            .get(&format!("{base}/api/search"))
            .query("q", query)
            .query("group", "story")
            .query("limit", "10")
            .query("per_article", "2")
            .query("snippet_chars", "240")
            .call();
        let outcome = match answer {
            Ok(response) => match response.into_json::<serde_json::Value>() {
                Ok(body) if body.get("results").is_some() => Ok(()),
                Ok(_) => Err("200 without results".to_string()),
                Err(e) => Err(format!("unreadable body: {e}")),
            },
            // No match is a 200 with no results, so any status here is an error.
            Err(ureq::Error::Status(code, _)) => Err(format!("status {code}")),
            Err(e) => Err(format!("transport: {}", e.kind())),
        };
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(()) => tally.latencies.push(elapsed),
            Err(kind) => *tally.errors.entry(kind).or_default() += 1,
        }
    }
    tally
}

fn main() -> Result<()> {
    let usage = "usage: serve_load URL QUERIES.json CLIENTS SECONDS";
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .context(usage)?
        .trim_end_matches('/')
        .to_string();
    let file = args.next().context(usage)?;
    let clients: usize = args.next().context(usage)?.parse().context("CLIENTS")?;
    let seconds: f64 = args.next().context(usage)?.parse().context("SECONDS")?;
    let queries: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?,
    )
    .with_context(|| format!("{file} is not a JSON array of strings"))?;
    anyhow::ensure!(!queries.is_empty(), "{file} holds no queries");

    let queries = Arc::new(queries);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (base, queries, stop) = (base.clone(), queries.clone(), stop.clone());
            std::thread::spawn(move || client(&base, &queries, c, &stop))
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for handle in handles {
        let tally = handle
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        all.latencies.extend(tally.latencies);
        for (kind, n) in tally.errors {
            *all.errors.entry(kind).or_default() += n;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    all.latencies.sort_by(f64::total_cmp);
    let at = |share: f64| {
        all.latencies
            .get(((all.latencies.len().saturating_sub(1)) as f64 * share).round() as usize)
            .copied()
    };
    let errors: usize = all.errors.values().sum();
    println!(
        "{}",
        json!({
            "clients": clients,
            "seconds": wall,
            "requests": all.latencies.len() + errors,
            "ok": all.latencies.len(),
            "errors": errors,
            "error_kinds": all.errors,
            "requests_per_second": all.latencies.len() as f64 / wall,
            "p50_ms": at(0.5),
            "p90_ms": at(0.9),
            "p99_ms": at(0.99),
            "max_ms": at(1.0),
        })
    );
    Ok(())
}
