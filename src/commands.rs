//! The commands: each takes its plain settings, runs the engine (a search, a read of the
//! index, an index run or an alert) and hands the outcome to a printer, returning the
//! exit status scripts rely on (0 found, 1 nothing, 2 error).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::alert::{self, AlertOutcome, AlertStore};
use crate::aliases;
use crate::cli::{Cli, Shell};
use crate::config::{
    AlertAction, AlertConfig, AlertRun, Config, DocConfig, FacetsConfig, IndexConfig, QueryConfig,
    StoriesConfig,
};
use crate::error::NewsearchError;
use crate::extract::ArticleId;
use crate::index::{ArticleMeta, NewsIndex};
use crate::output::{self, QueryFormat};
use crate::pipeline::run_index;
use crate::progress::StderrReporter;
use crate::search::source::{overview, shown_article, RemoteEngine, Source};
use crate::search::story_list::list_stories;
use crate::search::{facets_of, search};
use crate::wording::counted;

/// Most articles of its story `show` lists.
const SHOWN_STORY_ARTICLES: usize = 20;

/// Exit status when something matched (or a run succeeded).
pub const FOUND: u8 = 0;
/// Exit status when nothing matched.
pub const NOTHING: u8 = 1;
/// Exit status on errors.
pub const ERROR: u8 = 2;

/// A fatal error as one line for stderr: its whole context chain, with control and
/// bidirectional-override characters (from a query, a path or corpus text) removed.
pub fn error_message(error: &anyhow::Error) -> String {
    output::sanitize(&format!("{error:#}"))
}

/// Runs a command, writing results to `out`.
pub fn run(config: Config, out: &mut impl Write) -> Result<ExitCode> {
    match config {
        Config::Index(config) => index(&config, out),
        Config::Query(config) => query(&config, out),
        Config::Show { doc, id } => show(&doc, &id, out),
        Config::Facets(config) => facets(&config, out),
        Config::Stories(config) => stories(&config, out),
        Config::Export(doc) => export(&doc, out),
        Config::Stats(doc) => stats(&doc, out),
        Config::Alert(config) => alert(&config, out),
        Config::Serve { request, quiet } => serve(&request, quiet),
        Config::Completions(shell) => completions(shell, out),
        Config::Man => man(out),
    }
}

/// Serves until interrupted; says where on stderr once listening.
fn serve(request: &crate::serve::ServeRequest, quiet: bool) -> Result<ExitCode> {
    crate::serve::serve(request, |addr| {
        if !quiet {
            eprintln!(
                "newsearch: serving {} on http://{addr}/ (Ctrl-C stops)",
                output::sanitize(&request.index_dir.display().to_string())
            );
        }
    })?;
    Ok(ExitCode::from(FOUND))
}

/// Prints a completion script generated from the command-line definition.
fn completions(shell: Shell, out: &mut impl Write) -> Result<ExitCode> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut Cli::command(), "newsearch", out);
    Ok(ExitCode::from(FOUND))
}

/// Prints the manual page generated from the command-line definition: the top-level page
/// followed by a section per command.
fn man(out: &mut impl Write) -> Result<ExitCode> {
    let command = Cli::command();
    clap_mangen::Man::new(command.clone()).render(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let title = format!("newsearch-{}", sub.get_name());
        clap_mangen::Man::new(sub.clone())
            .title(title)
            .render(out)?;
    }
    Ok(ExitCode::from(FOUND))
}

fn index(config: &IndexConfig, out: &mut impl Write) -> Result<ExitCode> {
    let reporter = StderrReporter::new(config.progress);
    let summary = run_index(&config.request, &reporter)?;
    if let Some(engine) = &config.to {
        send_to_quickwit(config, engine)?;
    }
    if config.json {
        output::print_summary(out, &summary, true)?;
    } else if !config.quiet {
        output::print_summary(&mut std::io::stderr(), &summary, false)?;
    }
    if config.strict && summary.warnings > 0 {
        out.flush()?;
        eprintln!(
            "newsearch: error: {} reported (--strict); the index was committed",
            counted(summary.warnings as u64, "warning", "warnings")
        );
        return Ok(ExitCode::from(ERROR));
    }
    Ok(ExitCode::from(FOUND))
}

/// Sends what the index run committed to a Quickwit index, and says what was sent.
fn send_to_quickwit(config: &IndexConfig, engine: &crate::quickwit::Engine) -> Result<()> {
    let index = NewsIndex::open_reader(&config.request.index_dir)?;
    let client = crate::quickwit::Client::new(engine.clone());
    let report = crate::quickwit::sync::sync(&index, &client).with_context(|| {
        format!(
            "the index was committed, but sending it to {} failed (the next run sends it again)",
            engine.address()
        )
    })?;
    if !config.quiet {
        eprintln!(
            "newsearch: sent {} to {}{} ({} changed, {} removed)",
            counted(report.sent, "article", "articles"),
            engine.address(),
            if report.created { ", created" } else { "" },
            report.changed,
            report.removed
        );
    }
    Ok(())
}

