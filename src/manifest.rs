//! The manifest: what each walked file contributed to the index (its size and times, a
//! hash of its content, and the articles it yielded), so that a re-run reads only files
//! that changed and removes the articles of files that disappeared.
//!
//! Each commit names its manifest in the commit's payload (`meta.json`), and the manifest
//! file is written and synced *before* that commit, so the manifest a reader finds always
//! describes exactly the commit it belongs to — whenever a run is killed.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::extract::ArticleId;
use crate::files::{write_atomic, MANIFEST_FILES as MANIFESTS};

/// Bumped when the manifest's layout changes. Format 1 hashed each record's number in its
/// file together with its content; it is still read (see [`Place::InHash`]).
const MANIFEST_FORMAT: u32 = 2;

/// What a commit's payload records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Commits made by newsearch so far, this one included.
    pub generation: u64,
    /// File name (inside the index folder) of the manifest of this commit.
    pub manifest: Option<String>,
    /// File name of the story book of this commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stories: Option<String>,
}

impl CommitInfo {
    /// Reads a commit payload; `None` (an index tantivy committed without one) is generation 0.
    pub fn parse(payload: Option<&str>) -> Result<CommitInfo> {
        match payload {
            None => Ok(CommitInfo::default()),
            Some(text) => serde_json::from_str(text)
                .with_context(|| format!("reading the commit payload {text:?}")),
        }
    }

    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("commit info serializes")
    }
}

/// Size and times of a file (and of its side-car metadata file): when they are unchanged
/// the file is not read again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: i128,
    /// Status-change time: moves with writes, `touch`, `chmod` and renames.
    pub changed_ns: i128,
    pub sidecar: Option<(u64, i128)>,
}

impl Stamp {
    /// The stamp of `path` (following links); `None` when it cannot be read.
    pub fn of(path: &Path, sidecar: Option<&Path>) -> Option<Stamp> {
        let meta = fs::metadata(path).ok()?;
        let sidecar = sidecar
            .and_then(|s| fs::metadata(s).ok())
            .map(|m| (m.len(), nanos(m.modified().ok())));
        Some(Stamp {
            size: meta.len(),
            modified_ns: nanos(meta.modified().ok()),
            changed_ns: changed_ns(&meta),
            sidecar,
        })
    }
}

fn nanos(time: Option<SystemTime>) -> i128 {
    match time.map(|t| t.duration_since(SystemTime::UNIX_EPOCH)) {
        Some(Ok(after)) => after.as_nanos() as i128,
        Some(Err(before)) => -(before.duration().as_nanos() as i128),
        None => 0,
    }
}

#[cfg(unix)]
fn changed_ns(meta: &fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())
}

#[cfg(not(unix))]
fn changed_ns(_: &fs::Metadata) -> i128 {
    0
}

/// One article a file yielded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleEntry {
    pub id: ArticleId,
    /// Hash of the record the article was built from, wherever the record sits in its
    /// file: an article whose content did not change is not news, even if its line moved.
    pub hash: u64,
    /// Generation in which the article was added or last changed.
    pub seq: u64,
    /// Where the record was in its file.
    pub place: Place,
}

/// Where a record was in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// Its record number (none for a file of one article).
    At(Option<u64>),
    /// Unknown: the entry comes from a manifest of format 1, whose hash covers the record
    /// number as well as the content.
    InHash,
}

/// What one file contributed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub stamp: Stamp,
    /// Hash of the file's content as read (its records in order); 0 when it could not be used.
    pub hash: u64,
    pub articles: Vec<ArticleEntry>,
}

/// Every walked file of the commit, by absolute path as walked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    generation: u64,
    manifest: Manifest,
}

impl Manifest {
    /// Loads the manifest a commit names. A missing manifest (an index written before
    /// any newsearch commit) is empty; a damaged or foreign one is an error naming the file.
    pub fn load(dir: &Path, info: &CommitInfo) -> Result<Manifest> {
        let Some(name) = &info.manifest else {
            return Ok(Manifest::default());
        };
        let path = dir.join(name);
        let bytes = fs::read(&path).with_context(|| {
            format!(
                "reading the manifest {} (rebuild with `newsearch index --full`)",
                path.display()
            )
        })?;
        decode(&bytes).with_context(|| {
            format!(
                "the manifest {} is damaged; rebuild with `newsearch index --full`",
                path.display()
            )
        })
    }

    /// Writes and syncs the manifest of the commit about to be made; returns its file name.
    pub fn save(&self, dir: &Path, generation: u64) -> Result<String> {
        let name = MANIFESTS.name(generation);
        let path = dir.join(&name);
        let stored = Stored {
            format: MANIFEST_FORMAT,
            generation,
            manifest: self.clone(),
        };
        let mut bytes = postcard::to_stdvec(&stored).context("encoding the manifest")?;
        let checksum = xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        write_atomic(&path, |file| file.write_all(&bytes))
            .with_context(|| format!("writing the manifest {}", path.display()))?;
        Ok(name)
    }
}

