//! Running from cron: incremental re-indexing, alerts and their cursors, the index lock.

mod common;

use std::collections::HashSet;
use std::fs;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::TestEnv;
use serde_json::Value;

fn article(title: &str, text: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2024-03-25\n---\n{text}\n")
}

fn count(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {summary}"))
}

/// The article ids an alert printed as JSON lines, and its exit code.
fn alert_ids(env: &TestEnv, args: &[&str]) -> (i32, Vec<String>) {
    let output = env
        .cmd(&["alert"])
        .args(args)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    let ids = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            value["article_id"].as_str().unwrap().to_string()
        })
        .collect();
    (output.status.code().unwrap(), ids)
}

fn unique(ids: &[String]) -> HashSet<String> {
    ids.iter().cloned().collect()
}

#[test]
fn a_re_run_reads_only_what_changed_and_removes_what_disappeared() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Quarry workers in Tromso struck."));
    env.write("b.md", article("Beta", "Harbour pilots in Bergen met."));
    let gone = env.write("sub/c.md", article("Gamma", "Ferry crews in Narvik voted."));
    let first = env.index(&env.corpus());
    assert_eq!(count(&first, "added"), 3);

    let again = env.index(&env.corpus());
    assert_eq!(count(&again, "read"), 0, "{again}");
    assert_eq!(count(&again, "unchanged"), 3);
    assert_eq!(count(&again, "added") + count(&again, "updated"), 0);
    assert_eq!(
        count(&again, "commits"),
        0,
        "nothing changed, nothing committed"
    );

    env.write(
        "b.md",
        article("Beta", "Harbour pilots in Bergen met again on Friday."),
    );
    let changed = env.index(&env.corpus());
    assert_eq!(count(&changed, "read"), 1, "{changed}");
    assert_eq!(count(&changed, "updated"), 1);
    assert_eq!(count(&changed, "unchanged"), 2);
    let (code, json) = env.query_json(&["Friday"]);
    assert_eq!(code, 0);
    assert_eq!(json["results"].as_array().unwrap().len(), 1);

    fs::remove_file(&gone).unwrap();
    let removed = env.index(&env.corpus());
    assert_eq!(count(&removed, "removed"), 1, "{removed}");
    assert_eq!(count(&removed, "articles"), 2);
    assert_eq!(
        env.query_json(&["Narvik"]).0,
        1,
        "a removed article is gone"
    );

    env.write(
        "d.md",
        article("Delta", "Ferry crews in Narvik voted again."),
    );
    let added = env.index(&env.corpus());
    assert_eq!(count(&added, "added"), 1, "{added}");
    assert_eq!(count(&added, "read"), 1);
    assert_eq!(count(&added, "articles"), 3);
}

#[test]
fn a_touched_file_is_re_read_but_unchanged_content_is_not_re_indexed() {
    let env = TestEnv::new();
    let path = env.write("a.md", article("Alpha", "Quarry workers in Tromso struck."));
    env.index(&env.corpus());
    let (_, before) = alert_ids(&env, &["watch", "Tromso"]);
    assert_eq!(before.len(), 1);
    // A new modification time with the same bytes, as `touch` or a sync tool leaves.
    let file = fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(file);
    let touched = env.index(&env.corpus());
    assert_eq!(count(&touched, "read"), 1, "{touched}");
    assert_eq!(count(&touched, "unchanged"), 1);
    assert_eq!(count(&touched, "updated"), 0);
    let (code, after) = alert_ids(&env, &["watch"]);
    assert_eq!((code, after.len()), (1, 0), "a touch is not news");
}

#[test]
fn removal_is_limited_to_the_paths_walked() {
    let env = TestEnv::new();
    env.write(
        "one/a.md",
        article("Alpha", "Quarry workers in Tromso struck."),
    );
    env.write("two/b.md", article("Beta", "Harbour pilots in Bergen met."));
    env.index(&env.corpus().join("one"));
    env.index(&env.corpus().join("two"));
    let only_one = env.index(&env.corpus().join("one"));
    assert_eq!(count(&only_one, "removed"), 0, "{only_one}");
    assert_eq!(count(&only_one, "articles"), 2);
    assert_eq!(env.query_json(&["Bergen"]).0, 0);
}

#[test]
fn a_full_rebuild_re_reads_everything_and_keeps_the_count() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Quarry workers in Tromso struck."));
    env.write("b.md", article("Beta", "Harbour pilots in Bergen met."));
    env.index(&env.corpus());
    let full = env.index_with(&["--full"], &env.corpus());
    assert_eq!(count(&full, "read"), 2);
    assert_eq!(count(&full, "articles"), 2);
    // A rebuild of unchanged articles is not news to alerts created before it.
    env.cmd(&["alert", "watch", "Tromso OR Bergen", "--init"])
        .assert()
        .code(0);
    env.cmd(&["index", "--full"])
        .arg(env.corpus())
        .assert()
        .success();
    assert_eq!(alert_ids(&env, &["watch"]), (1, vec![]));
}

