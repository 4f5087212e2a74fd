//! Saved queries with a cursor, kept in `<index>/alerts/NAME.json`: their definition (the
//! query and its filters as typed, so relative dates are read again on every run), the
//! store, and one run of an alert. The cursor is the index generation (commit number) up
//! to which the alert has reported; a run holds `<index>/alerts/NAME.lock` from reading
//! the cursor until it has saved the new one, so two runs of one alert never report the
//! same article, and it moves the cursor only once its output was delivered. The lock
//! file is removed when the run ends, whatever the outcome.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::NewsearchError;
use crate::extract::entities::EntityKind;
use crate::files::{open_lock_file, write_atomic};
use crate::index::ALERTS_DIR;
use crate::search::filters::{parse_period, DayRange, Filters};
use crate::search::source::Source;
use crate::search::{search, Group, SearchRequest, SearchResults, Sort};

const LONGEST_NAME: usize = 64;

/// A saved query as the user defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDefinition {
    pub query: String,
    #[serde(default, skip_serializing_if = "FilterSpec::is_empty")]
    pub filters: FilterSpec,
    /// Report every new or changed article, not only stories the alert has not reported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub each_article: bool,
}

/// The filters as typed (dates not yet resolved), as an alert saves them: relative dates
/// such as `7d` are resolved again on every run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterSpec {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions_date: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub person: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub org: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<String>,
}

impl FilterSpec {
    pub fn is_empty(&self) -> bool {
        *self == FilterSpec::default()
    }

    /// The filters, with dates read and relative ones counted back from `today`.
    pub fn resolve(&self, today: NaiveDate) -> Result<Filters> {
        let period = |value: &Option<String>| -> Result<Option<DayRange>> {
            Ok(value
                .as_deref()
                .map(|v| parse_period(v, today))
                .transpose()?)
        };
        let mentions = self
            .mentions_date
            .iter()
            .map(|v| parse_period(v, today))
            .collect::<Result<Vec<DayRange>, _>>()?;
        Ok(Filters {
            sources: self.source.clone(),
            published: DayRange {
                from: period(&self.from)?.and_then(|p| p.from),
                to: period(&self.to)?.and_then(|p| p.to),
            },
            mentions,
            changed: None,
            entities: [
                (EntityKind::Person, &self.person),
                (EntityKind::Org, &self.org),
                (EntityKind::Place, &self.place),
            ]
            .into_iter()
            .flat_map(|(kind, names)| names.iter().map(move |n| (kind, n.clone())))
            .collect(),
        })
    }
}

/// A saved alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub name: String,
    #[serde(flatten)]
    pub definition: AlertDefinition,
    /// Articles added or changed up to this index generation have been reported.
    pub cursor: u64,
    /// When the alert was created and last ran successfully (RFC 3339, local time).
    pub created: String,
    pub last_run: Option<String>,
    /// Articles (or stories) the last successful run reported.
    pub last_reported: usize,
    /// The articles by which the alert reported a story, most recent last (at most
    /// [`REMEMBERED_STORIES`]): a story holding one of them was reported, so an article
    /// joining it is not news (whatever the story's id has become since).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reported_stories: Vec<String>,
}

/// Most stories an alert remembers having reported; older ones are forgotten first.
pub const REMEMBERED_STORIES: usize = 10_000;

/// The alerts of one index.
pub struct AlertStore {
    dir: PathBuf,
}

/// The lock of one alert, held until dropped; dropping it removes the lock file.
pub struct AlertLock {
    file: fs::File,
    path: PathBuf,
}

