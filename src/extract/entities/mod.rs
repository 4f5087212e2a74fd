//! Named entities: the people, organisations and places an article mentions, and the
//! corpus-wide table that merges their spelling variants and aliases.
//!
//! No statistical model runs offline here, so extraction is a rule system tuned for
//! precision. A first pass ([`chunk`]) cuts capitalised spans at titles and roles and
//! classifies them by the gazetteer ([`gazetteer`]: countries, states and cities from
//! GeoNames plus a curated alias table, matched with Aho-Corasick), organisation
//! suffixes, given names and cue words; a second pass ([`article`]) links surnames and
//! short forms to the full names the article gives and keeps lone words only with a
//! cue, and drops people whose mentions read as a work, prize or event ("film Vera
//! Drake", "Golden Globe Awards").
//!
//! Across the corpus, a [`CorpusLinker`] streams over every article's date and
//! article-level names and builds the [`AliasTable`]: spelling and transliteration
//! variants merge ([`resolve`], [`names`]), and a bare surname several people share links
//! to the one it most likely means in each article ([`link`]: articles around the date
//! and the company the name keeps), through [`AliasTable::canonical_in`]. Everything here
//! is a pure function of its input; the word lists are embedded in the binary.

mod article;
mod chunk;
mod corpus;
mod cues;
mod entity;
mod fold;
mod gazetteer;
mod lexicon;
mod link;
mod names;
mod resolve;
mod table;
mod tokens;

pub use corpus::{resolve_corpus, CorpusLinker};
pub use entity::{ArticleEntity, EntityKind, EntityMention};
pub use lexicon::ABBREVIATIONS;
pub use table::AliasTable;

