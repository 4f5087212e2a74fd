//! Fuzzing the query language: generated queries (grammar pieces mixed with random
//! characters, deep nesting, control and bidirectional characters, pasted addresses,
//! unknown fields, huge words) go through the parser and the whole search path — compile,
//! filter, rank, highlight, facets — in process, on a small index. None may panic; each
//! must answer or fail with an error (exit 2 for the binary). A sample also runs the real
//! binary, whose exit code must be 0, 1 or 2.
//!
//! `cargo test` runs a short round. The long round, by hand:
//!
//! ```sh
//! NEWSEARCH_FUZZ_INPUTS=1000000 cargo test --release --test query_fuzz -- --nocapture
//! ```
//!
//! (`NEWSEARCH_FUZZ_SEED` picks another sequence; a failure prints the seed, the input
//! number and the query.)
//!
//! Debug builds check tantivy's own `debug_assert!`s, and some of them fire on queries
//! that tantivy answers correctly in release builds (a fresh scorer sought backwards in
//! `BooleanWeight::explain`, a phrase in an exclusion set sought backwards by
//! `Exclude::new`). In debug builds such panics inside tantivy are counted and listed,
//! not failed; any other panic fails. The long round runs in release, where every panic
//! fails.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use common::TestEnv;
use newsearch::index::NewsIndex;
use newsearch::search::facets::{FacetRequest, Interval};
use newsearch::search::filters::Filters;
use newsearch::search::source::Source;
use newsearch::search::{facets_of, query, search, Group, SearchRequest, Sort};

/// Inputs of the short round run by `cargo test`.
const DEFAULT_INPUTS: u64 = 3_000;
/// One input in this many is also run through the binary.
const PROCESS_EVERY: u64 = 500;

/// splitmix64: small, fast and good enough to drive a generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "rafah",
    "Gaza",
    "ceasefire",
    "Netanyahu",
    "Netanyahoo",
    "the",
    "of",
    "which",
    "talks",
    "Israel's",
    "U.S.",
    "Hamas-run",
    "élan",
    "Zürich",
    "東京",
    "مرحبا",
    "a",
    "I",
    "x",
    "10:30",
    "2024-03-25",
    "raf",
    "ground",
    "attack",
    "UN",
    "e.g.",
    "don't",
    "—",
    "…",
    "\u{301}",
];
const PIECES: &[&str] = &[
    "(",
    ")",
    "\"",
    "“",
    "”",
    "+",
    "-",
    "~",
    "~1",
    "~2",
    "~7",
    "~x",
    "*",
    "**",
    ":",
    "::",
    " AND ",
    " OR ",
    " NOT ",
    "&&",
    "||",
    "title:",
    "body:",
    "text:",
    "source:",
    "person:",
    "org:",
    "place:",
    "TITLE:",
    "titel:",
    "re:",
    "https://",
    "http://x.org/a?b=c#d",
    "\\",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{1b}[31m",
    "\u{7}",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "😀",
    "👩\u{200d}🚀",
    "\u{fffd}",
    " ",
    "  ",
    "'",
    "/",
    "[",
    "]",
    "{",
    "}",
    "^",
    "?",
];

/// One query: grammar pieces and words side by side, sometimes nested deep, sometimes
/// with random characters or a huge word.
fn generate(rng: &mut Rng) -> String {
    let mut query = String::new();
    let parts = 1 + rng.below(12);
    for _ in 0..parts {
        match rng.below(20) {
            0..=7 => query.push_str(rng.pick(WORDS)),
            8..=13 => query.push_str(rng.pick(PIECES)),
            14 => {
                let text = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
                query.push_str(&format!("\"{text}\"~{}", rng.below(12)));
            }
            15 => {
                // Nesting around the limit (100), now and then far past it.
                let depth = match rng.below(10) {
                    0 => 1_000 + rng.below(10_000) as usize,
                    _ => rng.below(130) as usize,
                };
                let inner = rng.pick(WORDS);
                query.push_str(&format!(
                    "{}{inner}{}",
                    "(".repeat(depth),
                    ")".repeat(depth)
                ));
            }
            16 => {
                for _ in 0..1 + rng.below(6) {
                    if let Some(c) = char::from_u32(rng.below(0x3_0000) as u32) {
                        query.push(c);
                    }
                }
            }
            17 => query.push_str(&"w".repeat(1 + rng.below(5_000) as usize)),
            18 => query.push_str(&format!("{}:{}", rng.pick(WORDS), rng.pick(WORDS))),
            _ => query.push(' '),
        }
        if rng.below(3) == 0 {
            query.push(' ');
        }
    }
    query
}

thread_local! {
    /// Where the last panic of this thread happened, and its message.
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Records each panic's place and message for [`exercise`] (and prints nothing).
fn record_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        LAST_PANIC.with(|last| *last.borrow_mut() = Some((place, message)));
    }));
}

