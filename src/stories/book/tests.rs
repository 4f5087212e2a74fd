use super::*;
use crate::extract::entities::EntityKind;
use crate::stories::store::STORY_LEN;
use crate::stories::{cluster_all, sketch, StoryId, StoryInput};
use chrono::NaiveDate;

/// A small corpus: two outlets on one flood, a wire copy of one of them, the same
/// mayor in two different events three weeks apart, an unrelated market report, and
/// two undated copies.
const FLOOD_A: &str = "Floodwater swept through the town of Ballinrobe on Tuesday after \
    the River Robe burst its banks, forcing hundreds of residents from their homes. \
    Rescue crews in boats searched flooded streets, and the county council opened an \
    emergency shelter in the sports hall.";
const FLOOD_B: &str = "Hundreds of Ballinrobe residents were evacuated when the River Robe \
    burst its banks overnight. Council rescue crews used boats to reach flooded streets \
    and an emergency shelter was opened at the local sports hall, officials said.";
const MAYOR_BRIDGE: &str = "Mayor Aoife Brennan opened the new pedestrian bridge over the \
    harbour on Monday, cutting a ribbon before a crowd of schoolchildren. The bridge took \
    two years to build and links the ferry terminal with the old market square.";
const MAYOR_RESIGNS: &str = "Aoife Brennan resigned as mayor on Friday after auditors found \
    irregular payments in the council budget. Opposition councillors had demanded an \
    inquiry into the accounts, and a caretaker will chair meetings until an election.";
const MARKET: &str = "Copper prices rose to a three-month high on the London Metal Exchange \
    as warehouse stocks fell and traders bet on stronger demand from smelters in China.";
const QUAKE: &str = "A magnitude 6.1 earthquake shook the island of Crete before dawn, \
    cracking walls in Heraklion and sending tourists into the streets, but no injuries \
    were reported, the seismological institute said.";

struct Doc {
    id: u64,
    day: Option<u32>,
    source: &'static str,
    text: String,
    person: Option<&'static str>,
}

fn doc(id: u64, day: Option<u32>, source: &'static str, text: &str) -> Doc {
    Doc {
        id,
        day,
        source,
        text: text.to_string(),
        person: None,
    }
}

fn corpus() -> Vec<Doc> {
    let mut docs = vec![
        doc(11, Some(3), "Western People", FLOOD_A),
        doc(12, Some(3), "Irish Wire", FLOOD_B),
        doc(
            13,
            Some(4),
            "Daily Copy",
            &FLOOD_A.replace("hundreds", "300"),
        ),
        doc(21, Some(2), "Harbour News", MAYOR_BRIDGE),
        doc(22, Some(23), "Harbour News", MAYOR_RESIGNS),
        doc(31, Some(3), "Metals Daily", MARKET),
        doc(41, None, "Quake Wire", QUAKE),
        doc(
            42,
            None,
            "Quake Copy",
            &QUAKE.replace("before dawn", "at dawn"),
        ),
    ];
    docs[3].person = Some("Aoife Brennan");
    docs[4].person = Some("Aoife Brennan");
    docs
}

fn sketch_of(d: &Doc) -> StorySketch {
    let passages = vec![d.text.clone()];
    let entities: Vec<(EntityKind, &str)> =
        d.person.iter().map(|p| (EntityKind::Person, *p)).collect();
    sketch(&StoryInput {
        id: d.id,
        date: d.day.and_then(|day| NaiveDate::from_ymd_opt(2024, 3, day)),
        source: Some(d.source),
        title: "",
        passages: &passages,
        entities: &entities,
    })
}

fn assignment(stories: &Stories, ids: &[u64]) -> Vec<Option<StoryId>> {
    ids.iter().map(|&id| stories.story_of(id)).collect()
}

/// Which articles share a story, whatever the ids: each article's story named by the
/// position of its story's first article in the list.
fn grouping(assignment: &[Option<StoryId>]) -> Vec<Option<usize>> {
    assignment
        .iter()
        .map(|story| story.map(|s| assignment.iter().position(|t| *t == Some(s)).unwrap()))
        .collect()
}

fn one_pass(docs: &[Doc]) -> Vec<Option<StoryId>> {
    let sketches: Vec<StorySketch> = docs.iter().map(sketch_of).collect();
    cluster_all(&sketches, Params::default())
        .into_iter()
        .map(Some)
        .collect()
}

