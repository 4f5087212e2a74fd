//! What a changed file's records are to what the file yielded before: unchanged (nothing
//! to do), moved (the same content elsewhere in the file: rewritten, but not news), or new
//! and changed. Content decides, not the place: a line prepended to a feed, or the oldest
//! dropped, leaves every other article as it was.

use std::collections::HashMap;

use crate::extract::{Article, ArticleId};
use crate::ingest::{Problem, Record};
use crate::manifest::{ArticleEntry, FileEntry, Place};
use crate::stories::StorySketch;

/// What became of one record of a changed file.
pub(super) enum RecordOutcome {
    /// Same id, same content, same place as before: nothing to do.
    Same(ArticleEntry),
    /// New, changed, or moved: to be written. `reuse_seq` is the seq of the same content
    /// written before (its line moved, or a rebuild found it unchanged); `moved` says the
    /// article itself did not change.
    Built {
        article: Box<Article>,
        /// What story clustering keeps of it (when stories are kept).
        sketch: Option<StorySketch>,
        hash: u64,
        reuse_seq: Option<u64>,
        moved: bool,
    },
    Rejected(Problem),
}

/// What a changed file yielded before, by article id (each id with every record that
/// had it, in file order): records whose article did not change need no extraction, and
/// an unchanged article keeps its seq wherever its record moved.
pub(super) struct Previous {
    /// The file's entry in the manifest being built.
    pub old: HashMap<ArticleId, Vec<ArticleEntry>>,
    /// The file's entry in the last commit's manifest.
    pub reuse: HashMap<ArticleId, Vec<ArticleEntry>>,
}

impl Previous {
    pub fn of(old: Option<&FileEntry>, reuse: Option<&FileEntry>) -> Previous {
        let by_id = |entry: Option<&FileEntry>| {
            let mut map: HashMap<ArticleId, Vec<ArticleEntry>> = HashMap::new();
            for article in entry.map_or(&[][..], |e| &e.articles) {
                map.entry(article.id).or_default().push(*article);
            }
            map
        };
        Previous {
            old: by_id(old),
            reuse: by_id(reuse),
        }
    }

    /// What to do with `record`, whose article has id `id` and content hash `hash`: the
    /// old entry when nothing changed, else the seq of the same content written before
    /// (and whether only its place changed).
    pub fn compare(&self, id: ArticleId, record: &Record, hash: u64) -> Comparison {
        let same_content = |entry: &ArticleEntry| match entry.place {
            Place::At(_) => entry.hash == hash,
            Place::InHash => entry.hash == record.content_and_place_hash(),
        };
        let old = self.old.get(&id).map_or(&[][..], Vec::as_slice);
        if let [entry] = old {
            let same_place = match entry.place {
                Place::At(at) => at == record.record,
                Place::InHash => true,
            };
            if same_content(entry) && same_place {
                return Comparison::Same(ArticleEntry {
                    hash,
                    place: Place::At(record.record),
                    ..*entry
                });
            }
        }
        // A record met more than once is written again each time, so that the last one
        // wins as it did when first written.
        if let Some(entry) = old.iter().find(|e| same_content(e)) {
            return Comparison::Moved(entry.seq);
        }
        let reuse = self.reuse.get(&id).map_or(&[][..], Vec::as_slice);
        Comparison::Changed(reuse.iter().find(|e| same_content(e)).map(|e| e.seq))
    }
}

/// A record against what its file yielded before.
pub(super) enum Comparison {
    Same(ArticleEntry),
    /// Same content, another place (or a record met more than once): rewritten, with its seq.
    Moved(u64),
    /// New or changed; with the seq to reuse when a rebuild finds the content unchanged.
    Changed(Option<u64>),
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pipeline::tests::{id_of, record};

    #[test]
    fn a_moved_record_keeps_its_seq_and_old_manifest_entries_are_still_understood() {
        let here = record("a", "Pilots met in Bergen.");
        let id = id_of("a");
        let mut moved = here.clone();
        moved.record = Some(2);
        let previous = |entries: Vec<ArticleEntry>| Previous {
            old: HashMap::from([(id, entries)]),
            reuse: HashMap::new(),
        };
        let current = ArticleEntry {
            id,
            hash: here.content_hash(),
            seq: 4,
            place: Place::At(Some(1)),
        };
        let compare = |previous: &Previous, record: &Record| {
            previous.compare(id, record, record.content_hash())
        };
        assert!(
            matches!(compare(&previous(vec![current]), &here), Comparison::Same(e) if e == current)
        );
        assert!(matches!(
            compare(&previous(vec![current]), &moved),
            Comparison::Moved(4)
        ));
        let changed = record("a", "Pilots met in Bergen again.");
        assert!(matches!(
            compare(&previous(vec![current]), &changed),
            Comparison::Changed(None)
        ));
        // An id met twice in the file is written again, keeping its seq.
        let twice = previous(vec![current, ArticleEntry { hash: 9, ..current }]);
        assert!(matches!(compare(&twice, &here), Comparison::Moved(4)));

        // Entries of format 1 hashed the record number with the content.
        let legacy = ArticleEntry {
            hash: here.content_and_place_hash(),
            place: Place::InHash,
            ..current
        };
        match compare(&previous(vec![legacy]), &here) {
            Comparison::Same(entry) => assert_eq!(entry, current, "upgraded"),
            _ => panic!("an unchanged record of an old manifest is unchanged"),
        }
        assert!(matches!(
            compare(&previous(vec![legacy]), &moved),
            Comparison::Changed(None)
        ));
    }
}
