//! `newsearch index` on a folder holding one example of every kind of bad input beside
//! good files: the run succeeds, names each bad file once with a reason, and indexes
//! everything good. `--strict` turns the warnings into exit 2 after the commit.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use common::TestEnv;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// What the bad-input corpus holds besides the bad files, for the assertions.
struct BadCorpus {
    /// Running as root: permission bits do not stop reading.
    permissions_enforced: bool,
}

/// Words found only in good articles (or good records of partly bad files).
const GOOD_WORDS: &[&str] = &[
    "alpha",   // good.txt
    "bravo",   // good.json
    "charlie", // lines.jsonl, line 1
    "delta",   // lines.jsonl, line 3
    "echo",    // unclosed.csv, row 1
    "mike",    // unclosed.csv, row 3 (after the broken row)
    "foxtrot", // unclosed.csv, row 4
    "golf",    // records.json, record 1
    "hotel",   // truncated.jsonl.gz, an early line
    "india",   // the file whose name is not UTF-8
];

fn write_bad_corpus(env: &TestEnv) -> BadCorpus {
    env.write("good.txt", "Alpha team reached the summit on Monday.\n");
    env.write(
        "good.json",
        r#"{"title": "Bravo", "text": "Bravo squadron landed safely."}"#,
    );
    env.write("empty.txt", "");
    env.write("binary.json", b"\x00\x01\x02\x03binary\x00data");
    env.write("oversized.txt", "Kilo ".repeat(30_000));
    env.write(
        "lines.jsonl",
        "{\"text\": \"Charlie company moved north.\"}\n{\"text\": \"broken\n{\"text\": \"Delta force stayed behind.\"}\n",
    );
    env.write(
        "unclosed.csv",
        "title,text\nE,Echo station reported calm seas.\nL,\"Lima report never ends\nM,Mike text.\nF,Foxtrot unit arrived.\n",
    );
    env.write(
        "records.json",
        r#"[{"title": "Golf", "text": "Golf course flooded."}, {"date": "2024-03-25", "url": "https://example.org/x"}]"#,
    );
    let lines: String = (0..1000)
        .map(|i| {
            format!("{{\"id\": \"t{i}\", \"text\": \"Hotel number {i} opened its doors.\"}}\n")
        })
        .collect();
    let packed = gzip(lines.as_bytes());
    env.write("truncated.jsonl.gz", &packed[..packed.len() / 2]);
    let unreadable = env.write("unreadable.txt", "November secret.\n");
    set_mode(&unreadable, 0o000);
    let locked = env.corpus().join("locked");
    fs::create_dir_all(&locked).unwrap();
    env.write("locked/inside.txt", "Oscar secret.\n");
    set_mode(&locked, 0o000);
    symlink(env.corpus(), env.corpus().join("cycle")).unwrap();
    symlink(
        env.corpus().join("gone-away.txt"),
        env.corpus().join("vanished.txt"),
    )
    .unwrap();
    let name = OsStr::from_bytes(b"caf\xe9-latin1-name.txt");
    fs::write(env.corpus().join(name), "India desk filed late.\n").unwrap();
    BadCorpus {
        permissions_enforced: fs::read_dir(&locked).is_err(),
    }
}

fn restore_permissions(env: &TestEnv) {
    set_mode(&env.corpus().join("locked"), 0o755);
    set_mode(&env.corpus().join("unreadable.txt"), 0o644);
}

#[test]
fn every_bad_input_is_named_once_and_every_good_article_is_indexed() {
    let env = TestEnv::new();
    let corpus = write_bad_corpus(&env);
    let output = env
        .cmd(&["index", "--json", "--max-file-size", "100000"])
        .arg(env.corpus())
        .output()
        .unwrap();
    restore_permissions(&env);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let mut expected = vec![
        ("empty.txt", "empty file"),
        ("binary.json", "binary file"),
        ("oversized.txt", "over the limit of 100000"),
        (
            "lines.jsonl (record 2)",
            "line 2, column 16: not valid JSON",
        ),
        ("unclosed.csv (record 2)", "unclosed quote"),
        ("records.json (record 2)", "no title and no text"),
        ("truncated.jsonl.gz", "truncated"),
        ("cycle", "symbolic link loop"),
        ("vanished.txt", "broken symbolic link"),
        ("-latin1-name.txt", "not valid UTF-8"),
    ];
    if corpus.permissions_enforced {
        expected.push(("unreadable.txt", "permission denied"));
        expected.push(("locked", "permission denied"));
    }
    for (name, reason) in &expected {
        let file = name.split(' ').next().unwrap();
        assert_eq!(
            stderr.matches(file).count(),
            1,
            "{file} named exactly once: {stderr}"
        );
        let line = stderr.lines().find(|l| l.contains(name)).unwrap();
        assert!(line.contains(reason), "{name}: {line}");
        assert!(line.starts_with("newsearch: warning: "), "{line}");
    }
    assert_eq!(
        stderr.lines().count(),
        expected.len(),
        "nothing else is reported: {stderr}"
    );
    assert_eq!(summary["warnings"], expected.len());

    for word in GOOD_WORDS {
        let (code, _) = env.query_json(&[word]);
        assert_eq!(code, 0, "{word} is searchable");
    }
    for word in ["kilo", "lima"] {
        let (code, _) = env.query_json(&[word]);
        assert_eq!(code, 1, "{word} came from a bad file or row");
    }
    let (_, json) = env.query_json(&["hotel"]);
    let kept = json["total_articles"].as_u64().unwrap();
    assert!(kept > 0 && kept < 1000, "{kept} records before the cut");
    let (code, _) = env.query_json(&["november"]);
    assert_eq!(code, if corpus.permissions_enforced { 1 } else { 0 });
}

#[test]
fn strict_exits_2_after_committing_when_anything_was_reported() {
    let env = TestEnv::new();
    env.write("good.txt", "Alpha team reached the summit.\n");
    env.write("empty.txt", "");
    env.write("lines.jsonl", "{\"text\": \"Charlie moved.\"}\n{oops\n");
    let output = env
        .cmd(&["index", "--strict"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("2 warnings reported (--strict)"),
        "{stderr}"
    );
    let (code, _) = env.query_json(&["charlie"]);
    assert_eq!(code, 0, "the run committed before failing");

    let clean = TestEnv::new();
    clean.write("good.txt", "Alpha team reached the summit.\n");
    let output = clean
        .cmd(&["index", "--strict"])
        .arg(clean.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}
