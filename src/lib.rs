//! newsearch: full-text search for folders of news articles, on tantivy.
//!
//! Data flows one way: `cli → config → pipeline (ingest → extract → index)` for indexing
//! and `cli → config → search or an index read → output` for everything else. Only
//! `output` writes results; only `ingest`, `index` and the files kept beside the index
//! touch the file system.

pub(crate) mod alert;
pub(crate) mod aliases;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod error;
pub mod extract;
pub(crate) mod files;
pub mod index;
pub mod ingest;
pub(crate) mod manifest;
pub(crate) mod output;
pub(crate) mod pipeline;
pub(crate) mod progress;
pub mod quickwit;
pub(crate) mod schema;
pub mod search;
pub(crate) mod serve;
pub mod stories;
pub(crate) mod wording;
