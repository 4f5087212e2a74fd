//! newsearch on a Quickwit cluster: Quickwit stores and searches the articles, newsearch
//! keeps what Quickwit lacks (extraction, analysis, stories, passages, highlights).
//!
//! An engine is named `quickwit://HOST:PORT/INDEX`. [`sync`] sends what the local index
//! added, changed and removed since the last send; [`RemoteRetrieval`] answers the
//! retrieval part of a query (which articles match, their scores, their stored text) so
//! that everything after it is the code the embedded index uses.

mod engine;
pub mod mapping;
mod retrieval;
pub mod sync;
pub mod translate;

use std::io::Read;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;

pub use retrieval::RemoteRetrieval;

/// Most bytes one ingest request carries (Quickwit refuses bodies over 10 MiB).
pub const MAX_BATCH_BYTES: usize = 8 << 20;
/// Most hits Quickwit returns for one search.
pub const MAX_HITS: usize = 10_000;

/// A Quickwit index named by a `quickwit://HOST:PORT/INDEX` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// `http://HOST:PORT`.
    pub base: String,
    pub index_id: String,
}

impl Engine {
    /// Reads an engine address; anything else is an error that shows the expected form.
    pub fn parse(address: &str) -> Result<Engine> {
        let bad = |why: &str| {
            anyhow::anyhow!(
                "{why} in engine address '{}': expected quickwit://HOST:PORT/INDEX",
                crate::output::sanitize(address)
            )
        };
        let Some(rest) = address.strip_prefix("quickwit://") else {
            return Err(bad("unknown scheme"));
        };
        let Some((host, index_id)) = rest.split_once('/') else {
            return Err(bad("no index name"));
        };
        let index_id = index_id.trim_end_matches('/');
        let (name, port) = host.rsplit_once(':').ok_or_else(|| bad("no port"))?;
        if name.is_empty() || port.parse::<u16>().is_err() {
            return Err(bad("a bad host or port"));
        }
        let valid_id = index_id.len() >= 3
            && index_id.len() <= 255
            && index_id.starts_with(|c: char| c.is_ascii_alphabetic())
            && index_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_id {
            return Err(bad(
                "an index name Quickwit refuses (3 to 255 letters, digits, '-', '_' or '.', \
                 starting with a letter)",
            ));
        }
        Ok(Engine {
            base: format!("http://{host}"),
            index_id: index_id.to_string(),
        })
    }

    /// The address as the user writes it.
    pub fn address(&self) -> String {
        format!(
            "quickwit://{}/{}",
            self.base.trim_start_matches("http://"),
            self.index_id
        )
    }
}

/// How long a call keeps trying when the cluster is busy or unreachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patience {
    /// Searches: one retry.
    Short,
    /// Sending articles: back-off up to about half a minute.
    Long,
}

/// Talks to one Quickwit index over its REST API.
pub struct Client {
    engine: Engine,
    agent: ureq::Agent,
}

/// A request Quickwit answered with an error status.
#[derive(Debug, thiserror::Error)]
#[error("Quickwit answered {what} with status {status}: {message}")]
struct Refused {
    what: String,
    status: u16,
    message: String,
}

/// A failed call: the HTTP status (none when the cluster could not be reached) and why.
#[derive(Debug)]
struct CallError {
    status: Option<u16>,
    message: String,
}

