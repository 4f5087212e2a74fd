//! `newsearch index` on every format it reads: text, Markdown, JSON, JSON lines (gzipped),
//! CSV and HTML side by side; field options; standard input; encodings; boilerplate.

mod common;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use common::{shipped_corpus, TestEnv};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Every article in the index, by title, from `export`.
fn articles_by_title(env: &TestEnv) -> HashMap<String, Value> {
    let output = env.cmd(&["export"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let article: Value = serde_json::from_str(line).unwrap();
            (article["title"].as_str().unwrap().to_string(), article)
        })
        .collect()
}

/// `newsearch show ID --format json`.
fn show(env: &TestEnv, id: &str) -> Value {
    let output = env.cmd(&["show", id, "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "show {id}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn mixed_folder(env: &TestEnv) {
    for name in [
        "wire.txt",
        "notes.md",
        "articles.json",
        "table.csv",
        "page.html",
    ] {
        env.write(name, fixture(name));
    }
    env.write("feeds/feed.jsonl.gz", gzip(&fixture("feed.jsonl")));
}

#[test]
fn a_folder_mixing_every_format_indexes_them_all_with_their_metadata() {
    let env = TestEnv::new();
    mixed_folder(&env);
    let summary = env.index(&env.corpus());
    assert_eq!(summary["files"], 6);
    assert_eq!(summary["added"], 9);
    assert_eq!(summary["warnings"], 0);
    assert_eq!(
        summary["boilerplate_lines"], 1,
        "the page's Advertisement line"
    );

    let articles = articles_by_title(&env);
    // title → (file, record, date, source, a sentence of the text)
    let expected = [
        (
            "Port strike enters second week",
            "wire.txt",
            None,
            "2024-04-02",
            "Harbour Wire",
            "Union leaders said talks with the port authority would resume on Thursday.",
        ),
        (
            "Glacier survey finds faster melting",
            "notes.md",
            None,
            "2024-04-03",
            "alpine-observer.example",
            "The team compared drone images with survey markers placed in 1990.",
        ),
        (
            "Wheat prices climb after frost",
            "articles.json",
            Some(1),
            "2024-04-04",
            "Grain Desk",
            "Traders expect further gains if the cold persists.",
        ),
        (
            "Ferry service restored to the islands",
            "articles.json",
            Some(2),
            "2024-04-04",
            "Coastal Times",
            "The island ferry resumed sailing on Wednesday after repairs to its propeller shaft.",
        ),
        (
            "Library reopens after flood repairs",
            "feed.jsonl.gz",
            Some(1),
            "2024-04-05",
            "citynews.example",
            "The central library reopened its doors on Friday, two years after floodwater ruined its lower floors.",
        ),
        (
            "Marathon route changed for roadworks",
            "feed.jsonl.gz",
            Some(2),
            "2024-04-05",
            "City News",
            "Organisers moved the marathon route away from the harbour bridge, which is closed for resurfacing.",
        ),
        (
            "Orchestra names new conductor",
            "table.csv",
            Some(1),
            "2024-04-06",
            "Arts Daily",
            "She will take up the post, which has been vacant since January, in September.",
        ),
        (
            "Bakery wins national prize",
            "table.csv",
            Some(2),
            "2024-04-06",
            "Arts Daily",
            "The family bakery on Mill Street won the national bread prize.",
        ),
        (
            "Bridge inspection finds cracks",
            "page.html",
            None,
            "2024-04-07",
            "Valley Herald",
            "Cars may still cross while further tests are carried out, the council said, but drivers should expect delays during the week.",
        ),
    ];
    assert_eq!(articles.len(), expected.len(), "{:?}", articles.keys());
    for (title, file, record, date, source, sentence) in expected {
        let exported = articles
            .get(title)
            .unwrap_or_else(|| panic!("{title} missing: {:?}", articles.keys()));
        let article = show(&env, exported["article_id"].as_str().unwrap());
        assert_eq!(article["title"], title);
        assert!(
            article["path"].as_str().unwrap().ends_with(file),
            "{title}: {}",
            article["path"]
        );
        assert_eq!(article["record"].as_u64(), record, "{title}");
        assert_eq!(article["date"], date, "{title}");
        assert_eq!(article["source"], source, "{title}");
        let passages: Vec<&str> = article["passages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert!(passages.contains(&sentence), "{title}: {passages:?}");
        assert!(
            passages
                .iter()
                .all(|p| !p.contains("Advertisement") && !p.contains("Copyright")),
            "{title}: {passages:?}"
        );
    }
    let page = &articles["Bridge inspection finds cracks"];
    assert_eq!(page["author"], "Dana Field");
    assert_eq!(
        page["url"],
        "https://www.valleyherald.example/news/bridge-cracks"
    );
    assert_eq!(
        articles["Orchestra names new conductor"]["author"],
        "Lee, Sam"
    );

    let (code, json) = env.query_json(&["propeller"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["results"][0]["title"],
        "Ferry service restored to the islands"
    );
}

#[test]
fn records_keep_their_ids_when_files_are_indexed_again() {
    let env = TestEnv::new();
    mixed_folder(&env);
    env.index(&env.corpus());
    let before: HashMap<String, String> = articles_by_title(&env)
        .into_iter()
        .map(|(title, a)| (title, a["article_id"].as_str().unwrap().to_string()))
        .collect();
    let again = env.index(&env.corpus());
    assert_eq!(again["added"], 0);
    assert_eq!(again["articles"], 9);
    let after: HashMap<String, String> = articles_by_title(&env)
        .into_iter()
        .map(|(title, a)| (title, a["article_id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(before, after);

    // The JSON-lines records carry ids: reordering the file does not change them.
    let reordered: String = String::from_utf8(fixture("feed.jsonl"))
        .unwrap()
        .lines()
        .rev()
        .map(|line| format!("{line}\n"))
        .collect();
    env.write("feeds/feed.jsonl.gz", gzip(reordered.as_bytes()));
    let third = env.index(&env.corpus());
    assert_eq!(third["added"], 0);
    assert_eq!(third["articles"], 9);
    let library = &articles_by_title(&env)["Library reopens after flood repairs"];
    assert_eq!(
        library["article_id"].as_str(),
        before
            .get("Library reopens after flood repairs")
            .map(String::as_str)
    );
    assert_eq!(library["record"], 2);
}

#[test]
fn field_options_name_unusual_fields() {
    let env = TestEnv::new();
    env.write(
        "export.csv",
        "ref,kop,story_text,filed_on,paper\n\
         A-17,Canal reopens to shipping,The canal reopened on Monday after dredging.,2024-05-06,Canal Post\n",
    );
    env.write(
        "dump.jsonl",
        "{\"doc\": {\"name\": \"Ministry\"}, \"story_text\": \"Tariffs were cut on Tuesday.\", \"kop\": \"Tariffs cut\", \"filed_on\": \"2024-05-07\", \"ref\": \"B-2\"}\n",
    );
    let output = env
        .cmd(&[
            "index",
            "--json",
            "--text-field",
            "story_text",
            "--title-field",
            "KOP",
            "--date-field",
            "filed_on",
            "--id-field",
            "ref",
            "--source-field",
            "paper",
        ])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The JSON-lines file has no "paper" field: said once for the file.
    assert!(
        stderr.contains("dump.jsonl")
            && stderr.contains("no field \"paper\" (named by --source-field) in 1 of 1 record"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("export.csv").count(), 0, "{stderr}");

    let articles = articles_by_title(&env);
    let canal = &articles["Canal reopens to shipping"];
    assert_eq!(canal["date"], "2024-05-06");
    assert_eq!(canal["source"], "Canal Post");
    let tariffs = &articles["Tariffs cut"];
    assert_eq!(tariffs["date"], "2024-05-07");
    let (code, _) = env.query_json(&["dredging"]);
    assert_eq!(code, 0);

    // The id field decides identity: the same id in another file replaces the article.
    env.write(
        "later.jsonl",
        "{\"ref\": \"A-17\", \"kop\": \"Canal reopens to all shipping\", \"story_text\": \"Updated text.\"}\n",
    );
    let output = env
        .cmd(&[
            "index",
            "--json",
            "--text-field",
            "story_text",
            "--title-field",
            "kop",
            "--id-field",
            "ref",
        ])
        .arg(env.corpus().join("later.jsonl"))
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["updated"], 1);
    assert_eq!(summary["articles"], 2);
}

#[test]
fn standard_input_takes_json_lines_and_re_piping_does_not_duplicate() {
    let env = TestEnv::new();
    let lines = "{\"title\": \"Storm closes airport\", \"text\": \"The airport closed on Sunday as the storm arrived.\", \"url\": \"https://www.weather.example/storm\"}\n\
                 {\"title\": \"Council approves budget\", \"text\": \"The council approved its budget after a long night.\"}\n\
                 not json at all\n";
    let run = |input: &str| {
        let output = env
            .cmd(&["index", "--json", "-"])
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        (summary, stderr)
    };
    let (first, stderr) = run(lines);
    assert_eq!(first["added"], 2);
    assert!(
        stderr.contains("<stdin> (record 3)") && stderr.contains("not valid JSON"),
        "{stderr}"
    );
    let (second, _) = run(lines);
    assert_eq!(
        second["added"], 0,
        "the same articles piped again replace themselves"
    );
    assert_eq!(second["articles"], 2);

    let articles = articles_by_title(&env);
    let storm = &articles["Storm closes airport"];
    assert_eq!(storm["path"], "<stdin>");
    assert_eq!(storm["source"], "weather.example");

    // A changed text under the same URL replaces the article; without a URL it is new.
    let changed = "{\"title\": \"Storm closes airport\", \"text\": \"The airport reopened on Monday.\", \"url\": \"https://www.weather.example/storm\"}\n";
    let (third, _) = run(changed);
    assert_eq!(third["updated"], 1);
    assert_eq!(third["articles"], 2);
}

#[test]
fn every_format_is_decoded_from_utf16_windows_1252_and_utf8_with_bom() {
    let env = TestEnv::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in
        "[{\"title\": \"Zürich vote\", \"text\": \"Voters in Zürich backed the tram line.\"}]"
            .encode_utf16()
    {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    env.write("utf16.json", utf16);
    env.write(
        "latin.csv",
        b"title,text\r\nCaf\xe9 closes,The caf\xe9 on the square closed after forty years.\r\n",
    );
    env.write(
        "bom.jsonl",
        "\u{feff}{\"title\": \"Señora wins\", \"text\": \"The señora won the cooking contest.\"}\r\n",
    );
    let output = env
        .cmd(&["index", "--json"])
        .arg(env.corpus())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("utf16.json") && stderr.contains("UTF-16LE"),
        "{stderr}"
    );
    assert!(
        stderr.contains("latin.csv") && stderr.contains("Windows-1252"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("bom.jsonl"),
        "a UTF-8 BOM needs no note: {stderr}"
    );
    let articles = articles_by_title(&env);
    assert!(articles.contains_key("Zürich vote"));
    assert!(articles.contains_key("Café closes"));
    assert!(articles.contains_key("Señora wins"));
    let (code, json) = env.query_json(&["cafe"]);
    assert_eq!(code, 0);
    assert_eq!(
        json["results"][0]["text"],
        "The café on the square closed after forty years."
    );
}

#[test]
fn boilerplate_in_the_seed_corpus_is_dropped_and_the_rest_stays_searchable() {
    let env = TestEnv::new();
    let summary = env.index(&shipped_corpus());
    assert_eq!(summary["boilerplate_lines"], 2);
    let (code, _) = env.query_json(&["isolating"]);
    assert_eq!(code, 1, "the related-headline line is gone");
    let (code, _) = env.query_json(&["\"200 characters\""]);
    assert_eq!(code, 1);
    for words in [
        "\"consistent in our support\"",
        "\"Austin-Gallant talks\"",
        "\"Kirby however insisted\"",
    ] {
        let (code, json) = env.query_json(&[words]);
        assert_eq!(code, 0, "{words}");
        assert!(json["results"][0]["path"]
            .as_str()
            .unwrap()
            .contains("001_3924ea85d488e746"));
    }
}
