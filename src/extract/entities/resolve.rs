//! Corpus-wide alias resolution: from every article-level name (with what the corpus
//! says of it) to entities. Spelling variants of one person merge ("Anthony"/"Antony
//! Blinken", "Joab"/"Yoav Gallant", "Zelensky"/"Zelenskiy") while namesakes stay apart
//! ("Joe"/"Hunter Biden"); a bare surname joins the one person of the corpus with that
//! surname, or, when several share it, the one [`super::link`] finds the corpus means by
//! it; organisation short forms and acronyms join their full names; the curated alias
//! table names the entities it knows. Names are indexed by surname skeleton and
//! normalised key, so the work grows with the number of names, not its square.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::FxHashMap as HashMap;

use super::entity::EntityKind;
use super::fold::fold;
use super::gazetteer::gazetteer;
use super::lexicon::{is_acronym, lexicon, LEGAL_SUFFIXES};
use super::link::{average_context, choose, Candidate, Choice, NameStats};
use super::names::{
    parse_person, same_given_person, skeleton, surname_key, surname_skeleton, surnames_compatible,
    PersonName,
};
use super::table::{kind_table, person_table, AliasTable, Cluster, KindTable, Linking};

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

/// The people of the corpus: full names clustered by surname and given name, bare
/// surnames linked to the one cluster with that surname, or (when several share it) to
/// the one the corpus most likely means, with the choice kept for [`Linking`].
fn resolve_people(stats: HashMap<String, NameStats>) -> (KindTable, Linking) {
    let mut names: Vec<(String, NameStats)> = stats.into_iter().collect();
    names.sort_unstable_by(|a, b| b.1.articles.cmp(&a.1.articles).then_with(|| a.0.cmp(&b.0)));
    let parsed: Vec<PersonName> = names.iter().map(|(n, _)| parse_person(n)).collect();
    let order: Vec<usize> = (0..names.len()).collect();

    // Full names, grouped by surname skeleton, then clustered greedily by frequency.
    let mut by_skeleton: HashMap<String, Vec<FullName>> = HashMap::default();
    for &i in order.iter().filter(|&&i| parsed[i].is_full()) {
        by_skeleton
            .entry(surname_skeleton(&parsed[i].surname))
            .or_default()
            .push(full_name(i, &parsed[i]));
    }
    let mut groups: Vec<Vec<FullName>> = by_skeleton.into_values().collect();
    groups.sort_unstable_by_key(|g| g.first().map(|n| n.index));
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for group in &groups {
        cluster_group(group, &parsed, &mut clusters);
    }
    let full_clusters = clusters.len();

    // The clusters each surname belongs to.
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
                keys_by_skeleton
                    .entry(surname_skeleton(key))
                    .or_default()
                    .push(key);
            }
        }
    }
    let mut unlinked: Vec<usize> = Vec::new();
    let mut shared: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in order.iter().filter(|&&i| !parsed[i].is_full()) {
        let key = &parsed[i].surname;
        // The people with this very surname, else those with a spelling of it ("Browne" is
        // not Gordon Brown when the corpus names a Browne).
        let mut targets: Vec<usize> = match by_key.get(key.as_str()) {
            Some(exact) => exact.clone(),
            None => keys_by_skeleton
                .get(&surname_skeleton(key))
                .into_iter()
                .flatten()
                .filter(|k| surnames_compatible(k, key))
                .flat_map(|k| by_key[k].iter().copied())
                .collect(),
        };
        targets.sort_unstable();
        targets.dedup();
        match targets.as_slice() {
            [] => unlinked.push(i),
            [c] => clusters[*c].push(i),
            _ => shared.push((i, targets)),
        }
    }

    // Bare surnames several people share: the person the corpus as a whole means, if any.
    let display_of = |members: &[usize]| {
        let members: Vec<(String, u64)> = members
            .iter()
            .map(|&m| (names[m].0.clone(), names[m].1.articles))
            .collect();
        display_name(EntityKind::Person, &members, |n| {
            n.split_whitespace().count() > 1
        })
    };
    let displays: Vec<String> = clusters.iter().map(|c| display_of(c)).collect();
    let candidate_of = |members: &[usize]| {
        let mut total = NameStats::default();
        for &m in members {
            total.merge(&names[m].1);
        }
        Candidate::of(&total)
    };
    let mut linking = Linking::default();
    let mut background = NameStats::default();
    for (_, s) in &names {
        background.profile.merge(&s.profile);
    }
    linking.background = Candidate::of(&background);
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for (i, targets) in &shared {
        // People named in full once are "someone else": the Good-Turing estimate of the
        // people the corpus never names in full, and too little evidence to link to.
        let mut other = NameStats::default();
        let mut options: Vec<(String, usize)> = Vec::new();
        for &c in targets {
            let candidate = candidate_of(&clusters[c]);
            if candidate.articles <= 1 {
                other.merge(&names[clusters[c][0]].1);
                continue;
            }
            options.push((displays[c].clone(), c));
            linking
                .profiles
                .entry(displays[c].clone())
                .or_insert(candidate);
        }
        if options.is_empty() {
            unlinked.push(*i);
            continue;
        }
        options.sort();
        other.articles = other.articles.max(1);
        let choice = Choice {
            options: options.iter().map(|(d, _)| d.clone()).collect(),
            other: Candidate::of(&other),
        };
        let context = average_context(&names[*i].1);
        let default = choose(
            &choice,
            &linking.profiles,
            &linking.background,
            None,
            &context,
            |_| true,
        );
        let name = &names[*i].0;
        for (k, (display, _)) in options.iter().enumerate() {
            if Some(k) != default {
                linking
                    .may_be
                    .entry(display.clone())
                    .or_default()
                    .push(name.clone());
            }
        }
        match default {
            Some(k) => {
                joins.push((options[k].1, *i));
                linking.alone.insert(name.clone(), name.clone());
            }
            None => unlinked.push(*i),
        }
        linking.choices.insert(name.clone(), choice);
    }
    for (c, i) in joins {
        clusters[c].push(i);
    }

    // Bare surnames of no one named in full: one entity per surname and its spellings.
    unlinked.sort_unstable();
    let mut single_keys: HashMap<String, Vec<usize>> = HashMap::default();
    for i in unlinked {
        let key = &parsed[i].surname;
        let skeleton = surname_skeleton(key);
        let known = single_keys.get(&skeleton).and_then(|list| {
            list.iter()
                .copied()
                .find(|&c| surnames_compatible(&parsed[clusters[c][0]].surname, key))
        });
        match known {
            Some(c) => clusters[c].push(i),
            None => {
                single_keys
                    .entry(skeleton)
                    .or_default()
                    .push(clusters.len());
                clusters.push(vec![i]);
            }
        }
    }

    let articles: Vec<u64> = clusters
        .iter()
        .map(|c| c.iter().map(|&m| names[m].1.articles).sum())
        .collect();
    let clusters: Vec<Cluster> = clusters
        .into_iter()
        .map(|members| {
            let mut surnames: Vec<String> =
                members.iter().map(|&m| parsed[m].surname.clone()).collect();
            surnames.sort_unstable();
            surnames.dedup();
            let members: Vec<(String, u64)> = members
                .iter()
                .map(|&m| (names[m].0.clone(), names[m].1.articles))
                .collect();
            Cluster {
                display: display_name(EntityKind::Person, &members, |n| {
                    n.split_whitespace().count() > 1
                }),
                members,
                surnames,
            }
        })
        .collect();
    for (name, alone) in linking.alone.iter_mut() {
        if let Some(group) = clusters
            .iter()
            .find(|c| c.members.iter().any(|(n, _)| n == name) && c.display != *name)
            .filter(|c| !c.members.iter().any(|(n, _)| n.contains(' ')))
        {
            alone.clone_from(&group.display);
        }
    }
    // A typed surname several people share means the one that dominates it, as a bare
    // surname in an article without context would.
    let dominant = |owners: &[usize]| {
        let full: Vec<usize> = owners
            .iter()
            .copied()
            .filter(|&c| c < full_clusters)
            .collect();
        let singletons: u64 = full.iter().filter(|&&c| articles[c] == 1).count() as u64;
        let best = full
            .iter()
            .copied()
            .max_by(|&a, &b| articles[a].cmp(&articles[b]).then_with(|| b.cmp(&a)))?;
        (articles[best] >= singletons.max(1)).then_some(best)
    };
    let table = person_table(clusters, dominant);
    for key in table.keys.keys().filter(|k| !k.contains(' ')) {
        linking
            .surnames
            .entry(surname_skeleton(&surname_key(key)))
            .or_default()
            .push(key.clone());
    }
    for list in linking
        .surnames
        .values_mut()
        .chain(linking.may_be.values_mut())
    {
        list.sort();
        list.dedup();
    }
    (table, linking)
}

/// The alias table of the corpus's names and what the corpus says of each.
pub(crate) fn build_table(
    person: HashMap<String, NameStats>,
    org: HashMap<String, NameStats>,
    place: HashMap<String, NameStats>,
) -> AliasTable {
    let counts = |names: HashMap<String, NameStats>| -> Vec<(String, u64)> {
        let mut list: Vec<(String, u64)> =
            names.into_iter().map(|(n, s)| (n, s.articles)).collect();
        list.sort();
        list
    };
    let (person, linking) = resolve_people(person);
    AliasTable {
        person,
        org: kind_table(EntityKind::Org, resolve_orgs(&counts(org))),
        place: kind_table(EntityKind::Place, resolve_places(&counts(place))),
        linking,
    }
}
