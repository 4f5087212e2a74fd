//! JSON lines are streamed: a file larger than `--max-file-size` is indexed (the limit
//! bounds one line), files with more records than one chunk are indexed and re-indexed
//! record by record, truncated gzip keeps what came before the cut, and a run killed after
//! a commit in the middle of a file leaves nothing behind that the next run cannot finish.

mod common;

use std::io::Write;

use common::TestEnv;
use serde_json::Value;

/// One JSON line per record `n`, with an id and a word found in that record only.
fn record(n: usize) -> String {
    format!(
        "{{\"id\": \"r{n}\", \"title\": \"Report {n}\", \"text\": \"Harbour pilots met on day {n}; marker{n} was noted.\"}}\n"
    )
}

fn records(range: std::ops::RangeInclusive<usize>) -> String {
    range.map(record).collect()
}

fn count(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {summary}"))
}

/// How many results a query finds (0 when it finds none).
fn hits(env: &TestEnv, query: &str) -> usize {
    let (code, json) = env.query_json(&[query]);
    match code {
        0 => json["results"].as_array().map_or(0, Vec::len),
        1 => 0,
        _ => panic!("query {query:?} failed: {json}"),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn a_json_lines_file_over_the_size_limit_is_indexed_and_only_its_over_long_line_is_skipped() {
    let env = TestEnv::new();
    let long = format!(
        "{{\"id\": \"long\", \"text\": \"{} overlongword\"}}\n",
        "filler ".repeat(400)
    );
    let contents = records(1..=19) + &long + &records(21..=60);
    assert!(contents.len() > 6000);
    let path = env.write("feed.jsonl", &contents);
    let output = env
        .cmd(&["index", "--json", "--max-file-size", "2000"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(count(&summary, "added"), 59, "{summary}");
    assert_eq!(count(&summary, "skipped"), 1, "{summary}");
    assert!(
        stderr.contains("feed.jsonl (record 20)")
            && stderr.contains(&format!("line is {} bytes", long.len() - 1))
            && stderr.contains("over the limit of 2000"),
        "{stderr}"
    );
    assert_eq!(hits(&env, "marker1"), 1);
    assert_eq!(hits(&env, "marker60"), 1);
    assert_eq!(hits(&env, "overlongword"), 0);
}

#[test]
fn a_file_of_many_chunks_is_indexed_whole_then_re_indexed_record_by_record() {
    let env = TestEnv::new();
    let path = env.write("feed.jsonl", records(1..=3000));
    let first = env.index_with(&["--commit-interval", "0"], &path);
    assert_eq!(count(&first, "added"), 3000, "{first}");
    assert_eq!(count(&first, "articles"), 3000, "{first}");
    assert!(
        count(&first, "commits") >= 3,
        "a commit after each chunk: {first}"
    );
    assert_eq!(hits(&env, "marker1"), 1);
    assert_eq!(hits(&env, "marker1500"), 1);
    assert_eq!(hits(&env, "marker3000"), 1);

    let again = env.index(&path);
    assert_eq!(count(&again, "read"), 0, "{again}");
    assert_eq!(count(&again, "unchanged"), 3000, "{again}");

    // One record edited, in the second chunk.
    let edited =
        records(1..=3000).replace("marker1500 was noted", "marker1500 was noted, and revised");
    env.write("feed.jsonl", &edited);
    let one = env.index(&path);
    assert_eq!(
        (
            count(&one, "read"),
            count(&one, "updated"),
            count(&one, "added"),
            count(&one, "removed"),
            count(&one, "unchanged")
        ),
        (1, 1, 0, 0, 2999),
        "{one}"
    );
    assert_eq!(hits(&env, "revised"), 1);

    // Ten lines in the middle blanked (the line numbers of the others stay), the last
    // five dropped.
    let shortened: String = edited
        .lines()
        .enumerate()
        .filter(|(i, _)| *i < 2995)
        .map(|(i, line)| {
            if (1020..1030).contains(&i) {
                "\n".to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    env.write("feed.jsonl", &shortened);
    let fewer = env.index(&path);
    assert_eq!(
        (
            count(&fewer, "removed"),
            count(&fewer, "updated"),
            count(&fewer, "unchanged"),
            count(&fewer, "articles")
        ),
        (15, 0, 2985, 2985),
        "{fewer}"
    );
    assert_eq!(hits(&env, "marker1025"), 0);
    assert_eq!(hits(&env, "marker3000"), 0);

    // Touched, not changed: read again, nothing written.
    env.write("feed.jsonl", &shortened);
    let touched = env.index(&path);
    assert_eq!(
        (count(&touched, "read"), count(&touched, "updated")),
        (1, 0),
        "{touched}"
    );
}

#[test]
fn a_truncated_gzip_of_json_lines_keeps_the_records_before_the_cut() {
    let env = TestEnv::new();
    let packed = gzip(records(1..=3000).as_bytes());
    let path = env.write("feed.jsonl.gz", &packed[..packed.len() / 2]);
    let output = env.cmd(&["index", "--json"]).arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let kept = count(&summary, "added");
    assert!(kept > 1024 && kept < 3000, "{summary}");
    assert!(
        stderr.contains("truncated")
            && stderr.contains(&format!("kept the {kept} records before the cut")),
        "{stderr}"
    );
    assert_eq!(count(&summary, "skipped"), 0, "{summary}");
    assert_eq!(hits(&env, &format!("marker{kept}")), 1);
    assert_eq!(hits(&env, &format!("marker{}", kept + 1)), 0);
}

#[test]
fn json_lines_on_standard_input_are_streamed_and_a_json_array_is_still_read() {
    let env = TestEnv::new();
    // Streamed (its first line is an object and more follows), with a bad second line.
    let input = record(1) + "not json\n" + &records(2..=2500);
    let output = env
        .cmd(&["index", "--json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(count(&summary, "added"), 2500, "{summary}");
    assert!(stderr.contains("<stdin> (record 2)"), "{stderr}");

    let array = r#"[
  {"title": "Ferry crews vote", "text": "Ferry crews in Narvik voted to strike."}
]"#;
    let output = env
        .cmd(&["index", "--json", "-"])
        .write_stdin(array)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(count(&summary, "added"), 1, "{summary}");
    assert_eq!(hits(&env, "Narvik"), 1);
}

/// A run is killed after it committed the first chunk of a file it was still reading
/// (a file of many chunks, committed after each): the commit lists those articles, so the
/// next run finds them unchanged and adds only the rest.
#[cfg(unix)]
#[test]
fn a_run_killed_after_a_commit_in_the_middle_of_a_file_is_finished_by_the_next_run() {
    use std::time::{Duration, Instant};

    const TOTAL: usize = 8_000;
    let env = TestEnv::new();
    let path = env.write("feed.jsonl", records(1..=TOTAL));
    let mut child = env
        .process(&["index", "--json", "--commit-interval", "0"])
        .arg(env.corpus())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The first commit's alias table is saved once that commit is made.
    let committed = env.index_dir().join("aliases-1.json.zst");
    let started = Instant::now();
    while !committed.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no commit in the middle of the file"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(hits(&env, "marker1000"), 1, "the first chunk was committed");
    let next = env.index(&env.corpus());
    assert_eq!(
        (
            count(&next, "read"),
            count(&next, "updated"),
            count(&next, "articles")
        ),
        (1, 0, TOTAL as u64),
        "{next}"
    );
    let unchanged = count(&next, "unchanged");
    assert!(
        unchanged >= 1024 && unchanged.is_multiple_of(1024) && unchanged < TOTAL as u64,
        "whole chunks were committed before the kill: {next}"
    );
    assert_eq!(unchanged + count(&next, "added"), TOTAL as u64, "{next}");
    let again = env.index(&path);
    assert_eq!(count(&again, "read"), 0, "{again}");
}