/// What became of one query.
enum Outcome {
    Fine,
    /// A tantivy debug assertion (debug builds only), at this place.
    TantivyDebugAssertion(String),
}

/// Runs one query through the parser and the whole search path; a panic is an error,
/// except tantivy's debug assertions in a debug build.
fn exercise(index: &NewsIndex, text: &str, rng: &mut Rng) -> Result<Outcome, String> {
    let sort = if rng.below(2) == 0 {
        Sort::Relevance
    } else {
        Sort::Date
    };
    let request = SearchRequest {
        query: text.to_string(),
        limit: 1 + rng.below(20) as usize,
        offset: rng.below(3) as usize,
        per_article: 1 + rng.below(3) as usize,
        snippet_chars: 20 + rng.below(300) as usize,
        filters: Filters::default(),
        sort,
        group: if rng.below(2) == 0 {
            Group::Story
        } else {
            Group::Article
        },
        facets: (rng.below(4) == 0).then_some(FacetRequest {
            top: 5,
            interval: Interval::Month,
        }),
    };
    let with_facets = rng.below(8) == 0;
    let ran = catch_unwind(AssertUnwindSafe(|| {
        let parsed = query::parse(text);
        let searched = search(Source::local(index), &request);
        if parsed.is_err() && searched.is_ok() {
            panic!("the parser refused it but the search answered");
        }
        if with_facets {
            let request = FacetRequest {
                top: 3,
                interval: Interval::Week,
            };
            let _ = facets_of(
                Source::local(index),
                Some(text),
                &Filters::default(),
                request,
            );
        }
    }));
    if ran.is_ok() {
        return Ok(Outcome::Fine);
    }
    let (place, message) = LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .unwrap_or_default();
    let debug_assertion = cfg!(debug_assertions)
        && place.contains("/tantivy-")
        && (message.starts_with("assertion failed") || message.contains("should be greater"));
    if debug_assertion {
        Ok(Outcome::TantivyDebugAssertion(place))
    } else {
        Err(format!("{message} at {place}"))
    }
}

fn corpus(env: &TestEnv) {
    env.write(
        "feed.jsonl",
        [
            r#"{"id": "a", "title": "Talks on Rafah", "source": "Example Wire", "date": "2024-03-25", "text": "Benjamin Netanyahu said the ground attack on Rafah would go ahead. Hamas negotiators met in Cairo on Monday.\n\nThe U.S. and the UN urged a ceasefire."}"#,
            r#"{"id": "b", "title": "Harbour", "source": "Daily", "date": "2023-10-07", "text": "Fishing boats returned to Gaza harbour. Zürich and 東京 reporters watched."}"#,
            r#"{"id": "c", "title": "Undated", "text": "An élan of talks, which the Hamas-run ministry denied."}"#,
        ]
        .join("\n"),
    );
}

#[test]
fn generated_queries_never_panic_and_exit_0_1_or_2() {
    let inputs: u64 = std::env::var("NEWSEARCH_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_INPUTS);
    let seed: u64 = std::env::var("NEWSEARCH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_130);
    let env = TestEnv::new();
    corpus(&env);
    env.index(&env.corpus());
    let index_dir = env.index_dir();
    // The binary's main thread has 8 MB of stack; so does this one.
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let index = NewsIndex::open_reader(&index_dir).unwrap();
            record_panics();
            let mut rng = Rng(seed);
            let mut tolerated: BTreeMap<String, u64> = BTreeMap::new();
            let started = Instant::now();
            let mut errors = 0u64;
            let mut processes = Vec::new();
            for n in 0..inputs {
                let text = generate(&mut rng);
                match exercise(&index, &text, &mut rng) {
                    Ok(Outcome::Fine) => {}
                    Ok(Outcome::TantivyDebugAssertion(place)) => {
                        *tolerated.entry(place).or_default() += 1;
                    }
                    Err(panic) => {
                        return Err(format!(
                            "seed {seed}, input {n}: {text:?} panicked: {panic}"
                        ))
                    }
                }
                if query::parse(&text).is_err() {
                    errors += 1;
                }
                if n % PROCESS_EVERY == 0 && !text.contains('\0') {
                    processes.push(text);
                }
            }
            eprintln!(
                "{inputs} queries ({errors} refused by the parser) in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            for (place, times) in &tolerated {
                eprintln!("tantivy debug assertion (unchecked in release) at {place}: {times}×");
            }
            Ok(processes)
        })
        .unwrap();
    let processes = match worker.join() {
        Ok(Ok(processes)) => processes,
        Ok(Err(failure)) => panic!("{failure}"),
        Err(_) => panic!("the fuzzing thread died"),
    };
    for text in processes.iter().take(40) {
        for command in [vec!["query", text.as_str()], vec!["facets", text.as_str()]] {
            let output = env.cmd(&command).output().unwrap();
            let code = output.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{command:?} exited {code:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
