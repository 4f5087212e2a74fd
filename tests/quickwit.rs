//! newsearch on Quickwit. Without a cluster: engine addresses and an unreachable cluster
//! are clear errors. With one (`NEWSEARCH_QUICKWIT_URL=http://HOST:PORT`, the REST address
//! of a node that runs the indexer): every reading command answers through Quickwit as it
//! does from the index folder, and changed and removed articles follow. Without the
//! variable the live tests print why they are skipped and pass.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

/// The cluster's REST address, or `None` with the reason printed.
fn cluster(test: &str) -> Option<String> {
    match std::env::var("NEWSEARCH_QUICKWIT_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ => {
            // Straight to the standard error, which the test harness does not capture
            // (it captures the print macros), so that the skip shows in every run.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: skipped, NEWSEARCH_QUICKWIT_URL is not set (the REST address of a \
                 Quickwit node, e.g. http://127.0.0.1:7280)"
            );
            None
        }
    }
}

/// A Quickwit index name of its own for each run of each test.
fn engine(url: &str, test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "quickwit://{}/newsearch-{test}-{nanos}",
        url.trim_start_matches("http://")
    )
}

fn run(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let output = env.cmd(args).output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(env: &TestEnv, args: &[&str]) -> Value {
    let (code, out, err) = run(env, args);
    assert!(code == 0 || code == 1, "{args:?} exited {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// The output without what may differ between engines: scores (BM25 statistics are
/// Quickwit's per split) and the index's own description.
fn comparable(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("score");
                for v in map.values_mut() {
                    strip(v);
                }
            }
            Value::Array(list) => list.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

fn front_matter(env: &TestEnv, name: &str, title: &str, source: &str, date: &str, body: &str) {
    env.write(
        name,
        format!("---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n{body}\n"),
    );
}

fn corpus(env: &TestEnv) {
    for entry in std::fs::read_dir(shipped_corpus()).expect("corpus") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        env.write(&name, std::fs::read(&path).expect("read"));
    }
    front_matter(
        env,
        "old.txt",
        "A charter signed in 1215",
        "Chronicle",
        "1215-06-15",
        "King John sealed the charter at Runnymede.\n\nThe barons watched from the meadow.",
    );
    front_matter(
        env,
        "gdansk.txt",
        "Gdansk dockers strike over pay",
        "Wire One",
        "2024-03-05",
        "Dockers at the port of Gdansk walked out on Tuesday over pay.\n\nThe Solidarity \
         union said the strike would last until the port authority agreed to talks.",
    );
}

#[test]
fn an_engine_address_that_is_not_quickwit_s_is_refused_by_name() {
    let env = TestEnv::new();
    env.write("a.txt", "Dockers walked out in Gdansk.");
    for args in [
        vec!["--engine", "http://localhost:7280/news", "query", "gdansk"],
        vec!["index", "--to", "quickwit://localhost/news", "corpus"],
    ] {
        let (code, _, err) = run(&env, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("quickwit://HOST:PORT/INDEX"), "{err}");
    }
    // Commands that touch no index leave a bad engine setting alone.
    let (code, out, _) = run(&env, &["--engine", "bogus", "completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("newsearch"));
}

#[test]
fn a_cluster_that_cannot_be_reached_is_named_and_the_local_index_is_kept() {
    let env = TestEnv::new();
    env.write("a.txt", "Dockers walked out in Gdansk over pay.");
    let corpus = env.corpus();
    let corpus = corpus.to_str().expect("path");
    // Port 9 on loopback has no listener: every attempt is refused at once. Without
    // --to, `index` sends to the engine the folder answers through.
    let (code, _, err) = run(
        &env,
        &["--engine", "quickwit://127.0.0.1:9/news", "index", corpus],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("sending it to quickwit://127.0.0.1:9/news failed"),
        "{err}"
    );
    assert!(
        err.contains("Quickwit at http://127.0.0.1:9 cannot be reached"),
        "{err}"
    );
    assert!(err.contains("the index was committed"), "{err}");
    let (code, local) = env.query_json(&["gdansk"]);
    assert_eq!(code, 0);
    assert_eq!(local["total_articles"], 1);
    let (code, _, err) = run(
        &env,
        &["--engine", "quickwit://127.0.0.1:9/news", "query", "gdansk"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot be reached"), "{err}");
}

#[test]
fn every_reading_command_answers_through_quickwit_as_from_the_folder() {
    let Some(url) = cluster("every_reading_command_answers_through_quickwit_as_from_the_folder")
    else {
        return;
    };
    let env = TestEnv::new();
    corpus(&env);
    let engine = engine(&url, "same");
    let corpus = env.corpus();
    let (code, _, err) = run(
        &env,
        &["index", corpus.to_str().expect("path"), "--to", &engine],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("sent 4 articles"), "{err}");
    let remote = |args: &[&str]| -> Value {
        let mut all = vec!["--engine", engine.as_str()];
        all.extend_from_slice(args);
        comparable(json(&env, &all))
    };
    let local = |args: &[&str]| comparable(json(&env, args));
    for query in [
        "Rafah",
        "Hezbollah AND Lapid",
        "Netanyahu -Hamas",
        "\"White House\"",
        "\"port authority\"~3",
        "dock*",
        "person:Netanyahu",
        "title:charter",
        "source:\"wire one\"",
        "barons AND meadow",
    ] {
        for group in ["story", "article"] {
            let args = ["query", query, "--format", "json", "--group", group];
            assert_eq!(remote(&args), local(&args), "{query} --group {group}");
        }
    }
    let dated = [
        "query",
        "port OR charter",
        "--format",
        "json",
        "--sort",
        "date",
    ];
    assert_eq!(remote(&dated), local(&dated));
    let before = ["query", "charter", "--format", "json", "--to", "1300"];
    assert_eq!(remote(&before), local(&before));
    for args in [
        vec!["facets", "--format", "json"],
        vec![
            "facets",
            "Israel",
            "--format",
            "json",
            "--interval",
            "month",
        ],
        vec!["stories", "--format", "json"],
        vec!["stories", "Rafah", "--format", "json"],
    ] {
        assert_eq!(remote(&args), local(&args), "{args:?}");
    }
    let listed = local(&["query", "Rafah", "--format", "json"]);
    let id = listed["results"][0]["article_id"]
        .as_str()
        .expect("id")
        .to_string();
    let show = ["show", id.as_str(), "--format", "json"];
    assert_eq!(remote(&show), local(&show));
    let lines = |args: &[&str]| -> Vec<String> {
        let (code, out, err) = run(&env, args);
        assert_eq!(code, 0, "{err}");
        let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(&["--engine", &engine, "export"]), lines(&["export"]));
    let stats_remote = remote(&["stats", "--format", "json"]);
    let stats_local = local(&["stats", "--format", "json"]);
    for field in [
        "articles",
        "passages",
        "first_date",
        "last_date",
        "top_entities",
        "stories",
    ] {
        assert_eq!(stats_remote[field], stats_local[field], "stats {field}");
    }
    assert_eq!(stats_remote["index"], Value::String(engine.clone()));
    // The server answers through the same engine.
    let served = server::Server::start_with(&env, &["--engine", &engine]);
    for (path, args) in [
        (
            "/api/search?q=Rafah",
            vec!["query", "Rafah", "--format", "json"],
        ),
        (
            "/api/facets?q=Israel",
            vec!["facets", "Israel", "--format", "json"],
        ),
        (
            &*format!("/api/articles/{id}"),
            vec!["show", id.as_str(), "--format", "json"],
        ),
    ] {
        let body: Value = ureq::get(&served.url(path))
            .call()
            .expect("served")
            .into_json()
            .expect("JSON");
        assert_eq!(comparable(body), remote(&args), "{path}");
    }
}

#[test]
fn a_changed_article_is_shown_once_as_changed_and_a_removed_one_goes() {
    let Some(url) = cluster("a_changed_article_is_shown_once_as_changed_and_a_removed_one_goes")
    else {
        return;
    };
    let env = TestEnv::new();
    corpus(&env);
    let engine = engine(&url, "changes");
    let corpus = env.corpus();
    let corpus = corpus.to_str().expect("path");
    let (code, _, err) = run(&env, &["index", corpus, "--to", &engine]);
    assert_eq!(code, 0, "{err}");
    // An alert saved now reports what is sent later.
    let (code, _, err) = run(
        &env,
        &[
            "--engine",
            &engine,
            "alert",
            "docks",
            "dockers OR barons",
            "--init",
        ],
    );
    assert_eq!(code, 0, "{err}");
    front_matter(
        &env,
        "gdansk.txt",
        "Gdansk dockers end their strike",
        "Wire One",
        "2024-03-07",
        "Dockers at the port of Gdansk went back to work on Thursday after a pay deal.",
    );
    std::fs::remove_file(env.corpus().join("old.txt")).expect("remove");
    let (code, _, err) = run(&env, &["index", corpus, "--to", &engine]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("sent 1 article") && err.contains("1 removed"),
        "{err}"
    );
    // The old copy may still be held until Quickwit's janitor applies the delete; the
    // results show the article once, as it is now.
    let found = json(
        &env,
        &[
            "--engine", &engine, "query", "dockers", "--format", "json", "--group", "article",
        ],
    );
    let titles: Vec<&str> = found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["title"].as_str().expect("title"))
        .collect();
    assert!(
        titles
            .iter()
            .all(|t| *t == "Gdansk dockers end their strike"),
        "{titles:?}"
    );
    let (code, out, err) = run(
        &env,
        &["--engine", &engine, "alert", "docks", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("end their strike") && !out.contains("charter"),
        "{out}"
    );
    // Within a few minutes the delete tasks apply: the removed article is gone and the
    // changed one is held once.
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let barons = json(
            &env,
            &[
                "--engine", &engine, "query", "barons", "--format", "json", "--group", "article",
            ],
        );
        let dockers = json(
            &env,
            &[
                "--engine", &engine, "query", "dockers", "--format", "json", "--group", "article",
            ],
        );
        if barons["total_articles"] == 0 && dockers["total_articles"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "deletes not applied: barons {} dockers {}",
            barons["total_articles"],
            dockers["total_articles"]
        );
        std::thread::sleep(Duration::from_secs(5));
    }
}
