//! `newsearch index` on temporary corpora: metadata, bad files, re-runs and errors.

mod common;

use std::fs;

use common::TestEnv;

#[test]
fn bad_files_are_reported_and_good_ones_indexed() {
    let env = TestEnv::new();
    env.write("good.txt", "Rafah crossing reopened on Monday.\n");
    env.write("empty.txt", "");
    env.write("blank.md", "  \n\n  ");
    env.write("binary.txt", b"\x7fELF\x02\x01\x00\x00\x00binary\x00stuff");
    env.write(
        "latin1.txt",
        b"Caf\xe9 owners in Rafah said trade had stopped.\n",
    );
    env.write("photo.jpg", b"\xff\xd8\xff");
    let locked = env.corpus().join("locked");
    fs::create_dir_all(&locked).unwrap();
    env.write("locked/inside.txt", "Secret Rafah memo.\n");
    set_mode(&locked, 0o000);
    let locked_is_unreadable = fs::read_dir(&locked).is_err();

    let output = env
        .cmd(&["index", "--json"])
        .arg(env.corpus())
        .output()
        .unwrap();
    set_mode(&locked, 0o755);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    for (file, reason) in [
        ("empty.txt", "empty file"),
        ("blank.md", "empty file"),
        ("binary.txt", "binary file"),
        ("latin1.txt", "Windows-1252"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported: {stderr}"));
        assert!(line.contains(reason), "{line}");
        assert_eq!(
            stderr.matches(file).count(),
            1,
            "{file} reported once: {stderr}"
        );
    }
    assert!(
        !stderr.contains("photo.jpg"),
        "other file kinds are ignored quietly"
    );
    if locked_is_unreadable {
        assert!(
            stderr.contains("locked") && stderr.contains("permission denied"),
            "{stderr}"
        );
        assert_eq!(summary["added"], 2);
    } else {
        // Running as root: permission bits do not stop the walk, the file inside is read.
        assert_eq!(summary["added"], 3);
    }
    assert_eq!(summary["skipped"], if locked_is_unreadable { 4 } else { 3 });
    assert_eq!(summary["ignored"], 1);

    let (code, json) = env.query_json(&["café"]);
    assert_eq!(
        code, 0,
        "the Latin-1 file is searchable with its accent folded"
    );
    assert!(json["results"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Café owners"));
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn front_matter_and_side_car_files_give_metadata() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        "---\ntitle: Ceasefire vote\ndate: March 25, 2024\nsource: Example Wire\nurl: https://example.org/a\nauthor: A. Writer\n---\nThe council voted for a ceasefire.\n",
    );
    env.write("b.txt", "The council met again on Tuesday.\n");
    env.write(
        "b.txt.meta.yaml",
        "title: Council meets\ndate: 2024-03-26\n",
    );
    env.index(&env.corpus());

    let (_, json) = env.query_json(&["ceasefire"]);
    let hit = &json["results"][0];
    assert_eq!(hit["title"], "Ceasefire vote");
    assert_eq!(hit["date"], "2024-03-25");
    assert_eq!(hit["source"], "Example Wire");
    assert!(
        !hit["text"].as_str().unwrap().contains("title:"),
        "front matter is not body"
    );

    let (_, json) = env.query_json(&["council", "--source", "example wire"]);
    assert_eq!(json["total_articles"], 1, "the source filter folds case");

    let (_, json) = env.query_json(&["Tuesday"]);
    assert_eq!(json["results"][0]["title"], "Council meets");
    assert_eq!(json["results"][0]["date"], "2024-03-26");
}

#[test]
fn an_unreadable_date_is_a_warning_and_the_article_stays() {
    let env = TestEnv::new();
    env.write("a.txt", "---\ndate: someday soon\n---\nRafah talks.\n");
    let output = env.cmd(&["index"]).arg(env.corpus()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a.txt") && stderr.contains("someday soon"),
        "{stderr}"
    );
    let (code, json) = env.query_json(&["Rafah"]);
    assert_eq!(code, 0);
    assert!(json["results"][0]["date"].is_null());
}

#[test]
fn re_indexing_replaces_articles_instead_of_duplicating_them() {
    let env = TestEnv::new();
    let file = env.write("a.txt", "Rafah talks began.\n\nThey went on.\n");
    let first = env.index(&env.corpus());
    assert_eq!(first["added"], 1);
    fs::write(&file, "Rafah talks ended.\n").unwrap();
    let second = env.index(&env.corpus());
    assert_eq!(second["added"], 0);
    assert_eq!(second["updated"], 1);
    assert_eq!(second["articles"], 1);
    assert_eq!(second["passages"], 1);
    let (_, json) = env.query_json(&["Rafah"]);
    assert_eq!(json["results"].as_array().unwrap().len(), 1);
    assert_eq!(json["results"][0]["text"], "Rafah talks ended.");

    let full = env.index(&env.corpus());
    assert_eq!(full["articles"], 1);
    let rebuilt = env.index_with(&["--full"], &env.corpus());
    assert_eq!(rebuilt["added"], 1, "--full starts from nothing");
    assert_eq!(rebuilt["articles"], 1);
}

#[test]
fn a_missing_path_is_a_fatal_error_that_names_it() {
    let env = TestEnv::new();
    let output = env.cmd(&["index", "no/such/folder"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/folder"));
}

#[test]
fn querying_without_an_index_says_where_it_looked_and_how_to_build_one() {
    let env = TestEnv::new();
    let output = env.cmd(&["query", "Rafah"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&env.index_dir().display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("newsearch index"), "{stderr}");
}

#[test]
fn an_index_of_another_schema_version_must_be_rebuilt() {
    let env = TestEnv::new();
    env.write("a.txt", "Rafah.\n");
    env.index(&env.corpus());
    fs::write(
        env.index_dir().join("newsearch.json"),
        r#"{"schema_version": 999, "written_by": "newsearch 9"}"#,
    )
    .unwrap();
    let output = env.cmd(&["query", "Rafah"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("999") && stderr.contains("--full"),
        "{stderr}"
    );
}

#[test]
fn the_json_summary_on_stdout_and_nothing_else() {
    let env = TestEnv::new();
    env.write("a.txt", "Rafah.\n");
    let output = env
        .cmd(&["index", "--json"])
        .arg(env.corpus())
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "added",
        "updated",
        "removed",
        "unchanged",
        "skipped",
        "elapsed_ms",
        "schema_version",
    ] {
        assert!(summary.get(key).is_some(), "{key} missing from {summary}");
    }
    let quiet = env
        .cmd(&["index", "-q"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
}
