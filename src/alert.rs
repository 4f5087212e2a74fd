//! Saved queries with a cursor, kept in `<index>/alerts/NAME.json`. The cursor is the index
//! generation (commit number) up to which the alert has reported; an alert's run holds
//! `<index>/alerts/NAME.lock` from reading the cursor until it has saved the new one, so
//! two runs of one alert never report the same article.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::AlertDefinition;
use crate::index::open_lock_file;

/// Folder of the alerts, inside the index folder.
pub const ALERTS_DIR: &str = "alerts";
const LONGEST_NAME: usize = 64;

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
    /// Articles the last successful run reported.
    pub last_reported: usize,
}

/// The alerts of one index.
pub struct AlertStore {
    dir: PathBuf,
}

/// The lock of one alert, held until dropped.
pub struct AlertLock {
    _file: fs::File,
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
        let file = open_lock_file(&path)?;
        file.lock()
            .with_context(|| format!("locking {}", path.display()))?;
        Ok(AlertLock { _file: file })
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
        let temporary = self.dir.join(format!(".{}.json.tmp", alert.name));
        let write = || -> std::io::Result<()> {
            let mut file = fs::File::create(&temporary)?;
            serde_json::to_writer_pretty(&mut file, alert)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            fs::rename(&temporary, &path)?;
            fs::File::open(&self.dir)?.sync_all()
        };
        write().with_context(|| format!("saving the alert to {}", path.display()))
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
    use crate::config::FilterSpec;

    fn alert(name: &str) -> Alert {
        Alert {
            name: name.into(),
            definition: AlertDefinition {
                query: "Rafah".into(),
                filters: FilterSpec {
                    from: Some("7d".into()),
                    ..FilterSpec::default()
                },
            },
            cursor: 3,
            created: "2026-11-21T10:00:00+00:00".into(),
            last_run: None,
            last_reported: 0,
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
