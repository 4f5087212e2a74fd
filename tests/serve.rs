//! `newsearch serve`: the real server on a free port over a temporary index; status codes,
//! the JSON documents (checked against the OpenAPI document the server publishes), errors,
//! safety headers and picking up a new commit without a restart.

mod common;
#[path = "common/server.rs"]
mod server;

use std::time::{Duration, Instant};

use common::{shipped_corpus, TestEnv};
use serde_json::Value;
use server::Server;

/// Status, headers of interest and body of a GET.
fn get(server: &Server, path: &str) -> (u16, ureq::Response) {
    let url = format!("{}{path}", server.base);
    match ureq::get(&url).call() {
        Ok(response) => (response.status(), response),
        Err(ureq::Error::Status(status, response)) => (status, response),
        Err(error) => panic!("{url}: {error}"),
    }
}

fn get_json(server: &Server, path: &str) -> (u16, Value) {
    let (status, response) = get(server, path);
    assert_eq!(
        response.content_type(),
        "application/json",
        "{path} answers JSON"
    );
    (status, response.into_json().unwrap())
}

/// Checks `value` against an OpenAPI schema (the subset the document uses: `$ref`, type,
/// nullable, required, properties, items, enum). Returns the problems found.
fn check(value: &Value, schema: &Value, spec: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return check(
            value,
            &spec["components"]["schemas"][name],
            spec,
            at,
            problems,
        );
    }
    if value.is_null() {
        if schema["nullable"] != Value::Bool(true) {
            problems.push(format!("{at}: null where the schema does not allow it"));
        }
        return;
    }
    let fits = match schema["type"].as_str() {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !fits {
        problems.push(format!("{at}: {value} is not a {}", schema["type"]));
        return;
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(value) {
            problems.push(format!("{at}: {value} is not one of {options:?}"));
        }
    }
    if let Some(object) = value.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                problems.push(format!("{at}: missing {key}"));
            }
        }
        let properties = schema["properties"].as_object();
        for (key, child) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(child_schema) => {
                    check(child, child_schema, spec, &format!("{at}.{key}"), problems)
                }
                None => problems.push(format!("{at}: {key} is not in the schema")),
            }
        }
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            check(
                item,
                &schema["items"],
                spec,
                &format!("{at}[{i}]"),
                problems,
            );
        }
    }
}

/// The schema of a path's response for a status (its JSON content).
fn response_schema<'a>(spec: &'a Value, path: &str, status: u16) -> &'a Value {
    let response = &spec["paths"][path]["get"]["responses"][status.to_string()];
    let response = match response["$ref"].as_str() {
        Some(reference) => {
            &spec["components"]["responses"]
                [reference.trim_start_matches("#/components/responses/")]
        }
        None => response,
    };
    &response["content"]["application/json"]["schema"]
}

fn assert_conforms(spec: &Value, path: &str, status: u16, value: &Value) {
    let mut problems = Vec::new();
    let schema = response_schema(spec, path, status);
    assert!(!schema.is_null(), "{path} {status} is documented");
    check(value, schema, spec, path, &mut problems);
    assert!(problems.is_empty(), "{path} {status}: {problems:#?}");
}

fn seeded_server() -> (TestEnv, Server) {
    let env = TestEnv::new();
    env.index(&shipped_corpus());
    let server = Server::start(&env);
    (env, server)
}