#[test]
fn a_cron_sequence_reports_a_new_article_once_and_only_once() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.write("b.md", article("Beta", "Harbour pilots in Bergen met."));
    env.index(&env.corpus());

    let (code, first) = alert_ids(&env, &["rafah", "Rafah"]);
    assert_eq!(code, 0, "the first run prints every match");
    assert_eq!(unique(&first).len(), 1);

    let (code, none) = alert_ids(&env, &["rafah"]);
    assert_eq!((code, none.len()), (1, 0), "nothing new: exit 1, no output");

    env.write(
        "c.md",
        article("Gamma", "Aid lorries crossed into Rafah on Monday."),
    );
    env.index(&env.corpus());
    let (code, new) = alert_ids(&env, &["rafah"]);
    assert_eq!(code, 0);
    assert_eq!(unique(&new).len(), 1);
    assert!(!unique(&first).contains(&new[0]), "only the new article");

    env.index(&env.corpus());
    assert_eq!(alert_ids(&env, &["rafah"]), (1, vec![]), "reported once");

    // Text output prints nothing at all when there is nothing new.
    let output = env.cmd(&["alert", "rafah"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn init_skips_current_matches_and_a_changed_article_is_news_again() {
    let env = TestEnv::new();
    let path = env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.index(&env.corpus());
    env.cmd(&["alert", "rafah", "Rafah", "--init"])
        .assert()
        .code(0)
        .stdout("");
    assert_eq!(alert_ids(&env, &["rafah"]), (1, vec![]));
    fs::write(
        &path,
        article("Alpha", "Talks on Rafah resumed in Cairo and Doha."),
    )
    .unwrap();
    env.index(&env.corpus());
    let (code, ids) = alert_ids(&env, &["rafah"]);
    assert_eq!((code, unique(&ids).len()), (0, 1));
}

#[test]
fn a_failed_write_leaves_the_cursor_so_the_next_run_reports_the_same_articles() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("no /dev/full here; skipped");
        return;
    }
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.index(&env.corpus());
    env.cmd(&["alert", "rafah", "Rafah", "--init"])
        .assert()
        .code(0);
    env.write(
        "b.md",
        article("Beta", "Aid lorries crossed into Rafah on Monday."),
    );
    env.index(&env.corpus());

    let full = fs::File::options().write(true).open("/dev/full").unwrap();
    let output = env
        .process(&["alert", "rafah", "--format", "jsonl"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cursor was not moved"), "{stderr}");

    let (code, ids) = alert_ids(&env, &["rafah"]);
    assert_eq!((code, unique(&ids).len()), (0, 1), "reported again");
    assert_eq!(alert_ids(&env, &["rafah"]), (1, vec![]));
}

#[test]
fn two_runs_of_one_alert_at_once_never_both_report_an_article() {
    let env = TestEnv::new();
    for i in 0..30 {
        env.write(
            &format!("n{i}.md"),
            article(&format!("Story {i}"), &format!("Rafah report number {i}.")),
        );
    }
    env.index(&env.corpus());
    env.cmd(&["alert", "rafah", "Rafah", "--init"])
        .assert()
        .code(0);
    for i in 30..60 {
        env.write(
            &format!("n{i}.md"),
            article(&format!("Story {i}"), &format!("Rafah report number {i}.")),
        );
    }
    env.index(&env.corpus());
    let runs: Vec<_> = (0..2)
        .map(|_| {
            env.process(&["alert", "rafah", "--format", "jsonl"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut seen: Vec<String> = Vec::new();
    for run in runs {
        let output = run.wait_with_output().unwrap();
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let value: Value = serde_json::from_str(line).unwrap();
            seen.push(value["article_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        seen.len(),
        30,
        "each new article reported by exactly one run"
    );
    assert_eq!(unique(&seen).len(), 30);
}

#[test]
fn alerts_are_listed_and_deleted() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.index(&env.corpus());
    env.cmd(&["alert", "rafah", "Rafah", "--from", "2024", "--init"])
        .assert()
        .code(0);
    let output = env
        .cmd(&["alert", "--list", "--format", "json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["alerts"][0]["name"], "rafah");
    assert_eq!(list["alerts"][0]["query"], "Rafah");
    assert_eq!(list["alerts"][0]["filters"]["from"], "2024");
    env.cmd(&["alert", "--delete", "rafah"]).assert().success();
    env.cmd(&["alert", "rafah"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no alert named \"rafah\""));
    env.cmd(&["alert", "../escape", "Rafah"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad alert name"));
}

#[test]
fn a_second_index_run_fails_at_once_or_waits_with_wait() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.index(&env.corpus());
    // Hold the lock the way a running `newsearch index` does.
    let lock = fs::File::options()
        .write(true)
        .open(env.index_dir().join("newsearch.lock"))
        .unwrap();
    lock.lock().unwrap();

    let started = Instant::now();
    let output = env.cmd(&["index"]).arg(env.corpus()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("held by another `newsearch index` run")
            && stderr.contains(&env.index_dir().display().to_string()),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(5), "fails at once");

    // Queries are not blocked by a run in progress.
    assert_eq!(env.query_json(&["Rafah"]).0, 0);

    let output = env
        .cmd(&["index", "--wait=0.3"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("after waiting"));

    let release = thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        drop(lock);
    });
    env.write("b.md", article("Beta", "Harbour pilots in Bergen met."));
    let output = env
        .cmd(&["index", "--json", "--wait"])
        .arg(env.corpus())
        .output()
        .unwrap();
    release.join().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(count(&summary, "added"), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("waiting for it"));
}

#[test]
fn a_damaged_manifest_asks_for_a_rebuild_and_full_repairs_it() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Talks on Rafah resumed in Cairo."));
    env.index(&env.corpus());
    let manifest = fs::read_dir(env.index_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("manifest-")
        })
        .expect("a manifest file");
    fs::write(&manifest, b"garbage").unwrap();
    env.cmd(&["index"])
        .arg(env.corpus())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("index --full"));
    // Queries still answer from the last commit.
    assert_eq!(env.query_json(&["Rafah"]).0, 0);
    let repaired = env.index_with(&["--full"], &env.corpus());
    assert_eq!(count(&repaired, "articles"), 1);
    assert_eq!(count(&env.index(&env.corpus()), "unchanged"), 1);
}

#[test]
fn editing_only_a_side_car_file_re_indexes_its_article() {
    let env = TestEnv::new();
    env.write("a.txt", "Quarry workers in Tromso struck.\n");
    env.write("a.txt.meta.yaml", "date: 2024-03-25\n");
    env.write("b.txt", "Harbour pilots in Bergen met.\n");
    env.index(&env.corpus());
    env.write(
        "a.txt.meta.yaml",
        "date: 2024-04-02\ntitle: Quarry strike\n",
    );
    let changed = env.index(&env.corpus());
    assert_eq!(count(&changed, "read"), 1, "{changed}");
    assert_eq!(count(&changed, "updated"), 1);
    let (_, json) = env.query_json(&["Tromso"]);
    assert_eq!(json["results"][0]["title"], "Quarry strike");
    assert_eq!(json["results"][0]["date"], "2024-04-02");
    // The same holds when the file is given by itself.
    env.write(
        "a.txt.meta.yaml",
        "date: 2024-04-03\ntitle: Quarry strike\n",
    );
    let single = env.index(&env.corpus().join("a.txt"));
    assert_eq!(count(&single, "updated"), 1, "{single}");
}

#[test]
fn articles_piped_again_on_stdin_are_unchanged_and_stay_when_folders_are_indexed() {
    let env = TestEnv::new();
    env.write("a.md", article("Alpha", "Quarry workers in Tromso struck."));
    env.index(&env.corpus());
    let lines = concat!(
        r#"{"url": "https://example.org/1", "title": "Pilots", "text": "Harbour pilots in Bergen met."}"#,
        "\n",
        r#"{"url": "https://example.org/2", "title": "Crews", "text": "Ferry crews in Narvik voted."}"#,
        "\n"
    );
    let pipe = |input: &str| -> Value {
        let output = env
            .cmd(&["index", "--json", "-"])
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    assert_eq!(count(&pipe(lines), "added"), 2);
    env.cmd(&["alert", "piped", "Bergen OR Narvik", "--init"])
        .assert()
        .code(0);
    let again = pipe(lines);
    assert_eq!(count(&again, "unchanged"), 2, "{again}");
    assert_eq!(count(&again, "added") + count(&again, "updated"), 0);
    assert_eq!(alert_ids(&env, &["piped"]), (1, vec![]), "nothing new");
    // A folder run does not remove what came in on stdin.
    let walked = env.index(&env.corpus());
    assert_eq!(count(&walked, "removed"), 0);
    assert_eq!(count(&walked, "articles"), 3);
}
