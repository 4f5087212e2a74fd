//! Command-line syntax: clap derive types whose doc comments are the help text. Nothing
//! here touches the index; `config` turns these into plain settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Full-text search for folders of news articles: ranked, highlighted passages.
#[derive(Debug, Parser)]
#[command(name = "newsearch", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Index folder [default: ./index]
    #[arg(long, global = true, env = "NEWSEARCH_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Answer from a Quickwit index instead of the index folder's own
    /// (quickwit://HOST:PORT/INDEX, filled by `index --to`); the index folder still gives
    /// the analysis, stories and aliases; `index` sends to it unless --to names another
    #[arg(long, global = true, env = "NEWSEARCH_ENGINE", value_name = "ADDRESS")]
    pub engine: Option<String>,
    /// No progress bar and no summary on stderr (warnings still print)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to use colour (NO_COLOR in the environment means never, unless `always`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders of articles (.txt, .md, .json, .jsonl, .csv, .html, each also .gz; - reads JSON lines from stdin)
    Index(IndexArgs),
    /// Search the index and print the best passages
    Query(QueryArgs),
    /// Print one article with its metadata and passages
    Show(ShowArgs),
    /// Count articles by person, organisation, place, source, publication date (histogram) and
    /// mentioned date, over everything or what a query and filters select
    Facets(FacetsArgs),
    /// List stories (one event however many outlets and copies report it): the biggest, or those a query matches
    Stories(StoriesArgs),
    /// Print every article with its metadata and dates, one JSON object a line
    Export(ExportArgs),
    /// Print the index's size, counts, date range and most frequent entities
    Stats(StatsArgs),
    /// Run a saved query and print only what is new since its last run (for cron)
    Alert(AlertArgs),
    /// Serve the index over HTTP: a JSON API and a web page (read-only; loopback unless --addr says otherwise)
    Serve(ServeArgs),
    /// Print a shell completion script (`newsearch completions bash > /etc/bash_completion.d/newsearch`)
    Completions(CompletionsArgs),
    /// Print the manual page in roff (`newsearch man > newsearch.1; man ./newsearch.1`)
    Man,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; anything but a loopback address makes the API
    /// reachable from other machines, without authentication
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Shells `completions` writes scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Filters shared by `query`, `facets` and `alert`.
#[derive(Clone, Debug, Default, Args)]
pub struct FilterArgs {
    /// Only articles from this source (repeatable: any of them)
    #[arg(long, value_name = "NAME")]
    pub source: Vec<String>,
    /// Published on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD, Nd/Nw/Nm ago, today, yesterday)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Published on or before DATE (inclusive: `--to 2024-03` takes all of March)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only articles that mention a day in DATE (a day, month or year; repeatable: all must hold)
    #[arg(long, value_name = "DATE")]
    pub mentions_date: Vec<String>,
    /// Only articles that mention this person: full name, surname or any alias,
    /// case-insensitive (repeatable: all must hold)
    #[arg(long, value_name = "NAME")]
    pub person: Vec<String>,
    /// Only articles that mention this organisation (name or acronym; repeatable: all must hold)
    #[arg(long, value_name = "NAME")]
    pub org: Vec<String>,
    /// Only articles that mention this place (repeatable: all must hold)
    #[arg(long, value_name = "NAME")]
    pub place: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Count only the articles this query matches (the syntax of `query`; it may begin with '-')
    #[arg(allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Longest list per facet
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Bucket width of the publication-date histogram (a span too long for it takes a wider one)
    #[arg(long, value_enum, default_value_t = IntervalArg::Month)]
    pub interval: IntervalArg,
    /// Output format: lists with a bar chart, or one JSON document
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// List the stories of the articles this query matches, best match first (without
    /// one, the biggest stories first)
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of stories to list
    #[arg(short = 'n', long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Skip this many stories first (for paging)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Most articles listed under each story
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub articles: usize,
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format: one JSON object a line
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object an article, a line each
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IntervalArg {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupArg {
    Story,
    Article,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files and folders to index; `-` reads JSON lines (or one JSON document) from stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Rebuild: drop everything indexed before
    #[arg(long)]
    pub full: bool,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Skip files larger than this many bytes (for .gz files: compressed or not); JSON lines
    /// files and standard input are streamed, so for them it bounds one line (record) instead
    #[arg(long, value_name = "BYTES", default_value_t = 100_000_000)]
    pub max_file_size: u64,
    /// Exit with status 2 after the commit if any file or record was reported
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Also send the articles to a Quickwit index (quickwit://HOST:PORT/INDEX; created when
    /// missing): after the local commit, what was added, changed or removed since the last
    /// send. Send to a node that runs Quickwit's indexer [default: the --engine address]
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    /// Memory budget of the index writer, in MB (it also caps merged segments: peak memory
    /// follows it, not the corpus size)
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(32..=16384))]
    pub memory_mb: u64,
    /// Indexing threads [default: the number of cores, at most 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub threads: Option<u64>,
    /// When another index run holds the index, wait for it (at most SECONDS, if given:
    /// `--wait=60`) instead of failing at once
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, require_equals = true, default_missing_value = "forever")]
    pub wait: Option<WaitArg>,
    /// Do not group articles into stories (faster; the index then keeps no stories, and
    /// results show each article on its own, until a run with --full and without this)
    #[arg(long)]
    pub no_stories: bool,
    /// Commit at least this often during a long run, so that a killed run loses little work
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub commit_interval: f64,
}