/// The entities of one article, in order of first mention (body before title). Title
/// mentions carry `in_title` and offsets into `title`; body mentions offsets into `body`.
pub fn extract_entities(title: &str, body: &str) -> Vec<ArticleEntity> {
    let source = |text, in_title| {
        let tokens = tokens::tokenize(text);
        let pass = chunk::first_pass(text, &tokens);
        article::Source {
            text,
            tokens,
            pass,
            in_title,
        }
    };
    let sources = [source(body, false), source(title, true)];
    article::resolve(&sources)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::*;

    const SEED_A: &str = include_str!("../../../corpus/000_912483b5d7e3958a.txt");
    const SEED_B: &str = include_str!("../../../corpus/001_3924ea85d488e746.txt");

    /// Every article-level (kind, name) with the number of articles it appears in.
    fn corpus_names(articles: &[Vec<ArticleEntity>]) -> Vec<(EntityKind, String, u64)> {
        let mut counts: HashMap<(EntityKind, String), u64> = HashMap::new();
        for entities in articles {
            let names: BTreeSet<(EntityKind, String)> =
                entities.iter().map(|e| (e.kind, e.name.clone())).collect();
            for key in names {
                *counts.entry(key).or_default() += 1;
            }
        }
        counts.into_iter().map(|((k, n), c)| (k, n, c)).collect()
    }

    fn names(entities: &[ArticleEntity], kind: EntityKind) -> Vec<&str> {
        entities
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.name.as_str())
            .collect()
    }

    fn entity<'a>(
        entities: &'a [ArticleEntity],
        kind: EntityKind,
        name: &str,
    ) -> &'a ArticleEntity {
        entities
            .iter()
            .find(|e| e.kind == kind && e.name == name)
            .unwrap_or_else(|| panic!("no {kind:?} {name:?} in {entities:#?}"))
    }

    fn texts(e: &ArticleEntity) -> Vec<&str> {
        e.mentions.iter().map(|m| m.text.as_str()).collect()
    }

    #[test]
    fn seed_articles_name_each_entity_once_in_both() {
        let articles = [extract_entities("", SEED_A), extract_entities("", SEED_B)];
        let table = resolve_corpus(&corpus_names(&articles));
        let canonicals = |entities: &[ArticleEntity], kind: EntityKind| -> Vec<String> {
            entities
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| table.canonical(kind, &e.name))
                .collect()
        };
        let wanted = [
            (EntityKind::Person, "Benjamin Netanyahu"),
            (EntityKind::Person, "John Kirby"),
            (EntityKind::Person, "Lloyd Austin"),
            (EntityKind::Person, "Gallant"),
            (EntityKind::Person, "Blinken"),
            (EntityKind::Org, "Hamas"),
            (EntityKind::Org, "White House"),
            (EntityKind::Place, "Rafah"),
            (EntityKind::Place, "Gaza"),
            (EntityKind::Place, "Israel"),
            (EntityKind::Place, "United States"),
            (EntityKind::Place, "Washington"),
        ];
        for (kind, name) in wanted {
            let canonical = table
                .lookup(kind, name)
                .unwrap_or_else(|| panic!("{name} is unknown to the alias table"));
            for (i, entities) in articles.iter().enumerate() {
                let found = canonicals(entities, kind)
                    .iter()
                    .filter(|c| **c == canonical)
                    .count();
                assert_eq!(
                    found, 1,
                    "{name} ({canonical}) in article {i}: {entities:#?}"
                );
            }
            // One entity: no second canonical name carries the same last word.
            let last = name.split(' ').next_back().unwrap_or(name);
            let variants: BTreeSet<String> = articles
                .iter()
                .flat_map(|a| canonicals(a, kind))
                .filter(|c| c.split(' ').any(|w| w == last))
                .collect();
            assert_eq!(variants.len(), 1, "{name}: {variants:?}");
        }
        let gallant = table.lookup(EntityKind::Person, "Gallant").unwrap();
        assert!(["Joab Gallant", "Yoav Gallant"].contains(&gallant.as_str()));
        assert_eq!(
            table.lookup(EntityKind::Person, "blinken").as_deref(),
            Some("Anthony Blinken")
        );
    }

    #[test]
    fn seed_articles_have_no_non_entities() {
        let banned = [
            "Instead",
            "According",
            "Secretary",
            "Minister",
            "Prime Minister",
            "Defense Secretary",
            "Monday",
            "Tuesday",
            "October",
            "Israeli",
            "Palestinian",
            "Gazans",
            "American",
            "The",
            "It",
            "We",
            "Nothing",
            "They",
            "While",
            "In",
            "X",
            "Major General",
            "Mr",
        ];
        for text in [SEED_A, SEED_B] {
            for e in extract_entities("", text) {
                assert!(!banned.contains(&e.name.as_str()), "{e:?}");
                for m in &e.mentions {
                    assert!(!banned.contains(&m.text.as_str()), "{e:?}");
                    assert_eq!(&text[m.start..m.end], m.text);
                    assert!(
                        !m.text.starts_with("Mr ") && !m.text.contains("Minister"),
                        "{e:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn surnames_and_titles_link_to_the_full_name_given_earlier() {
        let entities = extract_entities("", SEED_A);
        let netanyahu = entity(&entities, EntityKind::Person, "Benjamin Netanyahu");
        assert_eq!(
            texts(netanyahu),
            vec!["Benjamin Netanyahu", "Netanyahu", "Netanyahu", "Netanyahu"]
        );
        let gallant = entity(&entities, EntityKind::Person, "Joab Gallant");
        assert_eq!(texts(gallant), vec!["Joab Gallant", "Gallant", "Gallant"]);
        let entities = extract_entities("", SEED_B);
        let austin = entity(&entities, EntityKind::Person, "Lloyd Austin");
        assert_eq!(
            texts(austin),
            vec!["Lloyd Austin", "Austin"],
            "Austin-Gallant splits"
        );
        assert_eq!(
            texts(entity(&entities, EntityKind::Person, "Pat Ryder")),
            vec!["Pat Ryder", "Ryder"]
        );
    }

    #[test]
    fn titles_and_roles_are_not_part_of_names() {
        let text = "Israeli Defense Minister Yoav Gallant met Secretary of State Antony Blinken \
                    and Prime Minister Benjamin Netanyahu. Pentagon spokesman Major General Pat \
                    Ryder and opposition leader Yair Lapid spoke, as did Mrs Smith.";
        let entities = extract_entities("", text);
        let people = names(&entities, EntityKind::Person);
        for name in [
            "Yoav Gallant",
            "Antony Blinken",
            "Benjamin Netanyahu",
            "Pat Ryder",
            "Yair Lapid",
            "Smith",
        ] {
            assert!(people.contains(&name), "{name}: {people:?}");
        }
        assert_eq!(people.len(), 6, "{people:?}");
    }

    #[test]
    fn may_the_month_is_not_theresa_may() {
        let text = "Theresa May met officials in London. Talks resume in May, Mrs May said.";
        let entities = extract_entities("", text);
        let may = entity(&entities, EntityKind::Person, "Theresa May");
        assert_eq!(texts(may), vec!["Theresa May", "May"]);
        let month = text.find("in May").unwrap() + 3;
        assert!(may.mentions.iter().all(|m| m.start != month));

        let entities = extract_entities(
            "",
            "Prices rose in May. May was a good month, dealers said.",
        );
        assert!(
            names(&entities, EntityKind::Person).is_empty(),
            "{entities:?}"
        );
        let entities = extract_entities("", "In a speech, Mrs May said the deal stands.");
        assert_eq!(names(&entities, EntityKind::Person), vec!["May"]);
    }

    #[test]
    fn namesakes_in_one_article_keep_apart_and_a_bare_surname_is_not_guessed() {
        let text = "US President Joe Biden defended his son Hunter Biden on Monday. \
                    Biden told reporters the case was closed.";
        let entities = extract_entities("", text);
        let people = names(&entities, EntityKind::Person);
        assert_eq!(people, vec!["Joe Biden", "Hunter Biden"]);
        assert_eq!(
            texts(entity(&entities, EntityKind::Person, "Joe Biden")),
            vec!["Joe Biden"]
        );
        assert_eq!(
            texts(entity(&entities, EntityKind::Person, "Hunter Biden")),
            vec!["Hunter Biden"]
        );
        // A role both mentions share settles it.
        let text =
            "US President Joe Biden defended his son Hunter Biden. President Biden said more.";
        let entities = extract_entities("", text);
        assert_eq!(
            texts(entity(&entities, EntityKind::Person, "Joe Biden")),
            vec!["Joe Biden", "Biden"]
        );

        let text = "North Korean leader Kim Jong-un mourned his half-brother Kim Jong-nam. Kim said little.";
        let entities = extract_entities("", text);
        assert_eq!(
            names(&entities, EntityKind::Person),
            vec!["Kim Jong-un", "Kim Jong-nam"]
        );
        assert!(
            entities.iter().all(|e| e.mentions.len() == 1),
            "{entities:?}"
        );
    }

    #[test]
    fn namesakes_across_the_corpus_stay_apart() {
        let table = resolve_corpus(&[
            (EntityKind::Person, "Joe Biden".into(), 40),
            (EntityKind::Person, "Joseph Biden".into(), 3),
            (EntityKind::Person, "Hunter Biden".into(), 5),
            (EntityKind::Person, "Biden".into(), 7),
            (EntityKind::Person, "Kim Jong-un".into(), 9),
            (EntityKind::Person, "Kim Jong Un".into(), 2),
            (EntityKind::Person, "Kim Jong-nam".into(), 1),
        ]);
        let person = EntityKind::Person;
        assert_eq!(table.canonical(person, "Joseph Biden"), "Joe Biden");
        assert_eq!(table.canonical(person, "Hunter Biden"), "Hunter Biden");
        assert_eq!(
            table.canonical(person, "Biden"),
            "Joe Biden",
            "two Bidens: the one the corpus names far more often"
        );
        assert!(table.is_contextual(person, "Biden"));
        assert!(table
            .members(person, "Hunter Biden")
            .contains(&"Biden".to_string()));
        assert_eq!(table.canonical(person, "Kim Jong Un"), "Kim Jong-un");
        assert_eq!(table.canonical(person, "Kim Jong-nam"), "Kim Jong-nam");
        assert_eq!(
            table.lookup(person, "hunter biden").as_deref(),
            Some("Hunter Biden")
        );
        assert_eq!(
            table.lookup(person, "Joseph R. Biden").as_deref(),
            Some("Joe Biden")
        );
        assert_eq!(table.lookup(person, "Jill Biden"), None);
        assert_eq!(
            table.members(person, "Joe Biden"),
            vec!["Biden", "Joe Biden", "Joseph Biden"]
        );

        let without_hunter =
            resolve_corpus(&[(person, "Joe Biden".into(), 4), (person, "Biden".into(), 2)]);
        assert_eq!(without_hunter.lookup(person, "Hunter Biden"), None);
        assert_eq!(without_hunter.canonical(person, "Biden"), "Joe Biden");
    }

    #[test]
    fn spelling_variants_of_one_person_merge() {
        let person = EntityKind::Person;
        let table = resolve_corpus(&[
            (person, "Anthony Blinken".into(), 3),
            (person, "Antony Blinken".into(), 5),
            (person, "Joab Gallant".into(), 1),
            (person, "Yoav Gallant".into(), 4),
            (person, "Gallant".into(), 2),
        ]);
        assert_eq!(table.canonical(person, "Anthony Blinken"), "Antony Blinken");
        assert_eq!(table.canonical(person, "Joab Gallant"), "Yoav Gallant");
        assert_eq!(table.canonical(person, "Gallant"), "Yoav Gallant");
        let mut aliases = table.aliases(person, "Yoav Gallant");
        aliases.sort();
        assert_eq!(aliases, vec!["Gallant", "Joab Gallant"]);
    }

    #[test]
    fn a_bare_surname_links_only_to_the_one_person_with_it() {
        let person = EntityKind::Person;
        let linked = resolve_corpus(&[
            (person, "Anthony Blinken".into(), 1),
            (person, "Blinken".into(), 1),
        ]);
        assert_eq!(linked.canonical(person, "Blinken"), "Anthony Blinken");
        assert_eq!(
            linked.lookup(person, "BLINKEN").as_deref(),
            Some("Anthony Blinken")
        );
        let alone = resolve_corpus(&[(person, "Blinken".into(), 3)]);
        assert_eq!(alone.canonical(person, "Blinken"), "Blinken");
        let two = resolve_corpus(&[
            (person, "Anthony Blinken".into(), 1),
            (person, "Donald Blinken".into(), 1),
            (person, "Blinken".into(), 1),
        ]);
        assert_eq!(two.canonical(person, "Blinken"), "Blinken");

        let entities = extract_entities(
            "",
            "Blinken says Rafah offensive risks further isolating Israel",
        );
        assert_eq!(names(&entities, EntityKind::Person), vec!["Blinken"]);
        assert_eq!(names(&entities, EntityKind::Place), vec!["Rafah", "Israel"]);
    }

    #[test]
    fn country_forms_are_one_place() {
        let text = "The US and the U.S. Treasury said the United States, or America, would act. \
                    American officials agreed; the USA team did not.";
        let entities = extract_entities("", text);
        assert_eq!(names(&entities, EntityKind::Place), vec!["United States"]);
        assert_eq!(
            entity(&entities, EntityKind::Place, "United States")
                .mentions
                .len(),
            5
        );
        let place = EntityKind::Place;
        let table = resolve_corpus(&[(place, "United States".into(), 9)]);
        for typed in ["US", "u.s.", "USA", "America", "united states"] {
            assert_eq!(
                table.lookup(place, typed).as_deref(),
                Some("United States"),
                "{typed}"
            );
        }
        assert_eq!(table.canonical(place, "U.S."), "United States");
        assert!(table
            .aliases(place, "United States")
            .contains(&"U.S.".to_string()));
        assert_eq!(table.lookup(place, "Atlantis"), None);
    }

    #[test]
    fn acronyms_merge_with_their_expansion() {
        let text = "The European Union said on Monday that EU ministers would meet. An EU spokesman agreed.";
        let entities = extract_entities("", text);
        assert_eq!(names(&entities, EntityKind::Org), vec!["European Union"]);
        assert_eq!(
            entity(&entities, EntityKind::Org, "European Union")
                .mentions
                .len(),
            3
        );

        let text = "The Commodity Futures Trading Commission (CFTC) approved it. The CFTC said so.";
        let entities = extract_entities("", text);
        let cftc = entity(
            &entities,
            EntityKind::Org,
            "Commodity Futures Trading Commission",
        );
        assert_eq!(
            texts(cftc),
            vec!["Commodity Futures Trading Commission", "CFTC", "CFTC"]
        );

        let org = EntityKind::Org;
        let table = resolve_corpus(&[
            (org, "EU".into(), 2),
            (org, "European Union".into(), 5),
            (org, "Israel Aircraft Industries".into(), 3),
            (org, "IAI".into(), 1),
            (org, "Alpha Beta Corp".into(), 1),
            (org, "Alpha Beta Center".into(), 1),
            (org, "ABC".into(), 1),
            (org, "Chrysler Corp".into(), 6),
            (org, "Chrysler Corporation".into(), 1),
            (org, "Chrysler".into(), 2),
        ]);
        assert_eq!(table.canonical(org, "EU"), "European Union");
        assert_eq!(table.canonical(org, "IAI"), "Israel Aircraft Industries");
        assert_eq!(
            table.canonical(org, "ABC"),
            "ABC",
            "two expansions: not guessed"
        );
        assert_eq!(table.canonical(org, "Chrysler"), "Chrysler Corp");
        assert_eq!(table.lookup(org, "eu").as_deref(), Some("European Union"));
        let mut members = table.members(org, "Chrysler Corp");
        members.sort();
        assert_eq!(
            members,
            vec!["Chrysler", "Chrysler Corp", "Chrysler Corporation"]
        );
    }

    #[test]
    fn non_entities_are_left_out() {
        let text =
            "Instead, officials met on Tuesday. According to Israeli and Palestinian sources, \
                    the Secretary and the Minister spoke in October. However, Gazans waited. \
                    Meanwhile Officials said nothing. Nothing changed, Dealers said.";
        let entities = extract_entities("", text);
        assert!(entities.is_empty(), "{entities:#?}");
    }

    #[test]
    fn towns_named_like_words_need_a_preposition() {
        let entities = extract_entities(
            "",
            "Reading the report, he flew to Reading and then on to Paris.",
        );
        let places = entity(
            &extract_entities("", "He flew to Reading."),
            EntityKind::Place,
            "Reading",
        )
        .clone();
        assert_eq!(places.mentions.len(), 1);
        let reading = entity(&entities, EntityKind::Place, "Reading");
        assert_eq!(reading.mentions.len(), 1, "{entities:?}");
        assert!(names(&entities, EntityKind::Place).contains(&"Paris"));
        let entities = extract_entities("", "Mobile phones and Nice ideas.");
        assert!(entities.is_empty(), "{entities:?}");
    }

    #[test]
    fn capitals_in_headlines_match_the_names_the_article_gives() {
        let title = "VOLCKER SAYS U.S. RATES WILL STAY LOW";
        let body = "Federal Reserve Board Chairman Paul Volcker said rates would stay low.";
        let entities = extract_entities(title, body);
        let volcker = entity(&entities, EntityKind::Person, "Paul Volcker");
        assert_eq!(volcker.mentions.len(), 2);
        let in_title = volcker.mentions.iter().find(|m| m.in_title).unwrap();
        assert_eq!(&title[in_title.start..in_title.end], "VOLCKER");
        assert!(names(&entities, EntityKind::Org).contains(&"Federal Reserve"));
        let us = entity(&entities, EntityKind::Place, "United States");
        assert!(us.mentions.iter().all(|m| m.in_title));

        // A headline alone: a possessive organisation or a title marks a person.
        let entities =
            extract_entities("FED'S VOLCKER WARNS ON DOLLAR, PRESIDENT REAGAN SILENT", "");
        let people = names(&entities, EntityKind::Person);
        assert_eq!(people, vec!["Volcker", "Reagan"]);
        // ALL-CAPS text without cues gives places and organisations only.
        let entities = extract_entities(
            "",
            "OPEC MINISTERS MEET IN VIENNA TO DISCUSS PRICES AND QUOTAS",
        );
        assert_eq!(names(&entities, EntityKind::Org), vec!["OPEC"]);
        assert_eq!(names(&entities, EntityKind::Place), vec!["Vienna"]);
        assert!(names(&entities, EntityKind::Person).is_empty());
    }

    #[test]
    fn companies_and_clubs_before_said_are_organisations() {
        let text = "Apple said sales rose. Amazon said little, and Chelsea said the manager \
                    would stay. Zentrix said its profit fell. MPs said nothing.";
        let entities = extract_entities("", text);
        assert!(
            names(&entities, EntityKind::Person).is_empty(),
            "{entities:#?}"
        );
        let orgs = names(&entities, EntityKind::Org);
        for org in ["Apple", "Amazon", "Chelsea", "Zentrix"] {
            assert!(orgs.contains(&org), "{org}: {orgs:?}");
        }
        // The person of the same name keeps a given name.
        let entities = extract_entities("", "Chelsea Clinton said she would speak.");
        assert_eq!(
            names(&entities, EntityKind::Person),
            vec!["Chelsea Clinton"]
        );
    }

    #[test]
    fn films_books_prizes_and_events_are_not_people() {
        let text = "Imelda Staunton won praise for her role in Vera Drake. Mike Leigh's \
                    Vera Drake took three prizes, and the Vera Drake star thanked the cast. \
                    She won two Golden Globes at the Golden Globe Awards, before the Sydney \
                    Olympics opened. Harry Potter and the Goblet of Fire topped the chart, \
                    after Brexit.";
        let entities = extract_entities("", text);
        let people = names(&entities, EntityKind::Person);
        assert_eq!(
            people,
            vec!["Imelda Staunton", "Mike Leigh"],
            "{entities:#?}"
        );
        // A person's cue keeps a person who shares a work's cue words.
        let entities = extract_entities(
            "",
            "Fans of Vera Drake queued. Vera Drake said she was surprised.",
        );
        assert_eq!(names(&entities, EntityKind::Person), vec!["Vera Drake"]);
    }

    #[test]
    fn names_and_places_the_lists_lack_are_found_by_their_shape_and_context() {
        let text = "Wolves forward Hwang Hee-chan scored twice, and Leung Kwok-hung watched. \
                    Fighting went on near Zorvika and in the town of Ostravel; a \
                    Zorvika-based charity counted the dead. Linux-based software failed.";
        let entities = extract_entities("", text);
        assert_eq!(
            names(&entities, EntityKind::Person),
            vec!["Hwang Hee-chan", "Leung Kwok-hung"]
        );
        assert_eq!(
            names(&entities, EntityKind::Place),
            vec!["Zorvika", "Ostravel"]
        );
    }

    #[test]
    fn a_headline_adjective_before_a_surname_is_no_given_name() {
        let entities = extract_entities(
            "Dogged Federer claims Dubai crown",
            "Roger Federer won in Dubai. Federer said he was tired.",
        );
        assert_eq!(names(&entities, EntityKind::Person), vec!["Roger Federer"]);
    }

    #[test]
    fn the_corpus_linker_resolves_bare_surnames_of_extracted_articles() {
        let texts = [
            "Prime Minister Tony Blair met Labour MPs at Westminster.",
            "Tony Blair told the Labour conference that the economy was strong.",
            "Cherie Blair opened a school in London.",
            "Cherie Blair spoke at a charity dinner.",
            "Mr Blair told Labour MPs at Westminster that he would stay.",
        ];
        let articles: Vec<Vec<ArticleEntity>> =
            texts.iter().map(|t| extract_entities("", t)).collect();
        let mut linker = CorpusLinker::new();
        for entities in &articles {
            let names: Vec<(EntityKind, &str)> =
                entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
            linker.add(None, &names);
        }
        let table = linker.finish();
        let last: Vec<(EntityKind, &str)> = articles[4]
            .iter()
            .map(|e| (e.kind, e.name.as_str()))
            .collect();
        assert!(last.contains(&(EntityKind::Person, "Blair")), "{last:?}");
        assert_eq!(
            table.canonical_in(EntityKind::Person, "Blair", None, &last),
            "Tony Blair"
        );
        assert_eq!(
            table.lookup(EntityKind::Person, "blair").as_deref(),
            Some("Tony Blair")
        );
    }

    #[test]
    fn organisations_by_suffix_and_short_form() {
        let text = "Chrysler Corp said its profit rose. Chrysler said it would hire. \
                    Bank of England Governor Robin Leigh-Pemberton agreed.";
        let entities = extract_entities("", text);
        assert_eq!(
            texts(entity(&entities, EntityKind::Org, "Chrysler Corp")),
            vec!["Chrysler Corp", "Chrysler"]
        );
        assert!(names(&entities, EntityKind::Org).contains(&"Bank of England"));
        assert!(names(&entities, EntityKind::Person).contains(&"Robin Leigh-Pemberton"));
    }

    /// The files of this folder use one another without a cycle, and only through
    /// `super::<sibling>` (no child reaches into this file): listed by reading each file's
    /// code before its tests for `super::<name>` paths.
    #[test]
    fn modules_depend_on_each_other_without_a_cycle() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/extract/entities");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
            .filter(|n| n != "mod")
            .collect();
        files.sort();
        let mut uses: HashMap<String, BTreeSet<String>> = HashMap::new();
        for file in &files {
            let text = std::fs::read_to_string(dir.join(format!("{file}.rs"))).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let mut edges = BTreeSet::new();
            for (at, _) in code.match_indices("super::") {
                let name: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    files.contains(&name),
                    "{file}.rs uses super::{name}, which is no sibling module"
                );
                edges.insert(name);
            }
            uses.insert(file.clone(), edges);
        }
        // Kahn's algorithm: repeatedly remove files that use no remaining file.
        let mut left: BTreeSet<String> = files.iter().cloned().collect();
        while !left.is_empty() {
            let free: Vec<String> = left
                .iter()
                .filter(|f| uses[*f].iter().all(|u| !left.contains(u) || u == *f))
                .cloned()
                .collect();
            assert!(!free.is_empty(), "a cycle among {left:?}: {uses:?}");
            for f in free {
                left.remove(&f);
            }
        }
        assert!(uses["fold"].is_empty() && uses["entity"].is_empty());
    }

    #[test]
    fn odd_input_never_panics_and_offsets_stay_on_the_text() {
        let mut samples: Vec<String> = [
            "",
            " ",
            "\n\n\n",
            "’s",
            "Mr.",
            "Mr",
            "MR",
            "U.S.-",
            "-U.S.",
            "A.B.C.D.E.F.G.",
            "Al-",
            "ÉTATS-UNIS D’AMÉRIQUE",
            "Zürich’s Ñandú",
            "日本の首相は東京で",
            "مرحبا بالعالم",
            "\u{200b}\u{0301}\u{202e}Gaza",
            "🙂 Netanyahu 🙂 said",
            "Kim Jong-",
            "Kim -un",
            "(((((",
            "Mr Mr Mr Mr",
            "THE THE THE",
            "and and & & and",
            "O'",
            "O'Brien's'",
            "'s's's",
            "Bank of",
            "of Bank",
            "US-",
            "New",
            "New South",
            "Reuter\n&#3;",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        samples.push(SEED_A.to_uppercase());
        samples.push(SEED_B.to_lowercase());
        samples.push(SEED_A.replace(' ', "\n    "));
        // Pseudo-random strings over a small alphabet of troublesome pieces.
        let pieces = [
            "Mr ",
            "Gallant",
            "-",
            "’s ",
            "U.S.",
            " ",
            "\n",
            "\n\n",
            "Bank",
            " of ",
            "Israel",
            "É",
            "said",
            ".",
            ",",
            "(",
            ")",
            "Corp",
            "May",
            "Kim",
            "Jong-un",
            "&",
            "日本",
            "\u{301}",
            "A.",
            "The",
            "NATO",
            "Washington, DC",
            "New York",
            "Minister",
            "de",
            "al-",
            "Inc.",
            "0",
            "’",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            samples.push(s);
        }
        for text in &samples {
            for (title, body) in [
                (text.as_str(), ""),
                ("", text.as_str()),
                (text.as_str(), text.as_str()),
            ] {
                for e in extract_entities(title, body) {
                    assert!(!e.name.trim().is_empty(), "{text:?}: {e:?}");
                    for m in &e.mentions {
                        let source = if m.in_title { title } else { body };
                        assert_eq!(
                            source.get(m.start..m.end),
                            Some(m.text.as_str()),
                            "{text:?}"
                        );
                    }
                }
            }
        }
        let names: Vec<(EntityKind, String, u64)> = samples
            .iter()
            .flat_map(|s| {
                s.split_whitespace()
                    .map(|w| (EntityKind::Person, w.to_string(), 1))
            })
            .chain(samples.iter().map(|s| (EntityKind::Org, s.clone(), 1)))
            .collect();
        let table = resolve_corpus(&names);
        for s in &samples {
            let _ = table.lookup(EntityKind::Person, s);
            let _ = table.canonical(EntityKind::Place, s);
        }
    }
}