/// A book holding `docs`, saved as generation 1.
fn saved_book<'a>(dir: &Path, docs: impl IntoIterator<Item = &'a Doc>) -> StoryBook {
    let mut book = StoryBook::open(dir, 0).unwrap();
    for d in docs {
        book.upsert(sketch_of(d)).unwrap();
    }
    book.save(dir, 1).unwrap();
    book
}

/// Every story lists exactly the articles whose story it is.
fn assert_members_are_their_own(stories: &Stories) {
    let mut listed = 0;
    for info in stories.by_size() {
        let members: Vec<u64> = stories.members(&info).collect();
        assert_eq!(members.len(), info.size, "story {}", info.id);
        for member in members {
            assert_eq!(stories.story_of(member), Some(info.id), "story {}", info.id);
        }
        listed += info.size;
    }
    assert_eq!(listed, stories.article_count());
}

fn ids(docs: &[Doc]) -> Vec<u64> {
    docs.iter().map(|d| d.id).collect()
}

#[test]
fn copies_and_two_outlets_group_and_other_events_stay_apart() {
    let docs = corpus();
    let stories = one_pass(&docs);
    let story = |id: u64| stories[docs.iter().position(|d| d.id == id).unwrap()];
    assert_eq!(story(12), story(11), "two outlets on one flood");
    assert_eq!(story(13), story(11), "a wire copy");
    assert_eq!(
        story(11),
        Some(StoryId(11)),
        "founded by the earliest article"
    );
    assert_ne!(story(21), story(22), "the same mayor in two events");
    assert_ne!(story(31), story(11));
    assert_eq!(story(41), story(42), "undated copies");
    assert_ne!(story(41), story(11));
}

#[test]
fn shuffled_incremental_saves_equal_one_pass() {
    let docs = corpus();
    let expected = one_pass(&docs);
    let mut seed = 7u64;
    for round in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let mut order: Vec<usize> = (0..docs.len()).collect();
        for i in (1..order.len()).rev() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            order.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let mut generation = 0;
        let mut book = StoryBook::open(dir.path(), generation).unwrap();
        for chunk in order.chunks(1 + round % 3) {
            for &i in chunk {
                book.upsert(sketch_of(&docs[i])).unwrap();
            }
            generation += 1;
            let name = book.save(dir.path(), generation).unwrap();
            remove_stale(dir.path(), &name).unwrap();
            book = StoryBook::open(dir.path(), generation).unwrap();
        }
        let found = assignment(book.stories(), &ids(&docs));
        assert_eq!(grouping(&found), grouping(&expected), "order {order:?}");
        // Every id names an article of its own story.
        for story in found.iter().flatten() {
            assert_eq!(book.stories().story_of(story.0), Some(*story));
        }
    }
}

#[test]
fn removing_and_re_adding_gives_the_one_pass_result() {
    let docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut book = saved_book(dir.path(), &docs);
    book.remove(11);
    book.remove(41);
    book.save(dir.path(), 2).unwrap();
    let rest: Vec<Doc> = corpus()
        .into_iter()
        .filter(|d| d.id != 11 && d.id != 41)
        .collect();
    assert_eq!(
        grouping(&assignment(book.stories(), &ids(&rest))),
        grouping(&one_pass(&rest))
    );
    assert_eq!(
        book.stories().story_of(11),
        None,
        "a removed article leaves"
    );
    book.upsert(sketch_of(&docs[0])).unwrap();
    book.upsert(sketch_of(&docs[6])).unwrap();
    book.save(dir.path(), 3).unwrap();
    assert_eq!(
        grouping(&assignment(book.stories(), &ids(&docs))),
        grouping(&one_pass(&docs))
    );
}

#[test]
fn counting_stories_agrees_with_looking_each_article_up() {
    let docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut book = StoryBook::open(dir.path(), 0).unwrap();
    // Many articles, so that a few keys take the one-by-one path and many the merge.
    for extra in 0..40u64 {
        let text =
            format!("Unrelated item {extra} about harvest number {extra} in county {extra}.");
        book.upsert(sketch_of(&doc(
            1000 + extra * 7919,
            Some(100 + extra as u32 * 40),
            "Extra",
            &text,
        )))
        .unwrap();
    }
    for d in &docs {
        book.upsert(sketch_of(d)).unwrap();
    }
    book.save(dir.path(), 1).unwrap();
    let stories = book.stories();
    let expected = |keys: &[u64]| {
        keys.iter()
            .map(|&k| stories.story_of(k).map_or(k, |s| s.0))
            .collect::<std::collections::HashSet<u64>>()
            .len()
    };
    let mut all: Vec<u64> = ids(&docs);
    all.extend((0..40u64).map(|e| 1000 + e * 7919));
    all.push(5); // an article outside any story counts as its own
    all.sort_unstable();
    for keys in [
        &all[..],
        &all[..3],
        &[11, 12, 13][..],
        &[5, 11][..],
        &[5][..],
        &[][..],
    ] {
        assert_eq!(stories.count_stories(keys), expected(keys), "{keys:?}");
    }
}