impl Client {
    pub fn new(engine: Engine) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(Duration::from_secs(300))
            .build();
        Client { engine, agent }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// One request, retried while the cluster pushes back (429, 503) or cannot be reached.
    pub(super) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        patience: Patience,
    ) -> Result<Value> {
        let delays: &[u64] = match patience {
            Patience::Short => &[250],
            Patience::Long => &[500, 1000, 2000, 4000, 8000, 16000],
        };
        let url = format!("{}{path}", self.engine.base);
        let mut attempt = 0;
        loop {
            match self.once(method, &url, body) {
                Ok(value) => return Ok(value),
                Err(error) => {
                    let retry = matches!(error.status, None | Some(429) | Some(503));
                    if retry && attempt < delays.len() {
                        std::thread::sleep(Duration::from_millis(delays[attempt]));
                        attempt += 1;
                        continue;
                    }
                    let what = format!("{method} {url}");
                    return Err(match error.status {
                        None => anyhow::anyhow!(
                            "Quickwit at {} cannot be reached ({}; tried {} times): is it \
                             running?",
                            self.engine.base,
                            error.message,
                            attempt + 1
                        ),
                        Some(status) => anyhow::Error::new(Refused {
                            what,
                            status,
                            message: error.message,
                        }),
                    });
                }
            }
        }
    }

    fn once(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<Value, CallError> {
        let request = self.agent.request(method, url);
        let response = match body {
            Some((content_type, bytes)) => {
                request.set("Content-Type", content_type).send_bytes(bytes)
            }
            None => request.call(),
        };
        let read = |response: ureq::Response| -> Result<Vec<u8>, String> {
            let mut bytes = Vec::new();
            response
                .into_reader()
                .read_to_end(&mut bytes)
                .map_err(|e| e.to_string())?;
            Ok(bytes)
        };
        match response {
            Ok(response) => {
                let bytes = read(response).map_err(|message| CallError {
                    status: None,
                    message,
                })?;
                if bytes.is_empty() {
                    return Ok(Value::Null);
                }
                serde_json::from_slice(&bytes).map_err(|e| CallError {
                    status: Some(200),
                    message: format!("an answer that is not JSON ({e})"),
                })
            }
            Err(ureq::Error::Status(status, response)) => {
                let bytes = read(response).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                let message = serde_json::from_slice::<Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| text.chars().take(300).collect());
                Err(CallError {
                    status: Some(status),
                    message: crate::output::sanitize(&message),
                })
            }
            Err(ureq::Error::Transport(transport)) => Err(CallError {
                status: None,
                message: transport.to_string(),
            }),
        }
    }

    fn json(&self, method: &str, path: &str, body: &Value, patience: Patience) -> Result<Value> {
        let bytes = serde_json::to_vec(body).expect("JSON serialises");
        self.call(method, path, Some(("application/json", &bytes)), patience)
    }

    /// Whether the index exists.
    pub fn index_exists(&self) -> Result<bool> {
        let path = format!("/api/v1/indexes/{}", self.engine.index_id);
        match self.call("GET", &path, None, Patience::Long) {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .downcast_ref::<Refused>()
                    .is_some_and(|r| r.status == 404) =>
            {
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// How many documents the index holds.
    pub fn count_all(&self) -> Result<u64> {
        let body =
            serde_json::json!({"query": {"match_all": {}}, "size": 0, "track_total_hits": true});
        let answer = self.search(&body, &[])?;
        answer["hits"]["total"]["value"]
            .as_u64()
            .context("Quickwit's answer has no count of documents")
    }

    /// Creates the index from newsearch's doc mapping.
    pub fn create_index(&self) -> Result<()> {
        self.json(
            "POST",
            "/api/v1/indexes",
            &mapping::index_config(&self.engine.index_id),
            Patience::Long,
        )
        .with_context(|| format!("creating the Quickwit index {}", self.engine.index_id))?;
        Ok(())
    }

    /// Sends one batch of NDJSON documents; with `commit`, returns once they are
    /// searchable. A document Quickwit refuses is an error naming the first reason.
    pub fn ingest(&self, ndjson: &[u8], commit: bool) -> Result<u64> {
        let path = format!(
            "/api/v1/{}/ingest?commit={}&detailed_response=true",
            self.engine.index_id,
            if commit { "force" } else { "auto" }
        );
        let answer = self.call(
            "POST",
            &path,
            Some(("application/x-ndjson", ndjson)),
            Patience::Long,
        )?;
        let rejected = answer["num_rejected_docs"].as_u64().unwrap_or(0);
        if rejected > 0 {
            let why = answer["parse_failures"][0]["message"]
                .as_str()
                .unwrap_or("no reason given");
            bail!(
                "Quickwit refused {rejected} of the articles sent: {}",
                crate::output::sanitize(why)
            );
        }
        Ok(answer["num_ingested_docs"].as_u64().unwrap_or(0))
    }

    /// Asks Quickwit to delete the documents a query (in its query language) matches;
    /// they go within about a minute (the janitor applies delete tasks).
    pub fn delete(&self, query: &str) -> Result<()> {
        let path = format!("/api/v1/{}/delete-tasks", self.engine.index_id);
        self.json(
            "POST",
            &path,
            &serde_json::json!({"query": query, "search_field": [mapping::BODY]}),
            Patience::Long,
        )?;
        Ok(())
    }

    /// A search through the Elasticsearch-compatible endpoint (the one that returns
    /// scores), with the stored fields `fields` in each hit.
    pub fn search(&self, body: &Value, fields: &[&str]) -> Result<Value> {
        let path = format!(
            "/api/v1/_elastic/{}/_search?_source_includes={}",
            self.engine.index_id,
            fields.join(",")
        );
        let answer = self.json("POST", &path, body, Patience::Short)?;
        if let Some(failed) = answer["_shards"]["failed"].as_u64().filter(|f| *f > 0) {
            bail!(
                "Quickwit could not search {failed} of the {} splits of {}",
                answer["_shards"]["total"],
                self.engine.index_id
            );
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_addresses_are_read_or_refused_with_the_expected_form() {
        let engine = Engine::parse("quickwit://127.0.0.1:7280/news.2024").expect("valid");
        assert_eq!(engine.base, "http://127.0.0.1:7280");
        assert_eq!(engine.index_id, "news.2024");
        assert_eq!(engine.address(), "quickwit://127.0.0.1:7280/news.2024");
        for bad in [
            "http://127.0.0.1:7280/news",
            "quickwit://127.0.0.1/news",
            "quickwit://127.0.0.1:7280",
            "quickwit://127.0.0.1:99999/news",
            "quickwit://127.0.0.1:7280/1news",
            "quickwit://127.0.0.1:7280/ne",
            "quickwit://127.0.0.1:7280/news\u{1b}[31m",
        ] {
            let error = Engine::parse(bad).expect_err(bad);
            let message = format!("{error:#}");
            assert!(message.contains("quickwit://HOST:PORT/INDEX"), "{message}");
            assert!(!message.contains('\u{1b}'), "{message}");
        }
    }

    #[test]
    fn an_unreachable_cluster_is_named() {
        // Port 9 (discard) on loopback has no listener here; the call fails fast.
        let client = Client::new(Engine::parse("quickwit://127.0.0.1:9/news").expect("valid"));
        let error = client
            .search(&serde_json::json!({}), &[])
            .expect_err("down");
        let message = format!("{error:#}");
        assert!(
            message.contains("Quickwit at http://127.0.0.1:9 cannot be reached"),
            "{message}"
        );
    }
}
