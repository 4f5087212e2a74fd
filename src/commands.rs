//! The commands: each takes its plain settings, runs the engine and hands the outcome to
//! a printer, returning the exit status scripts rely on (0 found, 1 nothing, 2 error).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::alert::{Alert, AlertStore};
use crate::aliases;
use crate::config::{
    AlertAction, AlertConfig, AlertRun, Config, DocConfig, FacetsConfig, IndexConfig, QueryConfig,
};
use crate::error::NewsearchError;
use crate::index::{article_passages, first_passages, index_stats, load_passage, NewsIndex};
use crate::output::{self, QueryFormat, StderrReporter};
use crate::pipeline::run_index;
use crate::search::facets::{FacetRequest, Interval};
use crate::search::filters::Filters;
use crate::search::{facets_of, search, SearchRequest};

/// Exit status when something matched (or a run succeeded).
pub const FOUND: u8 = 0;
/// Exit status when nothing matched.
pub const NOTHING: u8 = 1;
/// Exit status on errors.
pub const ERROR: u8 = 2;

/// Runs a command, writing results to `out`.
pub fn run(config: Config, out: &mut impl Write) -> Result<ExitCode> {
    match config {
        Config::Index(config) => index(&config, out),
        Config::Query(config) => query(&config, out),
        Config::Show { doc, id } => show(&doc, &id, out),
        Config::Facets(config) => facets(&config, out),
        Config::Export(doc) => export(&doc, out),
        Config::Stats(doc) => stats(&doc, out),
        Config::Alert(config) => alert(&config, out),
    }
}

fn index(config: &IndexConfig, out: &mut impl Write) -> Result<ExitCode> {
    let reporter = StderrReporter::new(config.progress);
    let summary = run_index(config, &reporter)?;
    if config.json {
        output::print_summary(out, &summary, true)?;
    } else if !config.quiet {
        output::print_summary(&mut std::io::stderr(), &summary, false)?;
    }
    if config.strict && summary.warnings > 0 {
        out.flush()?;
        eprintln!(
            "newsearch: error: {} warning{} reported (--strict); the index was committed",
            summary.warnings,
            if summary.warnings == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(ERROR));
    }
    Ok(ExitCode::from(FOUND))
}

fn query(config: &QueryConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let results = search(&index, &config.request)?;
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
    let searcher = index.reader()?.searcher();
    let passages = article_passages(&searcher, index.fields(), id.trim())?;
    let Some(first) = passages.first() else {
        return Err(NewsearchError::UnknownArticle(id.to_string()).into());
    };
    let entities = if first.entities.is_empty() {
        Vec::new()
    } else {
        aliases::shown_entities(&aliases::load(&index)?, &first.entities)
    };
    output::print_article(out, &passages, &entities, config.json, config.color)?;
    Ok(ExitCode::from(FOUND))
}

fn facets(config: &FacetsConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.doc.index_dir)?;
    let (total, facets) = facets_of(
        &index,
        config.query.as_deref(),
        &config.filters,
        config.request,
    )?;
    output::print_facets(out, total, &facets, config.doc.json)?;
    Ok(ExitCode::from(if total > 0 { FOUND } else { NOTHING }))
}

fn export(config: &DocConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let searcher = index.reader()?.searcher();
    let table = aliases::load(&index)?;
    for address in first_passages(&searcher, index.fields())? {
        let first = load_passage(&searcher, index.fields(), address)?;
        let entities = aliases::shown_entities(&table, &first.entities);
        output::print_export_line(out, &first, &entities)?;
    }
    Ok(ExitCode::from(FOUND))
}

fn stats(config: &DocConfig, out: &mut impl Write) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(&config.index_dir)?;
    let top = FacetRequest {
        top: 5,
        interval: Interval::Year,
    };
    let (_, facets) = facets_of(&index, None, &Filters::default(), top)?;
    output::print_stats(out, &index_stats(&index)?, &facets, config.json)?;
    Ok(ExitCode::from(FOUND))
}

fn alert(config: &AlertConfig, out: &mut impl Write) -> Result<ExitCode> {
    match &config.action {
        AlertAction::List { json } => {
            let alerts = AlertStore::new(&config.index_dir).list()?;
            output::print_alerts(out, &alerts, *json)?;
            Ok(ExitCode::from(if alerts.is_empty() {
                NOTHING
            } else {
                FOUND
            }))
        }
        AlertAction::Delete(name) => {
            if AlertStore::new(&config.index_dir).delete(name)? {
                Ok(ExitCode::from(FOUND))
            } else {
                Err(NewsearchError::UnknownAlert(name.clone()).into())
            }
        }
        AlertAction::Run(run) => run_alert(&config.index_dir, run, out),
    }
}

/// Prints the alert's matches among articles added or changed since its cursor, then moves
/// the cursor — only once the output is written, flushed and synced.
fn run_alert(
    index_dir: &std::path::Path,
    run: &AlertRun,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = NewsIndex::open_reader(index_dir)?;
    let upto = index.generation();
    let store = AlertStore::new(index.dir());
    let _lock = store.lock(&run.name)?;
    let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let mut alert = match (store.load(&run.name)?, &run.definition) {
        (Some(mut alert), Some(definition)) => {
            if alert.definition != *definition {
                eprintln!(
                    "newsearch: alert {:?} now runs {:?} (was {:?}); its cursor stays",
                    run.name, definition.query, alert.definition.query
                );
                alert.definition = definition.clone();
            }
            alert
        }
        (Some(alert), None) => alert,
        (None, Some(definition)) => Alert {
            name: run.name.clone(),
            definition: definition.clone(),
            cursor: 0,
            created: now.clone(),
            last_run: None,
            last_reported: 0,
        },
        (None, None) => return Err(NewsearchError::UnknownAlert(run.name.clone()).into()),
    };
    if run.init {
        alert.cursor = upto;
        alert.last_run = Some(now);
        alert.last_reported = 0;
        store.save(&alert)?;
        return Ok(ExitCode::from(NOTHING));
    }
    let mut filters = alert.definition.filters.resolve(run.today)?;
    filters.changed = Some((alert.cursor, upto));
    let request = SearchRequest {
        query: alert.definition.query.clone(),
        limit: usize::MAX,
        offset: 0,
        per_article: run.per_article,
        snippet_chars: run.snippet_chars,
        filters,
        sort: run.sort,
        facets: None,
    };
    let results = search(&index, &request)?;
    if !results.hits.is_empty() {
        let written = output::print_results(out, &results, run.format, run.highlight, run.color)
            .and_then(|()| out.flush())
            .and_then(|()| output::sync_stdout());
        if let Err(error) = written {
            return Err(NewsearchError::AlertNotDelivered {
                name: run.name.clone(),
                reason: error.to_string(),
            }
            .into());
        }
    }
    alert.cursor = upto;
    alert.last_run = Some(now);
    alert.last_reported = results.total_articles;
    store.save(&alert)?;
    Ok(ExitCode::from(if results.hits.is_empty() {
        NOTHING
    } else {
        FOUND
    }))
}
