//! Person names: surname keys, transliteration skeletons, and the
//! test of whether two written names may belong to one person ("Anthony"/"Antony",
//! "Joab"/"Yoav", "Joe"/"Joseph") while distinct people who share a surname stay apart
//! ("Joe"/"Hunter" Biden, "Jong-un"/"Jong-nam" Kim).

use std::sync::OnceLock;

use regex::Regex;

use super::fold::fold;
use super::lexicon::{lexicon, NAME_PARTICLES, NAME_SUFFIXES};

/// A coarse spelling key that survives transliteration: "joab" and "yoav" both give
/// "yv"; "gallant" gives "glnt". Letters that sound alike are merged, vowels after the
/// first letter dropped, doubled letters collapsed.
pub(crate) fn skeleton(word: &str) -> String {
    let letters: Vec<u8> = word
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut key = String::with_capacity(letters.len());
    let mut i = 0;
    while i < letters.len() {
        let next = letters.get(i + 1).copied();
        let (out, step) = match (letters[i], next) {
            (b'p', Some(b'h')) => (b'f', 2),
            (b'k' | b'c' | b'g', Some(b'h')) => (b'h', 2),
            (b'd', Some(b'h')) => (b'd', 2),
            (b't', Some(b'h')) => (b't', 2),
            (b's', Some(b'h')) => (b's', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'q' | b'c', _) => (b'k', 1),
            (b'j', _) => (b'y', 1),
            (b'w' | b'b', _) => (b'v', 1),
            (b'z', _) => (b's', 1),
            (c, _) => (c, 1),
        };
        let vowel = matches!(out, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        if !(i > 0 && vowel) && key.as_bytes().last() != Some(&out) {
            key.push(char::from(out));
        }
        i += step;
    }
    key
}

/// A person name split into its parts, folded for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PersonName {
    /// Folded name tokens, titles and generational suffixes removed.
    pub tokens: Vec<String>,
    /// The given name (for family-first names, the personal name after the surname,
    /// hyphen-joined: "jong-un").
    pub given: Option<String>,
    /// Middle names or initials.
    pub middle: Vec<String>,
    /// The surname key: folded, particles and hyphens dropped ("leighpemberton", "assad").
    pub surname: String,
    /// Whether the family name comes first ("Li Peng", "Kim Jong-un").
    pub family_first: bool,
}

impl PersonName {
    /// Whether this is a full name (given name and surname), not a bare surname.
    pub fn is_full(&self) -> bool {
        self.given.is_some()
    }
}

/// Name particles that are also given names (Al, Ben, Des).
const GIVEN_PARTICLES: &[&str] = &["al", "ben", "des"];

/// Parses a person name as written ("Paul A. Volcker", "Kim Jong-un", "Jacques de
/// Larosiere").
pub(crate) fn parse_person(name: &str) -> PersonName {
    let mut tokens: Vec<String> = name.split_whitespace().map(fold).collect();
    tokens.retain(|t| !t.is_empty());
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|t| NAME_SUFFIXES.contains(&t.trim_end_matches(',')))
    {
        tokens.pop();
    }
    if let Some(last) = tokens.last_mut() {
        *last = last.trim_end_matches(',').to_string();
    }
    if is_family_first(&tokens) {
        let given = tokens[1..].join("-");
        return PersonName {
            surname: surname_key(&tokens[0]),
            given: Some(given),
            middle: Vec::new(),
            tokens,
            family_first: true,
        };
    }
    // "Des Browne", "Al Gore", "Ben Bradshaw": a particle that is also a given name,
    // written first before one more word, is the given name.
    let given_first = tokens.len() == 2
        && GIVEN_PARTICLES.contains(&tokens[0].as_str())
        && name.chars().next().is_some_and(char::is_uppercase);
    let core: Vec<&String> = tokens
        .iter()
        .enumerate()
        .filter(|&(i, t)| (i == 0 && given_first) || !NAME_PARTICLES.contains(&t.as_str()))
        .map(|(_, t)| t)
        .collect();
    let surname = core
        .last()
        .map(|t| surname_key(t))
        .or_else(|| tokens.last().map(|t| surname_key(t)))
        .unwrap_or_default();
    let (given, middle) = if core.len() >= 2 {
        (
            Some(core[0].clone()),
            core[1..core.len() - 1]
                .iter()
                .map(|t| (*t).clone())
                .collect(),
        )
    } else {
        (None, Vec::new())
    };
    PersonName {
        tokens,
        given,
        middle,
        surname,
        family_first: false,
    }
}

