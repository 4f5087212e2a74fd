//! Second pass over one article: the names it gives in full claim the surnames, short
//! forms and acronyms that refer to them ("Netanyahu", "Mr Gallant", "Chrysler"); a lone
//! word with a speaker cue ("Blinken says") becomes a name of its own; a bare surname
//! shared by two people of the article is dropped rather than guessed; what the first
//! pass left undecided and nothing claims is dropped.

use std::borrow::Cow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::chunk::{is_initial, name_like, span_text, title_case, Found, Pass1, Pending};
use super::cues::{
    locative_before, org_cue_after, org_noun_before, org_pronoun_after, reads_as_work,
    region_after, speaker_cue, unknown_place,
};
use super::entity::{ArticleEntity, EntityKind, EntityMention};
use super::fold::{fold, with_folded};
use super::gazetteer::gazetteer;
use super::lexicon::{lexicon, Lists, LEGAL_SUFFIXES};
use super::names::{parse_person, same_person, surname_key, PersonName};
use super::tokens::{Shape, Token, Tokens};

/// Titles that say nothing about which of two namesakes is meant.
const GENERIC_TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "messrs",
];

/// One text of the article (the body, or the title) after the first pass.
pub(crate) struct Source<'a> {
    pub text: &'a str,
    pub tokens: Tokens,
    pub pass: Pass1,
    pub in_title: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    src: usize,
    start: usize,
    end: usize,
}

#[derive(Default)]
struct PersonGroup {
    names: Vec<PersonName>,
    display: String,
    display_tokens: usize,
    roles: HashSet<String>,
    spans: Vec<Span>,
}

struct Group {
    kind: EntityKind,
    name: String,
    spans: Vec<Span>,
}

struct Resolver<'a> {
    sources: &'a [Source<'a>],
    persons: Vec<PersonGroup>,
    surnames: HashMap<String, Vec<usize>>,
    others: Vec<Group>,
    /// Per kind ([`slot`]): folded name or short form → index in `others`.
    keys: [HashMap<String, usize>; 3],
    /// Initials of multi-word organisation names → their groups.
    initials: HashMap<String, Vec<usize>>,
    /// (source, first token) of each organisation found → its group.
    org_at: HashMap<(usize, usize), usize>,
    /// Per source, per token: taken by a mention.
    covered: Vec<Vec<bool>>,
}

/// The index of a kind in per-kind tables.
fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Place => 2,
    }
}

const ORG: usize = 1;

