//! The JSON API: each endpoint reads its parameters, runs the same engine call as its
//! command on the blocking pool (bounded in number and in time) and answers with the
//! document the command prints. Errors are JSON too: 400 for a bad query or parameter
//! (the message the command line gives), 404 for an unknown article or path, 503 when
//! there is no index or a request ran out of time; nothing a user sends makes a 500.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::params::{self, BadParams, Params};
use super::{State, REQUEST_TIME_LIMIT};
use crate::error::NewsearchError;
use crate::extract::ArticleId;
use crate::output::{self, Highlight, QueryFormat, FORMAT_VERSION};
use crate::schema::SCHEMA_VERSION;
use crate::search::filters::BadDate;
use crate::search::source::{overview, shown_article, RemoteEngine, Source};
use crate::search::story_list::list_stories;
use crate::search::{facets_of, search as run_search};

type Shared = Arc<State>;

/// The API's description, checked against real responses by the tests.
const OPENAPI: &str = include_str!("openapi.json");

/// A failed request: its status and the message for the user.
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl From<BadParams> for ApiError {
    fn from(bad: BadParams) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, bad.0)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> ApiError {
        let status = match error.downcast_ref::<NewsearchError>() {
            Some(NewsearchError::BadQuery { .. }) => StatusCode::BAD_REQUEST,
            Some(NewsearchError::UnknownArticle(_)) => StatusCode::NOT_FOUND,
            Some(NewsearchError::NoIndex(_) | NewsearchError::SchemaMismatch { .. }) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ if error.downcast_ref::<BadDate>().is_some() => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, format!("{error:#}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "format_version": FORMAT_VERSION,
            "status": self.status.as_u16(),
            "error": self.message,
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// A JSON document as a printer wrote it.
fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn text_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// Runs `work` on the index at its last commit, on the blocking pool, within the time
/// limit and the number of searches allowed at once.
async fn on_index(
    state: Shared,
    work: impl FnOnce(Source) -> Result<Response, ApiError> + Send + 'static,
) -> Response {
    let Ok(_permit) = Arc::clone(&state.searches).acquire_owned().await else {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
            .into_response();
    };
    let task = tokio::task::spawn_blocking(move || {
        let index = state.index()?;
        work(Source {
            index: &index,
            remote: state.remote.as_ref().map(|c| c as &dyn RemoteEngine),
        })
    });
    match tokio::time::timeout(REQUEST_TIME_LIMIT, task).await {
        Ok(Ok(Ok(response))) => response,
        Ok(Ok(Err(error))) => error.into_response(),
        Ok(Err(_)) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the request failed").into_response()
        }
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; narrow the query",
                REQUEST_TIME_LIMIT.as_secs()
            ),
        )
        .into_response(),
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// `GET /api/search?q=…`: what `newsearch query --format json` prints.
pub(super) async fn search(Extract(state): Extract<Shared>, RawQuery(query): RawQuery) -> Response {
    let asked = match params::search(&Params::parse(query.as_deref()), today()) {
        Ok(asked) => asked,
        Err(bad) => return ApiError::from(bad).into_response(),
    };
    on_index(state, move |source| {
        let results = run_search(source, &asked.request)?;
        let mut body = Vec::new();
        let highlight = match asked.format {
            QueryFormat::Text => asked.highlight,
            _ => Highlight::None,
        };
        output::print_results(&mut body, &results, asked.format, highlight, false)
            .map_err(anyhow::Error::from)?;
        Ok(match asked.format {
            QueryFormat::Text => text_response(body),
            _ => json_response(body),
        })
    })
    .await
}

/// `GET /api/facets`: what `newsearch facets --format json` prints.
pub(super) async fn facets(Extract(state): Extract<Shared>, RawQuery(query): RawQuery) -> Response {
    let asked = match params::facets(&Params::parse(query.as_deref()), today()) {
        Ok(asked) => asked,
        Err(bad) => return ApiError::from(bad).into_response(),
    };
    on_index(state, move |source| {
        let (total, facets) = facets_of(
            source,
            asked.query.as_deref(),
            &asked.filters,
            asked.request,
        )?;
        let mut body = Vec::new();
        output::print_facets(&mut body, total, &facets, true).map_err(anyhow::Error::from)?;
        Ok(json_response(body))
    })
    .await
}

/// `GET /api/articles/{id}`: what `newsearch show ID --format json` prints.
pub(super) async fn article(
    Extract(state): Extract<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(bad) = params::none(&Params::parse(query.as_deref())) {
        return ApiError::from(bad).into_response();
    }
    on_index(state, move |source| {
        let unknown = || {
            ApiError::from(anyhow::Error::from(NewsearchError::UnknownArticle(
                id.clone(),
            )))
        };
        let article_id = ArticleId::parse(&id).ok_or_else(unknown)?;
        let shown = shown_article(source, article_id, 20)?.ok_or_else(unknown)?;
        let mut body = Vec::new();
        output::print_article(
            &mut body,
            &shown.article,
            &shown.entities,
            shown.story.as_ref(),
            true,
            false,
        )
        .map_err(anyhow::Error::from)?;
        Ok(json_response(body))
    })
    .await
}

/// `GET /api/stories`: what `newsearch stories --format json` prints.
pub(super) async fn stories(
    Extract(state): Extract<Shared>,
    RawQuery(query): RawQuery,
) -> Response {
    let asked = match params::stories(&Params::parse(query.as_deref()), today()) {
        Ok(asked) => asked,
        Err(bad) => return ApiError::from(bad).into_response(),
    };
    on_index(state, move |source| {
        let results = list_stories(source, &asked)?;
        let mut body = Vec::new();
        output::print_stories(&mut body, &results, true, false).map_err(anyhow::Error::from)?;
        Ok(json_response(body))
    })
    .await
}

/// `GET /api/stats`: what `newsearch stats --format json` prints.
pub(super) async fn stats(Extract(state): Extract<Shared>, RawQuery(query): RawQuery) -> Response {
    if let Err(bad) = params::none(&Params::parse(query.as_deref())) {
        return ApiError::from(bad).into_response();
    }
    on_index(state, |source| {
        let (stats, facets, largest) = overview(source)?;
        let mut body = Vec::new();
        output::print_stats(&mut body, &stats, &facets, &largest, true)
            .map_err(anyhow::Error::from)?;
        Ok(json_response(body))
    })
    .await
}

/// `GET /api/health`: whether the index can be read, and which commit is served.
pub(super) async fn health(Extract(state): Extract<Shared>) -> Response {
    on_index(state, |source| {
        let body = json!({
            "format_version": FORMAT_VERSION,
            "status": "ok",
            "schema_version": SCHEMA_VERSION,
            "generation": source.index.generation(),
            "articles": source.index.searcher()?.num_docs(),
        });
        Ok(axum::Json(body).into_response())
    })
    .await
}

/// `GET /api/openapi.json`.
pub(super) async fn openapi() -> Response {
    json_response(OPENAPI.as_bytes().to_vec())
}

/// Any other path.
pub(super) async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such page or endpoint (see /api/openapi.json)",
    )
    .into_response()
}
