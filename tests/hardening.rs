//! What a new user and a hostile corpus found: queries that began with '-' or nested
//! thousands deep, special and damaged files, lines that moved in a feed, alerts that did
//! not keep their promises, index folders that were not ours, shared and read-only
//! indexes, a full disk, markup in corpus text, huge lines and histograms. Each test
//! fails on the code before its fix.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::TestEnv;
use serde_json::Value;

/// One JSON line of an article.
fn line(id: Option<&str>, title: &str, text: &str) -> String {
    let mut object = serde_json::json!({"title": title, "text": text, "date": "2024-03-25"});
    if let Some(id) = id {
        object["id"] = Value::from(id);
    }
    format!("{object}\n")
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small indexed corpus about Rafah, one article mentioning Hamas.
fn rafah_corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "feed.jsonl",
        line(
            Some("a"),
            "Crossing",
            "Aid trucks waited at the Rafah crossing.",
        ) + &line(
            Some("b"),
            "Talks",
            "Hamas negotiators met in Rafah on Monday.",
        ) + &line(
            Some("c"),
            "Harbour",
            "Fishing boats returned to Gaza harbour.",
        ),
    );
    env.index(&env.corpus());
    env
}

/// The article ids an alert printed as JSON lines, and its exit code. (Ranked by
/// relevance: in debug builds, scoring date-sorted hits can trip a tantivy debug
/// assertion in `BooleanWeight::explain` that release builds do not check.)
fn alert_ids(env: &TestEnv, args: &[&str]) -> (i32, Vec<String>) {
    let output = env
        .cmd(&["alert"])
        .args(args)
        .args(["--format", "jsonl", "--sort", "relevance"])
        .output()
        .unwrap();
    let mut ids: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            value["article_id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    (output.status.code().unwrap(), ids)
}

fn lock_files(index: &Path) -> Vec<PathBuf> {
    fs::read_dir(index.join("alerts"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "lock"))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- 7. deep nesting

#[test]
fn thousands_of_nested_parentheses_are_a_query_error_not_a_crash() {
    let env = rafah_corpus();
    let deep = format!("{}rafah{}", "(".repeat(9_000), ")".repeat(9_000));
    for args in [
        vec!["query", deep.as_str()],
        vec!["facets", deep.as_str()],
        vec!["alert", "deep", deep.as_str()],
    ] {
        let output = env.cmd(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", args[0]);
        let stderr = stderr_of(&output);
        assert!(stderr.contains("nested more than 100 deep"), "{stderr}");
    }
    let ok = format!("{}rafah{}", "(".repeat(50), ")".repeat(50));
    env.cmd(&["query", &ok]).assert().code(0);
}

// ---------------------------------------------------------------- 8. leading '-'

#[test]
fn a_query_may_begin_with_a_minus() {
    let env = rafah_corpus();
    let (code, json) = env.query_json(&["-hamas rafah"]);
    assert_eq!(code, 0, "{json}");
    let titles: Vec<&str> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Crossing"]);

    let output = env
        .cmd(&["query", "-gaza", "--group", "article"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("Usage") && stdout.contains("Crossing"));
    assert!(!stdout.contains("Harbour"));

    // Options still work after such a query, and before it.
    let (code, json) = env.query_json(&["-gaza", "-n", "1"]);
    assert_eq!((code, json["results"].as_array().unwrap().len()), (0, 1));

    env.cmd(&["alert", "not-hamas", "-hamas rafah"])
        .assert()
        .code(0);
    let listed = env
        .cmd(&["alert", "--list", "--format", "json"])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("-hamas rafah"), "{listed}");
    env.cmd(&["facets", "-hamas"]).assert().code(0);
}

// ---------------------------------------------------------------- 9. alerts

#[test]
fn alert_init_succeeds_and_a_failed_first_run_still_saves_the_alert() {
    let env = rafah_corpus();
    env.cmd(&["alert", "first", "Rafah", "--each-article", "--init"])
        .assert()
        .code(0)
        .stdout("");
    assert_eq!(alert_ids(&env, &["first"]), (1, vec![]));

    // The first run of a new alert cannot write its output (a full disk).
    let full = fs::File::create("/dev/full").unwrap();
    let output = env
        .process(&["alert", "second", "Rafah", "--each-article"])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("cursor was not moved"));
    // It was saved, cursor unmoved: the next run reports the same articles.
    let (code, ids) = alert_ids(&env, &["second"]);
    assert_eq!((code, ids.len()), (0, 2));
    assert!(lock_files(&env.index_dir()).is_empty());

    // Unknown, deleted and failed alerts leave no lock files behind.
    env.cmd(&["alert", "missing"]).assert().code(2);
    env.cmd(&["alert", "--delete", "second"]).assert().code(0);
    env.cmd(&["alert", "bad", "Rafah", "--from", "nonsense"])
        .assert()
        .code(2);
    assert_eq!(lock_files(&env.index_dir()), Vec::<PathBuf>::new());
}

#[test]
fn alert_list_without_an_index_is_an_error() {
    let env = TestEnv::new();
    let output = env.cmd(&["alert", "--list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("no index at"));
    env.cmd(&["alert", "--delete", "x"]).assert().code(2);
}

// ---------------------------------------------------------------- 10. --index

/// `newsearch --index INDEX ARGS…` with a clean environment.
fn at_index(index: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newsearch"));
    cmd.env_remove("NO_COLOR")
        .env_remove("NEWSEARCH_INDEX")
        .arg("--index")
        .arg(index)
        .args(args);
    cmd
}

#[test]
fn an_index_path_that_is_a_file_or_a_folder_of_other_files_is_refused() {
    let env = TestEnv::new();
    env.write("a.txt", "Aid trucks waited at the Rafah crossing.\n");
    let file = env.dir.path().join("notes.txt");
    fs::write(&file, "my notes").unwrap();
    let output = at_index(&file, &["index", "--quiet"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    let query = at_index(&file, &["query", "rafah"]).output().unwrap();
    assert_eq!(query.status.code(), Some(2));
    assert!(stderr_of(&query).contains("is a file"));

    let papers = env.dir.path().join("papers");
    fs::create_dir(&papers).unwrap();
    fs::write(papers.join("thesis.tex"), "chapter one").unwrap();
    let output = at_index(&papers, &["index", "--quiet"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("is not a newsearch index and is not empty")
            && stderr.contains("thesis.tex"),
        "{stderr}"
    );
    let left: Vec<_> = fs::read_dir(&papers).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "nothing was written among the user's files");

    // An empty folder, or one holding only hidden files, takes an index.
    let fresh = env.dir.path().join("fresh");
    fs::create_dir(&fresh).unwrap();
    fs::write(fresh.join(".gitignore"), "*\n").unwrap();
    let status = at_index(&fresh, &["index", "--quiet"])
        .arg(env.corpus())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(fresh.join("meta.json").exists());
}

// ---------------------------------------------------------------- 11. help and messages

/// The `-h` help line of an option: its name and description.
fn help_line(command: &str, option: &str) -> String {
    let output = at_index(Path::new("unused"), &[command, "-h"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    help.lines()
        .find(|l| l.trim_start().starts_with(option))
        .unwrap_or_else(|| panic!("{option} in {help}"))
        .to_string()
}

#[test]
fn help_describes_every_format_and_every_facet_and_field() {
    for command in ["query", "facets", "show", "stats", "export", "alert"] {
        let line = help_line(command, "--format");
        let described = line
            .split_once("<FORMAT>")
            .map(|(_, rest)| rest.trim().trim_start_matches('[').to_string())
            .unwrap_or_default();
        assert!(described.starts_with("Output format"), "{command}: {line}");
    }
    let facets = at_index(Path::new("unused"), &["--help"]).output().unwrap();
    let top = String::from_utf8(facets.stdout).unwrap();
    let facets_line = top
        .lines()
        .find(|l| l.trim_start().starts_with("facets"))
        .unwrap();
    assert!(facets_line.contains("person"), "{facets_line}");
    let query = at_index(Path::new("unused"), &["query", "--help"])
        .output()
        .unwrap();
    let query = String::from_utf8(query.stdout).unwrap();
    for field in ["person:", "org:", "place:"] {
        assert!(query.contains(field), "{field} in {query}");
    }
    let facets_option = help_line("query", "--facets");
    assert!(facets_option.contains("person"), "{facets_option}");
}

#[test]
fn option_mistakes_are_named_instead_of_passing_silently() {
    let env = rafah_corpus();
    let output = env
        .cmd(&["query", "rafah", "--facets", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--facets does not go with --format jsonl"));
    let output = env.cmd(&["query", "rafah", "-n", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--limit 0"));
}

#[test]
fn counts_in_messages_agree_with_their_nouns_and_small_sizes_are_not_zero() {
    let env = TestEnv::new();
    env.write("a.txt", "Aid trucks waited at the Rafah crossing.\n");
    let output = env.cmd(&["index"]).arg(env.corpus()).output().unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("walked 1 file,") && stderr.contains("1 article added"),
        "{stderr}"
    );
    assert!(stderr.contains("0 warnings") && stderr.contains("holds 1 article in 1 passage"));
    let stats = env.cmd(&["stats"]).output().unwrap();
    let stats = String::from_utf8(stats.stdout).unwrap();
    let size = stats.lines().find(|l| l.starts_with("size:")).unwrap();
    assert!(!size.contains("0.0 MB") && size.contains("kB"), "{size}");
    let facets = env.cmd(&["facets"]).output().unwrap();
    assert!(String::from_utf8(facets.stdout)
        .unwrap()
        .starts_with("1 article\n"));
}

#[test]
fn query_errors_do_not_echo_terminal_escapes_and_addresses_are_text() {
    let env = rafah_corpus();
    for query in ["rafah~\u{1b}[2J", "\u{1b}]0;owned\u{7}:x", "(\u{1b}[31m"] {
        let output = env.cmd(&["query", query]).output().unwrap();
        let stderr = stderr_of(&output);
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
            "{stderr:?}"
        );
    }
    let output = env.cmd(&["query", "rafah~\u{1b}[2J"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("typo tolerance"));
    let output = env
        .cmd(&["query", "https://example.org/news/rafah"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(!stderr_of(&output).contains("unknown field"));
    let output = env.cmd(&["query", "titel:rafah"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("put it in quotes"));
}

// ---------------------------------------------------------------- 17. release build

#[test]
fn release_builds_carry_no_debug_info_and_profiling_has_its_own_profile() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let section = |name: &str| -> Option<String> {
        let start = manifest.find(&format!("[{name}]"))?;
        let body = &manifest[start + name.len() + 2..];
        Some(body[..body.find("\n[").unwrap_or(body.len())].to_string())
    };
    if let Some(release) = section("profile.release") {
        let debug = release
            .lines()
            .find(|l| l.trim_start().starts_with("debug"))
            .map(|l| l.split('=').nth(1).unwrap_or("").trim().to_string());
        assert!(
            matches!(
                debug.as_deref(),
                None | Some("0") | Some("false") | Some("\"none\"")
            ),
            "release debug info: {debug:?}"
        );
    }
    let profiling = section("profile.profiling").expect("a profiling profile");
    assert!(profiling.contains("inherits = \"release\""), "{profiling}");
    assert!(profiling.contains("debug"), "{profiling}");
}

// ---------------------------------------------------------------- 2. special files

/// Runs a command to its end, failing the test (instead of hanging it) when it has not
/// ended after a minute.
fn run_bounded(mut cmd: std::process::Command) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    panic!("the run hung; stderr: {}", stderr_of(&output));
}

#[test]
fn named_pipes_in_the_corpus_are_reported_once_and_never_opened() {
    let env = TestEnv::new();
    env.write(
        "good.jsonl",
        line(Some("g1"), "Crossing", "Aid trucks waited at Rafah."),
    );
    env.write("story.txt", "Fishing boats returned to Gaza harbour.\n");
    for name in ["feed.jsonl", "notes.txt", "story.txt.meta.yaml"] {
        let status = std::process::Command::new("mkfifo")
            .arg(env.corpus().join(name))
            .status()
            .unwrap();
        assert!(status.success());
    }
    std::os::unix::fs::symlink(
        env.corpus().join("feed.jsonl"),
        env.corpus().join("link.jsonl"),
    )
    .unwrap();
    let mut cmd = env.process(&["index", "--json"]);
    cmd.arg(env.corpus());
    let output = run_bounded(cmd);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 2, "{summary}");
    let stderr = stderr_of(&output);
    for name in ["feed.jsonl", "notes.txt", "link.jsonl"] {
        let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(warnings.len(), 1, "{name}: {stderr}");
        assert!(
            warnings[0].contains("not a regular file but a named pipe"),
            "{stderr}"
        );
    }
    assert!(stderr.contains("story.txt.meta.yaml"), "{stderr}");
    assert_eq!(env.query_json(&["Rafah"]).0, 0);
    assert_eq!(env.query_json(&["harbour"]).0, 0);

    // The next run neither hangs nor repeats the warnings.
    let mut cmd = env.process(&["-q", "index"]);
    cmd.arg(env.corpus());
    let again = run_bounded(cmd);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stderr_of(&again), "");
}

// ---------------------------------------------------------------- 4. stray NUL bytes

#[test]
fn a_stray_nul_costs_nothing_and_a_binary_line_costs_one_record() {
    let env = TestEnv::new();
    let mut feed = String::new();
    for i in 1..=10_000 {
        feed.push_str(&line(
            Some(&format!("n{i}")),
            &format!("Story {i}"),
            &format!("Harbour report number {i} from Gdansk."),
        ));
    }
    let mut bytes = feed.into_bytes();
    // A NUL inside the first record, within the first 8 KB ...
    let first = bytes.iter().position(|&b| b == b'G').unwrap();
    bytes.insert(first, 0);
    // ... and one at byte 9,000, inside a later record.
    let at = 9_000 + bytes[9_000..].iter().position(|&b| b == b'G').unwrap();
    bytes.insert(at, 0);
    env.write("feed.jsonl", &bytes);
    // A line of binary junk (a block of zeros left by a crash) between two records.
    let mut damaged = line(Some("d1"), "Before", "Quarry workers in Tromso struck.").into_bytes();
    damaged.extend_from_slice(&[0u8; 4096]);
    damaged.push(b'\n');
    damaged.extend_from_slice(line(Some("d2"), "After", "Ferry crews in Narvik voted.").as_bytes());
    env.write("damaged.jsonl", &damaged);
    env.write("story.txt", b"Pilots met in Bergen\x00 on Monday.\x07\n");
    env.write("junk.txt", [0u8, 1, 2, 3, 0xff, 0, 0, 0].repeat(512));

    let output = env
        .cmd(&["index", "--json"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 10_000 + 2 + 1, "{summary}");
    let stderr = stderr_of(&output);
    let feed_notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("feed.jsonl"))
        .collect();
    assert_eq!(feed_notes.len(), 1, "{stderr}");
    assert!(
        feed_notes[0].contains("removed 2 stray control characters"),
        "{stderr}"
    );
    assert!(
        stderr.contains("damaged.jsonl (record 2): binary data"),
        "{stderr}"
    );
    assert!(
        stderr.contains("story.txt: removed 2 stray control characters"),
        "{stderr}"
    );
    assert!(stderr.contains("junk.txt: binary file"), "{stderr}");
    assert_eq!(summary["skipped"], 2, "{summary}");

    let (code, json) = env.query_json(&["title:\"Story 1\" Gdansk", "-n", "1"]);
    assert_eq!(code, 0);
    assert_eq!(json["results"][0]["title"], "Story 1");
    let (code, json) = env.query_json(&["Bergen"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["results"][0]["text"],
        "Pilots met in Bergen on Monday."
    );
    assert_eq!(env.query_json(&["Narvik"]).0, 0);
}

// ---------------------------------------------------------------- 3. lines that move

fn count(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {summary}"))
}

/// Added, updated, removed and unchanged articles of an index run.
fn changes(summary: &Value) -> [u64; 4] {
    ["added", "updated", "removed", "unchanged"].map(|key| count(summary, key))
}

/// The exported article with this title: its id and record number.
fn exported(env: &TestEnv, title: &str) -> (String, u64) {
    let output = env.cmd(&["export"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let article: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("{title} in {text}"));
    (
        article["article_id"].as_str().unwrap().to_string(),
        article["record"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_line_that_moves_in_a_feed_is_not_news() {
    for with_ids in [true, false] {
        let env = TestEnv::new();
        let id = |s: &'static str| with_ids.then_some(s);
        let a = line(id("a"), "Alpha", "Quarry workers in Tromso struck.");
        let b = line(id("b"), "Bravo", "Harbour pilots in Bergen met.");
        let c = line(id("c"), "Charlie", "Ferry crews in Narvik voted.");
        let d = line(id("d"), "Delta", "Fishermen in Alesund protested.");
        env.write("feed.jsonl", [a.as_str(), &b, &c].concat());
        env.index(&env.corpus());
        env.cmd(&[
            "alert",
            "coast",
            "Tromso OR Bergen OR Narvik OR Alesund",
            "--init",
        ])
        .assert()
        .code(0);
        let (bravo, at) = exported(&env, "Bravo");
        assert_eq!(at, 2);

        // A line prepended: only it is new.
        env.write("feed.jsonl", [d.as_str(), &a, &b, &c].concat());
        let prepended = env.index(&env.corpus());
        assert_eq!(
            changes(&prepended),
            [1, 0, 0, 3],
            "ids {with_ids}: {prepended}"
        );
        let (code, ids) = alert_ids(&env, &["coast"]);
        assert_eq!((code, ids.len()), (0, 1), "ids {with_ids}");
        assert_eq!(
            exported(&env, "Bravo"),
            (bravo.clone(), 3),
            "same article, new line"
        );

        // The oldest line dropped, as rolling feeds do: one removal, nothing new.
        env.write("feed.jsonl", [d.as_str(), &b, &c].concat());
        let rolled = env.index(&env.corpus());
        assert_eq!(changes(&rolled), [0, 0, 1, 3], "ids {with_ids}: {rolled}");
        assert_eq!(alert_ids(&env, &["coast"]), (1, vec![]), "ids {with_ids}");
        assert_eq!(exported(&env, "Bravo"), (bravo, 2));

        // A changed line is still news.
        let b2 = line(id("b"), "Bravo", "Harbour pilots in Bergen met again.");
        env.write("feed.jsonl", [d.as_str(), &b2, &c].concat());
        let edited = env.index(&env.corpus());
        if with_ids {
            assert_eq!(changes(&edited), [0, 1, 0, 2], "{edited}");
        } else {
            // Without an id, the content is the article's name: a new article.
            assert_eq!(changes(&edited), [1, 0, 1, 2], "{edited}");
        }
        assert_eq!(alert_ids(&env, &["coast"]).1.len(), 1);
    }
}

#[test]
fn standard_input_in_another_order_is_not_news() {
    let env = TestEnv::new();
    let lines = [
        line(None, "Alpha", "Quarry workers in Tromso struck."),
        line(None, "Bravo", "Harbour pilots in Bergen met."),
        line(Some("c"), "Charlie", "Ferry crews in Narvik voted."),
    ];
    let pipe = |input: String| {
        let output = env
            .cmd(&["index", "--json", "-"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    pipe(lines.concat());
    env.cmd(&[
        "alert",
        "coast",
        "Tromso OR Bergen OR Narvik",
        "--each-article",
        "--init",
    ])
    .assert()
    .code(0);
    let reversed: String = lines.iter().rev().map(String::as_str).collect();
    let again = pipe(reversed);
    assert_eq!(changes(&again), [0, 0, 0, 3], "{again}");
    assert_eq!(alert_ids(&env, &["coast"]), (1, vec![]));
}

// ---------------------------------------------------------------- 5. --full over another version

#[test]
fn index_full_rebuilds_an_index_of_another_version_in_place_and_keeps_the_alerts() {
    let env = TestEnv::new();
    env.write("a.txt", "Quarry workers in Tromso struck.\n");
    env.write("b.txt", "Harbour pilots in Tromso met.\n");
    env.index(&env.corpus());
    env.cmd(&["alert", "tromso", "Tromso", "--each-article", "--init"])
        .assert()
        .code(0);
    env.write("c.txt", "Ferry crews in Tromso voted.\n");
    env.index(&env.corpus());
    assert_eq!(alert_ids(&env, &["tromso"]).1.len(), 1);
    fs::write(env.index_dir().join(".gitignore"), "*\n").unwrap();

    // The index now reads as written by another version.
    fs::write(
        env.index_dir().join("newsearch.json"),
        r#"{"schema_version": 999, "written_by": "newsearch 9"}"#,
    )
    .unwrap();
    let refused = env.cmd(&["query", "Tromso"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr_of(&refused).contains("index --full"));
    env.cmd(&["index"]).arg(env.corpus()).assert().code(2);

    let rebuilt = env.index_with(&["--full"], &env.corpus());
    assert_eq!(count(&rebuilt, "articles"), 3, "{rebuilt}");
    assert_eq!(env.query_json(&["Tromso"]).0, 0);
    assert!(env.index_dir().join(".gitignore").exists());
    // The alert survived, and the rebuild is not news to it.
    assert_eq!(alert_ids(&env, &["tromso"]), (1, vec![]));
    env.write("d.txt", "Fishermen in Tromso protested.\n");
    env.index(&env.corpus());
    let (code, ids) = alert_ids(&env, &["tromso"]);
    assert_eq!((code, ids.len()), (0, 1), "only the new article");
}

// ---------------------------------------------------------------- 12. shared indexes

/// Every entry under `dir` with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32, bool)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let meta = entry.metadata().unwrap();
        out.push((
            entry.path(),
            meta.permissions().mode() & 0o777,
            meta.is_dir(),
        ));
        if meta.is_dir() {
            out.extend(modes(&entry.path()));
        }
    }
    out
}

/// A command run as a user who may read the index but not write it: `nobody` when the
/// tests run as root (root ignores permission bits), else this user once the index is
/// made read-only.
fn as_reader(index: &Path, args: &[&str]) -> std::process::Command {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if root {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_newsearch"));
        cmd
    } else {
        for (path, mode, _) in modes(index) {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode & !0o222)).unwrap();
        }
        fs::set_permissions(index, fs::Permissions::from_mode(0o555)).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_newsearch"))
    };
    cmd.env_remove("NO_COLOR")
        .env_remove("NEWSEARCH_INDEX")
        .arg("--index")
        .arg(index)
        .args(args);
    cmd
}

#[test]
fn an_index_written_under_umask_022_is_read_by_a_user_who_cannot_write_it() {
    let env = TestEnv::new();
    // Other users may walk into the test's folder (a temporary folder is 0700).
    fs::set_permissions(env.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    env.write(
        "a.txt",
        "Aid trucks waited at the Rafah crossing on Monday.\n",
    );
    env.write("b.txt", "Fishing boats returned to Gaza harbour.\n");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_newsearch"))
        .arg("--index")
        .arg(env.index_dir())
        .args(["-q", "index"])
        .arg(env.corpus())
        .status()
        .unwrap();
    assert!(status.success());
    env.cmd(&["alert", "rafah", "Rafah", "--each-article", "--init"])
        .assert()
        .code(0);
    let entries = modes(&env.index_dir());
    assert!(entries.iter().any(|(p, _, _)| p.ends_with("meta.json")));
    for (path, mode, dir) in &entries {
        let expected = if *dir { 0o755 } else { 0o644 };
        assert_eq!(*mode, expected, "{} is {mode:o}", path.display());
    }

    let index = env.index_dir();
    let query = as_reader(&index, &["query", "Rafah", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(query.status.code(), Some(0), "{}", stderr_of(&query));
    let json: Value = serde_json::from_slice(&query.stdout).unwrap();
    let id = json["results"][0]["article_id"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        vec!["facets", "Rafah"],
        vec!["stats"],
        vec!["show", id.as_str()],
        vec!["export"],
        vec!["alert", "--list"],
    ] {
        let output = as_reader(&index, &args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&output)
        );
    }
    let index_run = as_reader(&index, &["index"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(index_run.status.code(), Some(2));
    let stderr = stderr_of(&index_run);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write to the index at") && stderr.contains("permission denied"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
    // Nothing was written by the readers.
    assert_eq!(modes(&index).len(), entries.len());

    // An index whose files were left unreadable to others (as tantivy left `meta.json`
    // before) is a one-sentence error naming the file.
    let meta = index.join("meta.json");
    let readable = fs::metadata(&meta).unwrap().permissions().mode();
    fs::set_permissions(&meta, fs::Permissions::from_mode(0o600)).unwrap();
    let denied = as_reader(&index, &["query", "Rafah"]).output().unwrap();
    let owner_only_binds = denied.status.code() != Some(0);
    if owner_only_binds {
        assert_eq!(denied.status.code(), Some(2));
        let stderr = stderr_of(&denied);
        assert!(
            stderr.contains("permission denied on") && stderr.contains("meta.json"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    fs::set_permissions(&meta, fs::Permissions::from_mode(readable | 0o200)).unwrap();
    for (path, mode, _) in modes(&index) {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode | 0o200)).unwrap();
    }
    fs::set_permissions(&index, fs::Permissions::from_mode(0o755)).unwrap();
}

// ---------------------------------------------------------------- 13. a full disk

/// Segment files in an index folder whose segment the last commit does not list.
fn orphan_segment_files(index: &Path) -> Vec<String> {
    // meta.json writes segment ids as UUIDs, file names without the dashes.
    let meta = fs::read_to_string(index.join("meta.json"))
        .unwrap()
        .replace('-', "");
    let names: Vec<String> = fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names
        .into_iter()
        .filter(|name| {
            name.split_once('.').is_some_and(|(id, _)| {
                id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !meta.contains(id)
            })
        })
        .collect()
}

#[test]
fn files_a_failed_run_left_are_removed_by_the_next_run() {
    let env = TestEnv::new();
    env.write("a.txt", "Aid trucks waited at the Rafah crossing.\n");
    env.index(&env.corpus());
    let left = [
        "0123456789abcdef0123456789abcdef.idx",
        "0123456789abcdef0123456789abcdef.store",
        "0123456789abcdef0123456789abcdef.7.del",
    ];
    for name in left {
        fs::write(env.index_dir().join(name), vec![7u8; 4096]).unwrap();
    }
    assert_eq!(orphan_segment_files(&env.index_dir()).len(), 3);
    let again = env.index(&env.corpus());
    assert_eq!(count(&again, "commits"), 0, "{again}");
    assert_eq!(orphan_segment_files(&env.index_dir()), Vec::<String>::new());
    assert_eq!(env.query_json(&["Rafah"]).0, 0);
}

/// A small file system mounted for one test, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` where mounting is not allowed (not root, or a container without the right).
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_is_named_and_the_last_commit_stays() {
    let Some(disk) = SmallDisk::mount("2m") else {
        eprintln!("skipped: a small file system cannot be mounted here (needs root)");
        return;
    };
    let env = TestEnv::new();
    let index = disk.dir.path().join("index");
    env.write("a.txt", "Aid trucks waited at the Rafah crossing.\n");
    let first = at_index(&index, &["-q", "index"])
        .arg(env.corpus())
        .status()
        .unwrap();
    assert!(first.success());

    // Several megabytes of distinct words: more index than the disk holds.
    let mut seed: u64 = 7;
    let mut big = String::new();
    for i in 0..6_000 {
        let words: Vec<String> = (0..40)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                format!("w{:x}", seed >> 24)
            })
            .collect();
        big.push_str(&line(Some(&format!("b{i}")), "Big", &words.join(" ")));
    }
    let big_path = env.write("big.jsonl", big);
    let failed = at_index(&index, &["-q", "index"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(2));
    let stderr = stderr_of(&failed);
    assert!(
        stderr.contains("is full") && stderr.contains(&index.display().to_string()),
        "{stderr}"
    );
    assert!(!stderr.contains("worker thread"), "{stderr}");
    let query = at_index(&index, &["query", "Rafah"]).output().unwrap();
    assert_eq!(query.status.code(), Some(0), "the last commit answers");

    fs::remove_file(big_path).unwrap();
    let next = at_index(&index, &["-q", "index"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(next.status.code(), Some(0), "{}", stderr_of(&next));
    assert_eq!(orphan_segment_files(&index), Vec::<String>::new());
}

// ---------------------------------------------------------------- 14. markup in corpus text

#[test]
fn html_and_markdown_output_escape_titles_sources_paths_and_text() {
    let env = TestEnv::new();
    env.write(
        "feed.jsonl",
        serde_json::json!({
            "title": "<img src=x onerror=alert(1)>",
            "source": "<b>Wire</b> & Co",
            "text": "Aid at Rafah was **not bold** news.",
        })
        .to_string()
            + "\n",
    );
    env.write("<script>.txt", "Boats left Rafah at dawn.\n");
    env.index(&env.corpus());
    let html = env
        .cmd(&[
            "query",
            "Rafah",
            "--group",
            "article",
            "--highlight",
            "html",
        ])
        .output()
        .unwrap();
    assert_eq!(html.status.code(), Some(0));
    let html = String::from_utf8(html.stdout).unwrap();
    for raw in ["<img", "<b>", "<script>", " & Co"] {
        assert!(!html.contains(raw), "{raw} in {html}");
    }
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;b&gt;Wire&lt;/b&gt; &amp; Co"), "{html}");
    assert!(html.contains("&lt;script&gt;.txt"), "{html}");
    assert!(html.contains("<mark>Rafah</mark>"), "{html}");

    let markdown = env
        .cmd(&[
            "query",
            "Rafah",
            "--group",
            "article",
            "--highlight",
            "markdown",
        ])
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains(r"**Rafah** was \*\*not bold\*\* news."),
        "{markdown}"
    );
    assert!(!markdown.contains("**not "), "{markdown}");
    assert!(
        markdown.contains(r"\<img src=x onerror=alert(1)\>"),
        "{markdown}"
    );
}

// ---------------------------------------------------------------- 15. huge lines

#[test]
fn a_huge_single_line_becomes_passages_of_bounded_length() {
    let env = TestEnv::new();
    let words: Vec<String> = (0..100_000).map(|i| format!("tok{i}")).collect();
    env.write("dump.txt", words.join(" ") + "\n");
    let summary = env.index(&env.corpus());
    assert!(count(&summary, "passages") > 500, "{summary}");
    let (code, json) = env.query_json(&["tok77777"]);
    assert_eq!(code, 0);
    let id = json["results"][0]["article_id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = env
        .cmd(&["show", &id, "--format", "json"])
        .output()
        .unwrap();
    let article: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let passages = article["passages"].as_array().unwrap();
    let longest = passages
        .iter()
        .map(|p| p.as_str().unwrap().chars().count())
        .max()
        .unwrap();
    assert!(longest <= 1000, "a passage of {longest} characters");
    let text: Vec<&str> = passages.iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(text.join(" "), words.join(" "), "nothing lost");
}

// ---------------------------------------------------------------- 16. huge histograms

/// (Years outside 1677–2262 do not fit tantivy's nanosecond dates yet: this stays inside.)
#[test]
fn a_date_histogram_over_centuries_is_bounded() {
    let env = rafah_corpus();
    let output = env
        .cmd(&[
            "facets",
            "--interval",
            "day",
            "--from",
            "1700",
            "--to",
            "2250",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let buckets = json["facets"]["date"].as_array().unwrap();
    assert!(buckets.len() <= 4_000, "{} buckets", buckets.len());
    assert!(
        buckets
            .iter()
            .any(|b| b["key"] == "2024-03-25" && b["count"] == 3),
        "{buckets:?}"
    );
    let text = env
        .cmd(&[
            "facets",
            "--interval",
            "day",
            "--from",
            "1700",
            "--to",
            "2250",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8(text.stdout).unwrap().lines().count() < 4_100);
}
