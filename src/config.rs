//! Validated, plain settings built from the command line and the environment; no clap
//! types leak past this module.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Result};
use chrono::{Local, NaiveDate};

use crate::alert::{AlertDefinition, AlertRequest, FilterSpec};
use crate::cli::{self, Cli, Command, FieldArgs, FilterArgs};
use crate::index::Wait;
use crate::ingest::FieldNames;
use crate::output::{Highlight, QueryFormat};
use crate::pipeline::IndexRequest;
use crate::quickwit::Engine;
use crate::search::facets::{FacetRequest, Interval};
use crate::search::filters::Filters;
use crate::search::story_list::StoryRequest;
use crate::search::{Group, SearchRequest, Sort};
use crate::serve::ServeRequest;

/// Default index folder, relative to the working directory.
pub const DEFAULT_INDEX_DIR: &str = "index";

/// Settings of an index run.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexConfig {
    pub request: IndexRequest,
    /// A Quickwit index to send the articles to after the commit.
    pub to: Option<Engine>,
    /// Print the summary as JSON on stdout.
    pub json: bool,
    /// Exit with an error after the commit when anything was reported.
    pub strict: bool,
    /// Draw a progress bar (stderr is a terminal and not --quiet).
    pub progress: bool,
    pub quiet: bool,
}

/// Settings of a query.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryConfig {
    pub index_dir: PathBuf,
    /// A Quickwit index that answers instead of the index folder's own.
    pub engine: Option<Engine>,
    pub request: SearchRequest,
    pub format: QueryFormat,
    pub highlight: Highlight,
    pub color: bool,
}

/// Settings of `show` and `stats`.
#[derive(Clone, Debug, PartialEq)]
pub struct DocConfig {
    pub index_dir: PathBuf,
    /// A Quickwit index that answers instead of the index folder's own.
    pub engine: Option<Engine>,
    pub json: bool,
    pub color: bool,
}

/// Settings of `stories`.
#[derive(Clone, Debug, PartialEq)]
pub struct StoriesConfig {
    pub doc: DocConfig,
    pub request: StoryRequest,
}

/// Settings of `facets`.
#[derive(Clone, Debug, PartialEq)]
pub struct FacetsConfig {
    pub doc: DocConfig,
    pub query: Option<String>,
    pub filters: Filters,
    pub request: FacetRequest,
}

/// Settings of one run of an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRun {
    pub request: AlertRequest,
    pub format: QueryFormat,
    pub highlight: Highlight,
    pub color: bool,
}

/// What `alert` is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertAction {
    Run(Box<AlertRun>),
    List { json: bool },
    Delete(String),
}

/// Settings of `alert`.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertConfig {
    pub index_dir: PathBuf,
    /// A Quickwit index that answers instead of the index folder's own.
    pub engine: Option<Engine>,
    pub action: AlertAction,
}

