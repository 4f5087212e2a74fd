//! Articles are what a query matches: Boolean logic over the whole article, phrases and
//! proximity inside one passage, passages chosen per article so that each required word
//! shows, names matching their own forms, and dates from year 1 to 9999.

mod common;

use std::collections::HashSet;

use common::{highlighted, shipped_corpus, TestEnv};
use serde_json::Value;

fn results(json: &Value) -> &Vec<Value> {
    json["results"].as_array().expect("results array")
}

fn titles(json: &Value) -> HashSet<String> {
    results(json)
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

/// A corpus of small articles written for these tests (front matter titles and dates).
fn corpus() -> TestEnv {
    let env = TestEnv::new();
    let article = |name: &str, title: &str, date: &str, body: &str| {
        env.write(
            name,
            format!("---\ntitle: {title}\ndate: {date}\n---\n{body}\n"),
        );
    };
    article(
        "harbour.txt",
        "Harbour news",
        "2024-03-01",
        "Dockers in Gdansk voted to strike over pay.\n\n\
         The port authority said talks would resume.\n\n\
         A ground crew waited. Attack dogs patrolled the fence at night.\n\n\
         Minister Ewa Nowak visited the cranes on Friday.",
    );
    article(
        "ferry.txt",
        "Ferry news",
        "2024-03-02",
        "Ferry crews in Gdansk joined the strike.\n\n\
         A ground attack by protesters on the ticket office was repelled.",
    );
    article(
        "tennis.txt",
        "Tennis news",
        "2024-03-03",
        "Roger Federer won in Basel. Federer said he was pleased.\n\n\
         Fans cheered Federer at the final.",
    );
    article(
        "budget.txt",
        "Budget news",
        "2024-03-04",
        "The federal budget was passed. Federal officials welcomed it.\n\n\
         The federal deficit will shrink, federal auditors said.",
    );
    env.index(&env.corpus());
    env
}

#[test]
fn and_across_paragraphs_finds_the_article_and_highlights_each_word() {
    let env = corpus();
    for query in ["Gdansk AND Nowak", "+Gdansk +Nowak"] {
        let (code, json) = env.query_json(&[query]);
        assert_eq!(code, 0, "{query}");
        assert_eq!(titles(&json), HashSet::from(["Harbour news".to_string()]));
        let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
        assert!(marks.iter().any(|m| m == "Gdansk"), "{query}: {marks:?}");
        assert!(marks.iter().any(|m| m == "Nowak"), "{query}: {marks:?}");
    }
}

#[test]
fn a_negated_word_anywhere_in_the_article_excludes_it() {
    let env = corpus();
    let (code, json) = env.query_json(&["Gdansk -Nowak"]);
    assert_eq!(code, 0);
    assert_eq!(titles(&json), HashSet::from(["Ferry news".to_string()]));
    let (code, json) = env.query_json(&["Gdansk NOT cranes"]);
    assert_eq!(code, 0);
    assert_eq!(titles(&json), HashSet::from(["Ferry news".to_string()]));
}

#[test]
fn a_phrase_never_crosses_a_paragraph_break_and_slack_stays_in_the_passage() {
    let env = corpus();
    // "ground crew waited. Attack" is one passage: with slack it matches; the exact
    // phrase matches only the ferry article.
    let (code, json) = env.query_json(&["\"ground attack\""]);
    assert_eq!(code, 0);
    assert_eq!(titles(&json), HashSet::from(["Ferry news".to_string()]));
    let (_, json) = env.query_json(&["\"ground attack\"~3"]);
    assert_eq!(
        titles(&json),
        HashSet::from(["Ferry news".to_string(), "Harbour news".to_string()])
    );
    // "resume" ends one paragraph and "A ground" opens the next: no phrase across them,
    // however loose.
    let (code, _) = env.query_json(&["\"resume ground\"~5"]);
    assert_eq!(code, 1);
    let (code, _) = env.query_json(&["\"pay the port\"~3"]);
    assert_eq!(code, 1);
    // Slack beyond the gap between passages is refused, not silently wrong.
    let output = env.cmd(&["query", "\"pay port\"~500"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at most 50"));
}

#[test]
fn an_entity_filter_and_a_word_in_another_paragraph_match_together() {
    let env = corpus();
    let (code, json) = env.query_json(&["strike", "--person", "Ewa Nowak"]);
    assert_eq!(code, 0);
    assert_eq!(titles(&json), HashSet::from(["Harbour news".to_string()]));
    let (code, json) = env.query_json(&["strike AND person:nowak"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(titles(&json), HashSet::from(["Harbour news".to_string()]));
}

#[test]
fn every_shown_passage_has_a_highlight() {
    let env = corpus();
    for query in [
        "Gdansk",
        "strike OR Federer",
        "Gdansk AND (Nowak OR ferry)",
        "\"ground attack\"~3",
        "feder*",
        "crane~",
        "person:federer",
    ] {
        let (code, json) = env.query_json(&[query, "--per-article", "3", "-n", "50"]);
        assert_eq!(code, 0, "{query}");
        for result in results(&json) {
            assert!(!highlighted(result).is_empty(), "{query}: {result}");
        }
    }
}

#[test]
fn a_name_does_not_match_an_unrelated_word_with_the_same_stem() {
    let env = corpus();
    let (code, json) = env.query_json(&["Federer"]);
    assert_eq!(code, 0);
    assert_eq!(titles(&json), HashSet::from(["Tennis news".to_string()]));
    assert_eq!(json["total_articles"], 1);
    // Typed in lower case it is the same name.
    let (_, json) = env.query_json(&["federer"]);
    assert_eq!(titles(&json), HashSet::from(["Tennis news".to_string()]));
    // A common word keeps its stemming: "federally" finds "federal" (and ranks it first).
    let (_, json) = env.query_json(&["federally"]);
    assert_eq!(results(&json)[0]["title"], "Budget news");
    let marks: Vec<String> = results(&json).iter().flat_map(highlighted).collect();
    assert!(marks.iter().any(|m| m == "federal"), "{marks:?}");
}

#[test]
fn the_seed_articles_answer_as_articles() {
    let env = TestEnv::new();
    env.index(&shipped_corpus());
    let (code, json) = env.query_json(&["Hezbollah AND Lapid"]);
    assert_eq!(code, 0);
    let results = results(&json);
    let articles: HashSet<&str> = results
        .iter()
        .map(|r| r["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(articles.len(), 1, "the first seed article only");
    let marks: Vec<String> = results.iter().flat_map(highlighted).collect();
    assert!(marks.contains(&"Hezbollah".to_string()), "{marks:?}");
    assert!(marks.contains(&"Lapid".to_string()), "{marks:?}");
    let (code, _) = env.query_json(&["Netanyahu -Hamas"]);
    assert_eq!(code, 1, "both seed articles mention Hamas");
}

#[test]
fn paging_and_sorting_by_date_keep_their_meaning() {
    let env = corpus();
    let (_, all) = env.query_json(&["Gdansk OR Federer OR federal", "--per-article", "1"]);
    let (_, second) = env.query_json(&[
        "Gdansk OR Federer OR federal",
        "--per-article",
        "1",
        "--offset",
        "1",
        "-n",
        "1",
    ]);
    assert_eq!(results(&second).len(), 1);
    assert_eq!(results(&second)[0]["rank"], 2);
    assert_eq!(
        results(&second)[0]["article_id"],
        results(&all)[1]["article_id"]
    );
    let (_, newest) = env.query_json(&["Gdansk OR Federer OR federal", "--sort", "date"]);
    let dates: Vec<&str> = results(&newest)
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(dates[0], "2024-03-04");
}

#[test]
fn huge_limits_and_offsets_cost_what_matched_not_what_was_asked() {
    let env = corpus();
    for args in [
        vec!["Gdansk", "-n", "999999999"],
        vec!["Gdansk", "--sort", "date", "-n", "999999999"],
        vec!["Gdansk", "--offset", "18446744073709551615"],
        vec![
            "Gdansk",
            "--offset",
            "18446744073709551615",
            "-n",
            "18446744073709551615",
        ],
    ] {
        let output = env
            .cmd(&[&["query"], args.as_slice()].concat())
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(code == Some(0) || code == Some(1), "{args:?}: {code:?}");
    }
}

#[test]
fn dates_from_year_one_to_9999_are_stored_filtered_sorted_and_bucketed() {
    let env = TestEnv::new();
    for (name, date) in [
        ("hastings.txt", "1066-10-14"),
        ("future.txt", "2999-01-01"),
        ("recent.txt", "2024-03-25"),
        ("first.txt", "0001-01-01"),
    ] {
        env.write(
            name,
            format!("---\ntitle: Battle {date}\ndate: {date}\n---\nThe battle was fought.\n"),
        );
    }
    env.index(&env.corpus());
    let dates = |args: &[&str]| -> Vec<String> {
        let (_, json) = env.query_json(&[&["battle", "--sort", "date"], args].concat());
        results(&json)
            .iter()
            .map(|r| r["date"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        dates(&[]),
        ["2999-01-01", "2024-03-25", "1066-10-14", "0001-01-01"]
    );
    assert_eq!(
        dates(&["--to", "2300"]),
        ["2024-03-25", "1066-10-14", "0001-01-01"]
    );
    assert_eq!(dates(&["--from", "2263"]), ["2999-01-01"]);
    assert_eq!(dates(&["--from", "1000", "--to", "1100"]), ["1066-10-14"]);
    assert_eq!(dates(&["--to", "0001-01-01"]), ["0001-01-01"]);
    let output = env
        .cmd(&[
            "facets",
            "--format",
            "json",
            "--interval",
            "year",
            "--from",
            "1000",
            "--to",
            "1070",
        ])
        .output()
        .unwrap();
    let facets: Value = serde_json::from_slice(&output.stdout).unwrap();
    let buckets = facets["facets"]["date"].as_array().unwrap();
    let hastings = buckets.iter().find(|b| b["key"] == "1066").unwrap();
    assert_eq!(hastings["count"], 1);
    let output = env.cmd(&["stats", "--format", "json"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["first_date"], "0001-01-01");
    assert_eq!(stats["last_date"], "2999-01-01");
}
