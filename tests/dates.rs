//! Publication and mentioned dates through the real binary: filters, sorting, histograms,
//! `show` and `export`.

mod common;

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

fn json_of(env: &TestEnv, args: &[&str]) -> (i32, Value) {
    let output = env.cmd(args).output().unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap(), json)
}

fn seeded() -> TestEnv {
    let env = TestEnv::new();
    env.index(&shipped_corpus());
    env
}

fn mentioned(env: &TestEnv, path_end: &str) -> Vec<(String, String)> {
    let output = env.cmd(&["export"]).output().unwrap();
    let line = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|a| a["path"].as_str().unwrap().ends_with(path_end))
        .expect("article exported");
    assert_eq!(line["date"], "2024-03-25");
    assert_eq!(line["date_source"], "metadata");
    line["mentioned_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let date = m["date"].as_str().unwrap();
            let shown = if m["granularity"] == "month" {
                &date[..7]
            } else {
                date
            };
            (m["text"].as_str().unwrap().to_string(), shown.to_string())
        })
        .collect()
}

fn resolves(mentions: &[(String, String)], words: &str, date: &str) -> bool {
    mentions
        .iter()
        .any(|(text, d)| text.contains(words) && d == date)
}

#[test]
fn seed_articles_resolve_their_relative_dates() {
    let env = seeded();
    let second = mentioned(&env, "001_3924ea85d488e746.txt");
    assert!(resolves(&second, "Monday", "2024-03-25"), "{second:?}");
    assert!(resolves(&second, "Tuesday", "2024-03-26"), "{second:?}");
    assert!(resolves(&second, "October", "2023-10"), "{second:?}");
    let first = mentioned(&env, "000_912483b5d7e3958a.txt");
    assert!(resolves(&first, "tomorrow", "2024-03-26"), "{first:?}");
}

#[test]
fn publication_date_filters_are_inclusive_and_bad_dates_exit_2() {
    let env = seeded();
    let (code, json) = json_of(
        &env,
        &[
            "query",
            "Rafah",
            "--from",
            "2024-03-25",
            "--to",
            "2024-03-25",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 2);
    let (code, _) = json_of(&env, &["query", "Rafah", "--from", "2024-03-26"]);
    assert_eq!(code, 1);
    let (code, _) = json_of(&env, &["query", "Rafah", "--to", "2024-03"]);
    assert_eq!(code, 0);
    let (code, _) = json_of(&env, &["query", "Rafah", "--to", "2023"]);
    assert_eq!(code, 1);
    let output = env
        .cmd(&["query", "Rafah", "--from", "2024-13-01"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"2024-13-01\""));
}

#[test]
fn mentioned_date_filter_finds_articles_that_speak_of_a_day() {
    let env = seeded();
    let (code, json) = json_of(
        &env,
        &[
            "query",
            "Gallant",
            "--mentions-date",
            "2024-03-26",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 2, "both speak of Tuesday/tomorrow");
    let (code, json) = json_of(
        &env,
        &[
            "query",
            "Hamas",
            "--mentions-date",
            "2023-10",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 1);
    let (code, _) = json_of(&env, &["query", "Hamas", "--mentions-date", "2020"]);
    assert_eq!(code, 1);
}

#[test]
fn date_sort_puts_the_newest_article_first() {
    let env = TestEnv::new();
    env.write(
        "old.txt",
        "---\ndate: 2020-01-01\n---\nRafah Rafah Rafah Rafah crossing.\n",
    );
    env.write(
        "new.txt",
        "---\ndate: 2024-01-01\n---\nThe Rafah crossing and much else besides.\n",
    );
    env.write("undated.txt", "Rafah again.\n");
    env.index(&env.corpus());
    let (_, by_score) = json_of(
        &env,
        &["query", "Rafah", "--group", "article", "--format", "json"],
    );
    assert!(by_score["results"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("old.txt"));
    let (_, by_date) = json_of(
        &env,
        &[
            "query", "Rafah", "--sort", "date", "--group", "article", "--format", "json",
        ],
    );
    let paths: Vec<&str> = by_date["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(
        paths[0].ends_with("new.txt") && paths[1].ends_with("old.txt"),
        "{paths:?}"
    );
    assert!(paths[2].ends_with("undated.txt"), "{paths:?}");
    assert!(by_date["results"][0]["score"].as_f64().unwrap() > 0.0);
}

#[test]
fn histograms_count_articles_in_calendar_buckets_with_empty_ones_and_unknown() {
    let env = TestEnv::new();
    for (name, date) in [
        ("a", "2024-01-31"),
        ("b", "2024-03-01"),
        ("c", "2024-03-03"),
    ] {
        let text = format!("---\ndate: {date}\nsource: Wire\n---\nRafah.\n\nMore Rafah text.\n");
        env.write(&format!("{name}.txt"), text);
    }
    env.write("d.txt", "Rafah with no date.\n");
    env.index(&env.corpus());
    let (code, json) = json_of(&env, &["facets", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 4);
    let buckets: Vec<(String, u64)> = json["facets"]["date"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_string(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        vec![
            ("2024-01".to_string(), 1),
            ("2024-02".to_string(), 0),
            ("2024-03".to_string(), 2),
            ("unknown".to_string(), 1)
        ]
    );
    assert_eq!(json["facets"]["source"][0]["name"], "Wire");
    assert_eq!(
        json["facets"]["source"][0]["count"], 3,
        "articles, not passages"
    );

    let (_, weeks) = json_of(
        &env,
        &[
            "facets",
            "--interval",
            "week",
            "--format",
            "json",
            "--from",
            "2024-02-26",
        ],
    );
    let first = &weeks["facets"]["date"][0];
    assert_eq!(first["key"], "2024-02-26", "weeks start on Monday");
    assert_eq!(first["count"], 2);

    let (_, query) = json_of(&env, &["query", "Rafah", "--facets", "--format", "json"]);
    assert_eq!(query["facets"]["date"].as_array().unwrap().len(), 4);
    let text = env.cmd(&["facets"]).output().unwrap();
    assert!(String::from_utf8(text.stdout).unwrap().contains("2024-03"));
}