/// The key a surname is compared by: "al-Assad" → "assad", "Leigh-Pemberton" →
/// "leighpemberton", "O'Kennedy" → "okennedy".
pub(crate) fn surname_key(word: &str) -> String {
    let folded = fold(word);
    let bare = ["al-", "el-", "ad-", "as-", "ash-", "an-", "at-", "az-"]
        .iter()
        .find_map(|p| folded.strip_prefix(p))
        .unwrap_or(&folded);
    bare.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn pinyin() -> &'static Regex {
    static PINYIN: OnceLock<Regex> = OnceLock::new();
    PINYIN.get_or_init(|| {
        Regex::new(
            "^(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ueng|ang|eng|ing|ong|iao|ian|uai|uan|ai|ei|ao|ou|an|en|er|ia|ie|iu|in|ua|uo|ui|un|ue|a|o|e|i|u|v))+$",
        )
        .expect("valid pinyin pattern")
    })
}

/// Whether a folded word reads as romanised Chinese ("xiaoping", "peng").
pub(crate) fn is_pinyin(word: &str) -> bool {
    !word.is_empty() && word.len() <= 10 && pinyin().is_match(word)
}

/// Chinese and Korean names put the family name first: "Li Peng", "Deng Xiaoping",
/// "Kim Jong-un", "Lee Teng-hui", "Kim Jong Un".
fn is_family_first(tokens: &[String]) -> bool {
    let lex = lexicon();
    let [first, rest @ ..] = tokens else {
        return false;
    };
    if rest.is_empty() || rest.len() > 2 {
        return false;
    }
    let chinese = lex.is_chinese_surname(first);
    let korean = lex.is_korean_surname(first);
    if !chinese && !korean {
        return false;
    }
    let hyphenated = rest.len() == 1 && rest[0].contains('-');
    if hyphenated {
        return rest[0].split('-').all(|p| !p.is_empty() && p.len() <= 5);
    }
    let syllables = rest.len() == 2
        && rest
            .iter()
            .all(|p| p.len() <= 4 && (korean || !lex.is_given(p)));
    let word = &rest[0];
    let romanised = rest.len() == 1
        && chinese
        && is_pinyin(word)
        && !lex.is_given(word)
        && !lex.is_surname(word)
        && !lex.is_common(word);
    syllables || romanised
}

/// Whether two surname keys may be spellings of one surname: close spellings with one
/// skeleton ("Gorbachev"/"Gorbachov"), or one transliteration ("Zelensky"/"Zelenskiy"/
/// "Zelenskyy", "Gaddafi"/"Qaddafi"/"Kadhafi"). Pairs that pass share a
/// [`surname_skeleton`].
pub(crate) fn surnames_compatible(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if skeleton(a) == skeleton(b) && strsim::jaro_winkler(a, b) >= 0.93 {
        return true;
    }
    let ta = transliteration_key(a);
    ta.len() >= 5 && ta == transliteration_key(b)
}

/// The key surnames are filed under before they are compared: the [`skeleton`] with "g"
/// and "k" merged (Arabic qaf is written g, k or q). Coarser than the skeleton and than
/// [`transliteration_key`], so every compatible pair shares it.
pub(crate) fn surname_skeleton(surname: &str) -> String {
    skeleton(&surname.replace('g', "k"))
}