#[test]
fn an_earlier_or_smaller_article_joining_a_story_keeps_its_id() {
    let mut docs = corpus();
    // A story of its own whose id (8) sorts between the flood story's canonical id after
    // the joins (5) and the id it keeps (11).
    docs.push(doc(
        8,
        Some(28),
        "Garden Weekly",
        "The annual rose show opened in the botanic gardens with record entries from \
        growers across three counties, and the judges praised a new crimson variety.",
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 12));
    assert_eq!(book.stories().story_of(8), Some(StoryId(8)));
    let flood = book.stories().story_of(11).unwrap();
    assert_eq!(flood, StoryId(11));
    let created = book.stories().story(flood).unwrap().created_generation;
    // The same day, a smaller key: in one pass it would found the story (id 5).
    let mut same_day = doc(5, Some(3), "Irish Wire", FLOOD_B);
    same_day.person = None;
    // A day earlier: in one pass it would found the story too.
    let earlier = doc(
        6,
        Some(2),
        "Early Wire",
        &FLOOD_A.replace("hundreds", "many"),
    );
    book.upsert(sketch_of(&same_day)).unwrap();
    book.upsert(sketch_of(&earlier)).unwrap();
    book.save(dir.path(), 2).unwrap();
    let stories = book.stories();
    assert_eq!(stories.story_of(5), Some(flood), "joins without a new id");
    assert_eq!(stories.story_of(6), Some(flood), "joins without a new id");
    assert_eq!(stories.story_of(11), Some(flood));
    let info = stories.story(flood).unwrap();
    assert_eq!(
        info.created_generation, created,
        "the same story, not a new one"
    );
    assert_eq!(info.size, 4);
    let members: Vec<u64> = stories.members(&info).collect();
    assert_eq!(members.len(), 4);
    assert!(members.contains(&5) && members.contains(&6) && members.contains(&11));
    // The story's id (11) now sorts after story 8, its canonical id (5) before: every
    // story must still list its own articles.
    assert_members_are_their_own(stories);
    // Without the article that names it, the story takes another of its articles' ids.
    book.remove(11);
    book.save(dir.path(), 3).unwrap();
    assert_members_are_their_own(book.stories());
    let renamed = book.stories().story_of(13).unwrap();
    assert_ne!(renamed, flood);
    assert_eq!(book.stories().story_of(renamed.0), Some(renamed));
    assert_eq!(book.stories().story_of(5), Some(renamed));
}

#[test]
fn an_edited_article_keeps_its_story_and_new_members_keep_the_id() {
    let mut docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 12));
    let flood = book.stories().story_of(11).unwrap();
    book.upsert(sketch_of(&docs[1])).unwrap();
    book.save(dir.path(), 2).unwrap();
    assert_eq!(
        book.stories().story_of(12),
        Some(flood),
        "joins without a new id"
    );
    docs[1].text = FLOOD_B.replace("overnight", "late on Monday night");
    book.upsert(sketch_of(&docs[1])).unwrap();
    book.save(dir.path(), 3).unwrap();
    assert_eq!(book.stories().story_of(12), Some(flood));
    assert_eq!(assignment(book.stories(), &ids(&docs)), one_pass(&docs));
}

