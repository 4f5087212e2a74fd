//! Walking the paths given to an index run: files of the formats newsearch reads, in a
//! stable order, following symbolic links and skipping hidden entries; side-car metadata
//! files met on the way; and every folder or link that could not be walked, as a problem.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::text::SIDECAR_SUFFIX;
use super::{io_reason, kind_of, Problem, STDIN_ARG, STDIN_DISPLAY};

/// A file found by the walk that newsearch knows how to read, or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path to open; `-` for standard input.
    pub path: PathBuf,
    /// The path for display (lossy when it is not valid UTF-8).
    pub display: String,
}

impl SourceFile {
    /// Whether this "file" is standard input.
    pub fn is_stdin(&self) -> bool {
        is_stdin(&self.path)
    }
}

/// Whether a path given on the command line means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN_ARG
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<SourceFile>,
    /// Files with extensions newsearch does not read.
    pub ignored: usize,
    /// Side-car metadata files met on the way (`story.txt.meta.yaml`), so that their
    /// articles' files need no extra look-up to know whether they have one.
    pub sidecars: std::collections::HashSet<PathBuf>,
    pub problems: Vec<Problem>,
}

/// Walks every root (file or folder), following symbolic links, skipping hidden entries,
/// in a stable order. `-` stands for standard input (read once, however often it is
/// given). Roots that do not exist are returned as errors by the caller's check.
pub fn walk(roots: &[PathBuf]) -> WalkResult {
    let mut result = WalkResult::default();
    let mut stdin_seen = false;
    for root in roots {
        if is_stdin(root) {
            if !stdin_seen {
                stdin_seen = true;
                result.files.push(SourceFile {
                    path: root.clone(),
                    display: STDIN_DISPLAY.to_string(),
                });
            }
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    let path = entry.into_path();
                    if kind_of(&path).is_some() {
                        let display = path.to_string_lossy().into_owned();
                        result.files.push(SourceFile { path, display });
                    } else {
                        if path.to_string_lossy().ends_with(SIDECAR_SUFFIX) {
                            result.sidecars.insert(path);
                        }
                        result.ignored += 1;
                    }
                }
                Err(error) => {
                    let path = error
                        .path()
                        .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                    result
                        .problems
                        .push(Problem::new(path, walk_reason(&error)));
                }
            }
        }
    }
    result
}

fn walk_reason(error: &walkdir::Error) -> String {
    if let Some(ancestor) = error.loop_ancestor() {
        return format!("symbolic link loop back to {}", ancestor.display());
    }
    match error.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound && is_symlink(error.path()) => {
            "broken symbolic link (its target does not exist)".to_string()
        }
        Some(io) => io_reason(io),
        None => error.to_string(),
    }
}

fn is_symlink(path: Option<&Path>) -> bool {
    path.and_then(|p| fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.file_type().is_symlink())
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}
