//! The streaming builder of the corpus alias table: one pass over the articles of an
//! index (each article's date and article-level entity names) gathers what the table needs
//! of every distinct name, so memory grows with the number of names, not of articles.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

use super::entity::EntityKind;
use super::link::{feature, month_of, NameStats};
use super::resolve::build_table;
use super::table::AliasTable;

/// Builds the corpus alias table from a stream of articles: each article's date and its
/// article-level entity names. The table depends only on the set of articles, not on
/// their order.
#[derive(Debug, Default)]
pub struct CorpusLinker {
    names: [HashMap<String, NameStats>; 3],
}

fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Place => 2,
    }
}

impl CorpusLinker {
    pub fn new() -> Self {
        CorpusLinker::default()
    }

    /// One article: its publication day (`None` if unknown) and its article-level entity
    /// names (each counted once however often it is listed).
    pub fn add(&mut self, date: Option<NaiveDate>, names: &[(EntityKind, &str)]) {
        let unique: BTreeSet<(EntityKind, &str)> = names
            .iter()
            .map(|&(kind, name)| (kind, name.trim()))
            .filter(|(_, name)| !name.is_empty())
            .collect();
        let people = unique.iter().any(|(kind, _)| *kind == EntityKind::Person);
        let mut keyed: Vec<(EntityKind, &str, Option<u16>)> = Vec::new();
        if people {
            keyed = unique
                .iter()
                .map(|&(kind, name)| (kind, name, feature(kind, name)))
                .collect();
        }
        for &(kind, name) in &unique {
            let stats = self.names[slot(kind)].entry(name.to_string()).or_default();
            stats.articles += 1;
            if kind != EntityKind::Person {
                continue;
            }
            if let Some(date) = date {
                stats.months.add(month_of(date), 1);
            }
            let own = feature(kind, name);
            for &(_, other, f) in &keyed {
                if let Some(f) = f.filter(|&f| Some(f) != own && other != name) {
                    stats.profile.add(f, 1);
                }
            }
        }
    }

    /// The alias table of every article added.
    pub fn finish(self) -> AliasTable {
        let [person, org, place] = self.names;
        build_table(person, org, place)
    }

    /// Adds `articles` to the count of `name` with no date and no companions (what
    /// [`resolve_corpus`] knows).
    pub(crate) fn add_count(&mut self, kind: EntityKind, name: &str, articles: u64) {
        let name = name.trim();
        if !name.is_empty() {
            self.names[slot(kind)]
                .entry(name.to_string())
                .or_default()
                .articles += articles;
        }
    }
}