impl Drop for AlertLock {
    /// Removes the lock file while still holding its lock: a run waiting on it then finds,
    /// once it gets the lock, that the file it locked is no longer the one at the path,
    /// and locks the path anew (see [`AlertStore::lock`]).
    fn drop(&mut self) {
        if is_same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `file` is the file at `path` now (not one removed, or replaced, since it was
/// opened).
fn is_same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

impl AlertStore {
    pub fn new(index_dir: &Path) -> AlertStore {
        AlertStore {
            dir: index_dir.join(ALERTS_DIR),
        }
    }

    /// Where an alert is saved.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// Takes the alert's lock, waiting while another run of the same alert holds it.
    pub fn lock(&self, name: &str) -> Result<AlertLock> {
        check_name(name)?;
        let path = self.dir.join(format!("{name}.lock"));
        loop {
            let file = open_lock_file(&path)?;
            file.lock()
                .with_context(|| format!("locking {}", path.display()))?;
            // The run that held it may have removed the file on its way out.
            if is_same_file(&file, &path) {
                return Ok(AlertLock { file, path });
            }
        }
    }

    /// The saved alert, if there is one.
    pub fn load(&self, name: &str) -> Result<Option<Alert>> {
        check_name(name)?;
        let path = self.path(name);
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).with_context(|| {
                format!(
                    "the alert file {} is damaged; delete it with `newsearch alert --delete {name}`",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Saves the alert atomically: a crash leaves the old version or the new, never half.
    pub fn save(&self, alert: &Alert) -> Result<()> {
        check_name(&alert.name)?;
        let path = self.path(&alert.name);
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        write_atomic(&path, |file| {
            serde_json::to_writer_pretty(&mut *file, alert)?;
            file.write_all(b"\n")
        })
        .with_context(|| format!("saving the alert to {}", path.display()))
    }

    /// Every saved alert, by name.
    pub fn list(&self) -> Result<Vec<Alert>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("listing {}", self.dir.display())),
        };
        let mut alerts = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("listing {}", self.dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(name) = name.strip_suffix(".json") {
                if check_name(name).is_ok() {
                    if let Some(alert) = self.load(name)? {
                        alerts.push(alert);
                    }
                }
            }
        }
        alerts.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(alerts)
    }

    /// Deletes the alert; false when there was none.
    pub fn delete(&self, name: &str) -> Result<bool> {
        let _lock = self.lock(name)?;
        let path = self.path(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("deleting {}", path.display())),
        }
    }
}

/// One run of an alert, as asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRequest {
    pub name: String,
    /// The definition given on the command line (required to create the alert).
    pub definition: Option<AlertDefinition>,
    /// Create the alert, or move its cursor to now, without reporting anything.
    pub init: bool,
    pub per_article: usize,
    pub snippet_chars: usize,
    pub sort: Sort,
    /// For relative dates in the saved filters.
    pub today: NaiveDate,
}

/// What a run of an alert did.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertOutcome {
    /// Matches newer than the cursor were delivered and the cursor moved.
    Reported(usize),
    /// Nothing was new; the cursor moved.
    Nothing,
    /// The alert was created or its cursor reset without reporting (`--init`).
    Initialised,
}