/// The engine that answers for the index folder, when the command names one.
fn remote(engine: &Option<crate::quickwit::Engine>) -> Option<crate::quickwit::Client> {
    engine.clone().map(crate::quickwit::Client::new)
}

/// The index folder with the engine that answers for it.
fn source<'a>(index: &'a NewsIndex, remote: &'a Option<crate::quickwit::Client>) -> Source<'a> {
    Source {
        index,
        remote: remote.as_ref().map(|c| c as &dyn RemoteEngine),
    }
}

fn query(config: &QueryConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let remote = remote(&config.engine);
    let results = search(source(&index, &remote), &config.request)?;
    output::print_results(out, &results, config.format, config.highlight, config.color)?;
    out.flush()?;
    if results.hits.is_empty() {
        if config.format == QueryFormat::Text && results.total_articles == 0 {
            eprintln!("newsearch: no passage matches {:?}", config.request.query);
        }
        return Ok(ExitCode::from(NOTHING));
    }
    Ok(ExitCode::from(FOUND))
}

fn show(config: &DocConfig, id: &str, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let remote = remote(&config.engine);
    let unknown = || NewsearchError::UnknownArticle(id.to_string());
    let article_id = ArticleId::parse(id.trim()).ok_or_else(unknown)?;
    let shown = shown_article(source(&index, &remote), article_id, SHOWN_STORY_ARTICLES)?
        .ok_or_else(unknown)?;
    output::print_article(
        out,
        &shown.article,
        &shown.entities,
        shown.story.as_ref(),
        config.json,
        config.color,
    )?;
    Ok(ExitCode::from(FOUND))
}

fn stories(config: &StoriesConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.doc.index_dir)?;
    let remote = remote(&config.doc.engine);
    let results = list_stories(source(&index, &remote), &config.request)?;
    output::print_stories(out, &results, config.doc.json, config.doc.color)?;
    Ok(ExitCode::from(if results.stories.is_empty() {
        NOTHING
    } else {
        FOUND
    }))
}

fn facets(config: &FacetsConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.doc.index_dir)?;
    let remote = remote(&config.doc.engine);
    let (total, facets) = facets_of(
        source(&index, &remote),
        config.query.as_deref(),
        &config.filters,
        config.request,
    )?;
    output::print_facets(out, total, &facets, config.doc.json)?;
    Ok(ExitCode::from(if total > 0 { FOUND } else { NOTHING }))
}

fn export(config: &DocConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let table = aliases::load(&index)?;
    let stories = index.stories()?;
    let mut line = |meta: ArticleMeta| -> Result<()> {
        let entities = aliases::shown_entities(&table, &meta.entities, meta.date.map(|d| d.date()));
        let story = stories
            .story_of(meta.id.0)
            .and_then(|id| stories.story(id))
            .map(|info| (info.id, info.size));
        output::print_export_line(out, &meta, &entities, story)?;
        Ok(())
    };
    match remote(&config.engine) {
        Some(client) => client.each_article(&mut |article| line(article.meta))?,
        None => index.for_each_article(line)?,
    }
    Ok(ExitCode::from(FOUND))
}

fn stats(config: &DocConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let remote = remote(&config.engine);
    let (stats, facets, largest) = overview(source(&index, &remote))?;
    output::print_stats(out, &stats, &facets, &largest, config.json)?;
    Ok(ExitCode::from(FOUND))
}

fn alert(config: &AlertConfig, out: &mut impl Write) -> Result<ExitCode> {
    match &config.action {
        AlertAction::List { json } => {
            NewsIndex::ensure_exists(&config.index_dir)?;
            let alerts = AlertStore::new(&config.index_dir).list()?;
            output::print_alerts(out, &alerts, *json)?;
            Ok(ExitCode::from(if alerts.is_empty() {
                NOTHING
            } else {
                FOUND
            }))
        }
        AlertAction::Delete(name) => {
            NewsIndex::ensure_exists(&config.index_dir)?;
            if AlertStore::new(&config.index_dir).delete(name)? {
                Ok(ExitCode::from(FOUND))
            } else {
                Err(NewsearchError::UnknownAlert(name.clone()).into())
            }
        }
        AlertAction::Run(run) => run_alert(config, run, out),
    }
}

/// Runs an alert, printing its new matches; the alert moves its cursor only once they
/// are written, flushed and synced.
fn run_alert(config: &AlertConfig, run: &AlertRun, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let remote = remote(&config.engine);
    let deliver = |results: &crate::search::SearchResults| {
        output::print_results(out, results, run.format, run.highlight, run.color)
            .and_then(|()| out.flush())
            .and_then(|()| output::sync_stdout())
    };
    let warn = |message: &str| eprintln!("newsearch: {}", output::sanitize(message));
    Ok(ExitCode::from(
        match alert::run(source(&index, &remote), &run.request, deliver, warn)? {
            AlertOutcome::Reported(_) | AlertOutcome::Initialised => FOUND,
            AlertOutcome::Nothing => NOTHING,
        },
    ))
}
