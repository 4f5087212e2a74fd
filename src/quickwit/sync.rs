//! Sending the local index's articles to a Quickwit index, and on later runs only what
//! changed: articles added or changed since the last send are sent again, and the older
//! copies of changed articles and the removed articles are deleted with delete tasks.
//!
//! What was sent is kept in the index folder, one state file per Quickwit index: the
//! generation sent up to, the sending run's number and the ids of the articles sent. Each
//! document carries its run number, so a delete of an older copy (`sync:<run`) never
//! touches the copy just sent, whatever split Quickwit put it in. A send that was
//! interrupted leaves `sending` in the state; the next run first deletes what that send
//! may have delivered, then sends it again, so nothing is held twice for long.
//!
//! Deletes in Quickwit are applied by its janitor, about once a minute: until then a
//! changed article can be found in both versions (results show it once, the newer), and a
//! removed one can still be found.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::mapping::{self, Analyzers, Extra, ARTICLE_KEY, SEQ, SYNC};
use super::{Client, MAX_BATCH_BYTES};
use crate::index::{article_ids, ArticleReader, NewsIndex};

/// Most article ids one delete task names.
const IDS_PER_DELETE: usize = 1000;

/// What was sent to one Quickwit index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct SyncState {
    /// The address of the Quickwit index.
    target: String,
    /// Every article of generations up to this one was sent.
    sent_generation: u64,
    /// The number of the last complete sending run.
    run: u64,
    /// Ids of the articles Quickwit holds, sorted.
    ids: Vec<u64>,
    /// A send that started and did not finish: (generation sent from, up to, its run).
    sending: Option<(u64, u64, u64)>,
}

/// What one send did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Whether the Quickwit index was created.
    pub created: bool,
    pub sent: u64,
    pub changed: u64,
    pub removed: u64,
}

fn state_path(index: &NewsIndex, client: &Client) -> PathBuf {
    let engine = client.engine();
    let tag = xxhash_rust::xxh3::xxh3_64(engine.address().as_bytes());
    index
        .dir()
        .join(format!("quickwit-{}-{tag:08x}.state", engine.index_id))
}

fn load(path: &Path) -> Result<Option<SyncState>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "reading {}: remove it to send every article again",
                path.display()
            )
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn save(path: &Path, state: &SyncState) -> Result<()> {
    let bytes = serde_json::to_vec(state).expect("the state serialises");
    crate::files::write_atomic(path, |file| std::io::Write::write_all(file, &bytes))
        .with_context(|| format!("saving what was sent to Quickwit in {}", path.display()))
}

/// The generation of `index` whose articles the Quickwit index holds.
pub fn sent_generation(index: &NewsIndex, client: &Client) -> Result<u64> {
    match load(&state_path(index, client))? {
        Some(state) => Ok(state.sent_generation),
        None => bail!(
            "the index folder {} never sent its articles to {}: run `newsearch index --to {}` \
             first",
            index.dir().display(),
            client.engine().address(),
            client.engine().address()
        ),
    }
}

/// The number of the next sending run: after the last complete one and after one that
/// was interrupted (whose documents carry its number).
fn next_run(state: &SyncState) -> u64 {
    state.run.max(state.sending.map_or(0, |(_, _, run)| run)) + 1
}

/// The delete of what an interrupted send may have delivered, before it is sent again by
/// `run`: the generations it was sending, by runs before this one.
fn interrupted_send(state: &SyncState, run: u64) -> Option<String> {
    let (from, upto, _) = state.sending?;
    Some(format!(
        "{SEQ}:>{from} AND {SEQ}:<={upto} AND {SYNC}:<{run}"
    ))
}

/// A delete task for the ids, in batches.
fn delete_ids(client: &Client, ids: &[u64], also: &str) -> Result<()> {
    for chunk in ids.chunks(IDS_PER_DELETE) {
        let list: Vec<String> = chunk.iter().map(u64::to_string).collect();
        client.delete(&format!("{ARTICLE_KEY}:IN [{}]{also}", list.join(" ")))?;
    }
    Ok(())
}