#[test]
fn the_read_side_lists_members_sources_dates_and_creation() {
    let docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 13));
    book.upsert(sketch_of(&docs[2])).unwrap();
    let chess = "Grandmaster Tomas Varga won the Reykjavik chess open on Sunday after a \
                 marathon final game against the defending champion Lena Okafor.";
    book.upsert(sketch_of(&doc(51, Some(5), "Metals Daily", chess)))
        .unwrap();
    let name = book.save(dir.path(), 2).unwrap();
    let stories = Stories::load(dir.path(), &name).unwrap();
    let flood = stories.story(StoryId(11)).unwrap();
    assert_eq!(flood.size, 3);
    assert_eq!(stories.members(&flood).collect::<Vec<_>>(), [11, 12, 13]);
    let mut sources: Vec<&str> = stories.sources(&flood).collect();
    sources.sort_unstable();
    assert_eq!(sources, ["Daily Copy", "Irish Wire", "Western People"]);
    assert_eq!(flood.first_date, NaiveDate::from_ymd_opt(2024, 3, 3));
    assert_eq!(flood.last_date, NaiveDate::from_ymd_opt(2024, 3, 4));
    assert_eq!(flood.created_generation, 1);
    assert!(stories.existed_at(StoryId(11), 1));
    assert!(!stories.existed_at(StoryId(51), 1), "new in generation 2");
    assert!(stories.existed_at(StoryId(51), 2));
    let sizes: Vec<usize> = stories.by_size().map(|s| s.size).collect();
    assert_eq!(sizes.first(), Some(&3));
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(stories.article_count(), docs.len() + 1);
}

#[test]
fn an_unsaved_run_and_stale_files_leave_the_committed_state_intact() {
    let docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut book = StoryBook::open(dir.path(), 0).unwrap();
    for d in &docs[..4] {
        book.upsert(sketch_of(d)).unwrap();
    }
    let first = book.save(dir.path(), 1).unwrap();
    // A later run saves generation 2 but dies before its commit names it.
    for d in &docs[4..] {
        book.upsert(sketch_of(d)).unwrap();
    }
    book.save(dir.path(), 2).unwrap();
    let committed = StoryBook::open(dir.path(), 1).unwrap();
    assert_eq!(committed.stories().article_count(), 4);
    assert!(remove_stale(dir.path(), &first).unwrap() > 0);
    let reopened = StoryBook::open(dir.path(), 1).unwrap();
    assert_eq!(
        assignment(reopened.stories(), &ids(&docs[..4])),
        assignment(committed.stories(), &ids(&docs[..4]))
    );
    assert!(
        StoryBook::open(dir.path(), 2)
            .unwrap()
            .stories()
            .article_count()
            == 0
    );
}

#[test]
fn a_damaged_partition_fails_the_save_by_name_and_keeps_the_saved_state() {
    let docs = corpus();
    let dir = tempfile::tempdir().unwrap();
    let dated: Vec<&Doc> = docs.iter().filter(|d| d.day.is_some()).collect();
    let (first, rest) = dated.split_at(dated.len() - 1);
    saved_book(dir.path(), first.iter().copied());
    let parts: Vec<std::path::PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".part"))
        .collect();
    assert!(!parts.is_empty(), "no partition files were written");
    for part in &parts {
        fs::write(part, b"not a partition").unwrap();
    }
    // The replay reads the damaged partitions on its reading thread: the error comes
    // back through the save, naming the file, and nothing waits forever.
    let mut book = StoryBook::open(dir.path(), 1).unwrap();
    book.upsert(sketch_of(rest[0])).unwrap();
    let error = format!("{:#}", book.save(dir.path(), 2).unwrap_err());
    assert!(
        parts.iter().any(|p| error.contains(&*p.to_string_lossy())),
        "{error}"
    );
    // The failed save took the pending article: saving again says so rather than
    // writing a book without it.
    let again = format!("{:#}", book.save(dir.path(), 3).unwrap_err());
    assert!(again.contains("earlier story save failed"), "{again}");
    let reopened = StoryBook::open(dir.path(), 1).unwrap();
    assert_eq!(reopened.stories().article_count(), first.len());
}

