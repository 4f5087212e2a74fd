//! The gazetteer: countries, US states, cities (GeoNames), and the curated alias table of
//! places and organisations, matched in text with one trie of every surface form
//! (anchored at word starts, longest match, ASCII case-insensitive, checked for word
//! boundaries and case).

use std::sync::OnceLock;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::entity::EntityKind;
use super::fold::{fold, with_folded};
use super::lexicon::{data_lines, is_acronym, lexicon, COUNTRIES};

const ALIASES: &str = include_str!("../../../data/aliases.tsv");
const US_STATES: &str = include_str!("../../../data/us_states.tsv");
const CITIES: &str = include_str!("../../../data/cities.tsv");
const PLACE_STOPLIST: &str = include_str!("../../../data/place_stoplist.txt");

/// Cities this large are taken as places even when their name is also a word or a name.
const MAJOR_CITY: u64 = 1_000_000;

/// What one surface form in the trie stands for.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub kind: EntityKind,
    pub canonical: String,
    /// Written in capitals only ("US", "U.S.", "NATO"): ordinary text must write it so.
    pub acronym: bool,
    /// The surface, lower-cased, is a common English word ("us", "who"): not trusted in
    /// text written all in capitals.
    pub common: bool,
    /// A place name that is also a word or a person's name ("Reading", "Austin"): a place
    /// only after a preposition such as "in", or before ", State".
    pub weak: bool,
    /// A city (not a country, state or curated region).
    pub city: bool,
    /// A capital or a city of a million.
    pub major: bool,
    /// A country or state (what may follow "Mobile, ").
    pub region: bool,
    /// A country (what an organisation's name may also mention: "U.S. Agriculture
    /// Department", "Bank of Japan").
    pub country: bool,
}

/// A gazetteer match, as byte offsets into the searched text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub entry: usize,
}

pub(crate) struct Gazetteer {
    trie: Trie,
    /// The surface forms, in the order of `entries`.
    #[cfg(test)]
    patterns: Vec<String>,
    /// How patterns begin, to skip the trie where none can match.
    openings: Openings,
    entries: Vec<Entry>,
    /// Per kind: folded surface → entry.
    by_surface: [HashMap<String, usize>; 3],
    /// Per kind: canonical name → the curated and official surface forms of it.
    aliases: [HashMap<String, Vec<String>>; 3],
}

fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Place => 2,
    }
}

/// The first one or two bytes of every pattern, ASCII letters in lower case (the
/// trie ignores ASCII case).
struct Openings {
    /// Patterns of one byte.
    single: [bool; 256],
    /// Bit `a * 256 + b` is set when some pattern opens with bytes `a`, `b`.
    pairs: Vec<u64>,
}

impl Openings {
    fn new(patterns: &[String]) -> Openings {
        let mut openings = Openings {
            single: [false; 256],
            pairs: vec![0; 256 * 256 / 64],
        };
        for pattern in patterns {
            match *pattern.as_bytes() {
                [a] => openings.single[usize::from(a.to_ascii_lowercase())] = true,
                [a, b, ..] => {
                    let bit = pair(a, b);
                    openings.pairs[bit / 64] |= 1 << (bit % 64);
                }
                [] => {}
            }
        }
        openings
    }

    /// Whether some pattern may match `bytes` from their start.
    fn may_match(&self, bytes: &[u8]) -> bool {
        match *bytes {
            [a, ..] if self.single[usize::from(a.to_ascii_lowercase())] => true,
            [a, b, ..] => {
                let bit = pair(a, b);
                self.pairs[bit / 64] & (1 << (bit % 64)) != 0
            }
            _ => false,
        }
    }
}

fn pair(a: u8, b: u8) -> usize {
    usize::from(a.to_ascii_lowercase()) * 256 + usize::from(b.to_ascii_lowercase())
}

/// Every surface form, ASCII letters folded to lower case: an anchored, longest-match
/// search from a word start is a walk down from the root. (This is what an Aho-Corasick
/// automaton built anchored, leftmost-longest and ASCII case-insensitive finds, without
/// the failure links an anchored search never follows.)
struct Trie {
    /// The root's children by byte (0: none).
    root: Vec<u32>,
    nodes: Vec<TrieNode>,
    /// (byte, child node), each node's children together.
    edges: Vec<(u8, u32)>,
}

