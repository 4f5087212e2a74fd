//! The index folder as tantivy sees it: tantivy's memory-mapped directory, with two
//! changes that let one user write an index and others read it.
//!
//! - Atomic writes (`meta.json`, `.managed.json`) go through newsearch's own
//!   [`write_atomic`], whose files follow the umask like every other index file; tantivy's
//!   own creates them 0600, unreadable by anyone but the writer.
//! - A reader that cannot create tantivy's meta lock file (a user who may read the index
//!   but not write it, or a read-only file system) reads without it. The lock only keeps a
//!   concurrent writer's clean-up from removing files while a reader opens them, and
//!   opening is retried when that happens (see [`super::NewsIndex::open_reader`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr, META_LOCK,
};
use tantivy::Directory;

use crate::files::write_atomic;

/// The index folder, for tantivy.
#[derive(Clone, Debug)]
pub(super) struct NewsDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl NewsDirectory {
    pub fn open(root: &Path) -> Result<NewsDirectory, OpenDirectoryError> {
        Ok(NewsDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }
}

/// Whether an error creating a lock file means the folder cannot be written by this
/// process (as opposed to the lock being busy).
fn is_read_only(error: &LockError) -> bool {
    match error {
        LockError::IoError(io) => matches!(
            io.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        ),
        LockError::LockBusy => false,
    }
}

impl Directory for NewsDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        write_atomic(&self.root.join(path), |file| file.write_all(data))
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(error) if lock.filepath == META_LOCK.filepath && is_read_only(&error) => {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
