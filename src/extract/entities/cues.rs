//! The words around a mention that tell what it names: a verb of saying after a speaker,
//! a locative before a place, a company noun or pronoun around an organisation, and the
//! cues that make a name of several words the title of a work, a prize or an event.

use super::gazetteer::gazetteer;
use super::lexicon::lexicon;
use super::tokens::{Shape, Token};

/// Whether the words around the mention `first..=last` of a name of several words read
/// as the title of a work, a prize or an event: "film Vera Drake", "her role in Vera
/// Drake", "two Golden Globes", "Harry Potter books", "Sydney Olympics", "A Very Long
/// Engagement", "Harry Potter and the Prisoner of Azkaban"; `person_before` tells whether
/// a token is a person's possessive ("Mike Leigh's Vera Drake").
pub(crate) fn reads_as_work(
    toks: &[Token],
    first: usize,
    last: usize,
    person_before: impl Fn(&Token) -> bool,
) -> bool {
    let lex = lexicon();
    let before = first.checked_sub(1).map(|p| &toks[p]);
    let after = toks.get(last + 1).filter(|_| !toks[last].possessive);
    let role_in = first >= 2
        && toks[first - 1].key == "in"
        && toks[first - 2].shape == Shape::Lower
        && lex.is_role_in_a_work(&toks[first - 2].key);
    role_in
        || before.is_some_and(|t| {
            t.shape == Shape::Number
                || (t.shape == Shape::Lower && lex.is_work_cue_before(&t.key))
                || person_before(t)
                || is_title_word(t)
        })
        || after.is_some_and(|t| t.shape == Shape::Lower && lex.is_work_cue_after(&t.key))
        || lex.is_event_suffix(&toks[last].key)
        || and_the_title(toks, last + 1)
}

/// A capitalised common word inside a sentence that names no one and is no plural (not
/// "Doctors", "Representatives"): a name right after it is part of a title ("A Very
/// Long Engagement").
fn is_title_word(t: &Token) -> bool {
    let lex = lexicon();
    let key = &t.key;
    t.shape == Shape::Cap
        && !t.sent_start
        && !t.possessive
        && key.char_count() > 1
        && !key.ends_with('s')
        && lex.is_common(key)
        && !lex.is_given(key)
        && !lex.is_surname(key)
        && !lex.is_demonym(key)
        && !lex.is_role_word(key)
        && !lex.is_not_name_word(key)
}

/// A place the gazetteer lacks, by its context: "Kyiv-based", "near Bakhmut", "the
/// town of Bakhmut", "Bakhmut, Ukraine". Only a word that is no common word, given name
/// or Census surname.
pub(crate) fn unknown_place(text: &str, toks: &[Token], tok: usize) -> bool {
    let lex = lexicon();
    let t = &toks[tok];
    if t.shape != Shape::Cap
        || t.possessive
        || t.key.char_count() < 3
        || lex.is_common(&t.key)
        || lex.is_given(&t.key)
        || lex.is_surname(&t.key)
        || lex.is_not_name(&t.key)
        || lex.is_function_word(&t.key)
    {
        return false;
    }
    // "a Kyiv-based company", not "Linux-based software".
    let based = toks.get(tok + 1).is_some_and(|n| {
        n.key == "based" && n.start == t.end + 1 && text[t.end..n.start].starts_with('-')
    }) && toks.get(tok + 2).is_some_and(|n| {
        n.shape == Shape::Lower
            && (ORG_NOUNS_BEFORE.contains(&n.key.as_str())
                || matches!(
                    n.key.as_str(),
                    "organisation"
                        | "organization"
                        | "institute"
                        | "consultancy"
                        | "analyst"
                        | "analysts"
                        | "broker"
                        | "brokerage"
                        | "lawyer"
                        | "journalist"
                        | "researcher"
                        | "researchers"
                        | "singer"
                        | "artist"
                        | "designer"
                        | "developer"
                        | "start-up"
                ))
    });
    let key = |k: usize| toks.get(k).map(|t| t.key.as_str());
    let near = tok
        .checked_sub(1)
        .is_some_and(|p| matches!(key(p), Some("near" | "outside")));
    let settlement_of = tok >= 2
        && key(tok - 1) == Some("of")
        && matches!(
            key(tok - 2),
            Some("town" | "city" | "village" | "province" | "region" | "district" | "port")
        );
    let next_cap = toks.get(tok + 1).is_some_and(|n| n.is_capitalised());
    (based || near || settlement_of || region_after(toks, tok)) && !next_cap
}