struct TrieNode {
    /// Where the node's children start in `edges`, and how many there are.
    first: u32,
    children: u32,
    /// 1 + the index of the pattern ending here, or 0.
    end: u32,
}

impl Trie {
    fn new(patterns: &[String]) -> Trie {
        // Built with a list of children per node, then laid out flat.
        let mut lists: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut ends = vec![0];
        for (index, pattern) in patterns.iter().enumerate() {
            let mut node = 0;
            for &b in pattern.as_bytes() {
                let b = b.to_ascii_lowercase();
                node = match lists[node].iter().find(|(c, _)| *c == b) {
                    Some(&(_, next)) => next as usize,
                    None => {
                        let next = lists.len();
                        lists[node].push((b, next as u32));
                        lists.push(Vec::new());
                        ends.push(0);
                        next
                    }
                };
            }
            // The first of two patterns equal but for ASCII case keeps the node (the
            // gazetteer holds no such pair: it keeps one form per lower-case surface).
            if ends[node] == 0 {
                ends[node] = index as u32 + 1;
            }
        }
        let mut root = vec![0; 256];
        for &(b, next) in &lists[0] {
            root[usize::from(b)] = next;
        }
        let mut nodes = Vec::with_capacity(lists.len());
        let mut edges = Vec::new();
        for (list, end) in lists.iter().zip(ends) {
            nodes.push(TrieNode {
                first: edges.len() as u32,
                children: list.len() as u32,
                end,
            });
            edges.extend_from_slice(list);
        }
        Trie { root, nodes, edges }
    }

    fn child(&self, node: u32, byte: u8) -> Option<u32> {
        let byte = byte.to_ascii_lowercase();
        if node == 0 {
            return Some(self.root[usize::from(byte)]).filter(|&n| n != 0);
        }
        let node = &self.nodes[node as usize];
        self.edges[node.first as usize..(node.first + node.children) as usize]
            .iter()
            .find(|(c, _)| *c == byte)
            .map(|&(_, next)| next)
    }

    /// The longest pattern `bytes` start with: its length and index.
    fn longest(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let mut node = 0;
        let mut longest = None;
        for (i, &b) in bytes.iter().enumerate() {
            match self.child(node, b) {
                Some(next) => node = next,
                None => break,
            }
            if let Some(index) = self.nodes[node as usize].end.checked_sub(1) {
                longest = Some((i + 1, index as usize));
            }
        }
        longest
    }
}

/// The shared gazetteer.
pub(crate) fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(Gazetteer::load)
}

#[derive(Default)]
struct Builder {
    patterns: Vec<String>,
    entries: Vec<Entry>,
    /// lower-case surface → pattern index (one pattern per case-insensitive surface).
    seen: HashMap<String, usize>,
    by_surface: [HashMap<String, usize>; 3],
    aliases: [HashMap<String, Vec<String>>; 3],
}

impl Builder {
    /// Adds `surface` (and its accent-free spelling) for `entry`; the first entry to
    /// claim a surface keeps it.
    fn add(&mut self, surface: &str, entry: &Entry) {
        // A leading article would let the case-blind automaton start a match at "the".
        let surface = surface.trim();
        let surface = surface.strip_prefix("The ").unwrap_or(surface);
        if surface.is_empty() {
            return;
        }
        let ascii = deunicode::deunicode(surface);
        let forms: Vec<&str> = if ascii != surface {
            vec![surface, ascii.as_str()]
        } else {
            vec![surface]
        };
        for form in forms {
            let acronym = is_acronym(form);
            let lower = form.to_lowercase();
            if let Some(&index) = self.seen.get(&lower) {
                let existing = &mut self.entries[index];
                if existing.kind == entry.kind && existing.canonical == entry.canonical {
                    existing.acronym &= acronym;
                }
                continue;
            }
            let mut entry = entry.clone();
            entry.acronym = acronym;
            entry.common = lexicon().is_common(&fold(form));
            self.seen.insert(lower, self.patterns.len());
            self.by_surface[slot(entry.kind)]
                .entry(fold(form))
                .or_insert(self.patterns.len());
            self.patterns.push(form.to_string());
            self.entries.push(entry);
        }
    }

