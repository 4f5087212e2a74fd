//! The lock of an index run: `newsearch.lock` in the index folder, held for the whole run
//! so that two runs never interleave. Queries never take it.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::NewsearchError;
use crate::files::open_lock_file;

/// File locked for the whole of an index run.
pub(super) const LOCK_FILE: &str = "newsearch.lock";

/// What a run does when another run holds the index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Wait {
    /// Fail at once.
    #[default]
    No,
    /// Wait for at most this long.
    AtMost(Duration),
    /// Wait as long as it takes.
    Forever,
}

/// The lock of an index run, held until dropped.
#[derive(Debug)]
pub struct IndexLock {
    _file: fs::File,
}

impl IndexLock {
    /// Takes the lock of the index at `dir` (creating the folder). Fails with
    /// [`NewsearchError::Locked`] when another run holds it and `wait` is [`Wait::No`], or
    /// with [`NewsearchError::LockTimeout`] when waiting ran out; `on_wait` is called once
    /// when waiting starts.
    pub fn acquire(dir: &Path, wait: Wait, on_wait: impl FnOnce()) -> Result<IndexLock> {
        let path = dir.join(LOCK_FILE);
        let file = open_lock_file(&path).map_err(|error| {
            let denied = error.chain().any(|cause| {
                cause.downcast_ref::<std::io::Error>().is_some_and(|e| {
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::PermissionDenied
                            | std::io::ErrorKind::ReadOnlyFilesystem
                    )
                })
            });
            if denied {
                anyhow::anyhow!(
                    "cannot write to the index at {}: permission denied on {} (an index run must write the index; queries only read it)",
                    dir.display(),
                    path.display()
                )
            } else {
                error
            }
        })?;
        let started = Instant::now();
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(IndexLock { _file: file }),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(error)) => {
                    return Err(error).with_context(|| format!("locking {}", path.display()))
                }
            }
            match wait {
                Wait::No => return Err(NewsearchError::Locked(dir.to_path_buf()).into()),
                Wait::AtMost(limit) if started.elapsed() >= limit => {
                    return Err(NewsearchError::LockTimeout {
                        path: dir.to_path_buf(),
                        seconds: started.elapsed().as_secs_f64(),
                    }
                    .into());
                }
                Wait::AtMost(_) | Wait::Forever => {}
            }
            if let Some(tell) = on_wait.take() {
                tell();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
