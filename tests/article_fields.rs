//! What belongs to a whole article (title, source, dates, entities, generation) is indexed
//! on its first passage only, yet every passage answers for it: filters and field queries
//! select all passages of the articles they match, and every hit shows its own article's
//! metadata — also after articles were replaced, removed and segments merged.

mod common;

use common::TestEnv;
use serde_json::Value;

fn results(json: &Value) -> &Vec<Value> {
    json["results"].as_array().expect("results")
}

/// A JSON-lines record: the article `n` of `source`, whose passages each name it.
fn record(n: usize, source: &str, version: &str, paragraphs: usize) -> String {
    let body: Vec<String> = (0..paragraphs)
        .map(|p| format!("Paragraph {p} of story{n} tells the harvest news ({version})."))
        .collect();
    serde_json::json!({
        "id": format!("story-{n}"),
        "title": format!("Headline story{n} {source}"),
        "source": source,
        "date": format!("2024-03-{:02}", 1 + n % 28),
        "text": body.join("\n\n"),
    })
    .to_string()
}

fn source_of(n: usize) -> &'static str {
    if n.is_multiple_of(2) {
        "Even Wire"
    } else {
        "Odd Post"
    }
}

fn write_corpus(env: &TestEnv, version: &str, count: usize, skip: &[usize]) {
    let lines: Vec<String> = (0..count)
        .filter(|n| !skip.contains(n))
        .map(|n| {
            let source = source_of(n);
            record(n, source, version, 2 + n % 5)
        })
        .collect();
    env.write("stories.jsonl", lines.join("\n") + "\n");
}

/// Every hit's title and source are those of the article its text belongs to.
fn assert_hits_carry_their_article(json: &Value) {
    for hit in results(json) {
        let text = hit["text"].as_str().unwrap();
        let story = text
            .split_whitespace()
            .find(|w| w.starts_with("story"))
            .expect("the passage names its story");
        let title = hit["title"].as_str().unwrap();
        assert!(
            title.contains(&format!("{story} ")),
            "passage {text:?} shown under {title:?}"
        );
        let n: usize = story.trim_start_matches("story").parse().unwrap();
        let source = source_of(n);
        assert_eq!(hit["source"], source, "{hit}");
    }
}

#[test]
fn later_passages_answer_for_article_level_filters_and_fields() {
    let env = TestEnv::new();
    write_corpus(&env, "v1", 40, &[]);
    env.index(&env.corpus());

    // The word "harvest" is in every passage, never in a title: the source filter (held by
    // first passages only) must let passages after the first through.
    let (code, json) = env.query_json(&[
        "harvest",
        "--source",
        "odd post",
        "-n",
        "500",
        "--per-article",
        "10",
    ]);
    assert_eq!(code, 0);
    let hits = results(&json);
    assert!(hits.iter().any(|h| h["passage_index"].as_u64() > Some(0)));
    assert!(hits.iter().all(|h| h["source"] == "Odd Post"));
    assert_eq!(json["total_articles"], 20);
    // 20 odd stories with 2 + n % 5 paragraphs each.
    let expected: usize = (0..40).filter(|n| n % 2 == 1).map(|n| 2 + n % 5).sum();
    assert_eq!(hits.len(), expected);
    assert_hits_carry_their_article(&json);

    // A title word and a body word of another passage: AND holds over the article.
    let (code, json) = env.query_json(&["Headline AND \"paragraph 1\"", "-n", "100"]);
    assert_eq!(code, 0);
    assert_eq!(json["total_articles"], 40);
    assert!(results(&json).iter().all(|h| h["passage_index"] == 1));
    let (_, json) = env.query_json(&["title:story7 AND harvest", "--per-article", "10"]);
    assert_eq!(json["total_articles"], 1);
    assert_eq!(results(&json).len(), 2 + 7 % 5);
    let (_, json) = env.query_json(&["harvest -source:\"even wire\"", "-n", "500"]);
    assert_eq!(json["total_articles"], 20);

    // Publication date on the first passage; sorting by date reads it for every passage.
    let (_, json) = env.query_json(&[
        "harvest",
        "--from",
        "2024-03-10",
        "--to",
        "2024-03-10",
        "--sort",
        "date",
        "--per-article",
        "10",
    ]);
    // Stories 9 and 37 are dated the 10th.
    let stories: std::collections::BTreeSet<String> = results(&json)
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        stories.into_iter().collect::<Vec<_>>(),
        ["Headline story37 Odd Post", "Headline story9 Odd Post"]
    );
}

#[test]
fn replaced_and_removed_articles_keep_every_passage_with_its_own_article() {
    let env = TestEnv::new();
    write_corpus(&env, "v1", 60, &[]);
    env.index(&env.corpus());
    // Change every third story (so its passage count changes too), remove some, twice,
    // then rebuild: deletions, re-additions and merges move documents around.
    for (round, version) in ["v2", "v3"].iter().enumerate() {
        let lines: Vec<String> = (0..60)
            .filter(|n| n % 11 != round)
            .map(|n| {
                let source = source_of(n);
                if n % 3 == 0 {
                    record(n, source, version, 1 + (n + round) % 6)
                } else {
                    record(n, source, "v1", 2 + n % 5)
                }
            })
            .collect();
        env.write("stories.jsonl", lines.join("\n") + "\n");
        let summary = env.index(&env.corpus());
        assert!(summary["updated"].as_u64().unwrap() > 0, "{summary}");
        let (code, json) = env.query_json(&["harvest", "-n", "1000", "--per-article", "10"]);
        assert_eq!(code, 0);
        assert_hits_carry_their_article(&json);
        let (_, json) = env.query_json(&[
            "harvest",
            "--source",
            "even wire",
            "-n",
            "1000",
            "--per-article",
            "10",
        ]);
        assert!(!results(&json).is_empty());
        assert_hits_carry_their_article(&json);
        // `show` gives each passage of a changed story, with its metadata.
        let id = results(&json)
            .iter()
            .find(|h| h["title"] == "Headline story6 Even Wire")
            .map(|h| h["article_id"].as_str().unwrap().to_string())
            .expect("story6 is found");
        let output = env
            .cmd(&["show", &id, "--format", "json"])
            .output()
            .unwrap();
        let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
        let text = shown.to_string();
        assert!(text.contains(version), "{text}");
        assert!(text.contains("Headline story6 Even Wire"), "{text}");
    }
    env.index_with(&["--full"], &env.corpus());
    let (_, json) = env.query_json(&["harvest", "-n", "1000", "--per-article", "10"]);
    assert_hits_carry_their_article(&json);
}
