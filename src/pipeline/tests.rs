//! Unit tests of one index run: commits in mid-file, input errors, retired articles.

use super::*;
use crate::ingest::{Record, RecordMeta, SourceFile};

struct Quiet;

impl Reporter for Quiet {
    fn warn(&self, _: &Problem) {}
    fn waiting(&self, _: &Path) {}
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// A JSON-lines record with its own id (also used by the tests of `changes`).
pub(super) fn record(id: &str, text: &str) -> Record {
    Record {
        path: "feed.jsonl".into(),
        identity: "/corpus/feed.jsonl".into(),
        record: Some(1),
        external_id: Some(id.into()),
        meta: RecordMeta {
            id: Some(id.into()),
            ..RecordMeta::default()
        },
        body: text.into(),
    }
}

pub(super) fn id_of(id: &str) -> ArticleId {
    article_id(&record(id, ""))
}

/// A run over a fresh index whose manifest lists `feed` with articles a, b and c.
fn run_with_old_entry<'a>(index: &'a NewsIndex, reporter: &'a Quiet) -> Run<'a> {
    let old = FileEntry {
        stamp: Stamp {
            size: 1,
            ..Stamp::default()
        },
        hash: 1,
        articles: ["a", "b", "c"]
            .iter()
            .map(|id| ArticleEntry {
                id: id_of(id),
                hash: 1,
                seq: 1,
                place: Place::At(Some(1)),
            })
            .collect(),
    };
    let mut manifest = Manifest::default();
    manifest.files.insert("feed".into(), old);
    let contributors = manifest.files["feed"]
        .articles
        .iter()
        .map(|a| (a.id, 1))
        .collect();
    Run {
        index,
        writer: index.writer(1, 50 << 20).unwrap(),
        book: Some(StoryBook::open(index.dir(), 0).unwrap()),
        generation: 1,
        previous: manifest.clone(),
        manifest,
        contributors,
        known: HashSet::new(),
        dirty: false,
        articles_changed: false,
        last_commit: Instant::now(),
        summary: IndexSummary::default(),
        reporter,
    }
}

fn changed() -> Changed {
    Changed {
        file: SourceFile {
            path: PathBuf::from("/nonexistent/feed.jsonl"),
            display: "feed.jsonl".into(),
        },
        key: "feed".into(),
        stamp: Some(Stamp {
            size: 2,
            ..Stamp::default()
        }),
    }
}

fn chunk(records: Vec<Record>, end: Option<End>) -> Chunk {
    Chunk {
        records,
        end,
        ..Chunk::default()
    }
}

fn ids(entry: &FileEntry) -> Vec<ArticleId> {
    entry.articles.iter().map(|a| a.id).collect()
}

#[test]
fn a_commit_in_mid_file_lists_what_is_indexed_and_an_input_error_keeps_what_was_not_reached() {
    let dir = tempfile::tempdir().unwrap();
    let index = NewsIndex::open_or_create(dir.path()).unwrap();
    let reporter = Quiet;
    let mut run = run_with_old_entry(&index, &reporter);
    let changed = changed();
    let previous = Previous::of(run.manifest.files.get("feed"), None);
    let mut file = run.begin_file(&changed, previous);
    let first = chunk(vec![record("a", "Pilots met in Bergen.")], None);
    let built = build_chunk(first, &file.previous, true);
    assert_eq!(run.apply_chunk(&mut file, built).unwrap(), None);

    run.commit(Some(&file)).unwrap();
    let committed = Manifest::load(dir.path(), &index.commit_info().unwrap()).unwrap();
    let unfinished = &committed.files["feed"];
    assert_eq!(unfinished.stamp, Stamp::default(), "read again next run");
    assert_eq!(ids(unfinished), vec![id_of("a"), id_of("b"), id_of("c")]);
    assert_ne!(unfinished.articles[0].hash, 1, "a as written now");
    assert!(
        !run.manifest.files.contains_key("feed"),
        "the file stays open"
    );

    let problem = Problem {
        path: "feed.jsonl".into(),
        reason: "device error".into(),
    };
    let last = chunk(vec![], Some(End::Interrupted(problem)));
    let built = build_chunk(last, &file.previous, true);
    let end = run.apply_chunk(&mut file, built).unwrap().unwrap();
    run.end_file(file, end);
    let entry = &run.manifest.files["feed"];
    assert_eq!(entry.stamp, Stamp::default());
    assert_eq!(ids(entry), vec![id_of("a"), id_of("b"), id_of("c")]);
    assert_eq!((run.summary.skipped, run.summary.added), (1, 1));
    assert_eq!(run.contributors.get(&id_of("b")), Some(&1), "b stays");
}

#[test]
fn a_writing_error_on_a_full_disk_is_said_so() {
    let dir = Path::new("/srv/index");
    let killed = || {
        anyhow::Error::new(tantivy::TantivyError::ErrorInThread(
            "An index writer was killed.".into(),
        ))
    };
    let said = explain_with_free_space(dir, killed(), Some(4096)).to_string();
    assert!(said.contains("the disk holding the index at /srv/index is full (4.1 kB free)"));
    let roomy = explain_with_free_space(dir, killed(), Some(FULL_DISK_BYTES * 10));
    assert!(roomy.to_string().contains("killed"));
    let other = explain_with_free_space(dir, anyhow::anyhow!("no such path"), Some(0));
    assert_eq!(other.to_string(), "no such path");
}

#[test]
fn a_file_read_to_its_end_retires_the_articles_it_no_longer_yields() {
    let dir = tempfile::tempdir().unwrap();
    let index = NewsIndex::open_or_create(dir.path()).unwrap();
    let reporter = Quiet;
    let mut run = run_with_old_entry(&index, &reporter);
    let changed = changed();
    let previous = Previous::of(run.manifest.files.get("feed"), None);
    let mut file = run.begin_file(&changed, previous);
    let only = chunk(
        vec![record("a", "Pilots met in Bergen.")],
        Some(End::Complete),
    );
    let built = build_chunk(only, &file.previous, true);
    let end = run.apply_chunk(&mut file, built).unwrap().unwrap();
    run.end_file(file, end);
    let entry = &run.manifest.files["feed"];
    assert_eq!(entry.stamp, changed.stamp.unwrap());
    assert_eq!(ids(entry), vec![id_of("a")]);
    assert_eq!(run.contributors.get(&id_of("b")), None, "b is gone");
    assert!(run.dirty);
}
