//! The few file-system habits everything kept in the index folder shares: replacing a file
//! atomically, naming files by the commit generation they belong to and pruning the
//! others, and opening a file that exists only to be locked.

use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes `path` so that a crash leaves the old content or the new, never half: the bytes
/// go to a temporary file beside it, which is synced, renamed over `path`, and the folder
/// synced so that the rename itself survives a power cut.
pub(crate) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |name| name.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = BufWriter::new(fs::File::create(&temporary)?);
        write(&mut file)?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Syncs a folder, so that files created, renamed or removed in it stay so after a crash.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Files named after the commit generation they belong to (`manifest-7.bin`): only the
/// file of the last commit is needed, the others are left by earlier commits or by runs
/// that were killed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GenerationFiles {
    pub prefix: &'static str,
    pub suffix: &'static str,
}

/// The manifests, one per commit generation (see `manifest`).
pub(crate) const MANIFEST_FILES: GenerationFiles = GenerationFiles {
    prefix: "manifest-",
    suffix: ".bin",
};
/// The saved corpus alias tables, one per commit generation (see `aliases`).
pub(crate) const ALIAS_TABLE_FILES: GenerationFiles = GenerationFiles {
    prefix: "aliases-",
    suffix: ".json.zst",
};

impl GenerationFiles {
    /// Whether `name` is a file of this kind.
    pub fn matches(&self, name: &str) -> bool {
        name.starts_with(self.prefix) && name.ends_with(self.suffix)
    }

    /// The file name of generation `generation`.
    pub fn name(&self, generation: u64) -> String {
        format!("{}{generation}{}", self.prefix, self.suffix)
    }

    /// The path of generation `generation`'s file in `dir`.
    pub fn path(&self, dir: &Path, generation: u64) -> PathBuf {
        dir.join(self.name(generation))
    }

    /// Deletes this kind's files in `dir` other than `keep`. Failing to delete one is not
    /// an error: the next run tries again.
    pub fn remove_others(&self, dir: &Path, keep: Option<&str>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if self.matches(name) && Some(name) != keep {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Bytes free for this user on the file system holding `path`; `None` when it cannot be
/// told.
pub(crate) fn available_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` is written by statvfs
    // before it is read, which happens only when the call succeeded.
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

/// Opens (creating it and its folder) a file used only for its lock; its content is never
/// read or written.
pub(crate) fn open_lock_file(path: &Path) -> Result<fs::File> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening the lock file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alert.json");
        fs::write(&path, "old").unwrap();
        write_atomic(&path, |file| file.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let failed = write_atomic(&path, |_| Err(io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "new",
            "the old file stays"
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn generation_files_keep_only_the_named_one() {
        let dir = tempfile::tempdir().unwrap();
        let kind = GenerationFiles {
            prefix: "manifest-",
            suffix: ".bin",
        };
        for generation in 1..4 {
            fs::write(kind.path(dir.path(), generation), "x").unwrap();
        }
        fs::write(dir.path().join("meta.json"), "{}").unwrap();
        kind.remove_others(dir.path(), Some(&kind.name(3)));
        assert!(!kind.path(dir.path(), 1).exists() && !kind.path(dir.path(), 2).exists());
        assert!(kind.path(dir.path(), 3).exists());
        assert!(dir.path().join("meta.json").exists());
    }
}