/// Runs an alert: finds its matches among articles added or changed since its cursor,
/// hands them to `deliver` (which writes them out, flushed and synced), and moves the
/// cursor only when that succeeded. A definition given with the run replaces the saved
/// one (the cursor stays); `warn` hears of that.
pub fn run(
    source: Source,
    request: &AlertRequest,
    deliver: impl FnOnce(&SearchResults) -> io::Result<()>,
    warn: impl FnOnce(&str),
) -> Result<AlertOutcome> {
    let index = source.index;
    // With another engine, only what it was sent.
    let upto = match source.remote {
        Some(remote) => index.generation().min(remote.sent_generation(index)?),
        None => index.generation(),
    };
    let store = AlertStore::new(index.dir());
    let _lock = store.lock(&request.name)?;
    let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let saved = store.load(&request.name)?;
    let mut alert = match (saved.clone(), &request.definition) {
        (Some(mut alert), Some(definition)) => {
            if alert.definition != *definition {
                warn(&format!(
                    "alert {:?} now runs {:?} (was {:?}); its cursor stays",
                    request.name, definition.query, alert.definition.query
                ));
                alert.definition = definition.clone();
            }
            alert
        }
        (Some(alert), None) => alert,
        (None, Some(definition)) => Alert {
            name: request.name.clone(),
            definition: definition.clone(),
            cursor: 0,
            created: now.clone(),
            last_run: None,
            last_reported: 0,
            reported_stories: Vec::new(),
        },
        (None, None) => return Err(NewsearchError::UnknownAlert(request.name.clone()).into()),
    };
    if request.init {
        alert.cursor = upto;
        alert.last_run = Some(now);
        alert.last_reported = 0;
        store.save(&alert)?;
        return Ok(AlertOutcome::Initialised);
    }
    let mut filters = alert.definition.filters.resolve(request.today)?;
    filters.changed = Some((alert.cursor, upto));
    let search_request = SearchRequest {
        query: alert.definition.query.clone(),
        limit: usize::MAX,
        offset: 0,
        per_article: request.per_article,
        snippet_chars: request.snippet_chars,
        filters,
        sort: request.sort,
        group: if alert.definition.each_article {
            Group::Article
        } else {
            Group::Story
        },
        facets: None,
    };
    let mut results = search(source, &search_request)?;
    // A story reported before is not news, whichever of its articles is new.
    let reported: std::collections::HashSet<&str> =
        alert.reported_stories.iter().map(String::as_str).collect();
    let was_reported = |hit: &crate::search::Hit| {
        let members = std::iter::once(hit.article_id)
            .chain(hit.story.iter().flat_map(|s| s.others.iter().copied()));
        members
            .map(|id| id.to_string())
            .any(|id| reported.contains(id.as_str()))
    };
    if !alert.definition.each_article {
        results.hits.retain(|hit| !was_reported(hit));
    }
    let mut new_stories: Vec<String> = results
        .hits
        .iter()
        .filter(|hit| hit.story.is_some())
        .map(|hit| hit.article_id.to_string())
        .collect();
    new_stories.dedup();
    let reported_now = if alert.definition.each_article {
        results.total_articles
    } else {
        let mut distinct: Vec<u64> = results.hits.iter().map(|h| h.article_id.0).collect();
        distinct.dedup();
        distinct.len()
    };
    drop(reported);
    if !results.hits.is_empty() {
        if let Err(error) = deliver(&results) {
            // The alert (new, or with a new query) is kept with its cursor where it was,
            // so that the next run reports the same articles.
            if saved.as_ref() != Some(&alert) {
                store.save(&alert)?;
            }
            return Err(NewsearchError::AlertNotDelivered {
                name: request.name.clone(),
                reason: error.to_string(),
            }
            .into());
        }
    }
    alert.cursor = upto;
    alert.last_run = Some(now);
    alert.last_reported = reported_now;
    for story in new_stories {
        if !alert.reported_stories.contains(&story) {
            alert.reported_stories.push(story);
        }
    }
    let excess = alert
        .reported_stories
        .len()
        .saturating_sub(REMEMBERED_STORIES);
    alert.reported_stories.drain(..excess);
    store.save(&alert)?;
    Ok(if results.hits.is_empty() {
        AlertOutcome::Nothing
    } else {
        AlertOutcome::Reported(reported_now)
    })
}

/// Alert names become file names: letters, digits, '.', '_' and '-', not starting with '.'.
fn check_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= LONGEST_NAME
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        bail!(
            "bad alert name {name:?}: use up to {LONGEST_NAME} letters, digits, '.', '_' and '-' (not starting with '.')"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(name: &str) -> Alert {
        Alert {
            name: name.into(),
            definition: AlertDefinition {
                query: "Rafah".into(),
                filters: FilterSpec {
                    from: Some("7d".into()),
                    ..FilterSpec::default()
                },
                each_article: false,
            },
            cursor: 3,
            created: "2026-11-21T10:00:00+00:00".into(),
            last_run: None,
            last_reported: 0,
            reported_stories: Vec::new(),
        }
    }

    #[test]
    fn saves_loads_lists_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(dir.path());
        assert_eq!(store.load("rafah").unwrap(), None);
        let _lock = store.lock("rafah").unwrap();
        store.save(&alert("rafah")).unwrap();
        store.save(&alert("gaza-daily")).unwrap();
        assert_eq!(store.load("rafah").unwrap(), Some(alert("rafah")));
        let names: Vec<String> = store.list().unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["gaza-daily", "rafah"]);
        drop(_lock);
        assert!(store.delete("rafah").unwrap());
        assert!(!store.delete("rafah").unwrap());
        assert_eq!(store.load("rafah").unwrap(), None);
    }

    #[test]
    fn names_that_are_not_plain_file_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(dir.path());
        for bad in ["", "../x", "a/b", ".hidden", "sp ace", &"x".repeat(65)] {
            let error = store.load(bad).unwrap_err();
            assert!(
                error.to_string().contains("bad alert name"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn a_damaged_alert_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(dir.path());
        fs::create_dir_all(dir.path().join(ALERTS_DIR)).unwrap();
        fs::write(store.path("x"), "{not json").unwrap();
        let error = store.load("x").unwrap_err();
        assert!(format!("{error:#}").contains("x.json"), "{error:#}");
    }
}
