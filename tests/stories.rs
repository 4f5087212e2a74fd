//! Stories: copies and reports of one event from several outlets are one story, with a
//! stable id; queries show each story once, `stories` lists them, alerts report a story
//! once; incremental runs and a rebuild agree.

mod common;

use std::collections::{HashMap, HashSet};

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

const WIRE: &str = "Dockers at the port of Gdansk walked out on Tuesday over pay, halting \
    container traffic at Poland's busiest harbour. The Solidarity union said the strike would \
    last until the port authority agreed to talks on wages and shift patterns. Port director \
    Ewa Nowak said ships were being diverted to Gdynia and that she hoped to meet union \
    leaders on Wednesday. Shipping lines warned of delays of up to a week for cargo bound \
    for central Europe.";

/// An article file with front matter.
fn article(env: &TestEnv, name: &str, title: &str, source: &str, date: &str, body: &str) {
    env.write(
        name,
        format!("---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n{body}\n"),
    );
}

/// Three outlets carrying the same wire copy (with small edits), and an unrelated story
/// about the same person weeks later.
fn corpus(env: &TestEnv) {
    article(
        env,
        "a.txt",
        "Gdansk dockers strike over pay",
        "Wire One",
        "2024-03-05",
        WIRE,
    );
    article(
        env,
        "b.txt",
        "Port of Gdansk halted as dockers strike",
        "Daily Two",
        "2024-03-05",
        &WIRE.replace("busiest harbour", "largest port"),
    );
    article(
        env,
        "c.txt",
        "Strike at Gdansk port",
        "Radio Three",
        "2024-03-06",
        &format!("{WIRE} The union has called a rally for Thursday."),
    );
    article(
        env,
        "later.txt",
        "Ewa Nowak opens a sailing museum in Sopot",
        "Daily Two",
        "2024-04-20",
        "Ewa Nowak, the former port director, opened a sailing museum in Sopot on Saturday. \
         The museum shows wooden yachts built in the city's yards since 1920 and a collection \
         of maritime paintings lent by private owners. Visitors queued along the pier.",
    );
}

