//! A temporary corpus and index, and a `newsearch` command with a clean environment.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a file under the corpus folder, creating folders on the way.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.corpus().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        path
    }

    /// `newsearch --index <tmp>/index ARGS…` with no colour or index settings leaking in.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("newsearch").unwrap();
        cmd.env_remove("NO_COLOR")
            .env_remove("NEWSEARCH_INDEX")
            .env_remove("NEWSEARCH_ENGINE")
            .arg("--index")
            .arg(self.index_dir())
            .args(args);
        cmd
    }

    /// The same command as [`TestEnv::cmd`], as a plain process (to spawn it or to wire
    /// its output somewhere).
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newsearch"));
        cmd.env_remove("NO_COLOR")
            .env_remove("NEWSEARCH_INDEX")
            .env_remove("NEWSEARCH_ENGINE")
            .arg("--index")
            .arg(self.index_dir())
            .args(args);
        cmd
    }

    /// Indexes a path and returns the JSON summary; the run must succeed.
    pub fn index(&self, path: &Path) -> Value {
        self.index_with(&[], path)
    }

    /// Like [`TestEnv::index`], with more `index` options (`--full`, …).
    pub fn index_with(&self, options: &[&str], path: &Path) -> Value {
        let output = self
            .cmd(&["index", "--json"])
            .args(options)
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("summary is JSON")
    }

    /// Runs a query with `--format json`; returns the exit code and the parsed output.
    /// Results are grouped by article (`--group article`) unless `args` say otherwise: most
    /// tests are about articles and passages; the story tests ask for `--group story`.
    pub fn query_json(&self, args: &[&str]) -> (i32, Value) {
        let mut command = self.cmd(&["query", "--format", "json"]);
        if !args.contains(&"--group") {
            command.args(["--group", "article"]);
        }
        let output = command.args(args).output().unwrap();
        let code = output.status.code().unwrap();
        let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        (code, json)
    }
}

/// The highlighted substrings of one JSON result (offsets count characters).
pub fn highlighted(result: &Value) -> Vec<String> {
    let text: Vec<char> = result["text"].as_str().unwrap().chars().collect();
    result["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|span| {
            let start = span[0].as_u64().unwrap() as usize;
            let end = span[1].as_u64().unwrap() as usize;
            text[start..end].iter().collect()
        })
        .collect()
}

/// The repository's shipped corpus.
pub fn shipped_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}