fn decode(bytes: &[u8]) -> Result<Manifest> {
    if bytes.len() < 8 {
        bail!("it is truncated");
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    let checksum = u64::from_le_bytes(tail.try_into().expect("eight bytes"));
    if xxh3_64(body) != checksum {
        bail!("its checksum does not match");
    }
    let (format, _) = postcard::take_from_bytes::<u32>(body).context("it cannot be decoded")?;
    match format {
        MANIFEST_FORMAT => {
            let stored: Stored = postcard::from_bytes(body).context("it cannot be decoded")?;
            Ok(stored.manifest)
        }
        1 => {
            let stored: v1::Stored = postcard::from_bytes(body).context("it cannot be decoded")?;
            Ok(stored.upgraded())
        }
        other => bail!("it has format {other}, not {MANIFEST_FORMAT}"),
    }
}

/// The manifest as format 1 wrote it.
mod v1 {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::{ArticleEntry as Current, FileEntry as CurrentFile, Manifest, Place, Stamp};
    use crate::extract::ArticleId;

    #[derive(Deserialize)]
    pub struct Stored {
        _format: u32,
        _generation: u64,
        manifest: Files,
    }

    #[derive(Deserialize)]
    struct Files {
        files: BTreeMap<String, FileEntry>,
    }

    #[derive(Deserialize)]
    struct FileEntry {
        stamp: Stamp,
        hash: u64,
        articles: Vec<ArticleEntry>,
    }

    #[derive(Deserialize)]
    struct ArticleEntry {
        id: ArticleId,
        hash: u64,
        seq: u64,
    }

    impl Stored {
        pub fn upgraded(self) -> Manifest {
            let files = self.manifest.files.into_iter().map(|(key, entry)| {
                let articles = entry.articles.into_iter().map(|a| Current {
                    id: a.id,
                    hash: a.hash,
                    seq: a.seq,
                    place: Place::InHash,
                });
                let upgraded = CurrentFile {
                    stamp: entry.stamp,
                    hash: entry.hash,
                    articles: articles.collect(),
                };
                (key, upgraded)
            });
            Manifest {
                files: files.collect(),
            }
        }
    }
}

/// Deletes manifest files other than `keep` (left by earlier commits or by killed runs).
pub fn remove_stale(dir: &Path, keep: Option<&str>) {
    MANIFESTS.remove_others(dir, keep);
}

/// The key a walked file has in the manifest: its absolute path, links not resolved.
pub fn file_key(path: &Path) -> String {
    absolute(path).to_string_lossy().into_owned()
}

/// `path` made absolute against the working directory, without touching the file system.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "/corpus/a.txt".into(),
            FileEntry {
                stamp: Stamp {
                    size: 10,
                    modified_ns: 1_700_000_000_000_000_000,
                    changed_ns: 1_700_000_000_000_000_001,
                    sidecar: Some((5, 3)),
                },
                hash: 42,
                articles: vec![ArticleEntry {
                    id: ArticleId(7),
                    hash: 8,
                    seq: 2,
                    place: Place::At(Some(4)),
                }],
            },
        );
        manifest
    }

    #[test]
    fn round_trips_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = sample();
        let name = manifest.save(dir.path(), 3).unwrap();
        assert_eq!(name, "manifest-3.bin");
        let info = CommitInfo {
            generation: 3,
            manifest: Some(name.clone()),
            stories: None,
        };
        assert_eq!(Manifest::load(dir.path(), &info).unwrap(), manifest);

        let path = dir.path().join(&name);
        let mut bytes = fs::read(&path).unwrap();
        bytes[4] ^= 0xff;
        fs::write(&path, &bytes).unwrap();
        let error = Manifest::load(dir.path(), &info).unwrap_err();
        assert!(format!("{error:#}").contains("damaged"), "{error:#}");
    }

    #[test]
    fn a_manifest_of_format_1_is_read_with_its_hashes_marked() {
        #[derive(Serialize)]
        struct OldEntry {
            id: ArticleId,
            hash: u64,
            seq: u64,
        }
        #[derive(Serialize)]
        struct OldFile {
            stamp: Stamp,
            hash: u64,
            articles: Vec<OldEntry>,
        }
        #[derive(Serialize)]
        struct OldFiles {
            files: BTreeMap<String, OldFile>,
        }
        #[derive(Serialize)]
        struct OldStored {
            format: u32,
            generation: u64,
            manifest: OldFiles,
        }
        let old = OldStored {
            format: 1,
            generation: 5,
            manifest: OldFiles {
                files: BTreeMap::from([(
                    "/corpus/feed.jsonl".to_string(),
                    OldFile {
                        stamp: Stamp::default(),
                        hash: 3,
                        articles: vec![OldEntry {
                            id: ArticleId(7),
                            hash: 8,
                            seq: 2,
                        }],
                    },
                )]),
            },
        };
        let mut bytes = postcard::to_stdvec(&old).unwrap();
        let checksum = xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        let manifest = decode(&bytes).unwrap();
        let entry = &manifest.files["/corpus/feed.jsonl"];
        assert_eq!(entry.hash, 3);
        assert_eq!(
            entry.articles,
            vec![ArticleEntry {
                id: ArticleId(7),
                hash: 8,
                seq: 2,
                place: Place::InHash
            }]
        );
    }

    #[test]
    fn payload_round_trips_and_absent_payload_is_generation_zero() {
        let info = CommitInfo {
            generation: 9,
            manifest: Some("manifest-9.bin".into()),
            stories: Some("stories-9.book".into()),
        };
        assert_eq!(CommitInfo::parse(Some(&info.to_payload())).unwrap(), info);
        assert_eq!(CommitInfo::parse(None).unwrap(), CommitInfo::default());
        assert!(CommitInfo::parse(Some("first commit")).is_err());
    }

    #[test]
    fn stale_files_are_removed_but_the_kept_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = sample();
        let old = manifest.save(dir.path(), 1).unwrap();
        let kept = manifest.save(dir.path(), 2).unwrap();
        fs::write(dir.path().join("meta.json"), "{}").unwrap();
        remove_stale(dir.path(), Some(&kept));
        assert!(!dir.path().join(old).exists());
        assert!(dir.path().join(kept).exists());
        assert!(dir.path().join("meta.json").exists());
    }
}
