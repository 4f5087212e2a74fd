//! People, organisations and places: facets, filters, the query language, `show`,
//! `export`, and alias resolution that stays right as the corpus grows.

mod common;

use std::collections::HashSet;

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

fn facets(env: &TestEnv, args: &[&str]) -> Value {
    let output = env
        .cmd(&["facets", "--format", "json", "--top", "100"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// (name, count) of every entity of a kind.
fn entities(facets: &Value, kind: &str) -> Vec<(String, u64)> {
    facets["facets"][kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind} in {facets}"))
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn article_ids(json: &Value) -> HashSet<String> {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["article_id"].as_str().unwrap().to_string())
        .collect()
}

fn story(title: &str, text: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2024-03-25\n---\n{text}\n")
}

#[test]
fn the_seed_articles_share_their_main_entities_each_counted_once() {
    let env = TestEnv::new();
    env.index(&shipped_corpus());
    let all = facets(&env, &[]);
    let people = entities(&all, "person");
    let orgs = entities(&all, "org");
    let places = entities(&all, "place");
    let count_of = |list: &[(String, u64)], word: &str| -> Vec<u64> {
        list.iter()
            .filter(|(name, _)| name.split_whitespace().any(|w| w == word))
            .map(|(_, count)| *count)
            .collect()
    };
    // One entity each (a second entry with the same surname would be a split), in both.
    for surname in ["Netanyahu", "Kirby", "Austin", "Gallant", "Blinken"] {
        assert_eq!(count_of(&people, surname), vec![2], "{surname}: {people:?}");
    }
    for (list, name) in [
        (&orgs, "Hamas"),
        (&orgs, "White House"),
        (&places, "Rafah"),
        (&places, "Gaza"),
        (&places, "Israel"),
        (&places, "United States"),
        (&places, "Washington"),
    ] {
        let found: Vec<&(String, u64)> = list.iter().filter(|(n, _)| n == name).collect();
        assert_eq!(found.len(), 1, "{name}: {list:?}");
        assert_eq!(found[0].1, 2, "{name}: {list:?}");
    }
    let names: Vec<&String> = people
        .iter()
        .chain(&orgs)
        .chain(&places)
        .map(|(n, _)| n)
        .collect();
    for non_entity in [
        "Monday",
        "Tuesday",
        "March",
        "May",
        "Israeli",
        "Palestinian",
        "Secretary",
        "Minister",
        "Instead",
        "According",
    ] {
        assert!(
            !names
                .iter()
                .any(|n| n.split_whitespace().any(|w| w == non_entity)),
            "{non_entity} is not an entity: {names:?}"
        );
    }
    // The United States' variants are its aliases.
    let us = all["facets"]["place"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "United States")
        .unwrap();
    let aliases: Vec<&str> = us["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(aliases.contains(&"US"), "{aliases:?}");
}

#[test]
fn person_filters_keep_only_articles_that_mention_the_person() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        story(
            "Talks",
            "Prime Minister Benjamin Netanyahu rejected a ceasefire proposal on Monday.",
        ),
    );
    env.write(
        "b.md",
        story(
            "Vote",
            "Mr Netanyahu said the ceasefire vote hurt Israel. Netanyahu spoke in Jerusalem.",
        ),
    );
    env.write(
        "c.md",
        story(
            "Aid",
            "Aid groups called for a ceasefire in Gaza, said Martin Griffiths of the United Nations.",
        ),
    );
    env.index(&env.corpus());
    let (code, everything) = env.query_json(&["ceasefire"]);
    assert_eq!(code, 0);
    assert_eq!(article_ids(&everything).len(), 3);

    let (code, his) = env.query_json(&["ceasefire", "--person", "Netanyahu"]);
    assert_eq!(code, 0);
    assert_eq!(article_ids(&his).len(), 2, "{his}");
    let (_, by_full_name) = env.query_json(&["ceasefire", "--person", "benjamin netanyahu"]);
    assert_eq!(article_ids(&by_full_name), article_ids(&his));
    let (_, in_query) = env.query_json(&["ceasefire AND person:Netanyahu"]);
    assert_eq!(article_ids(&in_query), article_ids(&his));
    let (_, excluded) = env.query_json(&["ceasefire -person:Netanyahu"]);
    assert_eq!(article_ids(&excluded).len(), 1);
    assert!(article_ids(&excluded).is_disjoint(&article_ids(&his)));

    assert_eq!(
        env.query_json(&["ceasefire", "--person", "Hunter Biden"]).0,
        1
    );
    assert_eq!(env.query_json(&["ceasefire AND place:Atlantis"]).0, 1);
    // Filters combine: all must hold.
    assert_eq!(
        env.query_json(&[
            "ceasefire",
            "--person",
            "Netanyahu",
            "--person",
            "Martin Griffiths"
        ])
        .0,
        1
    );
}

#[test]
fn a_full_name_indexed_later_merges_with_surname_only_mentions() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        story(
            "Cabinet",
            "Mr Netanyahu told the cabinet on Sunday that talks would go on.",
        ),
    );
    env.index(&env.corpus());
    let before = entities(&facets(&env, &[]), "person");
    assert_eq!(before, vec![("Netanyahu".to_string(), 1)]);

    env.write(
        "b.md",
        story(
            "Visit",
            "Prime Minister Benjamin Netanyahu cancelled a visit to Washington.",
        ),
    );
    env.index(&env.corpus());
    let after = entities(&facets(&env, &[]), "person");
    assert_eq!(
        after,
        vec![("Benjamin Netanyahu".to_string(), 2)],
        "{after:?}"
    );
    let (code, json) = env.query_json(&["talks OR visit", "--person", "Benjamin Netanyahu"]);
    assert_eq!(code, 0);
    assert_eq!(article_ids(&json).len(), 2);
}

#[test]
fn people_who_share_a_surname_stay_apart() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        story(
            "Pardon",
            "President Joe Biden spoke about the pardon on Sunday.",
        ),
    );
    env.write(
        "b.md",
        story("Trial", "Hunter Biden appeared in court in Delaware."),
    );
    env.index(&env.corpus());
    let people = entities(&facets(&env, &[]), "person");
    let names: HashSet<&str> = people.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains("Joe Biden") && names.contains("Hunter Biden"),
        "{people:?}"
    );
    let (_, joe) = env.query_json(&["pardon OR court", "--person", "Joe Biden"]);
    assert_eq!(article_ids(&joe).len(), 1);
}

#[test]
fn show_and_export_carry_entities_under_their_corpus_names() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        story(
            "Vote",
            "The U.S. abstained at the United Nations. Secretary of State Antony Blinken said the US would keep talking.",
        ),
    );
    env.index(&env.corpus());
    let output = env.cmd(&["export", "--format", "jsonl"]).output().unwrap();
    let line: Value = serde_json::from_slice(&output.stdout).unwrap();
    let places: Vec<&str> = line["entities"]["place"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(places, ["United States"], "{line}");
    assert_eq!(line["entities"]["person"][0], "Antony Blinken");
    assert!(line["entities"]["org"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "United Nations"));

    let id = line["article_id"].as_str().unwrap();
    let output = env.cmd(&["show", id, "--format", "json"]).output().unwrap();
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    let us = shown["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "United States")
        .expect("the United States in show");
    assert_eq!(us["kind"], "place");
    let mentions: Vec<&str> = us["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(mentions, ["U.S.", "US"]);
}
