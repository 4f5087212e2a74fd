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
        "the index at {} is held by another `newsearch index` run; try again when it has finished, or pass --wait to wait for it",
        .0.display()
    )]
    Locked(PathBuf),
    #[error(
        "the index at {} is still held by another `newsearch index` run after waiting {seconds:.0} s",
        path.display()
    )]
    LockTimeout { path: PathBuf, seconds: f64 },
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
    #[error("no alert named {0:?}: create it with `newsearch alert {0} QUERY` (`newsearch alert --list` lists them)")]
    UnknownAlert(String),
    #[error("the output of alert {name:?} could not be written ({reason}); its cursor was not moved, so the next run reports the same articles")]
    AlertNotDelivered { name: String, reason: String },
}