/// How long `index --wait` waits for another run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WaitArg {
    Forever,
    Seconds(f64),
}

impl std::str::FromStr for WaitArg {
    type Err = String;

    fn from_str(text: &str) -> Result<WaitArg, String> {
        if text == "forever" {
            return Ok(WaitArg::Forever);
        }
        match text.parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Ok(WaitArg::Seconds(seconds)),
            _ => Err(format!("{text:?} is not a number of seconds")),
        }
    }
}

const FIELDS_HEADING: &str = "Field names (JSON, CSV, front matter)";

/// Field names in JSON, JSON lines, CSV and front matter. Without them the usual names are
/// looked for, ignoring case and punctuation (title/headline, text/body/content/article,
/// date/published/pubDate/datePublished, source/outlet/site/publisher, url/link, author/byline).
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// Field holding the article text
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub text_field: Option<String>,
    /// Field holding the title
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub title_field: Option<String>,
    /// Field holding the publication date
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub date_field: Option<String>,
    /// Field holding a stable article id (re-indexing a record with the same id replaces it)
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub id_field: Option<String>,
    /// Field holding the source or outlet [default: the host of the URL when none is found]
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub source_field: Option<String>,
    /// Field holding the article's URL
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub url_field: Option<String>,
    /// Field holding the author
    #[arg(long, value_name = "NAME", help_heading = FIELDS_HEADING)]
    pub author_field: Option<String>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query: words, "phrases", AND/OR/NOT, +word, -word, (groups), title:/body:/source:
    /// fields, person:/org:/place: entities, prefix*, word~ (typo tolerance). It may begin with
    /// '-' (`newsearch query "-hamas rafah"`)
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Number of passages to print (at least 1)
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many passages first (for paging)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// At most this many passages from one article
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub per_article: u64,
    /// Cut passages to at most this many characters around the best match
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(20..))]
    pub snippet_chars: u64,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Result order: best match first, or newest article first
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Show each story once (its best article, then its other outlets; -n and --offset
    /// count stories), or every article
    #[arg(long, value_enum, default_value_t = GroupArg::Story)]
    pub group: GroupArg,
    /// Also count the matching articles by person, organisation, place, source, publication
    /// date and mentioned date, and their stories (text output lists them after the
    /// passages, JSON output carries `facets`; not with --format jsonl)
    #[arg(long)]
    pub facets: bool,
    /// With --facets: longest list per facet
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// With --facets: bucket width of the date histogram
    #[arg(long, value_enum, default_value_t = IntervalArg::Month)]
    pub interval: IntervalArg,
    /// Output format: passages grouped by article, one JSON document, or one JSON object a
    /// passage
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// How text output marks matches [default: ansi on a terminal, markdown otherwise]
    #[arg(long, value_enum)]
    pub highlight: Option<HighlightStyle>,
}

/// `newsearch alert NAME [QUERY]`, `alert --list`, `alert --delete NAME`.
#[derive(Debug, Args)]
pub struct AlertArgs {
    /// Name of the alert (letters, digits, '.', '_' and '-')
    #[arg(required_unless_present_any = ["list", "delete"], conflicts_with_all = ["list", "delete"])]
    pub name: Option<String>,
    /// The query (the syntax of `query`; it may begin with '-'), needed when the alert is
    /// created; given again, it replaces the saved query and filters (the cursor stays)
    #[arg(allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Create the alert (or move its cursor to now) without printing current matches
    #[arg(long)]
    pub init: bool,
    /// Report every new or changed article; without it, a story is reported once and an
    /// article joining a story already reported is not news
    #[arg(long)]
    pub each_article: bool,
    /// List the saved alerts
    #[arg(long, conflicts_with = "delete")]
    pub list: bool,
    /// Delete a saved alert and its cursor
    #[arg(long, value_name = "NAME")]
    pub delete: Option<String>,
    /// At most this many passages from one article
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub per_article: u64,
    /// Cut passages to at most this many characters around the best match
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(20..))]
    pub snippet_chars: u64,
    /// Result order: newest article first, or best match first
    #[arg(long, value_enum, default_value_t = SortArg::Date)]
    pub sort: SortArg,
    /// Output format: passages grouped by article, one JSON document, or one JSON object a
    /// passage (`--list` takes text or json)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// How text output marks matches [default: ansi on a terminal, markdown otherwise]
    #[arg(long, value_enum)]
    pub highlight: Option<HighlightStyle>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id (16 hex digits, as `query` prints it)
    pub id: String,
    /// Output format: readable text, or one JSON document
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format: readable text, or one JSON document
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Passages grouped under their article, for reading
    Text,
    /// One JSON document with every result (and the facets)
    Json,
    /// One JSON object a passage, a line each, for scripts
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Readable text
    Text,
    /// One JSON document
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HighlightStyle {
    /// Colour (terminal escape codes)
    Ansi,
    /// **bold**, with Markdown characters in the text escaped
    Markdown,
    /// <mark>, with every field HTML-escaped
    Html,
    /// No marks
    None,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