    fn alias(&mut self, kind: EntityKind, canonical: &str, alias: &str) {
        if alias != canonical && !alias.is_empty() {
            let list = self.aliases[slot(kind)]
                .entry(canonical.to_string())
                .or_default();
            if !list.iter().any(|a| a == alias) {
                list.push(alias.to_string());
            }
        }
    }
}

fn entry(kind: EntityKind, canonical: &str) -> Entry {
    Entry {
        kind,
        canonical: canonical.to_string(),
        acronym: false,
        common: false,
        weak: false,
        city: false,
        major: false,
        region: false,
        country: false,
    }
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let lex = lexicon();
        let mut b = Builder::default();
        for line in data_lines(ALIASES) {
            let mut fields = line.split('\t');
            let (kind, region) = match fields.next() {
                Some("place") => (EntityKind::Place, false),
                Some("country") => (EntityKind::Place, true),
                Some("org") => (EntityKind::Org, false),
                Some("person") => (EntityKind::Person, false),
                _ => continue,
            };
            let Some(canonical) = fields.next().map(str::trim) else {
                continue;
            };
            let mut e = entry(kind, canonical);
            e.region = region;
            e.country = region;
            b.add(canonical, &e);
            for alias in fields.next().unwrap_or("").split('|') {
                b.add(alias, &e);
                b.alias(kind, canonical, alias.trim());
            }
        }
        for line in data_lines(COUNTRIES) {
            let fields: Vec<&str> = line.split('\t').collect();
            let Some(name) = fields.first().map(|n| n.trim()) else {
                continue;
            };
            let mut e = entry(EntityKind::Place, name);
            e.region = true;
            e.country = true;
            b.add(name, &e);
            for official in fields.get(5).copied().unwrap_or("").split('|') {
                b.add(official, &e);
                b.alias(EntityKind::Place, name, official.trim());
            }
        }
        for line in data_lines(US_STATES) {
            if let Some(name) = line.split('\t').next() {
                let mut e = entry(EntityKind::Place, name);
                e.region = true;
                b.add(name, &e);
            }
        }
        let stop: HashSet<String> = data_lines(PLACE_STOPLIST).map(fold).collect();
        for line in data_lines(CITIES) {
            let fields: Vec<&str> = line.split('\t').collect();
            let (Some(name), Some(population)) = (fields.first(), fields.get(2)) else {
                continue;
            };
            let population: u64 = population.parse().unwrap_or(0);
            let capital = fields.get(3) == Some(&"1");
            let key = fold(name);
            let well_known = capital || population >= MAJOR_CITY;
            let single = !name.contains(' ');
            let mut e = entry(EntityKind::Place, name);
            e.city = true;
            e.major = well_known;
            e.weak = stop.contains(&key)
                || (single
                    && !well_known
                    && (lex.is_given(&key) || lex.is_surname(&key) || lex.is_common(&key)));
            b.add(name, &e);
        }
        // A stop-listed name is weak even where a state claimed it first.
        for (surface, &index) in &b.seen {
            let e = &mut b.entries[index];
            if (e.city || e.region) && stop.contains(&fold(surface)) {
                e.weak = true;
            }
        }
        Gazetteer {
            trie: Trie::new(&b.patterns),
            openings: Openings::new(&b.patterns),
            #[cfg(test)]
            patterns: b.patterns,
            entries: b.entries,
            by_surface: b.by_surface,
            aliases: b.aliases,
        }
    }

    /// The longest match starting at byte `start` of `text`, if it is word-bounded.
    /// Searching only where words start keeps names from matching inside words.
    pub fn match_at(&self, text: &str, start: usize) -> Option<Hit> {
        let bytes = text.as_bytes().get(start..)?;
        if !self.openings.may_match(bytes) {
            return None;
        }
        let (len, entry) = self.trie.longest(bytes)?;
        let end = start + len;
        bounded(text, start, end).then_some(Hit { start, end, entry })
    }

    /// Every word-bounded match in `text`, longest first at each word start, in order.
    #[cfg(test)]
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut prev: Option<char> = None;
        let mut skip_to = 0;
        for (i, c) in text.char_indices() {
            let word_start = c.is_alphanumeric() && !prev.is_some_and(char::is_alphanumeric);
            prev = Some(c);
            if i < skip_to || !word_start {
                continue;
            }
            if let Some(hit) = self.match_at(text, i) {
                skip_to = hit.end;
                hits.push(hit);
            }
        }
        hits
    }

    /// The country or state `name` names, if any.
    pub fn region(&self, name: &str) -> Option<&Entry> {
        with_folded(name, |key| {
            self.by_surface[slot(EntityKind::Place)].get(key).copied()
        })
        .map(|i| &self.entries[i])
        .filter(|e| e.region)
    }

    /// The country `name` names, if any.
    pub fn country(&self, name: &str) -> Option<&Entry> {
        self.region(name).filter(|e| e.country)
    }

    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    /// The canonical name the gazetteer gives `name` of `kind` ("U.S." → "United States",
    /// "EU" → "European Union"), matched on the folded form.
    pub fn canonical(&self, kind: EntityKind, name: &str) -> Option<&str> {
        with_folded(name, |key| self.by_surface[slot(kind)].get(key).copied())
            .map(|i| self.entries[i].canonical.as_str())
    }

    /// Whether the gazetteer names anything of `kind` at all.
    pub fn knows(&self, kind: EntityKind) -> bool {
        !self.by_surface[slot(kind)].is_empty()
    }

    /// Curated and official surface forms of a canonical name.
    pub fn aliases(&self, kind: EntityKind, canonical: &str) -> &[String] {
        self.aliases[slot(kind)]
            .get(canonical)
            .map_or(&[], Vec::as_slice)
    }
}

