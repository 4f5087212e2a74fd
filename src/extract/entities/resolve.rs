//! Corpus-wide alias resolution: from every article-level name (with the number of
//! articles it appears in) to entities. Spelling variants of one person merge ("Anthony"/
//! "Antony Blinken", "Joab"/"Yoav Gallant") while namesakes stay apart ("Joe"/"Hunter
//! Biden"); a bare surname joins the one person of the corpus with that surname;
//! organisation short forms and acronyms join their full names; the curated alias table
//! names the entities it knows. Names are indexed by surname skeleton and normalised
//! key, so the work grows with the number of names, not its square.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::gazetteer::gazetteer;
use super::lexicon::LEGAL_SUFFIXES;
use super::names::{fold, parse_person, same_person, skeleton, surnames_compatible, PersonName};
use super::EntityKind;

/// Above this many clusters under one surname skeleton, a name is compared only with
/// clusters whose given name starts alike (after nickname and transliteration folding).
const FULL_SCAN_CLUSTERS: usize = 64;

/// How article-level names map to entities. Built by [`resolve_corpus`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AliasTable {
    person: KindTable,
    org: KindTable,
    place: KindTable,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct KindTable {
    /// Article-level name → canonical name, for names merged into another.
    canonical: HashMap<String, String>,
    /// Canonical name → the article-level names that resolve to it (sorted).
    members: HashMap<String, Vec<String>>,
    /// Folded name, alias or unique surname → canonical name.
    keys: HashMap<String, String>,
    /// Surname key → canonical names of people with that surname (people only).
    surnames: HashMap<String, Vec<String>>,
}

impl AliasTable {
    fn table(&self, kind: EntityKind) -> &KindTable {
        match kind {
            EntityKind::Person => &self.person,
            EntityKind::Org => &self.org,
            EntityKind::Place => &self.place,
        }
    }

    /// The canonical (display) name of an article-level name; the name itself when it is
    /// merged with nothing. Names the corpus never gave go through the curated alias
    /// table ("U.S." → "United States").
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
    /// case- and accent-insensitive; a canonical name, any alias, a surname only one
    /// person of the corpus has, or (for people) a spelling variant of one known person.
    /// `None` when the corpus knows no such entity.
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
            return None;
        }
        let mut found: Vec<&String> = table
            .surnames
            .get(&wanted.surname)
            .into_iter()
            .flatten()
            .filter(|canonical| {
                table
                    .members
                    .get(*canonical)
                    .into_iter()
                    .flatten()
                    .any(|m| {
                        let member = parse_person(m);
                        member.is_full() && same_person(&member, &wanted)
                    })
            })
            .collect();
        found.dedup();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// All article-level names that resolve to `canonical` (for building a filter).
    pub fn members(&self, kind: EntityKind, canonical: &str) -> Vec<String> {
        self.table(kind)
            .members
            .get(canonical)
            .cloned()
            .unwrap_or_default()
    }
}

/// One entity: its members with article counts, and the name to display.
struct Cluster {
    members: Vec<(String, u64)>,
    display: String,
}

/// Resolves every article-level `(kind, name, articles)` of the corpus into entities.
pub fn resolve_corpus(names: &[(EntityKind, String, u64)]) -> AliasTable {
    let mut by_kind: HashMap<EntityKind, BTreeMap<&str, u64>> = HashMap::new();
    for (kind, name, count) in names {
        let name = name.trim();
        if !name.is_empty() {
            *by_kind.entry(*kind).or_default().entry(name).or_default() += count;
        }
    }
    let list = |kind| -> Vec<(String, u64)> {
        by_kind
            .get(&kind)
            .map(|m| m.iter().map(|(n, c)| (n.to_string(), *c)).collect())
            .unwrap_or_default()
    };
    AliasTable {
        person: person_table(resolve_people(&list(EntityKind::Person))),
        org: kind_table(EntityKind::Org, resolve_orgs(&list(EntityKind::Org))),
        place: kind_table(EntityKind::Place, resolve_places(&list(EntityKind::Place))),
    }
}