/// Sends what the local index added, changed or removed since the last send.
pub fn sync(index: &NewsIndex, client: &Client) -> Result<SyncReport> {
    let path = state_path(index, client);
    let address = client.engine().address();
    let mut report = SyncReport::default();
    let exists = client.index_exists()?;
    let mut state = match load(&path)? {
        Some(state) if exists => state,
        // An index removed on the cluster is filled again from the start.
        Some(_) => SyncState {
            target: address.clone(),
            ..SyncState::default()
        },
        None => {
            // Articles this folder did not send cannot be told from its own: refuse
            // rather than hold two copies.
            if exists && client.count_all()? > 0 {
                bail!(
                    "the Quickwit index {address} already holds articles that this index \
                     folder did not send: send to a new Quickwit index name, or delete that one"
                );
            }
            SyncState {
                target: address.clone(),
                ..SyncState::default()
            }
        }
    };
    if !exists {
        client.create_index()?;
        report.created = true;
    }
    let run = next_run(&state);
    if let Some(query) = interrupted_send(&state, run) {
        client.delete(&query)?;
    }
    let searcher = index.searcher()?;
    let reader = ArticleReader::new(&searcher, index.fields());
    let generation = index.generation();
    let mut now: Vec<u64> = article_ids(&searcher)?.into_iter().map(|id| id.0).collect();
    now.sort_unstable();
    let before: HashSet<u64> = state.ids.iter().copied().collect();
    let current: HashSet<u64> = now.iter().copied().collect();
    let mut removed: Vec<u64> = state
        .ids
        .iter()
        .copied()
        .filter(|id| !current.contains(id))
        .collect();
    removed.sort_unstable();
    let changed = reader.changed_after(state.sent_generation)?;
    state.sending = Some((state.sent_generation, generation, run));
    save(&path, &state)?;

    delete_ids(client, &removed, "")?;
    report.removed = removed.len() as u64;
    let stories = index.stories()?;
    let aliases = crate::aliases::load(index)?;
    let mut analyzers = Analyzers::default();
    let mut batch: Vec<u8> = Vec::new();
    let mut older: Vec<u64> = Vec::new();
    for (i, address) in changed.iter().enumerate() {
        let (article, title_given, seq) = reader.for_copy(*address)?;
        let id = article.meta.id.0;
        if before.contains(&id) {
            older.push(id);
        }
        let extra = Extra {
            title_given,
            seq,
            sync: run,
            group: stories.story_of(id).map_or(id, |s| s.0),
            aliases: &aliases,
        };
        let line = serde_json::to_vec(&mapping::document(&article, &extra, &mut analyzers))
            .expect("a document serialises");
        if !batch.is_empty() && batch.len() + line.len() + 1 > MAX_BATCH_BYTES {
            client.ingest(&batch, false)?;
            batch.clear();
        }
        batch.extend_from_slice(&line);
        batch.push(b'\n');
        report.sent += 1;
        if i + 1 == changed.len() {
            client.ingest(&batch, true)?;
        }
    }
    report.changed = older.len() as u64;
    delete_ids(client, &older, &format!(" AND {SYNC}:<{run}"))?;
    save(
        &path,
        &SyncState {
            target: address,
            sent_generation: generation,
            run,
            ids: now,
            sending: None,
        },
    )?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_after_an_interrupted_one_deletes_what_it_delivered_and_spares_its_own() {
        let complete = SyncState {
            sent_generation: 5,
            run: 3,
            ..SyncState::default()
        };
        assert_eq!(next_run(&complete), 4);
        assert_eq!(interrupted_send(&complete, 4), None);
        // Run 4 sent part of generations 6 to 9 and stopped.
        let interrupted = SyncState {
            sending: Some((5, 9, 4)),
            ..complete
        };
        let run = next_run(&interrupted);
        assert_eq!(
            run, 5,
            "the new send is told apart from the interrupted one"
        );
        assert_eq!(
            interrupted_send(&interrupted, run).as_deref(),
            Some("seq:>5 AND seq:<=9 AND sync:<5")
        );
    }
}
