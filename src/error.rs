//! The few error kinds the command line must tell apart; everything else travels as an
//! `anyhow::Error` with context.

use std::path::PathBuf;

use thiserror::Error;

/// Errors with a message written for the user who ran the command.
#[derive(Debug, Error)]
pub enum NewsearchError {
    #[error(
        "no index at {}: build one with `newsearch index <folder>` (for example `newsearch index corpus/`), or point --index / NEWSEARCH_INDEX at an existing one",
        .0.display()
    )]
    NoIndex(PathBuf),
    #[error(
        "the index at {} is held by another `newsearch index` run; wait for it to finish",
        .0.display()
    )]
    Locked(PathBuf),
    #[error(
        "the index at {} was written with schema version {found}, this newsearch reads version {expected}: rebuild it with `newsearch index --full <paths>`",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("bad query {query:?}: {message}")]
    BadQuery { query: String, message: String },
    #[error("no article with id {0:?} in the index (ids are the 16 hex digits `query` prints)")]
    UnknownArticle(String),
}