/// What to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Config {
    Index(IndexConfig),
    Query(QueryConfig),
    Show {
        doc: DocConfig,
        id: String,
    },
    Facets(FacetsConfig),
    Stories(StoriesConfig),
    Export(DocConfig),
    Stats(DocConfig),
    Alert(AlertConfig),
    /// Serve the index over HTTP.
    Serve {
        request: ServeRequest,
        quiet: bool,
    },
    /// Print a completion script for this shell.
    Completions(cli::Shell),
    /// Print the manual page.
    Man,
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
        // Commands that neither read nor write an index leave the engine alone.
        let engine = match cli.command {
            Command::Completions(_) | Command::Man => None,
            _ => cli
                .global
                .engine
                .as_deref()
                .map(Engine::parse)
                .transpose()?,
        };
        let doc = |json: bool| DocConfig {
            index_dir: index_dir.clone(),
            engine: engine.clone(),
            json,
            color,
        };
        Ok(match cli.command {
            Command::Index(args) => Config::Index(IndexConfig {
                // The engine the folder answers through is the one it sends to, unless
                // --to names another.
                to: match args.to.as_deref() {
                    Some(to) => Some(Engine::parse(to)?),
                    None => engine,
                },
                request: IndexRequest {
                    index_dir,
                    paths: args.paths,
                    full: args.full,
                    max_file_size: args.max_file_size,
                    fields: field_names(args.fields),
                    memory_bytes: (args.memory_mb as usize) << 20,
                    threads: args.threads.map_or_else(default_threads, |t| t as usize),
                    wait: match args.wait {
                        None => Wait::No,
                        Some(cli::WaitArg::Forever) => Wait::Forever,
                        Some(cli::WaitArg::Seconds(s)) => Wait::AtMost(Duration::from_secs_f64(s)),
                    },
                    commit_interval: Duration::try_from_secs_f64(args.commit_interval).map_err(
                        |_| {
                            anyhow::anyhow!(
                                "--commit-interval {} is not a number of seconds",
                                args.commit_interval
                            )
                        },
                    )?,
                    stories: !args.no_stories,
                },
                json: args.json,
                strict: args.strict,
                progress: terminal.stderr_is_terminal && !quiet,
                quiet,
            }),
            Command::Query(args) => {
                if args.limit == 0 {
                    bail!(
                        "-n/--limit 0 would print nothing: give 1 or more (`newsearch facets QUERY` counts the matching articles)"
                    );
                }
                if args.facets && args.format == cli::Format::Jsonl {
                    bail!(
                        "--facets does not go with --format jsonl (one passage a line has no place for the counts): use --format json or text, or `newsearch facets QUERY --format json`"
                    );
                }
                let highlight = highlight(args.highlight, color);
                Config::Query(QueryConfig {
                    index_dir,
                    engine,
                    request: SearchRequest {
                        query: args.query,
                        limit: args.limit,
                        offset: args.offset,
                        per_article: args.per_article as usize,
                        snippet_chars: args.snippet_chars as usize,
                        filters: filters(args.filters, today)?,
                        sort: sort(args.sort),
                        group: match args.group {
                            cli::GroupArg::Story => Group::Story,
                            cli::GroupArg::Article => Group::Article,
                        },
                        facets: args.facets.then_some(FacetRequest {
                            top: args.top,
                            interval: interval(args.interval),
                        }),
                    },
                    format: query_format(args.format),
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
            Command::Stories(args) => Config::Stories(StoriesConfig {
                doc: doc(args.format == cli::DocFormat::Json),
                request: StoryRequest {
                    query: args.query,
                    filters: filters(args.filters, today)?,
                    limit: args.limit as usize,
                    offset: args.offset,
                    articles: args.articles,
                },
            }),
            Command::Export(_) => Config::Export(doc(true)),
            Command::Stats(args) => Config::Stats(doc(args.format == cli::DocFormat::Json)),
            Command::Alert(args) => Config::Alert(AlertConfig {
                index_dir,
                engine,
                action: alert_action(args, color, today)?,
            }),
            Command::Serve(args) => Config::Serve {
                request: ServeRequest {
                    index_dir,
                    engine,
                    addr: args.addr,
                },
                quiet,
            },
            Command::Completions(args) => Config::Completions(args.shell),
            Command::Man => Config::Man,
        })
    }
}

/// Today in the local time zone, for relative dates.
pub fn local_today() -> NaiveDate {
    Local::now().date_naive()
}

impl From<FilterArgs> for FilterSpec {
    fn from(args: FilterArgs) -> FilterSpec {
        FilterSpec {
            source: args.source,
            from: args.from,
            to: args.to,
            mentions_date: args.mentions_date,
            person: args.person,
            org: args.org,
            place: args.place,
        }
    }
}

fn filters(args: FilterArgs, today: NaiveDate) -> Result<Filters> {
    FilterSpec::from(args).resolve(today)
}

fn alert_action(args: cli::AlertArgs, color: bool, today: NaiveDate) -> Result<AlertAction> {
    if args.list {
        return Ok(AlertAction::List {
            json: args.format != cli::Format::Text,
        });
    }
    if let Some(name) = args.delete {
        return Ok(AlertAction::Delete(name));
    }
    let Some(name) = args.name else {
        bail!("name the alert: `newsearch alert NAME QUERY`");
    };
    let filters = FilterSpec::from(args.filters);
    // Malformed dates are reported now, before anything is saved.
    filters.resolve(today)?;
    let definition = match args.query {
        Some(query) => Some(AlertDefinition {
            query,
            filters,
            each_article: args.each_article,
        }),
        None if !filters.is_empty() || args.each_article => {
            bail!("give the query too when changing the filters of alert {name:?}")
        }
        None => None,
    };
    Ok(AlertAction::Run(Box::new(AlertRun {
        request: AlertRequest {
            name,
            definition,
            init: args.init,
            per_article: args.per_article as usize,
            snippet_chars: args.snippet_chars as usize,
            sort: sort(args.sort),
            today,
        },
        format: query_format(args.format),
        highlight: highlight(args.highlight, color),
        color,
    })))
}

fn highlight(style: Option<cli::HighlightStyle>, color: bool) -> Highlight {
    match style {
        Some(cli::HighlightStyle::Ansi) => Highlight::Ansi,
        Some(cli::HighlightStyle::Markdown) => Highlight::Markdown,
        Some(cli::HighlightStyle::Html) => Highlight::Html,
        Some(cli::HighlightStyle::None) => Highlight::None,
        None if color => Highlight::Ansi,
        None => Highlight::Markdown,
    }
}

fn query_format(format: cli::Format) -> QueryFormat {
    match format {
        cli::Format::Text => QueryFormat::Text,
        cli::Format::Json => QueryFormat::Json,
        cli::Format::Jsonl => QueryFormat::Jsonl,
    }
}

fn sort(arg: cli::SortArg) -> Sort {
    match arg {
        cli::SortArg::Relevance => Sort::Relevance,
        cli::SortArg::Date => Sort::Date,
    }
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
