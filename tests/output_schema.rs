//! The output schema document matches what the program prints: every example in
//! docs/output-schema.md that names a command is compared, field by field at every level,
//! with the real output of that command on the shipped corpus.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

/// The examples of the document: the command of each `<!-- check: … -->` comment and the
/// JSON block that follows it.
fn examples() -> Vec<(String, Value)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output-schema.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("<!-- check: ") {
        rest = &rest[at + "<!-- check: ".len()..];
        let end = rest.find(" -->").expect("comment closed");
        let command = rest[..end].to_string();
        let start = rest.find("```json\n").expect("a JSON block follows") + "```json\n".len();
        let stop = rest[start..].find("```").expect("block closed") + start;
        let example: Value = serde_json::from_str(&rest[start..stop])
            .unwrap_or_else(|e| panic!("example of `{command}` is not JSON: {e}"));
        found.push((command, example));
        rest = &rest[stop..];
    }
    found
}

/// Every field path of a document (a list stands for its first element).
fn fields(value: &Value, prefix: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = format!("{prefix}.{key}");
                into.insert(path.clone());
                fields(child, &path, into);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                fields(first, &format!("{prefix}[]"), into);
            }
        }
        _ => {}
    }
}

fn paths(value: &Value) -> BTreeSet<String> {
    let mut into = BTreeSet::new();
    fields(value, "", &mut into);
    into
}

#[test]
fn every_documented_example_has_the_fields_of_the_real_output() {
    let env = TestEnv::new();
    let examples = examples();
    assert!(
        examples.len() >= 8,
        "only {} examples found",
        examples.len()
    );
    let mut indexed = false;
    for (command, example) in examples {
        let mut args: Vec<String> = command.split_whitespace().map(String::from).collect();
        if args[0] == "index" {
            args.push(shipped_corpus().display().to_string());
            indexed = true;
        } else if !indexed {
            env.index(&shipped_corpus());
            indexed = true;
        }
        if args[0] == "alert" {
            let init = env
                .cmd(&[
                    "alert",
                    "rafah",
                    "Rafah",
                    "--from",
                    "7d",
                    "--each-article",
                    "--init",
                ])
                .output()
                .unwrap();
            assert!(init.status.code().unwrap() <= 1);
        }
        if let Some(at) = args.iter().position(|a| a == "FIRST") {
            let export = env.cmd(&["export"]).output().unwrap();
            let first: Value = serde_json::from_str(
                String::from_utf8_lossy(&export.stdout)
                    .lines()
                    .next()
                    .unwrap(),
            )
            .unwrap();
            args[at] = first["article_id"].as_str().unwrap().to_string();
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = env.cmd(&refs).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "`{command}` failed");
        let stdout = String::from_utf8(output.stdout).unwrap();
        // JSON lines: every line has the fields of the example.
        let documents: Vec<Value> = if stdout.trim_start().starts_with('{')
            && stdout.lines().count() > 1
            && stdout.lines().all(|l| l.starts_with('{'))
        {
            stdout
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        } else {
            vec![serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("`{command}`: {e}: {stdout}"))]
        };
        for document in documents {
            assert_eq!(
                paths(&document),
                paths(&example),
                "`{command}`: the document's fields (left) differ from the documented ones (right)"
            );
            assert_eq!(
                document["format_version"], example["format_version"],
                "`{command}`"
            );
        }
    }
}
