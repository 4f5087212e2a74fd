//! Validated, plain settings built from the command line and the environment; no clap
//! types leak past this module.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use chrono::{Local, NaiveDate};

use crate::cli::{self, Cli, Command, FieldArgs, FilterArgs};
use crate::ingest::FieldNames;
use crate::output::{Highlight, QueryFormat};
use crate::search::facets::{FacetRequest, Interval};
use crate::search::filters::{parse_period, DayRange, Filters};
use crate::search::{SearchRequest, Sort};

/// Default index folder, relative to the working directory.
pub const DEFAULT_INDEX_DIR: &str = "index";

/// Settings of an index run.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexConfig {
    pub index_dir: PathBuf,
    pub paths: Vec<PathBuf>,
    pub full: bool,
    pub json: bool,
    pub max_file_size: u64,
    /// Names of the fields that hold each part of an article (JSON, CSV, front matter).
    pub fields: FieldNames,
    /// Exit with an error after the commit when anything was reported.
    pub strict: bool,
    pub memory_bytes: usize,
    pub threads: usize,
    /// Draw a progress bar (stderr is a terminal and not --quiet).
    pub progress: bool,
    pub quiet: bool,
}

/// Settings of a query.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryConfig {
    pub index_dir: PathBuf,
    pub request: SearchRequest,
    pub format: QueryFormat,
    pub highlight: Highlight,
    pub color: bool,
}

/// Settings of `show` and `stats`.
#[derive(Clone, Debug, PartialEq)]
pub struct DocConfig {
    pub index_dir: PathBuf,
    pub json: bool,
    pub color: bool,
}

/// Settings of `facets`.
#[derive(Clone, Debug, PartialEq)]
pub struct FacetsConfig {
    pub doc: DocConfig,
    pub query: Option<String>,
    pub filters: Filters,
    pub request: FacetRequest,
}

/// What to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Config {
    Index(IndexConfig),
    Query(QueryConfig),
    Show { doc: DocConfig, id: String },
    Facets(FacetsConfig),
    Export(DocConfig),
    Stats(DocConfig),
}

/// Facts about the environment that settings depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terminal {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    pub no_color: bool,
}

impl Terminal {
    /// Reads the real process's terminal state and `NO_COLOR`.
    pub fn detect() -> Terminal {
        Terminal {
            stdout_is_terminal: std::io::stdout().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

impl Config {
    /// Builds the settings for a parsed command line; malformed dates are errors naming
    /// the value. Relative dates count back from `today`.
    pub fn from_cli(cli: Cli, terminal: Terminal, today: NaiveDate) -> Result<Config> {
        let index_dir = cli
            .global
            .index
            .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX_DIR));
        let color = match cli.global.color {
            cli::ColorChoice::Always => true,
            cli::ColorChoice::Never => false,
            cli::ColorChoice::Auto => terminal.stdout_is_terminal && !terminal.no_color,
        };
        let quiet = cli.global.quiet;
        let doc = |json: bool| DocConfig {
            index_dir: index_dir.clone(),
            json,
            color,
        };
        Ok(match cli.command {
            Command::Index(args) => Config::Index(IndexConfig {
                index_dir,
                paths: args.paths,
                full: args.full,
                json: args.json,
                max_file_size: args.max_file_size,
                fields: field_names(args.fields),
                strict: args.strict,
                memory_bytes: (args.memory_mb as usize) << 20,
                threads: args.threads.map_or_else(default_threads, |t| t as usize),
                progress: terminal.stderr_is_terminal && !quiet,
                quiet,
            }),
            Command::Query(args) => {
                let highlight = match args.highlight {
                    Some(cli::HighlightStyle::Ansi) => Highlight::Ansi,
                    Some(cli::HighlightStyle::Markdown) => Highlight::Markdown,
                    Some(cli::HighlightStyle::Html) => Highlight::Html,
                    Some(cli::HighlightStyle::None) => Highlight::None,
                    None if color => Highlight::Ansi,
                    None => Highlight::Markdown,
                };
                Config::Query(QueryConfig {
                    index_dir,
                    request: SearchRequest {
                        query: args.query,
                        limit: args.limit,
                        offset: args.offset,
                        per_article: args.per_article as usize,
                        snippet_chars: args.snippet_chars as usize,
                        filters: filters(args.filters, today)?,
                        sort: match args.sort {
                            cli::SortArg::Relevance => Sort::Relevance,
                            cli::SortArg::Date => Sort::Date,
                        },
                        facets: args.facets.then_some(FacetRequest {
                            top: args.top,
                            interval: interval(args.interval),
                        }),
                    },
                    format: match args.format {
                        cli::Format::Text => QueryFormat::Text,
                        cli::Format::Json => QueryFormat::Json,
                        cli::Format::Jsonl => QueryFormat::Jsonl,
                    },
                    highlight,
                    color,
                })
            }
            Command::Show(args) => Config::Show {
                doc: doc(args.format == cli::DocFormat::Json),
                id: args.id,
            },
            Command::Facets(args) => Config::Facets(FacetsConfig {
                doc: doc(args.format == cli::DocFormat::Json),
                query: args.query,
                filters: filters(args.filters, today)?,
                request: FacetRequest {
                    top: args.top,
                    interval: interval(args.interval),
                },
            }),
            Command::Export(_) => Config::Export(doc(true)),
            Command::Stats(args) => Config::Stats(doc(args.format == cli::DocFormat::Json)),
        })
    }
}

/// Today in the local time zone, for relative dates.
pub fn local_today() -> NaiveDate {
    Local::now().date_naive()
}

fn filters(args: FilterArgs, today: NaiveDate) -> Result<Filters> {
    let from = args
        .from
        .map(|v| parse_period(&v, today))
        .transpose()?
        .and_then(|p| p.from);
    let to = args
        .to
        .map(|v| parse_period(&v, today))
        .transpose()?
        .and_then(|p| p.to);
    let mentions = args
        .mentions_date
        .iter()
        .map(|v| parse_period(v, today))
        .collect::<Result<Vec<DayRange>, _>>()?;
    Ok(Filters {
        sources: args.source,
        published: DayRange { from, to },
        mentions,
    })
}

fn field_names(args: FieldArgs) -> FieldNames {
    FieldNames {
        id: args.id_field,
        title: args.title_field,
        text: args.text_field,
        date: args.date_field,
        source: args.source_field,
        url: args.url_field,
        author: args.author_field,
    }
}

fn interval(arg: cli::IntervalArg) -> Interval {
    match arg {
        cli::IntervalArg::Day => Interval::Day,
        cli::IntervalArg::Week => Interval::Week,
        cli::IntervalArg::Month => Interval::Month,
        cli::IntervalArg::Year => Interval::Year,
    }
}

/// The index writer's threads: one per core, at most four.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}