/// Whether `text[start..end]` stands alone: no letter or digit glued to either side.
fn bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let g = gazetteer();
        g.find(text)
            .iter()
            .map(|h| g.entry(h.entry).canonical.clone())
            .collect()
    }

    #[test]
    fn finds_places_and_orgs_with_word_boundaries() {
        assert_eq!(
            names("Talks in Washington, DC between the U.S. and the EU on Gaza Strip aid."),
            vec!["Washington", "United States", "European Union", "Gaza"]
        );
        assert!(names("Israeli and Georgian officials").is_empty());
        assert_eq!(names("Nigeria and Niger"), vec!["Nigeria", "Niger"]);
    }

    #[test]
    fn canonical_names_and_aliases() {
        let g = gazetteer();
        assert_eq!(
            g.canonical(EntityKind::Place, "U.S."),
            Some("United States")
        );
        assert_eq!(
            g.canonical(EntityKind::Place, "america"),
            Some("United States")
        );
        assert_eq!(g.canonical(EntityKind::Org, "EU"), Some("European Union"));
        assert_eq!(g.canonical(EntityKind::Org, "United States"), None);
        assert!(g
            .aliases(EntityKind::Place, "United States")
            .contains(&"U.S.".to_string()));
    }

    /// The trie finds what an anchored, leftmost-longest, ASCII case-insensitive
    /// Aho-Corasick automaton of the same patterns finds, at every position.
    #[test]
    fn the_trie_matches_like_an_anchored_automaton() {
        use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
        let g = gazetteer();
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(&g.patterns)
            .unwrap();
        let mut texts: Vec<String> = vec![
            include_str!("../../../corpus/000_912483b5d7e3958a.txt").to_string(),
            include_str!("../../../corpus/001_3924ea85d488e746.txt").to_string(),
        ];
        texts.push(texts[0].to_uppercase());
        texts.push(texts[1].to_lowercase());
        // Every pattern, alone, in capitals, and run into the next one.
        texts.push(g.patterns.join(" "));
        texts.push(g.patterns.join("|").to_uppercase());
        texts.push(g.patterns.join(""));
        for text in &texts {
            for (start, _) in text.char_indices() {
                let input = Input::new(text).range(start..).anchored(Anchored::Yes);
                let expected = automaton
                    .find(input)
                    .map(|m| (m.end(), m.pattern().as_usize()));
                let found = g
                    .trie
                    .longest(&text.as_bytes()[start..])
                    .map(|(len, entry)| (start + len, entry));
                assert_eq!(found, expected, "at {start} of {:?}", &text[start..]);
            }
        }
    }

    #[test]
    fn towns_that_are_words_or_names_are_weak() {
        let g = gazetteer();
        let weak = |name: &str| {
            let hit = g.find(name)[0];
            g.entry(hit.entry).weak
        };
        assert!(weak("Reading") && weak("Mobile") && weak("Bath") && weak("Austin"));
        assert!(!weak("Rafah") && !weak("Washington") && !weak("Paris") && !weak("Israel"));
    }
}