/// Resolves the mentions of one article into its entities.
pub(crate) fn resolve(sources: &[Source]) -> Vec<ArticleEntity> {
    let mut r = Resolver {
        sources,
        persons: Vec::new(),
        surnames: HashMap::default(),
        others: Vec::new(),
        keys: Default::default(),
        initials: HashMap::default(),
        org_at: HashMap::default(),
        covered: sources
            .iter()
            .map(|src| vec![false; src.tokens.tokens.len()])
            .collect(),
    };
    let mut full: Vec<(usize, Cow<Found>)> = Vec::new();
    let mut bare: Vec<(usize, &Found)> = Vec::new();
    for (s, src) in sources.iter().enumerate() {
        for f in &src.pass.found {
            match f.kind {
                EntityKind::Place if f.nested => {
                    r.add_nested(EntityKind::Place, &f.name, s, f.first, f.end)
                }
                EntityKind::Place => {
                    r.add_other(EntityKind::Place, &f.name, s, f.first, f.end);
                }
                EntityKind::Org => {
                    if let Some(g) = r.add_other(EntityKind::Org, &f.name, s, f.first, f.end) {
                        r.org_at.insert((s, f.first), g);
                    }
                }
                EntityKind::Person if parse_person(&f.name).is_full() => {
                    full.push((s, Cow::Borrowed(f)))
                }
                EntityKind::Person => bare.push((s, f)),
            }
        }
    }
    r.define_acronyms();

    // Surnames that some cue marks as a person's: "Mr Lyng", "Lyng said".
    let mut evidence: HashSet<String> = bare.iter().map(|(_, f)| surname_key(&f.name)).collect();
    let mut speakers: Vec<(usize, usize)> = Vec::new();
    for (s, src) in sources.iter().enumerate() {
        for p in &src.pass.pending {
            if let Pending::Single { tok, place: None } = *p {
                if r.speaker_single(s, tok) {
                    let toks = &src.tokens.tokens;
                    if org_pronoun_after(toks, tok) || org_noun_before(toks, tok) {
                        let name = r.raw(s, tok).to_string();
                        r.add_other(EntityKind::Org, &name, s, tok, tok + 1);
                        continue;
                    }
                    evidence.insert(surname_key(r.raw(s, tok)));
                    speakers.push((s, tok));
                }
            }
        }
    }
    for (s, src) in sources.iter().enumerate() {
        for p in &src.pass.pending {
            if let Pending::Multi { first, end } = *p {
                if r.multi_is_person(s, first, end, &evidence) {
                    let name = span_text(src.text, &src.tokens.tokens, first, end);
                    full.push((
                        s,
                        Cow::Owned(Found {
                            kind: EntityKind::Person,
                            name,
                            first,
                            end,
                            roles: Vec::new(),
                            nested: false,
                        }),
                    ));
                }
            }
        }
    }
    full.sort_by_key(|(s, f)| (*s, f.first));
    for (s, f) in &full {
        r.add_full_person(&f.name, *s, f.first, f.end, &f.roles);
    }
    for (s, f) in &bare {
        r.add_bare_person(&f.name, *s, f.first, f.end, &f.roles, true);
    }
    for &(s, tok) in &speakers {
        let name = r.raw(s, tok).to_string();
        if r.keys[ORG].contains_key(fold(&name).as_str()) {
            continue;
        }
        // "Redzuan said" after "Redzuan Sumun": names that put the personal name first.
        if r.person_by_surname(&surname_key(&name), &[], None)
            .is_none()
        {
            if let Some(g) = r.person_by_given_name(&fold(&name)) {
                if r.claim(s, tok, tok + 1) {
                    let span = r.span(s, tok, tok + 1);
                    r.persons[g].spans.push(span);
                }
                continue;
            }
        }
        r.add_bare_person(&name, s, tok, tok + 1, &[], true);
    }
    for (s, source) in sources.iter().enumerate() {
        for p in &source.pass.pending {
            match *p {
                Pending::Single { tok, place } => r.resolve_single(s, tok, place),
                Pending::Acronym { tok } => r.resolve_acronym(s, tok),
                Pending::Multi { first, end } => r.resolve_multi(s, first, end),
            }
        }
    }
    r.scan_headlines();
    r.headline_people();
    r.into_entities()
}

