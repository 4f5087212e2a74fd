//! `newsearch serve`: an HTTP API (the same JSON documents the commands print) and a web
//! page embedded in the binary, over one index, read-only.
//!
//! Every request checks whether the index has a new commit (a `stat` of `meta.json`) and
//! reopens it when it has, so a concurrent `newsearch index` run (cron) shows up without a
//! restart. Searches run on the blocking pool, at most a few at once, each with a time
//! limit; requests are bounded (query length, numbers, nesting depth) and nothing reads a
//! path from the request. Responses carry a Content-Security-Policy that forbids inline
//! script, and no CORS headers.

mod api;
mod page;
mod params;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;

use crate::index::NewsIndex;

/// How long one request may take before it is answered with 503.
const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(10);

/// What `serve` is asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeRequest {
    pub index_dir: PathBuf,
    /// A Quickwit index that answers instead of the index folder's own.
    pub engine: Option<crate::quickwit::Engine>,
    pub addr: SocketAddr,
}

/// The index as the server reads it: reopened when a new commit appears.
pub(crate) struct State {
    index_dir: PathBuf,
    /// The engine that answers for the index folder, when it is not the folder itself.
    pub(crate) remote: Option<crate::quickwit::Client>,
    current: Mutex<Option<Opened>>,
    /// Searches running at once (the rest wait their turn).
    searches: Arc<Semaphore>,
}

struct Opened {
    /// `meta.json`'s modification time and size when the index was opened.
    stamp: (SystemTime, u64),
    index: Arc<NewsIndex>,
}

impl State {
    fn new(index_dir: PathBuf, engine: Option<crate::quickwit::Engine>) -> State {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        State {
            index_dir,
            remote: engine.map(crate::quickwit::Client::new),
            current: Mutex::new(None),
            searches: Arc::new(Semaphore::new(cores * 2)),
        }
    }

    /// The index at its last commit, opened again when `meta.json` changed.
    pub(crate) fn index(&self) -> Result<Arc<NewsIndex>> {
        let stamp = meta_stamp(&self.index_dir);
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let (Some(opened), Some(stamp)) = (current.as_ref(), stamp) {
            if opened.stamp == stamp {
                return Ok(Arc::clone(&opened.index));
            }
        }
        let index = Arc::new(NewsIndex::open_reader(&self.index_dir)?);
        index.warm_stories()?;
        if let Some(stamp) = stamp {
            *current = Some(Opened {
                stamp,
                index: Arc::clone(&index),
            });
        }
        Ok(index)
    }
}

fn meta_stamp(dir: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(dir.join("meta.json")).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Whether an address is reachable from this machine only.
fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// The routes of the API and the page.
pub(crate) fn router(index_dir: PathBuf, engine: Option<crate::quickwit::Engine>) -> Router {
    let state = Arc::new(State::new(index_dir, engine));
    Router::new()
        .route("/", get(page::index_html))
        .route("/app.js", get(page::app_js))
        .route("/app.css", get(page::app_css))
        .route("/favicon.svg", get(page::favicon_svg))
        .route("/api/health", get(api::health))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/stories", get(api::stories))
        .route("/api/stats", get(api::stats))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(api::not_found)
        .with_state(state)
        .layer(middleware::from_fn(safety_headers))
        .layer(CompressionLayer::new())
}

/// Headers every response carries: no script but the page's own, no framing, no sniffing.
async fn safety_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Serves until interrupted (Ctrl-C or SIGTERM). `ready` hears the address once the
/// socket listens (a test binds port 0 and needs to know which port it got).
pub fn serve(request: &ServeRequest, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    // Fail early and clearly when there is no index, rather than on the first request.
    NewsIndex::open_reader(&request.index_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(request.addr)
            .await
            .with_context(|| format!("listening on {}", request.addr))?;
        let addr = listener.local_addr()?;
        if !is_loopback(&addr) {
            eprintln!(
                "newsearch: warning: serving on {addr}, reachable from other machines; the API has no authentication"
            );
        }
        ready(addr);
        axum::serve(listener, router(request.index_dir.clone(), request.engine.clone()))
            .with_graceful_shutdown(shutdown())
            .await
            .context("serving")
    })
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
