//! The web page, embedded in the binary: one HTML file, its script, its style sheet and its
//! icon (no inline script, nothing fetched from elsewhere, so it works offline under the
//! server's Content-Security-Policy).

use axum::http::header;
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const APP_CSS: &str = include_str!("page/app.css");
const FAVICON_SVG: &str = include_str!("page/favicon.svg");

/// An embedded file. `no-cache` makes the browser ask again each time, so the page never
/// runs a script older than the binary that serves it.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn index_html() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

pub(super) async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

pub(super) async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

pub(super) async fn favicon_svg() -> Response {
    asset("image/svg+xml", FAVICON_SVG)
}
