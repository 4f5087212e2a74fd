//! What the groundwork release gave users: the article's own id (`external_id`) in
//! results and exports, ragged CSV rows indexed and reported once, a JSON document on
//! standard input bounded by `--max-file-size`, shell completions and a manual page.

mod common;

use common::TestEnv;
use serde_json::Value;

fn export(env: &TestEnv) -> Vec<Value> {
    let output = env.cmd(&["export"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn results_and_exports_carry_the_id_the_data_gives() {
    let env = TestEnv::new();
    env.write(
        "feed.jsonl",
        "{\"id\": \"wire-2024-0417\", \"title\": \"Harbour strike\", \"text\": \"Dockers in Gdansk walked out.\"}\n\
         {\"id\": 77, \"title\": \"Row number id\", \"text\": \"Dockers in Szczecin joined them.\"}\n\
         {\"title\": \"No id\", \"text\": \"Dockers in Gdynia stayed at work.\"}\n",
    );
    env.write(
        "table.csv",
        "doc_id,title,text\nA-9,Ferry vote,Dockers in Rostock voted.\n",
    );
    env.index(&env.corpus());
    let mut ids: Vec<(String, Value)> = export(&env)
        .into_iter()
        .map(|a| {
            (
                a["title"].as_str().unwrap().to_string(),
                a["external_id"].clone(),
            )
        })
        .collect();
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        ids,
        vec![
            ("Ferry vote".to_string(), Value::from("A-9")),
            ("Harbour strike".to_string(), Value::from("wire-2024-0417")),
            ("No id".to_string(), Value::Null),
            ("Row number id".to_string(), Value::from("77")),
        ]
    );
    let (code, json) = env.query_json(&["Gdansk"]);
    assert_eq!(code, 0);
    assert_eq!(json["results"][0]["external_id"], "wire-2024-0417");
    let line = env
        .cmd(&["query", "Rostock", "--format", "jsonl"])
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&line.stdout).unwrap();
    assert_eq!(line["external_id"], "A-9");
}

#[test]
fn a_csv_row_with_the_wrong_number_of_fields_is_indexed_and_reported_once() {
    let env = TestEnv::new();
    env.write(
        "rows.csv",
        "title,text,source\nFull row,Dockers in Gdansk.,Wire\nShort row,Dockers in Gdynia.\nLong row,Dockers in Sopot.,Wire,extra\n",
    );
    let output = env
        .cmd(&["index", "--json"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("newsearch: warning").count(), 1, "{stderr}");
    assert!(
        stderr.contains("rows.csv (record 2): 2 fields where the header names 3 (and 1 other row)"),
        "{stderr}"
    );
    for place in ["Gdansk", "Gdynia", "Sopot"] {
        assert_eq!(env.query_json(&[place]).0, 0, "{place} is searchable");
    }
}

#[test]
fn a_json_document_on_standard_input_is_bounded_by_the_size_limit() {
    let env = TestEnv::new();
    let document = format!(
        "[{{\"title\": \"Big\", \"text\": \"{}\"}}]",
        "Dockers in Gdansk walked out. ".repeat(100)
    );
    let output = env
        .cmd(&["index", "--json", "--max-file-size", "1000", "-"])
        .write_stdin(document.clone())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "<stdin>: a JSON document on standard input is read whole, and this is over the limit of 1000 bytes"
        ),
        "{stderr}"
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 0);
    // Within the limit it is read.
    let output = env
        .cmd(&["index", "--json", "-"])
        .write_stdin(document)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["added"], 1, "{summary}");
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_line_definition() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef newsearch"),
        ("fish", "complete -c newsearch"),
    ] {
        let output = env.cmd(&["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("per-article"),
            "{shell} completes query options"
        );
    }
    let output = env.cmd(&["man"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH newsearch 1"),
        "{page}"
    );
    for command in [
        "newsearch\\-query",
        "newsearch\\-index",
        "newsearch\\-alert",
    ] {
        assert!(page.contains(command), "{command} has a section");
    }
    assert!(page.contains("max\\-file\\-size"));
}
