//! Relevance ranking through the real binary: articles judged as a whole, stop words,
//! possessives, and phrases that contain stop words.

mod common;

use common::{highlighted, TestEnv};
use serde_json::Value;

fn results(json: &Value) -> &Vec<Value> {
    json["results"].as_array().expect("results array")
}

fn paths(json: &Value) -> Vec<String> {
    results(json)
        .iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap();
            path.rsplit('/').next().unwrap().to_string()
        })
        .collect()
}

/// A small news corpus: one article that answers "Moscow treaty inspections" over several
/// paragraphs, one word in each; one that repeats "Moscow" in a short paragraph; filler.
fn corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "spread.txt",
        "---\ntitle: Talks in the capital\n---\n\
         Negotiators from three powers met in Moscow on Monday for a new round of talks.\n\n\
         The draft treaty would forbid explosions in the atmosphere and under water.\n\n\
         Diplomats said a test ban could be signed within weeks if inspections are settled.\n",
    );
    env.write(
        "repeat.txt",
        "---\ntitle: Council meeting\n---\n\
         The council discussed parking rules, the budget and the new library for an hour.\n\n\
         Moscow, Moscow, Moscow.\n\n\
         Residents left before the vote on the budget was taken late in the evening.\n",
    );
    env.write(
        "bank.txt",
        "---\ntitle: Markets\n---\n\
         The Bank of Japan held rates, and Netanyahu's visit was not on the agenda of the bank.\n\n\
         Japan exports rose while the bank in Osaka closed for the holiday.\n",
    );
    for i in 0..5 {
        env.write(
            &format!("filler{i}.txt"),
            format!(
                "---\ntitle: Weather {i}\n---\nRain is expected up north on day {i}, \
                 with wind from a westerly direction and cooler nights.\n"
            ),
        );
    }
    let summary = env.index(&env.corpus());
    assert_eq!(summary["added"], 8, "{summary}");
    env
}

#[test]
fn an_article_that_answers_over_several_paragraphs_ranks_first() {
    let env = corpus();
    // Scored passage by passage, the short "Moscow, Moscow, Moscow." would win.
    let (code, json) = env.query_json(&["Moscow treaty inspections", "--per-article", "1"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&json), vec!["spread.txt", "repeat.txt"], "{json}");
    // Its passages come best first: the one with "test ban" before the one with "Moscow".
    let (_, json) = env.query_json(&["test ban treaty Moscow", "--per-article", "3"]);
    let spread: Vec<&Value> = results(&json)
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("spread.txt"))
        .collect();
    assert_eq!(spread.len(), 3, "{json}");
    assert!(spread[0]["text"].as_str().unwrap().contains("test ban"));
    let scores: Vec<f64> = results(&json)
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn phrases_rank_and_highlight_where_the_words_stand_together() {
    let env = corpus();
    let (code, json) = env.query_json(&["\"test ban\" Moscow"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&json)[0], "spread.txt");
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert!(marks.contains(&"test ban".to_string()), "{marks:?}");
    assert!(!marks.iter().any(|m| m == "ban" || m == "Ban"), "{marks:?}");
}

#[test]
fn stop_words_neither_match_nor_light_up_on_their_own() {
    let env = corpus();
    let (_, with) = env.query_json(&["the ban", "-n", "50", "--per-article", "50"]);
    let (_, without) = env.query_json(&["ban", "-n", "50", "--per-article", "50"]);
    assert_eq!(with["total_articles"], without["total_articles"]);
    assert_eq!(paths(&with), paths(&without));
    for result in results(&with) {
        let marks = highlighted(result);
        assert!(!marks.is_empty());
        assert!(
            marks.iter().all(|m| m.eq_ignore_ascii_case("ban")),
            "{marks:?}"
        );
    }
}

#[test]
fn stop_words_count_inside_phrases_and_when_required_or_alone() {
    let env = corpus();
    let (code, json) = env.query_json(&["\"bank of japan\""]);
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 1);
    assert_eq!(highlighted(&results(&json)[0]), vec!["Bank of Japan"]);

    // A query of stop words only searches for them as written.
    let (code, json) = env.query_json(&["the of", "-n", "50"]);
    assert_eq!(code, 0);
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("the")),
        "{marks:?}"
    );

    // "+the" requires the word, so the weather reports (which lack it) drop out; without
    // the "+", "the" is dropped and only "rain" is searched.
    let (_, required) = env.query_json(&["rain +the", "-n", "50"]);
    assert_eq!(required["total_articles"], 3, "{required}");
    assert!(paths(&required).iter().all(|p| !p.starts_with("filler")));
    let (_, plain) = env.query_json(&["rain the", "-n", "50"]);
    assert_eq!(plain["total_articles"], 5, "{plain}");
    assert!(paths(&plain).iter().all(|p| p.starts_with("filler")));
}

#[test]
fn a_possessive_finds_the_plain_name() {
    let env = corpus();
    let (code, json) = env.query_json(&["Netanyahu's"]);
    assert_eq!(code, 0);
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert_eq!(marks, vec!["Netanyahu"]);
    let (_, japan) = env.query_json(&["Japan's", "-n", "50", "--per-article", "50"]);
    assert_eq!(
        results(&japan).len(),
        2,
        "both passages of bank.txt: {japan}"
    );
}
