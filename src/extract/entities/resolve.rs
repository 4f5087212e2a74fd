//! Corpus-wide alias resolution: from every article-level name (with the number of
//! articles it appears in) to entities. Spelling variants of one person merge ("Anthony"/
//! "Antony Blinken", "Joab"/"Yoav Gallant") while namesakes stay apart ("Joe"/"Hunter
//! Biden"); a bare surname joins the one person of the corpus with that surname;
//! organisation short forms and acronyms join their full names; the curated alias table
//! names the entities it knows. Names are indexed by surname skeleton and normalised
//! key, so the work grows with the number of names, not its square.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::entity::EntityKind;
use super::fold::fold;
use super::gazetteer::gazetteer;
use super::lexicon::{is_acronym, lexicon, LEGAL_SUFFIXES};
use super::names::{
    parse_person, same_given_person, same_person, skeleton, surnames_compatible, PersonName,
};

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
    /// Surname keys of the members (people only).
    surnames: Vec<String>,
}

/// Resolves every article-level `(kind, name, articles)` of the corpus into entities.
pub fn resolve_corpus(names: &[(EntityKind, String, u64)]) -> AliasTable {
    let mut by_kind: HashMap<EntityKind, HashMap<&str, u64>> = HashMap::default();
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
        person: person_table(resolve_people(list(EntityKind::Person))),
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
    if g.knows(kind) {
        if let Some(curated) = members.iter().find_map(|(n, _)| g.canonical(kind, n)) {
            return curated.to_string();
        }
    }
    if let [(only, _)] = members {
        return only.clone();
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
    let mut groups: HashMap<String, Vec<(String, u64)>> = HashMap::default();
    for (name, count) in names {
        let key = fold(g.canonical(EntityKind::Place, name).unwrap_or(name));
        groups.entry(key).or_default().push((name.clone(), *count));
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .map(|members| Cluster {
            display: display_name(EntityKind::Place, &members, |_| true),
            members,
            surnames: Vec::new(),
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
    let mut by_initials: HashMap<String, Vec<String>> = HashMap::default();
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
            surnames: Vec::new(),
        })
        .collect()
}

/// What clustering needs of one full name, computed once.
struct FullName {
    index: usize,
    /// Buckets the given name is filed under: the first two letters of its skeleton and
    /// of its formal names' ("Bill" under "bl" and under "vl" for "William").
    keys: Vec<String>,
    /// The given name is an initial ("J. Smith"): it may be anyone whose name starts so.
    initial: Option<char>,
}

/// The first two letters of a given name's skeleton, with "h" after the first letter
/// dropped so that "Jon" and "John" meet.
fn bucket_key(word: &str) -> String {
    let skel = skeleton(word);
    let mut chars = skel.chars();
    let first = chars.next();
    first
        .into_iter()
        .chain(chars.filter(|&c| c != 'h'))
        .take(2)
        .collect()
}

fn full_name(index: usize, p: &PersonName) -> FullName {
    let given = p.given.as_deref().unwrap_or("");
    let first = given
        .split('-')
        .next()
        .unwrap_or(given)
        .trim_end_matches('.');
    if first.chars().count() <= 1 {
        return FullName {
            index,
            keys: Vec::new(),
            initial: skeleton(first).chars().next(),
        };
    }
    let mut keys = vec![bucket_key(first)];
    for formal in lexicon().formal_names(first) {
        let key = bucket_key(formal);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    FullName {
        index,
        keys,
        initial: None,
    }
}

/// Clusters of full names that share a surname skeleton. A name joins the first
/// cluster (most frequent first) all of whose members it may be the same person as;
/// only clusters filed under one of its buckets are compared.
fn cluster_group(names: &[FullName], parsed: &[PersonName], clusters: &mut Vec<Vec<usize>>) {
    // The group's distinct surname spellings, each pair compared at most once.
    let mut spellings: Vec<&str> = names
        .iter()
        .map(|n| parsed[n.index].surname.as_str())
        .collect();
    spellings.sort_unstable();
    spellings.dedup();
    let spelling: HashMap<usize, usize> = names
        .iter()
        .map(|n| {
            let key = parsed[n.index].surname.as_str();
            (n.index, spellings.binary_search(&key).unwrap_or(0))
        })
        .collect();
    let compatible = std::cell::RefCell::new(HashMap::<(usize, usize), bool>::default());
    let same = |a: usize, b: usize| {
        let (sa, sb) = (spelling[&a], spelling[&b]);
        let surnames = sa == sb
            || *compatible
                .borrow_mut()
                .entry((sa.min(sb), sa.max(sb)))
                .or_insert_with(|| surnames_compatible(spellings[sa], spellings[sb]));
        surnames && same_given_person(&parsed[a], &parsed[b])
    };
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::default();
    let mut by_first: HashMap<char, Vec<usize>> = HashMap::default();
    let mut with_initials: HashMap<char, Vec<usize>> = HashMap::default();
    for name in names {
        let mut candidates: Vec<usize> = match name.initial {
            Some(c) => by_first.get(&c).into_iter().flatten().copied().collect(),
            None => {
                let mut c: Vec<usize> = name
                    .keys
                    .iter()
                    .flat_map(|k| by_key.get(k).into_iter().flatten().copied())
                    .collect();
                if let Some(first) = name.keys.first().and_then(|k| k.chars().next()) {
                    c.extend(with_initials.get(&first).into_iter().flatten().copied());
                }
                c
            }
        };
        candidates.sort_unstable();
        candidates.dedup();
        let joined = candidates
            .into_iter()
            .find(|&c| clusters[c].iter().all(|&m| same(m, name.index)));
        let c = joined.unwrap_or_else(|| {
            clusters.push(Vec::new());
            clusters.len() - 1
        });
        clusters[c].push(name.index);
        match name.initial {
            Some(first) => {
                file_under(&mut with_initials, first, c);
                file_under(&mut by_first, first, c);
            }
            None => {
                for key in &name.keys {
                    file_under(&mut by_key, key.clone(), c);
                    if let Some(first) = key.chars().next() {
                        file_under(&mut by_first, first, c);
                    }
                }
            }
        }
    }
}

fn file_under<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: K, cluster: usize) {
    let list = map.entry(key).or_default();
    if !list.contains(&cluster) {
        list.push(cluster);
    }
}

fn resolve_people(mut names: Vec<(String, u64)>) -> Vec<Cluster> {
    let mut parsed: Vec<PersonName> = names.iter().map(|(n, _)| parse_person(n)).collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        names[b]
            .1
            .cmp(&names[a].1)
            .then_with(|| names[a].0.cmp(&names[b].0))
    });

    // Full names, grouped by surname skeleton, then clustered greedily by frequency.
    let mut by_skeleton: HashMap<String, Vec<FullName>> = HashMap::default();
    for &i in order.iter().filter(|&&i| parsed[i].is_full()) {
        by_skeleton
            .entry(skeleton(&parsed[i].surname))
            .or_default()
            .push(full_name(i, &parsed[i]));
    }
    let mut groups: Vec<Vec<FullName>> = by_skeleton.into_values().collect();
    groups.sort_unstable_by_key(|g| g.first().map(|n| n.index));
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for group in &groups {
        cluster_group(group, &parsed, &mut clusters);
    }

    // Bare surnames join the one cluster with that surname, else stay themselves.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut keys_by_skeleton: HashMap<String, Vec<&str>> = HashMap::default();
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            let key = parsed[m].surname.as_str();
            let list = by_key.entry(key).or_default();
            if list.last() != Some(&c) {
                list.push(c);
            }
            if list.len() == 1 {
                keys_by_skeleton.entry(skeleton(key)).or_default().push(key);
            }
        }
    }
    let mut singles: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in order.iter().filter(|&&i| !parsed[i].is_full()) {
        let key = &parsed[i].surname;
        let mut targets: Vec<usize> = keys_by_skeleton
            .get(&skeleton(key))
            .into_iter()
            .flatten()
            .filter(|k| surnames_compatible(k, key))
            .flat_map(|k| by_key[k].iter().copied())
            .collect();
        targets.sort_unstable();
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
            let mut surnames: Vec<String> = members
                .iter()
                .map(|&m| std::mem::take(&mut parsed[m].surname))
                .collect();
            surnames.sort_unstable();
            surnames.dedup();
            let members: Vec<(String, u64)> = members
                .iter()
                .map(|&m| (std::mem::take(&mut names[m].0), names[m].1))
                .collect();
            Cluster {
                display: display_name(EntityKind::Person, &members, |n| {
                    n.split_whitespace().count() > 1
                }),
                members,
                surnames,
            }
        })
        .collect()
}

/// Builds the lookup tables from clusters; keys that two entities claim are dropped.
fn kind_table(kind: EntityKind, clusters: Vec<Cluster>) -> KindTable {
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

/// The person table also answers bare surnames that only one entity has.
fn person_table(clusters: Vec<Cluster>) -> KindTable {
    let mut owners: HashMap<&str, Option<usize>> = HashMap::default();
    for (c, cluster) in clusters.iter().enumerate() {
        for key in &cluster.surnames {
            owners
                .entry(key.as_str())
                .and_modify(|owner| *owner = None)
                .or_insert(Some(c));
        }
    }
    let unique: Vec<(String, String)> = owners
        .into_iter()
        .filter_map(|(key, owner)| owner.map(|c| (key.to_string(), clusters[c].display.clone())))
        .collect();
    let mut table = kind_table(EntityKind::Person, clusters);
    for (surname, canonical) in unique {
        table.keys.entry(surname).or_insert(canonical);
    }
    table
}