#[test]
fn a_version_2_book_lists_each_story_s_own_members() {
    // Version 2 files counted member starts in canonical order, wrong once a story kept
    // an earlier id: the reader counts them again from the stories' sizes.
    let mut docs = corpus();
    docs.push(doc(
        8,
        Some(28),
        "Garden Weekly",
        "The rose show opened with record entries.",
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut book = saved_book(dir.path(), docs.iter().filter(|d| d.id != 12));
    book.upsert(sketch_of(&doc(5, Some(3), "Irish Wire", FLOOD_B)))
        .unwrap();
    let name = book.save(dir.path(), 2).unwrap();
    let path = dir.path().join(&name);
    let mut bytes = fs::read(&path).unwrap();
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let (count, offset) = (u32_at(&bytes, 32) as usize, u32_at(&bytes, 36) as usize);
    for i in 0..count {
        let at = offset + i * STORY_LEN + 16;
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    fs::write(&path, &bytes).unwrap();
    let stories = Stories::load(dir.path(), &name).unwrap();
    assert_eq!(stories.story_of(5), Some(StoryId(11)));
    assert_members_are_their_own(&stories);
}

/// Four months of news: every ten days an event (the six texts in turn) told by two
/// outlets a day apart, the second in other words, so that stories form and close as
/// the window moves.
fn season() -> Vec<StorySketch> {
    let texts = [FLOOD_A, MAYOR_BRIDGE, MARKET, QUAKE, MAYOR_RESIGNS, FLOOD_B];
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut sketches = Vec::new();
    for k in 0..12u64 {
        let text = texts[k as usize % texts.len()];
        for (outlet, body) in [(0, text.to_string()), (1, text.replace(" the ", " a "))] {
            let passages = vec![body];
            let date = start + chrono::Days::new(10 * k + outlet);
            sketches.push(sketch(&StoryInput {
                id: 1000 + 2 * k + outlet,
                date: Some(date),
                source: Some(if outlet == 0 { "First" } else { "Second" }),
                title: "",
                passages: &passages,
                entities: &[],
            }));
        }
    }
    sketches
}

/// Saves `upserts` (then `removals`) in one run of a new book and checks each final
/// article's story against one pass over the final set: with the pending sketches all in
/// memory, all in the scratch file, and the first few in memory and the rest in the file.
fn assert_one_run_equals_one_pass(upserts: &[StorySketch], removals: &[u64]) {
    for memory in [super::PENDING_MEMORY, 0, 3_000] {
        assert_one_run_equals_one_pass_holding(upserts, removals, memory);
    }
}

fn assert_one_run_equals_one_pass_holding(
    upserts: &[StorySketch],
    removals: &[u64],
    memory: usize,
) {
    let mut last: FxHashMap<u64, &StorySketch> = FxHashMap::default();
    for s in upserts {
        last.insert(s.id, s);
    }
    for id in removals {
        last.remove(id);
    }
    let mut finals: Vec<StorySketch> = last.into_values().cloned().collect();
    finals.sort_by_key(|s| s.id);
    let expected = cluster_all(&finals, Params::default());
    assert!(expected.iter().collect::<FxHashSet<_>>().len() < finals.len());
    let dir = tempfile::tempdir().unwrap();
    let mut book = StoryBook::open(dir.path(), 0)
        .unwrap()
        .with_pending_memory(memory);
    for s in upserts {
        book.upsert(s.clone()).unwrap();
    }
    let scratch = dir.path().join(super::PENDING);
    assert_eq!(scratch.exists(), memory < 50_000, "{memory}");
    for &id in removals {
        book.remove(id);
    }
    let name = book.save(dir.path(), 1).unwrap();
    assert!(!scratch.exists());
    let stories = Stories::load(dir.path(), &name).unwrap();
    for (s, story) in finals.iter().zip(&expected) {
        assert_eq!(stories.canonical_story_of(s.id), Some(*story), "{}", s.id);
    }
    assert_eq!(stories.article_count(), finals.len());
    for id in removals {
        assert_eq!(stories.story_of(*id), None);
    }
}

#[test]
fn one_run_in_or_out_of_publication_order_equals_one_pass() {
    let season = season();
    assert_one_run_equals_one_pass(&season, &[]);
    let mut reversed = season.clone();
    reversed.reverse();
    assert_one_run_equals_one_pass(&reversed, &[]);
    // Outlet after outlet, each in publication order.
    let mut outlets = Vec::new();
    for outlet in 0..3u64 {
        for mut s in season.clone() {
            s.id += 100 * outlet;
            outlets.push(s);
        }
    }
    assert_one_run_equals_one_pass(&outlets, &[]);
}

#[test]
fn a_run_with_a_late_article_an_edit_a_removal_and_an_undated_copy_equals_one_pass() {
    let season = season();
    let mut upserts: Vec<StorySketch> = Vec::new();
    // The second article comes last, two months late.
    upserts.extend(season.iter().filter(|s| s.id != 1001).cloned());
    upserts.push(season[1].clone());
    // An early article comes again, edited, and another one is removed.
    let mut edited = season[4].clone();
    edited.terms.truncate(3);
    upserts.push(edited);
    // An undated copy of the first article.
    let mut undated = season[0].clone();
    undated.id = 5000;
    undated.day = None;
    upserts.push(undated);
    assert_one_run_equals_one_pass(&upserts, &[1006]);
}