#[test]
fn every_endpoint_answers_the_documented_json() {
    let (env, server) = seeded_server();
    let (status, spec) = get_json(&server, "/api/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"], "3.0.3");

    let (status, health) = get_json(&server, "/api/health");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/health", 200, &health);
    assert_eq!(health["articles"], 2);

    let (status, results) = get_json(&server, "/api/search?q=Rafah&facets=true&n=3&group=article");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/search", 200, &results);
    assert_eq!(results["total_articles"], 2);
    // The same document the command line prints.
    let (_, cli) = env.query_json(&["Rafah", "--facets", "-n", "3"]);
    assert_eq!(results, cli);

    let (status, facets) = get_json(&server, "/api/facets?q=Rafah&person=Netanyahu&top=3");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/facets", 200, &facets);

    let id = results["results"][0]["article_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, article) = get_json(&server, &format!("/api/articles/{id}"));
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/articles/{id}", 200, &article);
    assert_eq!(article["article_id"], id.as_str());

    let (status, stories) = get_json(&server, "/api/stories?q=Rafah&articles=3");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/stories", 200, &stories);
    assert_eq!(stories["stories"][0]["size"], 2);

    // Grouped by story (the page's view): one story of two articles, counted as both.
    let (status, grouped) = get_json(&server, "/api/search?q=Rafah&group=story");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/search", 200, &grouped);
    assert_eq!(grouped["total_articles"], 2);
    assert_eq!(grouped["total_stories"], 1);
    assert_eq!(results["total_stories"], Value::Null);

    // Filters alone list the articles they select, newest first.
    let (status, listed) = get_json(&server, "/api/search?person=Netanyahu&group=article");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/search", 200, &listed);
    let dates: Vec<&str> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert!(!dates.is_empty(), "{listed}");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");

    let (status, stats) = get_json(&server, "/api/stats");
    assert_eq!(status, 200);
    assert_conforms(&spec, "/api/stats", 200, &stats);

    let (status, response) = get(
        &server,
        "/api/search?q=Rafah&format=text&highlight=html&n=1",
    );
    assert_eq!(status, 200);
    assert!(response.content_type().starts_with("text/plain"));
    assert!(response
        .into_string()
        .unwrap()
        .contains("<mark>Rafah</mark>"));
}

#[test]
fn errors_say_what_is_wrong_with_the_right_status() {
    let (env, server) = seeded_server();
    let (_, spec) = get_json(&server, "/api/openapi.json");
    // A bad query: 400 and the message the command line gives.
    let (status, error) = get_json(&server, "/api/search?q=%28Rafah");
    assert_eq!(status, 400);
    assert_conforms(&spec, "/api/search", 400, &error);
    let cli = env.cmd(&["query", "(Rafah"]).output().unwrap();
    let cli_message = String::from_utf8_lossy(&cli.stderr);
    assert!(
        cli_message.contains(error["error"].as_str().unwrap()),
        "{cli_message} / {error}"
    );
    for path in [
        "/api/search",
        "/api/search?q=Rafah&limit=0",
        "/api/search?q=Rafah&limit=abc",
        "/api/search?q=Rafah&lmit=3",
        "/api/search?q=Rafah&from=someday",
        "/api/search?q=Rafah&sort=random",
        "/api/facets?interval=decade",
        "/api/stats?x=1",
    ] {
        let (status, error) = get_json(&server, path);
        assert_eq!(status, 400, "{path}: {error}");
        assert!(!error["error"].as_str().unwrap().is_empty());
    }
    let long = format!("/api/search?q={}", "a".repeat(5000));
    assert_eq!(get_json(&server, &long).0, 400);
    for path in [
        "/api/articles/0000000000000000",
        "/api/articles/not-an-id",
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/nothing",
    ] {
        let (status, error) = get_json(&server, path);
        assert_eq!(status, 404, "{path}");
        assert!(error["error"].is_string());
    }
}

#[test]
fn responses_carry_a_strict_content_security_policy_and_no_cors() {
    let (_env, server) = seeded_server();
    for path in ["/", "/api/search?q=Rafah", "/api/health", "/app.js"] {
        let (status, response) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        let policy = response
            .header("content-security-policy")
            .unwrap_or_default();
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("access-control-allow-origin"), None);
    }
}

#[test]
fn a_new_commit_is_served_without_a_restart() {
    let (env, server) = seeded_server();
    let (_, before) = get_json(&server, "/api/search?q=Gdansk");
    assert_eq!(before["total_articles"], 0);
    env.write("gdansk.txt", "Dockers in Gdansk walked out over pay.\n");
    env.index(&env.corpus());
    let started = Instant::now();
    loop {
        let (status, after) = get_json(&server, "/api/search?q=Gdansk");
        assert_eq!(status, 200);
        if after["total_articles"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{after}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serving_a_missing_index_fails_at_once_with_the_reason() {
    let env = TestEnv::new();
    let output = env
        .cmd(&["serve", "--addr", "127.0.0.1:0"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no index at"));
}
