//! The corpus alias table and its questions: which entity an article-level name belongs
//! to, with or without the article at hand; what a user's typed name means; which names
//! a filter must match. Built by the `resolve` module; saved beside an index (serde).

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::entity::EntityKind;
use super::fold::fold;
use super::gazetteer::gazetteer;
use super::link::{article_context, choose, date_month, Candidate, Choice};
use super::names::{parse_person, same_person, surname_key, surname_skeleton, surnames_compatible};

/// How article-level names map to entities. Built by `CorpusLinker` (or
/// `resolve_corpus` from article counts alone).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AliasTable {
    pub(crate) person: KindTable,
    pub(crate) org: KindTable,
    pub(crate) place: KindTable,
    /// Bare surnames whose person depends on the article.
    #[serde(default)]
    pub(crate) linking: Linking,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct KindTable {
    /// Article-level name → canonical name, for names merged into another.
    pub canonical: HashMap<String, String>,
    /// Canonical name → the article-level names that resolve to it (sorted).
    pub members: HashMap<String, Vec<String>>,
    /// Folded name, alias or unique surname → canonical name.
    pub keys: HashMap<String, String>,
}

/// What resolving a bare surname in context needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Linking {
    /// Article-level name (a bare surname several people of the corpus share) → the
    /// people it may mean.
    pub choices: HashMap<String, Choice>,
    /// The canonical name of a contextual name when it means someone the corpus does not
    /// name in full (the name itself, or the bare form it is grouped with).
    pub alone: HashMap<String, String>,
    /// Canonical name of each candidate → what the corpus says of that person.
    pub profiles: HashMap<String, Candidate>,
    /// Every person's companions together: the likelihood of a context under "someone
    /// else".
    pub background: Candidate,
    /// Canonical name → contextual names that may resolve to it in some article.
    pub may_be: HashMap<String, Vec<String>>,
    /// Surname skeleton → the one-word keys of the person table, for typed variants
    /// ("Zelensky" for "Zelenskiy").
    pub surnames: HashMap<String, Vec<String>>,
}

impl AliasTable {
    fn table(&self, kind: EntityKind) -> &KindTable {
        match kind {
            EntityKind::Person => &self.person,
            EntityKind::Org => &self.org,
            EntityKind::Place => &self.place,
        }
    }

    /// The canonical (display) name of an article-level name, without the article at
    /// hand: the name itself when it is merged with nothing; for a bare surname several
    /// people share, the one the corpus as a whole most likely means by it. Names the
    /// corpus never gave go through the curated alias table ("U.S." → "United States").
    pub fn canonical(&self, kind: EntityKind, name: &str) -> String {
        let table = self.table(kind);
        if let Some(canonical) = table.canonical.get(name) {
            return canonical.clone();
        }
        if table.members.contains_key(name) {
            return name.to_string();
        }
        match gazetteer().canonical(kind, name) {
            Some(curated) => table
                .canonical
                .get(curated)
                .cloned()
                .unwrap_or_else(|| curated.to_string()),
            None => name.to_string(),
        }
    }