/// Display name: the curated canonical name if any member has one, else the most
/// frequent member (full forms first), then the longest, then the first alphabetically.
fn display_name(
    kind: EntityKind,
    members: &[(String, u64)],
    full: impl Fn(&str) -> bool,
) -> String {
    let g = gazetteer();
    if let Some(curated) = members.iter().find_map(|(n, _)| g.canonical(kind, n)) {
        return curated.to_string();
    }
    members
        .iter()
        .max_by(|(a, ca), (b, cb)| {
            (full(a), ca, a.split_whitespace().count())
                .cmp(&(full(b), cb, b.split_whitespace().count()))
                .then_with(|| b.cmp(a))
        })
        .map(|(n, _)| n.clone())
        .unwrap_or_default()
}

fn resolve_places(names: &[(String, u64)]) -> Vec<Cluster> {
    let g = gazetteer();
    let mut groups: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    for (name, count) in names {
        let key = fold(g.canonical(EntityKind::Place, name).unwrap_or(name));
        groups.entry(key).or_default().push((name.clone(), *count));
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .map(|members| Cluster {
            display: display_name(EntityKind::Place, &members, |_| true),
            members,
        })
        .collect();
    clusters.sort_by(|a, b| a.display.cmp(&b.display));
    clusters
}

/// "Chrysler Corp", "Chrysler Corporation" and "Chrysler" share the key "chrysler".
fn org_key(name: &str) -> String {
    let g = gazetteer();
    let name = g.canonical(EntityKind::Org, name).unwrap_or(name);
    let folded = fold(&name.replace('&', " and "));
    let mut words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// "NATO", "EC", "OPEC": two to six capitals, no spaces.
fn is_acronym(name: &str) -> bool {
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    (2..=6).contains(&letters.len())
        && letters.iter().all(|c| c.is_uppercase())
        && !name.contains(' ')
}

/// "European Central Bank" → "ecb" (capitalised words only; "of", "and" skipped).
fn initials(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitalised: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    (capitalised.len() >= 2).then(|| {
        capitalised
            .iter()
            .filter_map(|w| w.chars().next())
            .flat_map(char::to_lowercase)
            .collect()
    })
}

fn resolve_orgs(names: &[(String, u64)]) -> Vec<Cluster> {
    let mut groups: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for (name, count) in names {
        groups
            .entry(org_key(name))
            .or_default()
            .push((name.clone(), *count));
    }
    let curated = |members: &[(String, u64)]| {
        members
            .iter()
            .any(|(n, _)| gazetteer().canonical(EntityKind::Org, n).is_some())
    };
    // An acronym joins the one multi-word name of the corpus with its initials.
    let mut by_initials: HashMap<String, Vec<String>> = HashMap::new();
    for (key, members) in &groups {
        if curated(members) {
            continue;
        }
        let mut seen = HashSet::new();
        for (name, _) in members {
            if let Some(i) = initials(name) {
                if seen.insert(i.clone()) {
                    by_initials.entry(i).or_default().push(key.clone());
                }
            }
        }
    }
    let mut merge: Vec<(String, String)> = Vec::new();
    for (key, members) in &groups {
        if curated(members) || !members.iter().any(|(n, _)| is_acronym(n)) {
            continue;
        }
        if let Some([target]) = by_initials.get(key).map(Vec::as_slice) {
            if target != key {
                merge.push((key.clone(), target.clone()));
            }
        }
    }
    for (from, to) in merge {
        if let Some(members) = groups.remove(&from) {
            if let Some(target) = groups.get_mut(&to) {
                target.extend(members);
            } else {
                groups.insert(from, members);
            }
        }
    }
    groups
        .into_values()
        .map(|members| Cluster {
            display: display_name(EntityKind::Org, &members, |n| !is_acronym(n)),
            members,
        })
        .collect()
}

/// First letters a given name may be filed under: its own skeleton's, and its formal
/// names' ("Bill" under "v" for "William" as well as "b").
fn given_buckets(p: &PersonName) -> Vec<char> {
    let Some(given) = &p.given else {
        return Vec::new();
    };
    let mut out: Vec<char> = Vec::new();
    let first_part = given.split('-').next().unwrap_or(given);
    let mut add = |word: &str| {
        if let Some(c) = skeleton(word).chars().next() {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    };
    add(first_part);
    for formal in super::lexicon::lexicon().formal_names(first_part) {
        add(&formal);
    }
    out
}

fn resolve_people(names: &[(String, u64)]) -> Vec<Cluster> {
    let parsed: Vec<PersonName> = names.iter().map(|(n, _)| parse_person(n)).collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        names[b]
            .1
            .cmp(&names[a].1)
            .then_with(|| names[a].0.cmp(&names[b].0))
    });

    // Full names, grouped by surname skeleton, then clustered greedily by frequency.
    let mut by_skeleton: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in order.iter().filter(|&&i| parsed[i].is_full()) {
        by_skeleton
            .entry(skeleton(&parsed[i].surname))
            .or_default()
            .push(i);
    }
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut skeletons: Vec<&String> = by_skeleton.keys().collect();
    skeletons.sort();
    for skel in skeletons {
        let mut local: Vec<usize> = Vec::new();
        let mut buckets: HashMap<char, Vec<usize>> = HashMap::new();
        for &i in &by_skeleton[skel] {
            let keys = given_buckets(&parsed[i]);
            let candidates: Vec<usize> = if local.len() <= FULL_SCAN_CLUSTERS {
                local.clone()
            } else {
                let mut c: Vec<usize> = keys
                    .iter()
                    .flat_map(|k| buckets.get(k).into_iter().flatten().copied())
                    .collect();
                c.sort_unstable();
                c.dedup();
                c
            };
            let joined = candidates.into_iter().find(|&c| {
                clusters[c]
                    .iter()
                    .all(|&m| same_person(&parsed[m], &parsed[i]))
            });
            let c = match joined {
                Some(c) => c,
                None => {
                    clusters.push(Vec::new());
                    local.push(clusters.len() - 1);
                    clusters.len() - 1
                }
            };
            clusters[c].push(i);
            for k in keys {
                let list = buckets.entry(k).or_default();
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }
    }

    // Bare surnames join the one cluster with that surname, else stay themselves.
    let mut by_surname: HashMap<String, Vec<usize>> = HashMap::new();
    for (c, members) in clusters.iter().enumerate() {
        let mut keys: Vec<&String> = members.iter().map(|&m| &parsed[m].surname).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            by_surname.entry(skeleton(key)).or_default().push(c);
        }
    }
    let mut singles: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in order.iter().filter(|&&i| !parsed[i].is_full()) {
        let key = &parsed[i].surname;
        let mut targets: Vec<usize> = by_surname
            .get(&skeleton(key))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&c| {
                clusters[c]
                    .iter()
                    .any(|&m| surnames_compatible(&parsed[m].surname, key))
            })
            .collect();
        targets.dedup();
        match targets.as_slice() {
            [c] => clusters[*c].push(i),
            _ => singles.entry(key.clone()).or_default().push(i),
        }
    }
    clusters.extend(singles.into_values());

    clusters
        .into_iter()
        .map(|members| {
            let members: Vec<(String, u64)> = members.iter().map(|&m| names[m].clone()).collect();
            Cluster {
                display: display_name(EntityKind::Person, &members, |n| {
                    n.split_whitespace().count() > 1
                }),
                members,
            }
        })
        .collect()
}