impl<'a> Resolver<'a> {
    fn toks(&self, s: usize) -> &'a [Token] {
        &self.sources[s].tokens.tokens
    }

    fn raw(&self, s: usize, tok: usize) -> &'a str {
        let t = &self.toks(s)[tok];
        &self.sources[s].text[t.start..t.end]
    }

    /// Whether token `k` of source `s` is taken.
    fn is_covered(&self, s: usize, k: usize) -> bool {
        self.covered[s].get(k).copied().unwrap_or(false)
    }

    /// Marks tokens `first..end` of source `s` as taken; false when one already was.
    fn claim(&mut self, s: usize, first: usize, end: usize) -> bool {
        if (first..end).any(|k| self.is_covered(s, k)) {
            return false;
        }
        let covered = &mut self.covered[s];
        if covered.len() < end {
            covered.resize(end, false);
        }
        covered[first..end].fill(true);
        true
    }

    fn span(&self, s: usize, first: usize, end: usize) -> Span {
        let toks = self.toks(s);
        Span {
            src: s,
            start: toks[first].start,
            end: toks[end - 1].end,
        }
    }

    /// Adds a place or organisation mention; returns its group.
    fn add_other(
        &mut self,
        kind: EntityKind,
        name: &str,
        s: usize,
        first: usize,
        end: usize,
    ) -> Option<usize> {
        if !self.claim(s, first, end) {
            return None;
        }
        let span = self.span(s, first, end);
        let key = fold(name);
        let g = match self.keys[slot(kind)].get(&key) {
            Some(&g) => {
                // A longer form of an organisation's name renames it.
                let group = &mut self.others[g];
                if kind == EntityKind::Org
                    && name.len() > group.name.len()
                    && key.starts_with(&fold(&group.name))
                {
                    group.name = name.to_string();
                }
                g
            }
            None => {
                let g = self.others.len();
                self.others.push(Group {
                    kind,
                    name: name.to_string(),
                    spans: Vec::new(),
                });
                self.keys[slot(kind)].insert(key, g);
                if kind == EntityKind::Org {
                    self.index_org(name, g);
                }
                g
            }
        };
        self.others[g].spans.push(span);
        Some(g)
    }

    /// A mention inside another one (a country inside an organisation's name): not
    /// claimed, so the enclosing name keeps its tokens.
    fn add_nested(&mut self, kind: EntityKind, name: &str, s: usize, first: usize, end: usize) {
        let span = self.span(s, first, end);
        let key = fold(name);
        let g = match self.keys[slot(kind)].get(&key) {
            Some(&g) => g,
            None => {
                self.others.push(Group {
                    kind,
                    name: name.to_string(),
                    spans: Vec::new(),
                });
                self.keys[slot(kind)].insert(key, self.others.len() - 1);
                self.others.len() - 1
            }
        };
        self.others[g].spans.push(span);
    }

    /// Short forms of an organisation: "Chrysler" for "Chrysler Corp", initials.
    fn index_org(&mut self, name: &str, g: usize) {
        let words: Vec<&str> = name.split_whitespace().collect();
        // The name without the legal forms it ends with ("Chrysler" of "Chrysler Corp").
        let mut short = words.len();
        while short > 1 && with_folded(words[short - 1], |key| LEGAL_SUFFIXES.contains(&key)) {
            short -= 1;
        }
        if short < words.len() {
            let key = fold(&words[..short].join(" "));
            if key.len() >= 3 && !lexicon().is_common(&key) {
                self.keys[ORG].entry(key).or_insert(g);
            }
        }
        // "Mellon" for "Mellon Bank Corp", "Texaco" for "Texaco Inc": a distinctive first
        // word (no common word, given name, demonym or place).
        if words.len() >= 2 {
            let lex = lexicon();
            let first = fold(words[0]);
            let distinctive = first.len() >= 3
                && words[0].chars().next().is_some_and(char::is_uppercase)
                && {
                    let lists = Lists(lex.lists(&first));
                    !lex.is_common(&lists)
                        && !lex.is_given(&lists)
                        && !lex.is_filler(&lists)
                        && !lex.is_not_name(&lists)
                        && !lex.is_role_word(&lists)
                        && !lex.is_org_suffix(&lists)
                }
                && gazetteer().canonical(EntityKind::Place, &first).is_none();
            if distinctive {
                self.keys[ORG].entry(first).or_insert(g);
            }
        }
        let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
        let significant = words.iter().filter(|w| capitalised(w)).count();
        if significant >= 2
            && significant
                == words
                    .iter()
                    .filter(|w| !with_folded(w, |key| lexicon().is_connector(key)))
                    .count()
        {
            let initials: String = words
                .iter()
                .filter(|w| capitalised(w))
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_lowercase)
                .collect();
            self.initials.entry(initials).or_default().push(g);
        }
    }

    /// "Organization of Petroleum Exporting Countries (OPEC)" defines "OPEC".
    fn define_acronyms(&mut self) {
        for s in 0..self.sources.len() {
            let toks = self.toks(s);
            let defined: Vec<(String, usize)> = self
                .org_at
                .iter()
                .filter(|((src, _), _)| *src == s)
                .filter_map(|(&(_, first), &g)| {
                    let f = self.sources[s]
                        .pass
                        .found
                        .iter()
                        .find(|f| f.first == first)?;
                    let open = toks.get(f.end)?;
                    let acronym = toks.get(f.end + 1)?;
                    let close = toks.get(f.end + 2)?;
                    (open.key == "(" && close.key == ")" && acronym.shape == Shape::Upper)
                        .then(|| (acronym.key.to_string(), g))
                })
                .collect();
            for (key, g) in defined {
                self.keys[ORG].entry(key).or_insert(g);
            }
        }
    }

    /// A lone capitalised word followed by a verb of saying ("Blinken says"), an age
    /// ("Smith, 45,") or "administration", that reads as a surname.
    fn speaker_single(&self, s: usize, tok: usize) -> bool {
        let toks = self.toks(s);
        let t = &toks[tok];
        let lex = lexicon();
        if !name_like(self.sources[s].text, t, true) || t.key.char_count() < 3 {
            return false;
        }
        if lex.is_month(&t.key) || lex.is_org_suffix(&t.key) || lex.is_role_word(&t.key) {
            return false;
        }
        if lex.is_common(&t.key) && !lex.is_surname(&t.key) {
            return false;
        }
        // "Brokers said", "Economists said": people, but no one's name.
        let plural_agent = ["ers", "ists", "ants", "ents", "ians", "ials", "ors"]
            .iter()
            .any(|end| t.key.ends_with(end));
        if plural_agent && !lex.is_surname(&t.key) {
            return false;
        }
        if self.keys[ORG].contains_key(t.key.as_str()) {
            return false;
        }
        speaker_cue(toks, tok, tok + 1)
    }

    /// A span of two to four name-like words is a person when the article elsewhere
    /// marks its last word as a person's surname, or a speaker cue follows it.
    fn multi_is_person(
        &self,
        s: usize,
        first: usize,
        end: usize,
        evidence: &HashSet<String>,
    ) -> bool {
        let toks = self.toks(s);
        let text = self.sources[s].text;
        let words: Vec<&Token> = toks[first..end]
            .iter()
            .filter(|t| t.shape != Shape::Lower)
            .collect();
        if words.len() < 2 || words.len() > 4 || !words.iter().all(|t| name_like(text, t, false)) {
            return false;
        }
        let last = self.raw(s, end - 1);
        // "Dogged Federer claims Dubai crown", "Rocker Doherty in on-stage fight": a word
        // that opens a title and is no given name describes the person it precedes.
        let lex = lexicon();
        let head = &words[0].key;
        let adjective = (lex.is_common(head) || (self.sources[s].in_title && first == 0))
            && !is_initial(text, words[0])
            && !lex.is_given(head)
            && !lex.is_surname(head);
        if evidence.contains(&surname_key(last)) && !adjective {
            return true;
        }
        // A speaker cue alone: two or three words that begin with a given name.
        // Or a name that reads as Chinese or Korean ("Xi Jinping", "Hwang Hee-chan").
        let name = span_text(text, toks, first, end);
        (words.len() <= 3 && lexicon().is_given(&words[0].key) && speaker_cue(toks, first, end))
            || parse_person(&name).family_first
    }

    fn add_full_person(
        &mut self,
        name: &str,
        s: usize,
        first: usize,
        end: usize,
        roles: &[String],
    ) {
        if !self.claim(s, first, end) {
            return;
        }
        let parsed = parse_person(name);
        let tokens = parsed.tokens.len();
        let found = self.persons.iter().position(|g| {
            g.names.iter().any(PersonName::is_full)
                && g.names.iter().all(|m| same_person(m, &parsed))
        });
        let g = match found {
            Some(g) => g,
            None => {
                self.surnames
                    .entry(parsed.surname.clone())
                    .or_default()
                    .push(self.persons.len());
                self.persons.push(PersonGroup::default());
                self.persons.len() - 1
            }
        };
        let span = self.span(s, first, end);
        let group = &mut self.persons[g];
        if tokens > group.display_tokens {
            group.display = name.to_string();
            group.display_tokens = tokens;
        }
        if !group.names.contains(&parsed) {
            group.names.push(parsed);
        }
        group.roles.extend(roles.iter().cloned());
        group.spans.push(span);
    }

    /// The one person of the article with this surname named before `at` (the title
    /// may refer to anyone); `Err` when several share it.
    fn person_by_surname(
        &self,
        key: &str,
        roles: &[String],
        at: Option<Span>,
    ) -> Option<Result<usize, ()>> {
        let candidates: Vec<usize> = self
            .surnames
            .get(key)?
            .iter()
            .copied()
            .filter(|&g| {
                let Some(at) = at else { return true };
                self.persons[g]
                    .spans
                    .iter()
                    .any(|s| s.src != at.src || s.start < at.start)
            })
            .collect();
        match candidates.as_slice() {
            [] => None,
            [g] => Some(Ok(*g)),
            many => {
                let specific: Vec<&String> = roles
                    .iter()
                    .filter(|r| !GENERIC_TITLES.contains(&r.as_str()))
                    .collect();
                let by_role: Vec<usize> = many
                    .iter()
                    .copied()
                    .filter(|&g| specific.iter().any(|r| self.persons[g].roles.contains(*r)))
                    .collect();
                match by_role.as_slice() {
                    [g] => Some(Ok(*g)),
                    _ => Some(Err(())),
                }
            }
        }
    }

    /// The one person of the article whose full name starts with this given name.
    fn person_by_given_name(&self, key: &str) -> Option<usize> {
        let matches: Vec<usize> = self
            .persons
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.names.iter().any(|n| {
                    n.is_full() && !n.family_first && n.tokens.first().is_some_and(|t| t == key)
                })
            })
            .map(|(g, _)| g)
            .collect();
        match matches.as_slice() {
            [g] => Some(*g),
            _ => None,
        }
    }

    /// A surname alone ("Mr Gallant", "Netanyahu"): joins the person the article names
    /// in full, or (with `create`) starts a person of its own.
    fn add_bare_person(
        &mut self,
        name: &str,
        s: usize,
        first: usize,
        end: usize,
        roles: &[String],
        create: bool,
    ) -> bool {
        let key = surname_key(name);
        if key.is_empty() {
            return false;
        }
        let at = self.span(s, first, end);
        let g = match self.person_by_surname(&key, roles, Some(at)) {
            Some(Ok(g)) => g,
            Some(Err(())) => return false,
            None if create => {
                self.surnames
                    .entry(key)
                    .or_default()
                    .push(self.persons.len());
                self.persons.push(PersonGroup {
                    names: vec![parse_person(name)],
                    display: name.to_string(),
                    display_tokens: 1,
                    ..PersonGroup::default()
                });
                self.persons.len() - 1
            }
            None => return false,
        };
        if !self.claim(s, first, end) {
            return true;
        }
        let span = self.span(s, first, end);
        let group = &mut self.persons[g];
        group.roles.extend(roles.iter().cloned());
        group.spans.push(span);
        true
    }

    fn resolve_single(&mut self, s: usize, tok: usize, place: Option<usize>) {
        if self.is_covered(s, tok) {
            return;
        }
        let lex = lexicon();
        let toks = self.toks(s);
        let t = &toks[tok];
        if t.hyphen_caps && self.split_hyphenated(s, tok) {
            return;
        }
        let raw = self.raw(s, tok);
        let junk = place.is_none()
            && (t.key.char_count() < 2
                || lex.is_function_word(&t.key)
                || lex.is_not_name(&t.key)
                || lex.is_month(&t.key));
        if !junk || speaker_cue(toks, tok, tok + 1) {
            let at = self.span(s, tok, tok + 1);
            match self.person_by_surname(&surname_key(raw), &[], Some(at)) {
                Some(Ok(_)) => {
                    self.add_bare_person(raw, s, tok, tok + 1, &[], false);
                    return;
                }
                Some(Err(())) => return,
                None => {}
            }
        }
        if junk {
            return;
        }
        if let Some(&g) = self.keys[ORG].get(t.key.as_str()) {
            let name = self.others[g].name.clone();
            self.add_other(EntityKind::Org, &name, s, tok, tok + 1);
            return;
        }
        if let Some(entry) = place {
            let e = gazetteer().entry(entry);
            if !e.weak || locative_before(toks, tok) || region_after(toks, tok) {
                self.add_other(EntityKind::Place, &e.canonical, s, tok, tok + 1);
            }
        } else if unknown_place(self.sources[s].text, toks, tok) {
            self.add_other(EntityKind::Place, raw, s, tok, tok + 1);
        }
    }

    /// "Austin-Gallant" when both parts name people of the article.
    fn split_hyphenated(&mut self, s: usize, tok: usize) -> bool {
        let t = &self.toks(s)[tok];
        let raw = self.raw(s, tok);
        let mut parts = Vec::new();
        let mut offset = t.start;
        for part in raw.split('-') {
            let g = match self.person_by_surname(&surname_key(part), &[], None) {
                Some(Ok(g)) => g,
                _ => return false,
            };
            parts.push((g, offset, offset + part.len()));
            offset += part.len() + 1;
        }
        if !self.claim(s, tok, tok + 1) {
            return true;
        }
        for (g, start, end) in parts {
            self.persons[g].spans.push(Span { src: s, start, end });
        }
        true
    }

    fn resolve_acronym(&mut self, s: usize, tok: usize) {
        if self.is_covered(s, tok) {
            return;
        }
        let toks = self.toks(s);
        let key = toks[tok].key.to_string();
        let lex = lexicon();
        if lex.is_not_name(&key) || lex.is_function_word(&key) && key.len() <= 2 {
            return;
        }
        let g = self.keys[ORG].get(&key).copied().or_else(|| {
            match self.initials.get(&key).map(Vec::as_slice) {
                Some([g]) => Some(*g),
                _ => None,
            }
        });
        let name = match g {
            Some(g) => self.others[g].name.clone(),
            None if org_cue_after(toks, tok) => self.raw(s, tok).trim_end_matches('.').to_string(),
            None => return,
        };
        self.add_other(EntityKind::Org, &name, s, tok, tok + 1);
    }

    fn resolve_multi(&mut self, s: usize, first: usize, end: usize) {
        let name = span_text(self.sources[s].text, self.toks(s), first, end);
        if let Some(&g) = self.keys[ORG].get(&fold(&name)) {
            let name = self.others[g].name.clone();
            self.add_other(EntityKind::Org, &name, s, first, end);
        }
    }

    /// Headlines and the title in capitals: the article's own names, found again
    /// regardless of case ("NETANYAHU", "CHRYSLER").
    fn scan_headlines(&mut self) {
        let mut full_names: HashMap<String, usize> = HashMap::default();
        for (g, p) in self.persons.iter().enumerate() {
            for name in p.names.iter().filter(|n| n.is_full()) {
                full_names.entry(name.tokens.join(" ")).or_insert(g);
            }
        }
        let sources = self.sources;
        let mut key = String::new();
        for (s, source) in sources.iter().enumerate() {
            for para in source.tokens.paragraphs.iter().filter(|p| p.headline) {
                let mut i = para.first;
                while i < para.end {
                    let step = self.headline_match(s, i, para.end, &full_names, &mut key);
                    i += step.max(1);
                }
            }
        }
    }

    fn headline_match(
        &mut self,
        s: usize,
        i: usize,
        end: usize,
        full_names: &HashMap<String, usize>,
        key: &mut String,
    ) -> usize {
        let lex = lexicon();
        let toks = self.toks(s);
        if !toks[i].is_word() || self.is_covered(s, i) {
            return 1;
        }
        for n in (2..=4).rev() {
            if i + n > end || !toks[i..i + n].iter().all(Token::is_word) {
                continue;
            }
            key.clear();
            for (k, t) in toks[i..i + n].iter().enumerate() {
                if k > 0 {
                    key.push(' ');
                }
                key.push_str(&t.key);
            }
            if let Some(&g) = full_names.get(key.as_str()) {
                if self.claim(s, i, i + n) {
                    let span = self.span(s, i, i + n);
                    self.persons[g].spans.push(span);
                }
                return n;
            }
            if let Some(&g) = self.keys[ORG].get(key.as_str()) {
                let name = self.others[g].name.clone();
                self.add_other(EntityKind::Org, &name, s, i, i + n);
                return n;
            }
        }
        let key = &toks[i].key;
        if key.len() < 3 || lex.is_common(key) || lex.is_function_word(key) || lex.is_not_name(key)
        {
            return 1;
        }
        if let Some(Ok(g)) = self.person_by_surname(&surname_key(key), &[], None) {
            if self.claim(s, i, i + 1) {
                let span = self.span(s, i, i + 1);
                self.persons[g].spans.push(span);
            }
        } else if let Some(&g) = self.keys[ORG].get(key.as_str()) {
            let name = self.others[g].name.clone();
            self.add_other(EntityKind::Org, &name, s, i, i + 1);
        }
        1
    }

    /// People a headline names without the article naming them elsewhere: after a
    /// possessive name or a title ("FED'S VOLCKER", "PRESIDENT REAGAN"), or, when a
    /// Census surname, before a headline verb ("LAWSON FORECASTS ...").
    fn headline_people(&mut self) {
        let lex = lexicon();
        let sources = self.sources;
        for (s, source) in sources.iter().enumerate() {
            let toks = self.toks(s);
            for para in source.tokens.paragraphs.iter().filter(|p| p.headline) {
                for i in para.first..para.end {
                    let ticker = i > 0 && toks[i - 1].key == "<";
                    if self.is_covered(s, i) || !toks[i].is_word() || ticker {
                        continue;
                    }
                    let prev = (para.first..i).rev().find(|&p| toks[p].is_word());
                    let after_possessive =
                        prev.is_some_and(|p| toks[p].possessive && self.is_covered(s, p));
                    let after_title = prev.is_some_and(|p| {
                        let key = &toks[p].key;
                        lex.is_role_head(key) && !lex.is_ambiguous_head(key)
                    });
                    let mut end = i + 1;
                    if lex.is_given(&toks[i].key) && self.headline_name_word(s, i + 1, para.end) {
                        end = i + 2;
                    }
                    let verb_next = toks.get(end).is_some_and(|t| lex.is_headline_verb(&t.key));
                    let at_start = prev.is_none() || after_possessive;
                    let surname_like = lex.is_surname(&toks[end - 1].key) || end == i + 2;
                    let cued =
                        after_possessive || after_title || (at_start && verb_next && surname_like);
                    if !cued || !(i..end).all(|k| self.headline_name_word(s, k, para.end)) {
                        continue;
                    }
                    let name = (i..end)
                        .map(|k| title_case(self.raw(s, k)))
                        .collect::<Vec<_>>()
                        .join(" ");
                    if end == i + 2 {
                        self.add_full_person(&name, s, i, end, &[]);
                    } else {
                        self.add_bare_person(&name, s, i, end, &[], true);
                    }
                }
            }
        }
    }

    /// A headline word that may be part of a name: no function word, role, known place
    /// or organisation, nor a common word unless a Census surname.
    fn headline_name_word(&self, s: usize, i: usize, end: usize) -> bool {
        let lex = lexicon();
        let toks = self.toks(s);
        let Some(t) = toks.get(i).filter(|_| i < end) else {
            return false;
        };
        let key = &t.key;
        t.is_word()
            && t.shape != Shape::Lower
            && key.char_count() >= 3
            && key
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
            && !self.is_covered(s, i)
            && !lex.is_function_word(key)
            && !lex.is_not_name(key)
            && !lex.is_month(key)
            && !lex.is_role_word(key)
            && !lex.is_org_suffix(key)
            && !lex.is_headline_verb(key)
            && (!lex.is_common(key) || lex.is_surname(key))
            && gazetteer().canonical(EntityKind::Place, key).is_none()
            && gazetteer().canonical(EntityKind::Org, key).is_none()
            && !self.keys[ORG].contains_key(key.as_str())
    }

    fn mention(&self, span: Span) -> EntityMention {
        let src = &self.sources[span.src];
        EntityMention {
            text: src.text[span.start..span.end].to_string(),
            start: span.start,
            end: span.end,
            in_title: src.in_title,
        }
    }

    /// Whether a person of several words is, by the words around its mentions, the title
    /// of a work, a prize or an event ("Golden Globe award", "film Vera Drake", "Harry Potter
    /// books", "Sydney Olympics", "Mike Leigh's Vera Drake", "her role in Vera Drake", "A
    /// Very Long Engagement", "Harry Potter and the Prisoner of Azkaban"): some mention says
    /// so and none has a person's cue (a title or role, a verb of saying).
    fn names_a_work(&self, person: &PersonGroup) -> bool {
        if !person.roles.is_empty() || !person.names.iter().any(PersonName::is_full) {
            return false;
        }
        let mut work = false;
        for span in &person.spans {
            let toks = self.toks(span.src);
            let Ok(first) = toks.binary_search_by_key(&span.start, |t| t.start) else {
                continue;
            };
            let Some(last) = (first..toks.len()).find(|&k| toks[k].end >= span.end) else {
                continue;
            };
            if speaker_cue(toks, first, last + 1) {
                return false;
            }
            if last == first {
                continue;
            }
            work |= reads_as_work(toks, first, last, |t| {
                t.possessive && self.is_person_at(span.src, t.start)
            });
        }
        work
    }

    /// Whether a person's mention covers byte `at` of source `src`.
    fn is_person_at(&self, src: usize, at: usize) -> bool {
        self.persons.iter().any(|p| {
            p.spans
                .iter()
                .any(|s| s.src == src && s.start <= at && at < s.end)
        })
    }

    fn into_entities(mut self) -> Vec<ArticleEntity> {
        let works: Vec<bool> = self.persons.iter().map(|p| self.names_a_work(p)).collect();
        let persons = std::mem::take(&mut self.persons)
            .into_iter()
            .zip(works)
            .filter(|(_, work)| !work)
            .map(|(p, _)| p);
        let others = std::mem::take(&mut self.others);
        let people = persons.map(|p| (EntityKind::Person, p.display, p.spans));
        let others = others.into_iter().map(|g| (g.kind, g.name, g.spans));
        let mut out: Vec<ArticleEntity> = people
            .chain(others)
            .filter(|(_, _, spans)| !spans.is_empty())
            .map(|(kind, name, mut spans)| {
                spans.sort_by_key(|s| (self.sources[s.src].in_title, s.start));
                spans.dedup();
                ArticleEntity {
                    kind,
                    name,
                    mentions: spans.into_iter().map(|s| self.mention(s)).collect(),
                }
            })
            .collect();
        out.sort_by_key(|e| e.mentions.first().map(|m| (m.in_title, m.start)));
        out
    }
}