/// Each exported article's story id, by file name.
fn stories_by_file(env: &TestEnv) -> HashMap<String, String> {
    let output = env.cmd(&["export"]).output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|a| {
            let file = a["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (file, a["story"]["id"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn copies_form_one_story_and_another_event_stays_apart() {
    let env = TestEnv::new();
    corpus(&env);
    env.index(&env.corpus());
    let stories = stories_by_file(&env);
    assert_eq!(stories["a.txt"], stories["b.txt"]);
    assert_eq!(stories["a.txt"], stories["c.txt"]);
    assert_ne!(
        stories["a.txt"], stories["later.txt"],
        "another event, weeks later"
    );

    // A query shows the story once, naming the other outlets.
    let (code, json) = env.query_json(&["Gdansk", "--group", "story"]);
    assert_eq!(code, 0);
    let results = json["results"].as_array().unwrap();
    let shown: HashSet<&str> = results
        .iter()
        .map(|r| r["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(shown.len(), 1, "{json}");
    let story = &results[0]["story"];
    assert_eq!(story["size"], 3);
    assert_eq!(story["articles"].as_array().unwrap().len(), 2);
    let sources: HashSet<&str> = story["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        HashSet::from(["Wire One", "Daily Two", "Radio Three"])
    );
    let text = env.cmd(&["query", "Gdansk"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("also reported by: "), "{text}");
    // By article, all three.
    let (_, json) = env.query_json(&["Gdansk", "--group", "article", "--per-article", "1"]);
    assert_eq!(json["results"].as_array().unwrap().len(), 3);
    // Facets count the distinct stories.
    let output = env
        .cmd(&["facets", "Gdansk OR Sopot", "--format", "json"])
        .output()
        .unwrap();
    let facets: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(facets["total_articles"], 4);
    assert_eq!(facets["facets"]["stories"], 2);
}

#[test]
fn stories_lists_them_biggest_first_and_show_names_the_story() {
    let env = TestEnv::new();
    corpus(&env);
    env.index(&env.corpus());
    let output = env.cmd(&["stories", "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed["total_stories"], 2);
    let first = &listed["stories"][0];
    assert_eq!(first["size"], 3);
    assert!(first["people"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "Ewa Nowak"));
    assert!(first["places"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "Gdynia"));
    let output = env
        .cmd(&["stories", "Sopot", "--format", "json"])
        .output()
        .unwrap();
    let matched: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(matched["total_stories"], 1);
    assert_eq!(matched["stories"][0]["size"], 1);

    let (_, json) = env.query_json(&["Gdansk", "--group", "article", "-n", "1"]);
    let id = json["results"][0]["article_id"].as_str().unwrap();
    let output = env.cmd(&["show", id, "--format", "json"]).output().unwrap();
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["story"]["size"], 3);
    assert_eq!(shown["story"]["articles"].as_array().unwrap().len(), 3);
    let output = env.cmd(&["stats", "--format", "json"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["stories"], 2);
    assert_eq!(stats["largest_stories"][0]["size"], 3);
}

#[test]
fn an_edited_article_keeps_its_story_and_a_removed_one_leaves_it() {
    let env = TestEnv::new();
    corpus(&env);
    env.index(&env.corpus());
    let before = stories_by_file(&env);
    article(
        &env,
        "b.txt",
        "Port of Gdansk halted as dockers strike",
        "Daily Two",
        "2024-03-05",
        &WIRE.replace("busiest harbour", "biggest harbour and a key rail hub"),
    );
    env.index(&env.corpus());
    let edited = stories_by_file(&env);
    assert_eq!(edited["b.txt"], before["b.txt"], "the edit keeps its story");
    assert_eq!(edited["a.txt"], before["a.txt"]);
    std::fs::remove_file(env.corpus().join("c.txt")).unwrap();
    env.index(&env.corpus());
    let after = stories_by_file(&env);
    assert!(!after.contains_key("c.txt"));
    let (_, json) = env.query_json(&["Gdansk", "--group", "story"]);
    assert_eq!(json["results"][0]["story"]["size"], 2);
}

#[test]
fn incremental_runs_and_a_rebuild_give_the_same_stories() {
    let incremental = TestEnv::new();
    corpus(&incremental);
    // Index in three runs, newest first, then the rest.
    let files = ["later.txt", "c.txt", "a.txt", "b.txt"];
    let hidden = incremental.dir.path().join("hidden");
    std::fs::create_dir_all(&hidden).unwrap();
    for file in &files[1..] {
        std::fs::rename(incremental.corpus().join(file), hidden.join(file)).unwrap();
    }
    incremental.index(&incremental.corpus());
    for file in &files[1..] {
        std::fs::rename(hidden.join(file), incremental.corpus().join(file)).unwrap();
        incremental.index(&incremental.corpus());
    }
    let step_by_step = stories_by_file(&incremental);
    incremental.index_with(&["--full"], &incremental.corpus());
    let rebuilt = stories_by_file(&incremental);
    // The same grouping; the ids may differ, as a story keeps the id it was first given
    // when an earlier article joins it later, and a rebuild gives every story the id of
    // its earliest article.
    assert_eq!(groups(&step_by_step), groups(&rebuilt));
    // Another folder gives other ids, and the same grouping.
    let fresh = TestEnv::new();
    corpus(&fresh);
    fresh.index(&fresh.corpus());
    assert_eq!(groups(&stories_by_file(&fresh)), groups(&rebuilt));
}

/// The files of each story, whatever the stories' ids.
fn groups(stories: &HashMap<String, String>) -> HashSet<Vec<String>> {
    let mut by_story: HashMap<&str, Vec<String>> = HashMap::new();
    for (file, story) in stories {
        by_story.entry(story).or_default().push(file.clone());
    }
    by_story
        .into_values()
        .map(|mut files| {
            files.sort();
            files
        })
        .collect()
}

#[test]
fn an_alert_reports_a_story_once_and_each_article_when_asked() {
    let env = TestEnv::new();
    article(
        &env,
        "other.txt",
        "Ferry news",
        "Wire One",
        "2024-03-01",
        "Ferries ran late.",
    );
    env.index(&env.corpus());
    for args in [
        vec!["alert", "port", "Gdansk", "--init"],
        vec!["alert", "every", "Gdansk", "--each-article", "--init"],
    ] {
        assert_eq!(env.cmd(&args).output().unwrap().status.code(), Some(0));
    }
    let reported = |name: &str| -> (i32, Vec<Value>) {
        let output = env
            .cmd(&["alert", name, "--format", "jsonl"])
            .output()
            .unwrap();
        let lines = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (output.status.code().unwrap(), lines)
    };
    article(
        &env,
        "a.txt",
        "Gdansk dockers strike over pay",
        "Wire One",
        "2024-03-05",
        WIRE,
    );
    env.index(&env.corpus());
    let (code, first) = reported("port");
    assert_eq!(code, 0);
    let articles: HashSet<&str> = first
        .iter()
        .map(|l| l["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(articles.len(), 1);
    assert_eq!(reported("every").0, 0);

    // A second outlet joins the story: not news to the story alert, news to the other.
    article(
        &env,
        "b.txt",
        "Port of Gdansk halted as dockers strike",
        "Daily Two",
        "2024-03-05",
        &WIRE.replace("busiest harbour", "largest port"),
    );
    env.index(&env.corpus());
    let (code, second) = reported("port");
    assert_eq!(
        (code, second.len()),
        (1, 0),
        "the story was reported: {second:?}"
    );
    let (code, every) = reported("every");
    assert_eq!(code, 0);
    assert!(
        every
            .iter()
            .all(|l| l["path"].as_str().unwrap().ends_with("b.txt")),
        "{every:?}"
    );
}

#[test]
fn the_seed_articles_are_one_story() {
    let env = TestEnv::new();
    env.index(&shipped_corpus());
    let output = env.cmd(&["stories", "--format", "json"]).output().unwrap();
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed["total_stories"], 1);
    assert_eq!(listed["stories"][0]["size"], 2);
    let (code, json) = env.query_json(&["Rafah", "--group", "story"]);
    assert_eq!(code, 0);
    let shown: HashSet<&str> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(shown.len(), 1, "the story is shown once");
    let other = &json["results"][0]["story"]["articles"][0];
    assert!(other.is_string() && !shown.contains(other.as_str().unwrap()));
}

#[test]
fn an_index_without_stories_shows_every_article_on_its_own() {
    let env = TestEnv::new();
    corpus(&env);
    env.index_with(&["--no-stories"], &env.corpus());
    let output = env.cmd(&["stories", "--format", "json"]).output().unwrap();
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed["total_stories"], 0);
    let (_, json) = env.query_json(&["Gdansk", "--group", "story", "--per-article", "1"]);
    assert_eq!(json["results"].as_array().unwrap().len(), 3);
    assert!(json["results"][0]["story"].is_null());
    assert!(!std::fs::read_dir(env.index_dir())
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("stories-")));
}
