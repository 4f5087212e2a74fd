//! newsearch: full-text search for folders of news articles, on tantivy.
//!
//! Data flows one way: `cli → config → pipeline (ingest → extract → index)` for indexing
//! and `cli → config → search → output` for queries. Only `output` writes results; only
//! `ingest` and `index` touch the file system.

pub mod alert;
pub mod aliases;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod manifest;
pub mod output;
pub mod pipeline;
pub mod schema;
pub mod search;
pub mod stories;