    /// The canonical name of `name` as one article uses it: its publication day and all
    /// its article-level names. Differs from [`Self::canonical`] only for names
    /// [`Self::is_contextual`] reports.
    pub fn canonical_in(
        &self,
        kind: EntityKind,
        name: &str,
        date: Option<NaiveDate>,
        article_names: &[(EntityKind, &str)],
    ) -> String {
        let linking = &self.linking;
        let choice = match kind {
            EntityKind::Person => linking.choices.get(name),
            _ => None,
        };
        let Some(choice) = choice else {
            return self.canonical(kind, name);
        };
        // People the article names in full are not what its bare surname means: had it
        // meant them, the article's own linking would have said so ("REAGAN NAMES ..."
        // over a body that names Nancy Reagan).
        let named: Vec<String> = article_names
            .iter()
            .filter(|&&(k, n)| k == EntityKind::Person && n != name)
            .map(|&(k, n)| self.canonical(k, n))
            .collect();
        let context = article_context(name, article_names);
        let chosen = choose(
            choice,
            &linking.profiles,
            &linking.background,
            date_month(date),
            &context,
            |option| !named.iter().any(|n| n == option),
        );
        match chosen {
            Some(i) => choice.options[i].clone(),
            None => linking
                .alone
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_string()),
        }
    }

    /// Whether [`Self::canonical_in`] can differ from [`Self::canonical`] for this name.
    pub fn is_contextual(&self, kind: EntityKind, name: &str) -> bool {
        kind == EntityKind::Person && self.linking.choices.contains_key(name)
    }

    /// The other names of an entity, for display: the article-level names merged into
    /// it and the curated aliases of it, sorted.
    pub fn aliases(&self, kind: EntityKind, canonical: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .table(kind)
            .members
            .get(canonical)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        out.extend(gazetteer().aliases(kind, canonical).iter().cloned());
        out.retain(|a| a != canonical);
        out.sort();
        out.dedup();
        out
    }

    /// The canonical name for what a user typed (`--person netanyahu`, `--org EU`):
    /// case- and accent-insensitive; a canonical name, any alias, a surname (the person
    /// the corpus most likely means by it), or (for people) a spelling variant of one
    /// known person ("Zelensky" when the corpus writes "Zelenskiy"). `None` when the
    /// corpus knows no such entity.
    pub fn lookup(&self, kind: EntityKind, user_text: &str) -> Option<String> {
        let table = self.table(kind);
        let key = fold(user_text);
        if key.is_empty() {
            return None;
        }
        if let Some(canonical) = table.keys.get(&key) {
            return Some(canonical.clone());
        }
        if kind != EntityKind::Person {
            return None;
        }
        let wanted = parse_person(user_text);
        if !wanted.is_full() {
            return self.lookup_surname_variant(&wanted.surname);
        }
        // A rare path (a full name no article gave): compare with every person.
        let mut found: Vec<&String> = table
            .members
            .iter()
            .filter(|(_, members)| {
                members.iter().any(|m| {
                    let member = parse_person(m);
                    member.is_full() && same_person(&member, &wanted)
                })
            })
            .map(|(canonical, _)| canonical)
            .collect();
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// The one entity a typed surname's spelling variants name.
    fn lookup_surname_variant(&self, surname: &str) -> Option<String> {
        if surname.is_empty() {
            return None;
        }
        let mut found: Vec<&String> = self
            .linking
            .surnames
            .get(&surname_skeleton(surname))
            .into_iter()
            .flatten()
            .filter(|key| surnames_compatible(&surname_key(key), surname))
            .filter_map(|key| self.person.keys.get(key))
            .collect();
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// All article-level names that may resolve to `canonical` (for building a filter).
    /// Names that [`Self::is_contextual`] reports may resolve to other entities in other
    /// articles: check each article with [`Self::canonical_in`].
    pub fn members(&self, kind: EntityKind, canonical: &str) -> Vec<String> {
        let mut out = self
            .table(kind)
            .members
            .get(canonical)
            .cloned()
            .unwrap_or_default();
        if kind == EntityKind::Person {
            if let Some(more) = self.linking.may_be.get(canonical) {
                out.extend(more.iter().cloned());
                out.sort();
                out.dedup();
            }
        }
        out
    }
}

/// One entity: its members with article counts, and the name to display.
pub(crate) struct Cluster {
    pub members: Vec<(String, u64)>,
    pub display: String,
    /// Surname keys of the members (people only).
    pub surnames: Vec<String>,
}

/// Builds the lookup tables from clusters; keys that two entities claim are dropped.
pub(crate) fn kind_table(kind: EntityKind, clusters: Vec<Cluster>) -> KindTable {
    const CONTESTED: usize = usize::MAX;
    let mut keys: HashMap<String, usize> = HashMap::default();
    let mut claim = |key: String, cluster: usize| {
        if !key.is_empty() {
            keys.entry(key)
                .and_modify(|c| {
                    if *c != cluster {
                        *c = CONTESTED;
                    }
                })
                .or_insert(cluster);
        }
    };
    for (c, cluster) in clusters.iter().enumerate() {
        if !cluster.members.iter().any(|(n, _)| *n == cluster.display) {
            claim(fold(&cluster.display), c);
        }
        for (name, _) in &cluster.members {
            claim(fold(name), c);
        }
        for alias in gazetteer().aliases(kind, &cluster.display) {
            claim(fold(alias), c);
        }
    }
    let displays: Vec<String> = clusters.iter().map(|c| c.display.clone()).collect();
    let mut table = KindTable::default();
    for cluster in clusters {
        let mut members: Vec<String> = cluster.members.into_iter().map(|(n, _)| n).collect();
        members.sort();
        for name in &members {
            if name != &cluster.display {
                table
                    .canonical
                    .insert(name.clone(), cluster.display.clone());
            }
        }
        table.members.insert(cluster.display, members);
    }
    table.keys = keys
        .into_iter()
        .filter(|&(_, c)| c != CONTESTED)
        .map(|(k, c)| (k, displays[c].clone()))
        .collect();
    table
}

/// The person table also answers bare surnames: with the one entity that has the
/// surname, or with the entity `dominant` picks among several.
pub(crate) fn person_table(
    clusters: Vec<Cluster>,
    dominant: impl Fn(&[usize]) -> Option<usize>,
) -> KindTable {
    let mut owners: HashMap<&str, Vec<usize>> = HashMap::default();
    for (c, cluster) in clusters.iter().enumerate() {
        for key in &cluster.surnames {
            owners.entry(key.as_str()).or_default().push(c);
        }
    }
    let mut surname_keys: Vec<(String, String)> = owners
        .into_iter()
        .filter_map(|(key, owners)| {
            let owner = match owners.as_slice() {
                [one] => Some(*one),
                many => dominant(many),
            };
            owner.map(|c| (key.to_string(), clusters[c].display.clone()))
        })
        .collect();
    surname_keys.sort();
    let mut table = kind_table(EntityKind::Person, clusters);
    for (surname, canonical) in surname_keys {
        table.keys.entry(surname).or_insert(canonical);
    }
    table
}
