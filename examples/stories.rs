//! Groups articles into stories and prints each article's story, one JSON object a line
//! (`{"id": ..., "story": ...}`): for `bench/stories_eval.py`, and to time sketching and
//! clustering apart from the index.
//!
//!     cargo run --release --example stories -- --jsonl articles.jsonl
//!     cargo run --release --example stories -- bbc/            # .txt files, title first
//!     cargo run --release --example stories -- --jsonl a.jsonl --book /tmp/b --batches 4
//!     cargo run --release --example stories -- --jsonl a.jsonl --book /tmp/b --ordered
//!
//! JSON-lines files carry one article a line (`id`, `title`, `text` or `body`, `date`,
//! `source`); text files hold the title on their first line and the body after it, and
//! their id is their path relative to the folder given. Each article goes through
//! newsearch's own extraction (`build_article`: passages, entities, publication date), as
//! in the index. With `--book DIR` the stories are computed by a persistent
//! [`StoryBook`] in `--batches` incremental runs (the articles dealt into batches in a
//! shuffled order, or in input order with `--ordered`, a save after each) and checked
//! against one in-memory pass.
//! Timings go to stderr.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use newsearch::extract::entities::EntityKind;
use newsearch::extract::{build_article, Article};
use newsearch::ingest::{Record, RecordMeta};
use newsearch::stories::{
    cluster_all, remove_stale, sketch, Params, Stories, StoryBook, StoryId, StoryInput, StorySketch,
};
use rayon::prelude::*;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(about = "Group articles into stories and print each article's story")]
struct Args {
    /// Folders or files of .txt articles (first line the title).
    paths: Vec<PathBuf>,
    /// JSON-lines files, one article a line.
    #[arg(long)]
    jsonl: Vec<PathBuf>,
    /// Story window in days.
    #[arg(long)]
    window: Option<i32>,
    /// Cosine at which an article joins a story.
    #[arg(long)]
    join: Option<f64>,
    /// Estimated shingle resemblance at which two articles are copies.
    #[arg(long)]
    copy: Option<f64>,
    /// Articles' worth of evidence the English word prior counts for.
    #[arg(long)]
    prior: Option<f64>,
    /// Days over which similarity to a dated article halves (0: no decay).
    #[arg(long)]
    half_life: Option<f64>,
    /// Share of the window's articles above which a word stops counting.
    #[arg(long)]
    max_share: Option<f64>,
    /// Also build a persistent story book in this folder (emptied first), in --batches
    /// incremental runs, and check it against the one-pass result.
    #[arg(long)]
    book: Option<PathBuf>,
    /// Number of incremental runs for --book.
    #[arg(long, default_value_t = 4)]
    batches: usize,
    /// Deal the articles to --book's runs in input order, not shuffled.
    #[arg(long)]
    ordered: bool,
    /// Run the clustering this many times and report the median time.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

/// An article read from the input, with the id the evaluation knows it by.
struct Input {
    external_id: String,
    record: Record,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut params = Params::default();
    if let Some(w) = args.window {
        params.window_days = w;
    }
    if let Some(j) = args.join {
        params.join = j;
    }
    if let Some(c) = args.copy {
        params.copy = c;
    }
    if let Some(p) = args.prior {
        params.prior_docs = p;
    }
    if let Some(h) = args.half_life {
        params.half_life_days = h;
    }
    if let Some(q) = args.max_share {
        params.max_share = q;
    }
    let inputs = read_inputs(&args)?;
    if inputs.is_empty() {
        bail!("no articles read");
    }

    let started = Instant::now();
    let articles: Vec<Option<Article>> = inputs
        .par_iter()
        .map(|input| build_article(&input.record).ok().map(|(a, _)| a))
        .collect();
    let extracted = started.elapsed();

    let started = Instant::now();
    let sketches: Vec<StorySketch> = articles
        .par_iter()
        .zip(&inputs)
        .map(|(article, input)| sketch_of(article.as_ref(), input))
        .collect();
    let sketch_wall = started.elapsed();
    let started = cpu_time();
    for (article, input) in articles.iter().zip(&inputs) {
        std::hint::black_box(sketch_of(article.as_ref(), input));
    }
    let sketch_cpu = cpu_time().saturating_sub(started);

    let mut times = Vec::new();
    let mut stories = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let started = (Instant::now(), cpu_time());
        stories = cluster_all(&sketches, params);
        times.push((started.0.elapsed(), cpu_time().saturating_sub(started.1)));
    }
    times.sort();
    let cluster = times[times.len() / 2];

    eprintln!(
        "{} articles: extraction {} (parallel); sketches {} parallel, CPU {} on one thread; \
         clustering {} (CPU {}, median of {})",
        inputs.len(),
        secs(extracted),
        secs(sketch_wall),
        secs(sketch_cpu),
        secs(cluster.0),
        secs(cluster.1),
        times.len()
    );
    // A digest of every sketch: a change to how sketches are computed that should give
    // the same sketches shows here.
    let mut digest = xxhash_rust::xxh3::Xxh3Default::new();
    for sketch in &sketches {
        digest.update(&postcard::to_allocvec(sketch)?);
    }
    eprintln!("sketch digest {:016x}", digest.digest());
    if let Some(dir) = &args.book {
        check_book(
            dir,
            &sketches,
            &stories,
            params,
            args.batches.max(1),
            args.ordered,
        )?;
    }
    print_stories(&inputs, &stories)
}