/// A verb of saying after the name ending at `end`, an age in commas ("Smith, 45,"),
/// "administration" ("the Reagan administration"), or "said" before a name that ends a
/// clause ("..., said Lyng.").
pub(crate) fn speaker_cue(toks: &[Token], first: usize, end: usize) -> bool {
    let lex = lexicon();
    let next = toks.get(end);
    let verb = next.is_some_and(|t| {
        t.shape == Shape::Lower && (lex.is_speech_verb(&t.key) || t.key == "administration")
    });
    let age = next.is_some_and(|t| t.key == ",")
        && toks
            .get(end + 1)
            .is_some_and(|t| t.shape == Shape::Number && t.key.len() <= 3)
        && toks.get(end + 2).is_some_and(|t| t.key == ",");
    let said_before = first
        .checked_sub(1)
        .and_then(|p| toks.get(p))
        .is_some_and(|t| t.shape == Shape::Lower && matches!(t.key.as_ref(), "said" | "says"))
        && next.is_none_or(|t| t.shape == Shape::Punct);
    verb || age || said_before
}

/// "... and the Prisoner of Azkaban" after a name: the rest of a work's title (not "...
/// and the Tories").
pub(crate) fn and_the_title(toks: &[Token], at: usize) -> bool {
    let word = |k: usize| toks.get(k).map(|t| t.key.as_str());
    word(at) == Some("and")
        && word(at + 1) == Some("the")
        && toks.get(at + 2).is_some_and(|t| t.shape == Shape::Cap)
        && word(at + 3) == Some("of")
}

/// Lower-case nouns right before a lone capitalised word that make it an organisation
/// ("distributor Toho", "software giant Microsoft", "Premiership side Chelsea").
pub(crate) const ORG_NOUNS_BEFORE: &[&str] = &[
    "company",
    "firm",
    "group",
    "distributor",
    "carrier",
    "operator",
    "retailer",
    "manufacturer",
    "maker",
    "publisher",
    "broadcaster",
    "network",
    "studio",
    "label",
    "airline",
    "insurer",
    "lender",
    "bank",
    "supermarket",
    "chain",
    "brewer",
    "giant",
    "conglomerate",
    "club",
    "side",
    "team",
    "outfit",
    "charity",
    "agency",
    "newspaper",
    "channel",
    "website",
    "watchdog",
    "regulator",
    "union",
    "party",
];

/// "distributor Toho", "software giant Microsoft".
pub(crate) fn org_noun_before(toks: &[Token], tok: usize) -> bool {
    tok.checked_sub(1)
        .and_then(|p| toks.get(p))
        .is_some_and(|t| t.shape == Shape::Lower && ORG_NOUNS_BEFORE.contains(&t.key.as_str()))
}

/// "Acme said its profit", "Acme, which": a speaker that is a thing.
pub(crate) fn org_pronoun_after(toks: &[Token], tok: usize) -> bool {
    let key = |k: usize| toks.get(k).map(|t| t.key.as_str());
    let which = key(tok + 1) == Some(",") && key(tok + 2) == Some("which");
    // "Baker said it was" is a person's; "said its" is seldom one's.
    let said_its = toks
        .get(tok + 1)
        .is_some_and(|t| t.shape == Shape::Lower && lexicon().is_speech_verb(&t.key))
        && key(tok + 2) == Some("its");
    which || said_its
}

/// "in Reading", "the town of Rafah".
pub(crate) fn locative_before(toks: &[Token], tok: usize) -> bool {
    let lex = lexicon();
    let mut p = tok;
    while p > 0 {
        p -= 1;
        let t = &toks[p];
        if t.shape == Shape::Lower
            && matches!(
                t.key.as_ref(),
                "the" | "central" | "northern" | "southern" | "eastern" | "western" | "downtown"
            )
        {
            continue;
        }
        return t.shape == Shape::Lower && lex.is_locative(&t.key);
    }
    false
}

/// "Mobile, Alabama" (not "Fiat, Italy's carmaker").
pub(crate) fn region_after(toks: &[Token], tok: usize) -> bool {
    if toks.get(tok + 1).is_none_or(|t| t.key != ",") {
        return false;
    }
    let Some(next) = toks.get(tok + 2).filter(|t| !t.possessive) else {
        return false;
    };
    gazetteer().region(&next.key).is_some()
}

/// "the SEC said", "ICO officials".
pub(crate) fn org_cue_after(toks: &[Token], tok: usize) -> bool {
    toks.get(tok + 1)
        .is_some_and(|t| t.shape == Shape::Lower && lexicon().is_org_cue_after(&t.key))
}
