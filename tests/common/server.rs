//! A running `newsearch serve` on a free port over a test index, stopped when dropped.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::common::TestEnv;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a final slash.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the server on the environment's index and waits until it listens (the port
    /// comes from the "serving … on http://ADDR/" line on stderr).
    pub fn start(env: &TestEnv) -> Server {
        Server::start_with(env, &[])
    }

    /// Like [`Server::start`], with global options before the command (`--engine …`).
    pub fn start_with(env: &TestEnv, options: &[&str]) -> Server {
        let mut args = options.to_vec();
        args.extend(["serve", "--addr", "127.0.0.1:0"]);
        let mut child = env
            .process(&args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting newsearch serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let mut reader = BufReader::new(stderr);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("reading the server's first line");
        // Keep reading, so that a later warning never meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let at = line
            .find("http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = line[at..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