/// Builds a story book in `batches` saves over a shuffled order (or the input order) and
/// checks that it assigns every article the story of the one-pass result.
fn check_book(
    dir: &Path,
    sketches: &[StorySketch],
    expected: &[StoryId],
    params: Params,
    batches: usize,
    ordered: bool,
) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut order: Vec<usize> = (0..sketches.len()).collect();
    let mut seed = 0x5eed_u64;
    if !ordered {
        for i in (1..order.len()).rev() {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (seed >> 33) as usize % (i + 1));
        }
    }
    let per_batch = order.len().div_ceil(batches);
    let mut name = String::new();
    for (n, batch) in order.chunks(per_batch).enumerate() {
        let generation = n as u64;
        let mut book = StoryBook::open(dir, generation)?.with_params(params);
        let started = (Instant::now(), cpu_time());
        for &i in batch {
            book.upsert(sketches[i].clone())?;
        }
        name = book.save(dir, generation + 1)?;
        remove_stale(dir, &name)?;
        eprintln!(
            "book save {} ({} articles): {} (CPU {})",
            generation + 1,
            batch.len(),
            secs(started.0.elapsed()),
            secs(cpu_time().saturating_sub(started.1))
        );
    }
    let started = Instant::now();
    let stories = Stories::load(dir, &name)?;
    let loaded = started.elapsed();
    // Shown ids stay the ids stories were first given, so an incremental book shows
    // some stories under other ids than one pass; the grouping and each story's
    // canonical id must be the same, and each shown id must name one canonical story.
    let differing = sketches
        .iter()
        .zip(expected)
        .filter(|(s, e)| stories.canonical_story_of(s.id) != Some(**e))
        .count();
    let mut shown: std::collections::HashMap<StoryId, StoryId> = Default::default();
    for sketch in sketches {
        let (Some(shown_id), Some(canonical)) = (
            stories.story_of(sketch.id),
            stories.canonical_story_of(sketch.id),
        ) else {
            bail!("the incremental book lacks article {:016x}", sketch.id);
        };
        if *shown.entry(shown_id).or_insert(canonical) != canonical {
            bail!("the shown story id {shown_id} names two stories");
        }
    }
    eprintln!(
        "book: {} stories, loaded in {:.2} ms; articles whose story differs from one pass: {}",
        stories.story_count(),
        loaded.as_secs_f64() * 1000.0,
        differing
    );
    if differing > 0 {
        bail!("the incremental book differs from one pass for {differing} articles");
    }
    Ok(())
}

/// Time this thread has spent on a CPU (Linux), to report work apart from waiting on a
/// shared machine; zero elsewhere.
fn cpu_time() -> Duration {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn print_stories(inputs: &[Input], stories: &[StoryId]) -> Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (input, story) in inputs.iter().zip(stories) {
        let line = json!({"id": input.external_id, "story": story.to_string()});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

fn sketch_of(article: Option<&Article>, input: &Input) -> StorySketch {
    let key = newsearch::extract::article_id(&input.record).0;
    let Some(article) = article else {
        return sketch(&StoryInput {
            id: key,
            date: None,
            source: None,
            title: "",
            passages: &[],
            entities: &[],
        });
    };
    let entities: Vec<(EntityKind, &str)> = article
        .entities
        .iter()
        .map(|e| (e.kind, e.name.as_str()))
        .collect();
    sketch(&StoryInput {
        id: article.id.0,
        date: article.date.map(|d| d.date()),
        source: article.source.as_deref(),
        title: &article.title,
        passages: &article.passages,
        entities: &entities,
    })
}

fn read_inputs(args: &Args) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for path in &args.jsonl {
        read_jsonl(path, &mut out)?;
    }
    for path in &args.paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            files.sort();
            for file in files {
                out.push(read_text(&file, path)?);
            }
        } else {
            let base = path.parent().unwrap_or(Path::new(""));
            out.push(read_text(path, base)?);
        }
    }
    Ok(out)
}

fn read_text(file: &Path, base: &Path) -> Result<Input> {
    let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let (title, body) = text.split_once('\n').unwrap_or((&text, ""));
    let external_id = file
        .strip_prefix(base)
        .unwrap_or(file)
        .display()
        .to_string();
    Ok(Input {
        record: Record {
            external_id: None,
            path: file.display().to_string(),
            identity: external_id.clone(),
            record: None,
            meta: RecordMeta {
                title: Some(title.trim().to_string()),
                ..RecordMeta::default()
            },
            body: body.to_string(),
        },
        external_id,
    })
}

fn read_jsonl(path: &Path, out: &mut Vec<Input>) -> Result<()> {
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
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let external_id = field("id").unwrap_or_else(|| format!("{}:{}", path.display(), n + 1));
        out.push(Input {
            record: Record {
                external_id: None,
                path: path.display().to_string(),
                identity: format!("{}:{}", path.display(), n + 1),
                record: Some(n as u64 + 1),
                meta: RecordMeta {
                    id: Some(external_id.clone()),
                    title: field("title"),
                    date: field("date"),
                    source: field("source"),
                    url: field("url"),
                    author: None,
                },
                body: field("text").or_else(|| field("body")).unwrap_or_default(),
            },
            external_id,
        });
    }
    Ok(())
}