/// Resolves every article-level `(kind, name, articles)` of the corpus into entities, with
/// no dates and no companions: what [`CorpusLinker`] does with article counts alone.
pub fn resolve_corpus(names: &[(EntityKind, String, u64)]) -> AliasTable {
    let mut linker = CorpusLinker::new();
    for (kind, name, count) in names {
        linker.add_count(*kind, name, *count);
    }
    linker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: EntityKind = EntityKind::Person;
    const ORG: EntityKind = EntityKind::Org;
    const PLACE: EntityKind = EntityKind::Place;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// A corpus where "Trump" alone means Donald Trump but for articles that keep
    /// Melania's company, and where Melania and Ivanka stay themselves.
    /// One article: its date and its names.
    type Article = (Option<NaiveDate>, Vec<(EntityKind, &'static str)>);

    fn trump_articles() -> Vec<Article> {
        let mut articles = Vec::new();
        for i in 0..40 {
            let mut names = vec![
                (PERSON, "Donald Trump"),
                (ORG, "White House"),
                (ORG, "Republican Party"),
            ];
            if i % 2 == 0 {
                names.push((PERSON, "Mike Pence"));
            }
            articles.push((day(2018, 1 + i % 12, 1), names));
        }
        for _ in 0..6 {
            articles.push((
                day(2018, 5, 2),
                vec![
                    (PERSON, "Melania Trump"),
                    (ORG, "Be Best"),
                    (PLACE, "Slovenia"),
                    (PERSON, "Stephanie Grisham"),
                ],
            ));
        }
        for _ in 0..4 {
            articles.push((
                day(2018, 6, 2),
                vec![(PERSON, "Ivanka Trump"), (PERSON, "Jared Kushner")],
            ));
        }
        for i in 0..30 {
            articles.push((
                day(2018, 1 + i % 12, 9),
                vec![(PERSON, "Trump"), (ORG, "White House"), (PERSON, "Pence")],
            ));
        }
        articles
    }

    fn link(articles: &[Article]) -> AliasTable {
        let mut linker = CorpusLinker::new();
        for (date, names) in articles {
            linker.add(*date, names);
        }
        linker.finish()
    }

    #[test]
    fn a_bare_surname_links_to_the_dominant_namesake_unless_the_context_says_otherwise() {
        let table = link(&trump_articles());
        assert_eq!(table.canonical(PERSON, "Trump"), "Donald Trump");
        assert_eq!(table.canonical(PERSON, "Melania Trump"), "Melania Trump");
        assert_eq!(table.canonical(PERSON, "Ivanka Trump"), "Ivanka Trump");
        assert!(table.is_contextual(PERSON, "Trump"));
        assert!(!table.is_contextual(PERSON, "Melania Trump"));
        let date = day(2018, 3, 9);
        let politics = [(PERSON, "Trump"), (ORG, "White House")];
        assert_eq!(
            table.canonical_in(PERSON, "Trump", date, &politics),
            "Donald Trump"
        );
        let fashion = [
            (PERSON, "Trump"),
            (ORG, "Be Best"),
            (PLACE, "Slovenia"),
            (PERSON, "Stephanie Grisham"),
        ];
        assert_eq!(
            table.canonical_in(PERSON, "Trump", date, &fashion),
            "Melania Trump"
        );
        // An article that names Melania in full means someone else by a bare "Trump".
        let both = [
            (PERSON, "Trump"),
            (PERSON, "Melania Trump"),
            (ORG, "Be Best"),
        ];
        assert_eq!(
            table.canonical_in(PERSON, "Trump", date, &both),
            "Donald Trump"
        );
        assert_eq!(
            table.lookup(PERSON, "trump").as_deref(),
            Some("Donald Trump")
        );
        assert_eq!(
            table.lookup(PERSON, "melania trump").as_deref(),
            Some("Melania Trump")
        );
        assert!(table
            .members(PERSON, "Donald Trump")
            .contains(&"Trump".to_string()));
        assert!(table
            .members(PERSON, "Melania Trump")
            .contains(&"Trump".to_string()));
        // Names that never depend on the article resolve as without it.
        assert_eq!(
            table.canonical_in(PERSON, "Melania Trump", date, &politics),
            "Melania Trump"
        );
    }

    #[test]
    fn a_surname_many_people_share_without_a_dominant_one_stays_apart() {
        let mut articles: Vec<Article> = Vec::new();
        for name in [
            "John Smith",
            "Jane Smith",
            "Ian Smith",
            "Delia Smith",
            "Will Smith",
            "Zadie Smith",
        ] {
            articles.push((None, vec![(PERSON, name)]));
        }
        articles.push((None, vec![(PERSON, "John Smith"), (ORG, "Acme")]));
        articles.push((None, vec![(PERSON, "Smith"), (ORG, "Labour Party")]));
        let table = link(&articles);
        assert_eq!(table.canonical(PERSON, "Smith"), "Smith");
        assert_eq!(table.canonical(PERSON, "Jane Smith"), "Jane Smith");
    }

    #[test]
    fn the_date_decides_between_namesakes_of_different_years() {
        let mut articles = Vec::new();
        for m in 1..=12 {
            articles.push((day(1990, m, 1), vec![(PERSON, "George H. W. Bush")]));
            articles.push((day(2003, m, 1), vec![(PERSON, "George W. Bush")]));
            articles.push((day(2003, m, 2), vec![(PERSON, "George W. Bush")]));
        }
        articles.push((day(1990, 6, 5), vec![(PERSON, "Bush")]));
        let table = link(&articles);
        let alone = [(PERSON, "Bush")];
        assert_eq!(
            table.canonical_in(PERSON, "Bush", day(1990, 6, 5), &alone),
            "George H. W. Bush"
        );
        assert_eq!(
            table.canonical_in(PERSON, "Bush", day(2003, 6, 5), &alone),
            "George W. Bush"
        );
        assert_eq!(
            table.canonical_in(PERSON, "Bush", None, &alone),
            "George W. Bush"
        );
    }

    #[test]
    fn transliterations_of_one_person_merge_and_typed_variants_find_them() {
        let mut articles = Vec::new();
        for (name, n) in [
            ("Volodymyr Zelenskiy", 5),
            ("Volodymyr Zelensky", 3),
            ("Zelenskyy", 2),
            ("Muammar Gaddafi", 4),
            ("Moammar Qaddafi", 2),
            ("Muammar Kadhafi", 1),
            ("Kim Jong-un", 4),
            ("Kim Jong-nam", 2),
        ] {
            for _ in 0..n {
                articles.push((None, vec![(PERSON, name)]));
            }
        }
        let table = link(&articles);
        for name in ["Volodymyr Zelensky", "Zelenskyy"] {
            assert_eq!(
                table.canonical(PERSON, name),
                "Volodymyr Zelenskiy",
                "{name}"
            );
        }
        for typed in ["Zelensky", "zelenskiy", "ZELENSKYY", "Volodymyr Zelenskyy"] {
            assert_eq!(
                table.lookup(PERSON, typed).as_deref(),
                Some("Volodymyr Zelenskiy"),
                "{typed}"
            );
        }
        for name in ["Moammar Qaddafi", "Muammar Kadhafi"] {
            assert_eq!(table.canonical(PERSON, name), "Muammar Gaddafi", "{name}");
        }
        assert_eq!(table.canonical(PERSON, "Kim Jong-nam"), "Kim Jong-nam");
    }

    #[test]
    fn the_table_depends_on_the_articles_not_their_order() {
        let articles = trump_articles();
        let mut reversed = articles.clone();
        reversed.reverse();
        let a = serde_json::to_value(link(&articles)).unwrap();
        let b = serde_json::to_value(link(&reversed)).unwrap();
        assert_eq!(a, b);
        let table: AliasTable = serde_json::from_value(a).unwrap();
        assert_eq!(table.canonical(PERSON, "Trump"), "Donald Trump");
    }
}