/// Builds the lookup tables from clusters; keys that two entities claim are dropped.
fn kind_table(kind: EntityKind, clusters: Vec<Cluster>) -> KindTable {
    let mut table = KindTable::default();
    let mut keys: HashMap<String, Option<String>> = HashMap::new();
    let mut claim = |key: String, canonical: &str| {
        if key.is_empty() {
            return;
        }
        keys.entry(key)
            .and_modify(|c| {
                if c.as_deref() != Some(canonical) {
                    *c = None;
                }
            })
            .or_insert_with(|| Some(canonical.to_string()));
    };
    for cluster in &clusters {
        let canonical = &cluster.display;
        claim(fold(canonical), canonical);
        for (name, _) in &cluster.members {
            claim(fold(name), canonical);
        }
        for alias in gazetteer().aliases(kind, canonical) {
            claim(fold(alias), canonical);
        }
    }
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
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    table
}

/// The person table also answers bare surnames that only one entity has.
fn person_table(clusters: Vec<Cluster>) -> KindTable {
    let mut surnames: HashMap<String, Vec<String>> = HashMap::new();
    for cluster in &clusters {
        let mut keys: Vec<String> = cluster
            .members
            .iter()
            .map(|(n, _)| parse_person(n).surname)
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            surnames
                .entry(key)
                .or_default()
                .push(cluster.display.clone());
        }
    }
    let mut table = kind_table(EntityKind::Person, clusters);
    for (surname, canonicals) in &surnames {
        if let [one] = canonicals.as_slice() {
            table
                .keys
                .entry(surname.clone())
                .or_insert_with(|| one.clone());
        }
    }
    table.surnames = surnames;
    table
}