/// A spelling key that keeps vowels but merges what transliterations of one name differ
/// by: "y" and "i" (and "iy", "yy"), doubled letters, "dh"/"d", "kh"/"ch"/"gh"/"h",
/// "ph"/"f", "q"/"k"/"c"/"g", "w"/"b"/"v", "z"/"s". "zelenskiy", "zelenskyy" and "zelensky"
/// all give "selenski"; "baker" and "becker" stay apart.
fn transliteration_key(word: &str) -> String {
    let letters: Vec<u8> = word
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .map(|b| if b == b'g' { b'k' } else { b })
        .collect();
    let mut key = String::with_capacity(letters.len());
    let mut i = 0;
    while i < letters.len() {
        let next = letters.get(i + 1).copied();
        let (out, step) = match (letters[i], next) {
            (b'p', Some(b'h')) => (b'f', 2),
            (b'k' | b'c', Some(b'h')) => (b'h', 2),
            (b'd', Some(b'h')) => (b'd', 2),
            (b't', Some(b'h')) => (b't', 2),
            (b's', Some(b'h')) => (b's', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'q' | b'c', _) => (b'k', 1),
            (b'y', _) => (b'i', 1),
            (b'j', _) => (b'y', 1),
            (b'w' | b'b', _) => (b'v', 1),
            (b'z', _) => (b's', 1),
            (c, _) => (c, 1),
        };
        if key.as_bytes().last() != Some(&out) {
            key.push(char::from(out));
        }
        i += step;
    }
    key
}

/// Whether two folded given names may belong to one person.
pub(crate) fn given_compatible(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a_bare, b_bare) = (a.trim_end_matches('.'), b.trim_end_matches('.'));
    if a_bare.len() == 1 || b_bare.len() == 1 {
        return a_bare.chars().next() == b_bare.chars().next();
    }
    if a.contains('-') || b.contains('-') {
        let pa: Vec<&str> = a.split('-').collect();
        let pb: Vec<&str> = b.split('-').collect();
        if pa.len() == pb.len() {
            return pa.iter().zip(&pb).all(|(x, y)| spelling_variant(x, y));
        }
        return spelling_variant(&a.replace('-', ""), &b.replace('-', ""));
    }
    lexicon().nickname_related(a, b) || spelling_variant(a, b)
}

/// "anthony"/"antony" (Jaro-Winkler), "joab"/"yoav" (one skeleton, similar length).
fn spelling_variant(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let shortest = a.len().min(b.len());
    if shortest >= 4 && strsim::jaro_winkler(a, b) >= 0.90 {
        return true;
    }
    let (sa, sb) = (skeleton(a), skeleton(b));
    shortest >= 4 && sa.len() >= 2 && sa == sb && a.len().abs_diff(b.len()) <= 1
}

/// Whether two middle-name lists can be one person's ("George W. Bush" and
/// "George H. W. Bush" cannot; "George Bush" fits either).
fn middles_compatible(a: &[String], b: &[String]) -> bool {
    match (a.first(), b.first()) {
        (Some(x), Some(y)) => x.chars().next() == y.chars().next(),
        _ => true,
    }
}

/// Whether two full names may be one person.
pub(crate) fn same_person(a: &PersonName, b: &PersonName) -> bool {
    surnames_compatible(&a.surname, &b.surname) && same_given_person(a, b)
}

/// Whether two full names whose surnames may be one may also be one person: the same
/// order of names, and the shorter one ending the longer ("Perez de Cuellar") or
/// compatible given and middle names.
pub(crate) fn same_given_person(a: &PersonName, b: &PersonName) -> bool {
    if a.tokens == b.tokens {
        return true;
    }
    if a.family_first != b.family_first {
        return false;
    }
    if !a.family_first && (is_suffix(&a.tokens, &b.tokens) || is_suffix(&b.tokens, &a.tokens)) {
        return true;
    }
    match (&a.given, &b.given) {
        (Some(ga), Some(gb)) => {
            given_compatible(ga, gb) && middles_compatible(&a.middle, &b.middle)
        }
        _ => false,
    }
}

