//! Queries against the shipped seed corpus, through the real binary.

mod common;

use common::{highlighted, shipped_corpus, TestEnv};
use serde_json::Value;

fn seeded() -> TestEnv {
    let env = TestEnv::new();
    let summary = env.index(&shipped_corpus());
    assert_eq!(summary["added"], 2);
    env
}

fn results(json: &Value) -> &Vec<Value> {
    json["results"].as_array().expect("results array")
}

#[test]
fn rafah_finds_passages_of_both_articles_with_the_word_highlighted() {
    let env = seeded();
    let (code, json) = env.query_json(&["Rafah"]);
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 2);
    let results = results(&json);
    let paths: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    for result in results {
        assert!(result["text"].as_str().unwrap().chars().count() <= 200);
        assert!(highlighted(result).iter().any(|h| h == "Rafah"), "{result}");
        assert_eq!(result["date"], "2024-03-25");
    }
}

#[test]
fn a_phrase_highlights_exactly_the_phrase() {
    let env = seeded();
    let (code, json) = env.query_json(&["\"ground attack\""]);
    assert_eq!(code, 0);
    let results = results(&json);
    assert_eq!(results.len(), 1);
    assert_eq!(highlighted(&results[0]), vec!["ground attack"]);
}

#[test]
fn a_misspelt_name_with_tilde_finds_and_highlights_the_name() {
    let env = seeded();
    let (code, json) = env.query_json(&["Netanyahoo~"]);
    assert_eq!(code, 0);
    for result in results(&json) {
        let marks = highlighted(result);
        assert!(!marks.is_empty());
        assert!(marks.iter().all(|m| m == "Netanyahu"), "{marks:?}");
    }
    let (code, _) = env.query_json(&["Netanyahoo"]);
    assert_eq!(code, 1, "without ~ the misspelling matches nothing");
}

#[test]
fn stemming_finds_and_marks_related_forms() {
    let env = seeded();
    let (_, json) = env.query_json(&["disappointing", "-n", "50", "--per-article", "50"]);
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert!(marks.contains(&"disappointed".to_string()), "{marks:?}");
    assert!(marks.contains(&"disappointing".to_string()), "{marks:?}");
}

#[test]
fn prefix_terms_highlight_what_they_matched() {
    let env = seeded();
    let (code, json) = env.query_json(&["hostag*", "-n", "50", "--per-article", "50"]);
    assert_eq!(code, 0);
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert!(marks.iter().any(|m| m == "hostages"), "{marks:?}");
    assert!(
        marks.iter().all(|m| m.to_lowercase().starts_with("hostag")),
        "{marks:?}"
    );
}

#[test]
fn nothing_found_exits_1_and_bad_queries_exit_2_with_a_message() {
    let env = seeded();
    env.cmd(&["query", "zzqxv"]).assert().code(1).stdout("");
    let output = env.cmd(&["query", "title:("]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("title:(") && stderr.contains("column"),
        "{stderr}"
    );
    let output = env.cmd(&["query", "\"ground attack"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unbalanced quote"));
}

#[test]
fn boolean_operators_and_fields_narrow_results() {
    let env = seeded();
    let (_, both) = env.query_json(&["Gallant AND Pentagon"]);
    assert_eq!(both["total_articles"], 1, "{both}");
    let (_, without) = env.query_json(&["Gallant -Pentagon"]);
    for result in results(&without) {
        assert!(!result["text"].as_str().unwrap().contains("Pentagon"));
    }
    let (code, _) = env.query_json(&["title:zzqxv OR body:zzqxv"]);
    assert_eq!(code, 1);
}

#[test]
fn at_most_per_article_passages_come_from_one_article() {
    let env = seeded();
    for per_article in ["1", "2", "3"] {
        let (_, json) = env.query_json(&["Israel", "-n", "50", "--per-article", per_article]);
        let mut counts = std::collections::HashMap::new();
        for result in results(&json) {
            *counts
                .entry(result["article_id"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        let limit: usize = per_article.parse().unwrap();
        assert!(counts.values().all(|&n| n <= limit), "{counts:?}");
        assert!(counts.values().any(|&n| n == limit), "{counts:?}");
    }
}

#[test]
fn limit_and_offset_page_through_the_same_ranking() {
    let env = seeded();
    let (_, all) = env.query_json(&["Israel", "-n", "4"]);
    let (_, page) = env.query_json(&["Israel", "-n", "2", "--offset", "2"]);
    let all = results(&all);
    let page = results(&page);
    assert_eq!(page.len(), 2);
    assert_eq!(page[0]["text"], all[2]["text"]);
    assert_eq!(page[1]["rank"], 4);
}

#[test]
fn snippets_respect_the_character_limit() {
    let env = seeded();
    let (_, json) = env.query_json(&["Israel", "--snippet-chars", "40", "-n", "20"]);
    for result in results(&json) {
        let text = result["text"].as_str().unwrap();
        assert!(text.chars().count() <= 40, "{text}");
        assert!(
            !highlighted(result).is_empty(),
            "the match stays inside: {text}"
        );
    }
}

#[test]
fn jsonl_and_text_formats() {
    let env = seeded();
    let output = env
        .cmd(&["query", "Rafah", "--format", "jsonl"])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2);
    assert!(lines
        .iter()
        .all(|l| l["query"] == "Rafah" && l["format_version"].is_u64()));

    let output = env.cmd(&["query", "Rafah"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("**Rafah**"),
        "piped text output marks matches with **: {text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when piped");
    let output = env
        .cmd(&["query", "Rafah", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .contains("\u{1b}["));
    let output = env
        .cmd(&["query", "Rafah", "--highlight", "html"])
        .output()
        .unwrap();
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .contains("<mark>Rafah</mark>"));
}

#[test]
fn show_prints_an_article_by_the_id_query_reports() {
    let env = seeded();
    let (_, json) = env.query_json(&["\"ground attack\""]);
    let id = results(&json)[0]["article_id"]
        .as_str()
        .unwrap()
        .to_string();
    let output = env
        .cmd(&["show", &id, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let article: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(article["date"], "2024-03-25");
    let passages = article["passages"].as_array().unwrap();
    assert!(passages
        .iter()
        .any(|p| p.as_str().unwrap().contains("ground attack on Rafah")));
    env.cmd(&["show", "0000000000000000"]).assert().code(2);
}

#[test]
fn stats_counts_articles_and_dates() {
    let env = seeded();
    let output = env.cmd(&["stats", "--format", "json"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["articles"], 2);
    assert_eq!(stats["first_date"], "2024-03-25");
    assert!(stats["passages"].as_u64().unwrap() > 2);
}