/// "Perez de Cuellar" ends "Javier Perez de Cuellar".
fn is_suffix(short: &[String], long: &[String]) -> bool {
    short.len() >= 2 && short.len() < long.len() && long.ends_with(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterations_of_a_surname_are_compatible() {
        let same = |a: &str, b: &str| {
            surnames_compatible(a, b) && surname_skeleton(a) == surname_skeleton(b)
        };
        for group in [
            &["zelensky", "zelenskiy", "zelenskyy"][..],
            &["gaddafi", "qaddafi", "kadhafi", "gadhafi", "kaddafi"],
            &["gorbachev", "gorbachov"],
        ] {
            for a in group {
                for b in group {
                    assert!(same(a, b), "{a} {b}");
                }
            }
        }
        for (a, b) in [
            ("baker", "becker"),
            ("moore", "mayer"),
            ("brown", "braun"),
            ("li", "lee"),
        ] {
            assert!(!surnames_compatible(a, b), "{a} {b}");
        }
    }

    #[test]
    fn skeletons_join_transliterations() {
        assert_eq!(skeleton("joab"), skeleton("yoav"));
        assert_eq!(skeleton("karl"), skeleton("carl"));
        assert_ne!(skeleton("hunter"), skeleton("joe"));
    }

    #[test]
    fn names_split_into_given_middle_and_surname() {
        let p = parse_person("Paul A. Volcker");
        assert_eq!(p.given.as_deref(), Some("paul"));
        assert_eq!(p.middle, vec!["a"]);
        assert_eq!(p.surname, "volcker");
        let p = parse_person("Jacques de Larosiere");
        assert_eq!(p.surname, "larosiere");
        assert_eq!(p.given.as_deref(), Some("jacques"));
        let p = parse_person("Bashar al-Assad");
        assert_eq!(p.surname, "assad");
        let p = parse_person("James A. Baker III");
        assert_eq!(p.surname, "baker");
        let p = parse_person("Des Browne");
        assert_eq!(p.given.as_deref(), Some("des"));
        assert_eq!(p.surname, "browne");
        assert!(!parse_person("de Gaulle").is_full());
        let p = parse_person("Gallant");
        assert!(!p.is_full());
        assert_eq!(p.surname, "gallant");
    }

    #[test]
    fn east_asian_names_put_the_family_name_first() {
        for (name, surname, given) in [
            ("Kim Jong-un", "kim", "jong-un"),
            ("Kim Jong Un", "kim", "jong-un"),
            ("Li Peng", "li", "peng"),
            ("Deng Xiaoping", "deng", "xiaoping"),
            ("Lee Teng-hui", "lee", "teng-hui"),
        ] {
            let p = parse_person(name);
            assert!(p.family_first, "{name}");
            assert_eq!(p.surname, surname, "{name}");
            assert_eq!(p.given.as_deref(), Some(given), "{name}");
        }
        for name in ["Lee Iacocca", "Kim Smith", "Li Baker", "Song Anderson"] {
            assert!(!parse_person(name).family_first, "{name}");
        }
    }

    #[test]
    fn variants_of_one_person_match_and_relatives_do_not() {
        let same = |a: &str, b: &str| same_person(&parse_person(a), &parse_person(b));
        assert!(same("Anthony Blinken", "Antony Blinken"));
        assert!(same("Joab Gallant", "Yoav Gallant"));
        assert!(same("Joe Biden", "Joseph Biden"));
        assert!(same("Joseph R. Biden", "Joe Biden"));
        assert!(same("Javier Perez de Cuellar", "Perez de Cuellar"));
        assert!(same("Kim Jong-un", "Kim Jong Un"));
        assert!(!same("Joe Biden", "Hunter Biden"));
        assert!(!same("Kim Jong-un", "Kim Jong-nam"));
        assert!(!same("George W. Bush", "George H. W. Bush"));
        assert!(!same("Jon Smith", "Jan Smith"));
        assert!(!same("Joe Biden", "Joe Bidden Smith"));
    }
}
