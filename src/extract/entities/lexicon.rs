//! The word lists the extractor consults: titles and roles, organisation and place
//! suffixes, words that are capitalised without being names, and the generated name and
//! word lists in `data/` (embedded in the binary).

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use super::fold::fold;

const GIVEN_NAMES: &str = include_str!("../../../data/given_names.txt");
const SURNAMES: &str = include_str!("../../../data/surnames.txt");
const COMMON_WORDS: &str = include_str!("../../../data/common_words.txt");
const NICKNAMES: &str = include_str!("../../../data/nicknames.tsv");
pub(crate) const COUNTRIES: &str = include_str!("../../../data/countries.tsv");

/// Titles and role nouns that announce a person ("President", "Mr", "spokesman"). They
/// are never part of the name that follows.
#[rustfmt::skip]
const ROLE_HEADS: &[&str] = &[
    "president", "president-elect", "vice-president", "minister", "secretary",
    "secretary-general", "director-general", "under-secretary", "undersecretary", "chancellor",
    "premier", "governor", "gov", "senator", "sen", "representative", "rep", "congressman",
    "congresswoman", "lawmaker", "chairman", "chairwoman", "chairperson", "director",
    "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy", "commissioner", "mayor",
    "speaker", "leader", "judge", "justice", "prosecutor", "attorney", "mr", "mrs", "ms",
    "miss", "messrs", "dr", "sir", "dame", "lord", "lady", "prof", "professor", "rev",
    "reverend", "pope", "cardinal", "archbishop", "bishop", "rabbi", "imam", "sheikh", "sheik",
    "emir", "king", "queen", "prince", "princess", "duke", "duchess", "ayatollah", "mullah",
    "general", "gen", "lieutenant", "lt", "colonel", "col", "major", "maj", "captain", "capt",
    "sergeant", "sgt", "admiral", "adm", "commander", "cmdr", "marshal", "brigadier", "brig",
    "corporal", "officer", "chief", "executive", "ceo", "cfo", "deputy", "adviser", "advisor",
    "economist", "analyst", "strategist", "head", "founder", "co-founder", "coach", "manager",
    "negotiator", "mediator", "delegate", "consul", "counsel", "treasurer", "comptroller",
    "inspector", "superintendent", "sheriff", "detective", "agent", "correspondent",
    "commentator", "candidate", "nominee", "counterpart", "chair", "vice-chairman", "trustee",
    "auditor", "registrar", "rapporteur", "administrator", "regulator", "dictator", "monarch",
    "prop", "flanker", "hooker", "fly-half", "scrum-half", "full-back", "winger", "striker",
    "midfielder", "defender", "goalkeeper", "keeper", "skipper", "baroness", "baron",
    "viscount", "earl", "countess", "marquess",
];

/// Role heads that also begin organisation names ("General Motors", "Major League"); they
/// announce a person only when a name or another role word follows.
#[rustfmt::skip]
const AMBIGUOUS_HEADS: &[&str] = &[
    "general", "major", "chief", "justice", "head", "executive", "officer", "agent", "chair",
    "lord", "lady", "king", "queen", "prince", "marshal",
];

/// Words that qualify a role ("Prime", "Defense", "National Security") inside a title.
#[rustfmt::skip]
const ROLE_MODIFIERS: &[&str] = &[
    "prime", "vice", "deputy", "acting", "former", "interim", "assistant", "under", "associate",
    "senior", "junior", "chief", "executive", "general", "national", "security", "foreign",
    "defense", "defence", "finance", "financial", "interior", "justice", "health", "education",
    "agriculture", "agricultural", "commerce", "trade", "labor", "labour", "energy",
    "transport", "transportation", "housing", "industry", "economy", "economic", "economics",
    "home", "state", "treasury", "environment", "culture", "information", "communications",
    "intelligence", "homeland", "affairs", "development", "planning", "oil", "petroleum",
    "mines", "mining", "budget", "fiscal", "monetary", "cabinet", "party", "opposition",
    "majority", "minority", "senate", "house", "parliamentary", "federal", "regional",
    "provincial", "military", "army", "navy", "naval", "air", "force", "police", "press",
    "public", "relations", "social", "welfare", "employment", "water", "resources", "tourism",
    "sports", "youth", "science", "technology", "research", "telecommunications", "veterans",
    "war", "civil", "aviation", "fisheries", "forestry", "food", "supply", "legal", "joint",
    "staff", "chiefs", "crown", "grand", "supreme", "high", "special", "first", "lead", "top",
    "principal", "permanent", "managing", "operating", "vice-chairman", "co", "trade",
    "minerals", "industrial", "industries", "investment", "privatisation", "privatization",
    "international", "european", "work", "pensions", "procurement", "sport", "media",
    "schools", "children", "families", "skills", "equality", "women", "rural", "europe",
    "constitutional", "universities", "policing", "prisons", "immigration", "exports",
    "communities", "learning", "arts", "heritage", "farming", "roads", "climate",
    "innovation", "disabled", "disabilities", "lifelong", "regeneration",
];

/// Lower-case words just before a capitalised name that make it a person.
#[rustfmt::skip]
const PERSON_CUES_BEFORE: &[&str] = &[
    "spokesman", "spokeswoman", "spokesperson", "minister", "secretary", "president", "leader",
    "adviser", "advisor", "ambassador", "envoy", "chairman", "chairwoman", "chief", "director",
    "governor", "senator", "general", "counterpart", "analyst", "economist", "strategist",
    "executive", "commander", "premier", "chancellor", "king", "queen", "prince", "candidate",
    "nominee", "lawmaker", "negotiator", "mediator", "correspondent", "reporter", "professor",
    "coach", "manager", "founder", "dealer", "trader", "attorney", "lawyer", "judge",
    "prosecutor", "mayor", "official", "diplomat", "banker", "activist", "mr", "mrs", "ms",
    "dr", "sir", "colonel", "captain", "commissioner", "head", "deputy", "treasurer", "ceo",
    "rabbi", "imam", "cleric", "monarch", "dictator", "brother", "sister", "son", "daughter",
    "wife", "husband", "widow", "father", "mother", "uncle", "aunt", "nephew", "niece",
    "cousin",
];

/// Company, institution and body names end with one of these ("Cargill Inc",
/// "National Security Council", "Israel Defense Forces").
#[rustfmt::skip]
const ORG_SUFFIXES: &[&str] = &[
    "inc", "corp", "corporation", "co", "company", "companies", "ltd", "limited", "plc", "llc",
    "lp", "llp", "ag", "sa", "nv", "bv", "gmbh", "spa", "ab", "asa", "oy", "kk", "bhd", "pty",
    "group", "holdings", "holding", "bank", "banks", "bancorp", "bancshares", "trust",
    "securities", "capital", "partners", "fund", "investments", "insurance", "assurance",
    "ministry", "council", "party", "agency", "association", "commission", "committee",
    "authority", "department", "dept", "institute", "institution", "university", "college",
    "academy", "federation", "union", "organization", "organisation", "bureau", "board",
    "office", "court", "tribunal", "parliament", "assembly", "congress", "senate", "cabinet",
    "army", "navy", "forces", "force", "guard", "guards", "police", "service", "services",
    "exchange", "airlines", "airways", "motors", "motor", "industries", "electric",
    "electronics", "energy", "resources", "petroleum", "oil", "gas", "chemical", "chemicals",
    "steel", "mining", "foods", "pharmaceuticals", "systems", "technologies", "communications",
    "telecom", "networks", "network", "media", "news", "television", "broadcasting", "radio",
    "laboratories", "products", "brands", "stores", "mills", "works",
    "railway", "railways", "railroad", "shipping", "logistics", "foundation", "society",
    "church", "movement", "front", "brigades", "league", "alliance", "coalition", "centre",
    "center", "club", "enterprises", "ventures", "properties", "cooperative", "cooperatives",
    "consortium", "savings", "reserve", "mutual", "fed", "treasury", "secretariat", "rifles",
    "regiment", "battalion", "brigade", "fusiliers", "bros",
    "directorate", "commissariat", "inc.", "cartel", "syndicate", "airline", "press",
];

/// Heads of names of the form "Bank of England", "Ministry of Defence".
#[rustfmt::skip]
const ORG_HEADS_OF: &[&str] = &[
    "ministry", "bank", "university", "department", "organization", "organisation", "council",
    "institute", "association", "federation", "union", "league", "court", "house", "chamber",
    "board", "bureau", "commission", "committee", "office", "school", "college", "academy",
    "society", "church", "party", "fund", "agency", "authority", "confederation", "corps",
    "conference", "secretariat", "cabinet", "order", "federal", "congress", "parliament",
    "assembly",
];

/// Words that end with a full stop without ending a sentence ("Mr.", "Gen.", "Inc.",
/// "Jan.", "e.g."), in lower case, without the final dot; none longer than six characters.
/// The one list of them: the tokenizer compares a word's folded key, which has no dots, so
/// the dotted forms at the end matter only to callers that keep inner dots (sentence
/// splitting for passages).
#[rustfmt::skip]
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm",
    "sgt", "cpl", "pvt", "gov", "sen", "rep", "rev", "hon", "pres", "st", "mt", "ft", "jr", "sr",
    "inc", "corp", "co", "ltd", "plc", "bros", "no", "nos", "vs", "brig", "gens", "sens", "reps",
    "govs", "dept", "etc", "approx", "est", "fig", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur",
    "thurs", "fri", "sat", "sun", "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u",
    "u.s.a",
];

/// Whether `text` is written as an acronym: one to six letters, all capitals, no space
/// ("US", "U.S.", "NATO", "OPEC"). Such a name in a gazetteer must be written in capitals
/// to match ordinary text, and an organisation so written is a short form.
pub(crate) fn is_acronym(text: &str) -> bool {
    let mut letters = 0;
    for c in text.chars() {
        if c == ' ' || c.is_lowercase() || (c.is_alphabetic() && !c.is_uppercase()) {
            return false;
        }
        letters += usize::from(c.is_alphabetic());
    }
    (1..=6).contains(&letters)
}

/// Legal-form suffixes that a company's short name drops ("Chrysler Corp" is "Chrysler").
#[rustfmt::skip]
pub(crate) const LEGAL_SUFFIXES: &[&str] = &[
    "inc", "corp", "corporation", "co", "company", "ltd", "limited", "plc", "llc", "lp", "llp",
    "ag", "sa", "nv", "bv", "gmbh", "spa", "ab", "asa", "oy", "kk", "bhd", "pty",
    "incorporated", "cos",
];

/// Names ending with these are places ("Gaza Strip", "Jordan Valley", "Wall Street").
#[rustfmt::skip]
const PLACE_SUFFIXES: &[&str] = &[
    "strip", "valley", "river", "sea", "ocean", "gulf", "bay", "lake", "island", "islands",
    "mountain", "mountains", "hills", "heights", "street", "avenue", "road", "square", "bridge",
    "airport", "province", "county", "district", "region", "city", "peninsula", "desert",
    "canal", "coast", "park", "plaza", "hill", "beach", "highlands", "plateau", "basin",
    "strait", "straits", "corridor", "camp", "quarter", "governorate", "prefecture", "oblast",
    "territory", "territories", "parish", "borough", "township", "municipality", "canyon",
    "gorge", "glacier", "reef", "volcano", "falls",
];

/// Capitalised words that begin sentences, join clauses or stand for people without
/// naming them. Never an entity on their own.
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "in", "on", "at", "to", "of", "for", "by", "with", "from", "into", "onto",
    "over", "under", "about", "after", "before", "since", "during", "until", "till", "despite",
    "amid", "amidst", "among", "amongst", "between", "through", "throughout", "against",
    "without", "within", "upon", "toward", "towards", "across", "behind", "beyond", "near",
    "as", "and", "but", "or", "nor", "so", "yet", "if", "when", "whenever", "while", "whereas",
    "although", "though", "because", "unless", "whether", "once", "where", "why", "how", "what",
    "which", "who", "whom", "whose", "that", "this", "these", "those", "there", "here", "it",
    "its", "it's", "he", "she", "they", "we", "i", "you", "his", "her", "hers", "their",
    "theirs", "our", "ours", "my", "mine", "your", "yours", "him", "them", "us", "me", "one",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
    "billions", "dozen", "dozens", "half",
    "some", "many", "most", "much", "more", "less", "few", "several", "all", "both", "each",
    "every", "any", "no", "not", "none", "other", "others", "another", "such", "same", "only",
    "even", "just", "also", "still", "then", "now", "later", "earlier", "today", "tonight",
    "tomorrow", "yesterday", "meanwhile", "however", "instead", "according", "moreover",
    "furthermore", "nevertheless", "nonetheless", "indeed", "thus", "therefore", "hence",
    "otherwise", "besides", "separately", "similarly", "likewise", "overall", "finally",
    "first", "second", "third", "last", "next", "again", "already", "perhaps", "maybe", "yes",
    "please", "thank", "thanks", "asked", "speaking", "citing", "including", "like", "unlike",
    "following", "given", "let", "do", "does", "did", "is", "are", "was", "were", "be", "been",
    "has", "have", "had", "will", "would", "can", "could", "should", "might", "must", "shall",
    "nothing", "everything", "something", "anything", "everyone", "someone", "anyone", "nobody",
    "somebody", "everybody", "people", "officials", "analysts", "sources", "dealers", "traders",
    "economists", "experts", "residents", "witnesses", "police", "authorities", "reporters",
    "critics", "observers", "diplomats", "bankers", "investors", "shareholders", "officers",
    "troops", "soldiers", "forces", "protesters", "lawmakers", "leaders", "ministers",
    "members", "government", "govt", "state", "reuter", "reuters", "shr", "net", "revs", "qtr",
    "avg", "shrs", "oper", "mln", "dlrs", "cts", "pct", "vs", "note", "notes", "ended", "year",
    "quarter", "full", "total", "editor", "editors", "update", "updated", "breaking",
    "exclusive", "analysis", "opinion", "comment", "read", "more", "advertisement", "photo",
    "video", "watch", "via", "per", "percent", "ok", "okay", "oh", "well", "sure",
    "true", "false", "new", "old", "good", "bad", "best", "better", "big", "great", "major",
    "minor", "key", "top", "high", "low", "early", "late", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "central", "national", "international",
    "global", "world", "local", "regional", "federal", "official", "senior", "junior", "chief",
    "acting", "former", "deputy", "interim",
];

/// Function words that also begin organisation names ("National Security Council",
/// "World Bank", "New York Times"): kept at the start of a name.
#[rustfmt::skip]
const NAME_ADJECTIVES: &[&str] = &[
    "national", "international", "federal", "world", "new", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "central", "global", "local", "regional",
    "official", "state", "police", "government", "first", "great", "big", "major", "top",
    "high", "good", "old", "senior", "junior", "chief", "acting", "former", "deputy", "interim",
    "full", "total", "people", "forces", "troops", "editor", "note", "net",
];

/// Words that name no one but are written with a capital: days, months, seasons,
/// holidays, religions, ideologies and adjectives of region.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "weekend", "spring", "summer",
    "autumn", "fall", "winter", "christmas", "easter", "ramadan", "eid", "hanukkah", "passover",
    "thanksgiving", "islam", "islamic", "muslim", "muslims", "christian", "christians",
    "christianity", "jew", "jews", "jewish", "judaism", "arab", "arabs", "arabic", "sunni",
    "sunnis", "shia", "shiite", "shiites", "kurd", "kurds", "kurdish", "european", "europeans",
    "african", "africans", "asian", "asians", "latin", "western", "westerners", "eastern",
    "northern", "southern", "communist", "communists", "socialist", "socialists", "democrat",
    "democrats", "republican", "republicans", "liberal", "liberals", "conservative",
    "conservatives", "marxist", "zionist", "nazi", "nazis", "english", "celsius", "fahrenheit",
    "internet", "web", "god", "allah", "catholic", "catholics", "protestant", "orthodox",
    "hindu", "hindus", "buddhist", "ceasefire", "gmt", "est", "edt", "pst", "utc", "am", "pm",
    "a.m", "p.m", "ad", "bc", "covid", "covid-19", "tv", "gdp", "gnp", "cpi", "ppi", "ipo",
    "ceo", "cfo", "coo", "ai", "faq", "pdf", "url", "usd", "eur", "gbp", "jpy", "dlr", "dlrs",
    "mln", "bln", "pct", "ecu", "ecus", "libor", "fob", "cif", "qtr", "shr", "shrs", "revs",
    "avg", "oper", "cts", "vs", "ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "ok",
    "tba", "usa-based", "nyse-listed", "tory", "tories", "scot", "scots", "brit", "brits",
    "welshman", "englishman", "irishman", "scotsman", "bafta", "baftas", "emmys", "grammys",
];

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
];

/// Lower-case joining words allowed inside a name ("Bank of England", "Jacques de
/// Larosiere", "Mohammed bin Salman").
const CONNECTORS: &[&str] = &[
    "of", "for", "de", "del", "della", "der", "den", "di", "da", "do", "dos", "das", "du", "des",
    "la", "le", "van", "von", "al", "el", "bin", "ibn", "ben", "y", "the", "on", "ter", "ten",
    "zu", "and", "&",
];

/// Verbs of saying and opinion that follow a speaker ("Kirby said", "Blinken says").
#[rustfmt::skip]
const SPEECH_VERBS: &[&str] = &[
    "said", "says", "told", "added", "stated", "noted", "argued", "asked", "warned", "wrote",
    "insisted", "explained", "announced", "declared", "testified", "tweeted", "acknowledged",
    "confirmed", "denied", "replied", "recalled", "emphasized", "emphasised", "stressed",
    "urged", "predicted", "estimated", "believes", "believed", "thinks", "thought", "hopes",
    "hoped", "wants", "wanted", "agreed", "disagreed", "cautioned", "conceded", "suggested",
    "complained", "claimed", "contended", "countered", "responded", "remarked", "admitted",
    "vowed", "pledged", "promised", "threatened", "accused", "criticized", "criticised",
    "praised", "met", "visited", "resigned", "died", "arrived", "spoke", "speaks", "telephoned",
    "testifies", "quipped", "tells", "adds", "warns", "urges",
];

/// Verbs that follow a person's name at the start of a headline ("VOLCKER SEES ...",
/// "REAGAN TO ADDRESS NATION").
#[rustfmt::skip]
const HEADLINE_VERBS: &[&str] = &[
    "says", "said", "sees", "urges", "warns", "predicts", "forecasts", "doubts", "denies",
    "calls", "asks", "backs", "opposes", "expects", "proposes", "supports", "rejects", "wants",
    "vows", "pledges", "defends", "meets", "visits", "resigns", "named", "to", "tells", "hints",
    "confirms", "believes", "plans", "seeks", "signs", "agrees", "leaves", "quits", "appointed",
    "elected", "dies", "arrives", "criticizes", "criticises", "attacks", "praises", "welcomes",
    "insists", "stresses", "announces",
];

/// Words after an acronym that make it an organisation ("the SEC said", "ICO officials").
#[rustfmt::skip]
const ORG_CUES_AFTER: &[&str] = &[
    "said", "says", "told", "announced", "reported", "spokesman", "spokeswoman", "spokesperson",
    "official", "officials", "chairman", "chief", "president", "director", "member", "members",
    "members'", "countries", "nations", "statement", "report", "meeting", "talks", "council",
    "secretariat", "headquarters", "delegates", "delegation", "executive", "board", "staff",
    "sources", "agreed", "decided", "has", "had", "will", "would", "is", "was",
];

/// Prepositions that put a place after them ("in Reading", "the town of Rafah").
#[rustfmt::skip]
const LOCATIVES: &[&str] = &[
    "in", "at", "from", "to", "near", "outside", "into", "across", "via", "around", "toward",
    "towards", "through", "throughout", "within", "inside", "of", "on", "visit", "visited",
    "visiting", "reach", "reached", "leave", "left", "entered", "between",
];

/// Words after a hyphen that turn "Hamas-run" into "Hamas" + an adjective.
#[rustfmt::skip]
const HYPHEN_TAILS: &[&str] = &[
    "run", "style", "era", "born", "made", "wide", "like", "owned", "bound", "held", "led",
    "class", "level", "type", "area", "region", "zone", "based", "backed", "leaning",
    "speaking", "proof", "linked", "related", "controlled", "dominated", "allied", "aligned",
    "friendly", "bred", "listed", "registered", "flagged", "bound", "occupied", "ruled",
    "brokered", "sponsored", "funded", "affiliated", "centric", "wide", "only", "free",
    "induced", "inspired", "educated", "trained", "built", "designed", "approved", "appointed",
    "elected", "produced", "grown", "origin",
];

/// Family names written first in Chinese names ("Li Peng", "Deng Xiaoping").
const CHINESE_SURNAMES: &[&str] = &[
    "li", "wang", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "hu",
    "zhu", "gao", "lin", "he", "guo", "ma", "luo", "liang", "song", "zheng", "xie", "han", "tang",
    "feng", "yu", "dong", "xiao", "cheng", "cao", "yuan", "deng", "fu", "shen", "zeng", "peng",
    "lu", "su", "jiang", "cai", "jia", "ding", "wei", "xue", "ye", "yan", "pan", "du", "dai",
    "xia", "zhong", "tian", "ren", "fan", "fang", "shi", "yao", "tan", "liao", "zou", "xiong",
    "jin", "hao", "kong", "bai", "cui", "kang", "mao", "qiu", "qin", "gu", "hou", "shao", "meng",
    "long", "wan", "duan", "lei", "qian", "yin", "yi", "chang", "qiao", "lai", "gong", "wen", "xi",
    "bo", "chiang", "chien", "teng", "chou", "hsu", "chu", "tsai", "ko", "lien", "soong", "yeh",
    // Cantonese and other southern romanisations (Hong Kong, Taiwan, Singapore).
    "leung", "chan", "wong", "cheung", "lau", "tsang", "tung", "ng", "yip", "lam", "chow", "kwok",
    "yeung", "fung", "kwan", "chiu", "siu", "tam", "hui", "yau", "poon", "tsui", "tse", "mak",
    "choy", "lui", "kok", "goh", "teo", "lim", "tan", "ong",
];

/// Family names written first in Korean names ("Kim Jong-un"), recognised when the given
/// name is hyphenated or written as two syllables.
const KOREAN_SURNAMES: &[&str] = &[
    "kim", "lee", "park", "choi", "jung", "chung", "kang", "cho", "yoon", "jang", "lim", "han",
    "oh", "seo", "shin", "kwon", "hwang", "ahn", "song", "yoo", "hong", "jeon", "ko", "moon",
    "yang", "son", "bae", "baek", "heo", "nam", "roh", "chun", "ban", "rhee", "yun",
];

/// Last words of the names of events, contests and prizes ("Sydney Olympics", "Golden
/// Globe Awards", "Davis Cup"): such a name is no person's.
#[rustfmt::skip]
const EVENT_SUFFIXES: &[&str] = &[
    "olympics", "olympiad", "games", "cup", "open", "championship", "championships", "prix",
    "festival", "awards", "award", "prize", "prizes", "trophy", "marathon", "derby", "expo",
    "summit", "war", "revolution", "referendum", "election", "elections", "rally", "tour",
    "classic", "series", "globe", "globes", "oscars", "baftas", "emmys", "grammys",
];

/// Lower-case words that, right before a name of several words, make it the title of a
/// work, a prize or an event rather than a person ("film Vera Drake", "two Golden Globes",
/// "first Harry Potter film").
#[rustfmt::skip]
const WORK_CUES_BEFORE: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "first", "second", "third", "fourth", "fifth", "latest", "next", "prestigious", "film",
    "films", "movie", "movies", "drama", "dramas", "novel", "novels", "book", "books",
    "musical", "series", "album", "song", "comedy", "thriller", "documentary", "sitcom",
    "opera", "biopic", "game", "adaptation", "sequel", "epic", "blockbuster", "franchise",
];

/// Lower-case words before "in" that make what follows a work ("her role in Vera Drake",
/// "starring in A Very Long Engagement").
#[rustfmt::skip]
const ROLE_IN_A_WORK: &[&str] = &[
    "role", "roles", "performance", "performances", "starring", "starred", "stars", "star",
    "appearing", "appeared", "appearance", "appears", "cameo", "part", "parts", "featured",
    "features", "acting", "cast",
];

/// Lower-case words that, right after a name of several words, make it the title of a
/// work, a prize or an event ("Vera Drake star Imelda Staunton", "Harry Potter films",
/// "Golden Globe award").
#[rustfmt::skip]
const WORK_CUES_AFTER: &[&str] = &[
    "film", "films", "movie", "movies", "star", "stars", "award", "awards", "nomination",
    "nominations", "nominee", "nominees", "ceremony", "ceremonies", "series", "book", "books",
    "novel", "novels", "games", "theme", "franchise", "musical", "soundtrack", "sequel",
    "sequels", "premiere", "cast", "character", "winner", "winners", "winning", "trophy",
];

/// Contractions written with a capital ("I've", "We're"): never names.
#[rustfmt::skip]
const CONTRACTIONS: &[&str] = &[
    "i've", "i'm", "i'd", "i'll", "we've", "we're", "we'd", "we'll", "you've", "you're",
    "you'd", "you'll", "they've", "they're", "they'd", "they'll", "he's", "he'd", "he'll",
    "she's", "she'd", "she'll", "it's", "it'd", "it'll", "that's", "there's", "here's",
    "what's", "who's", "let's", "don't", "didn't", "doesn't", "can't", "won't", "isn't",
    "wasn't", "aren't", "weren't", "couldn't", "wouldn't", "shouldn't", "haven't", "hasn't",
    "i’ve", "i’m", "i’d", "i’ll", "we’re", "we’ve", "you’re", "they’re", "it’s", "that’s",
    "there’s", "don’t", "can’t", "won’t",
];

/// Particles of family names ("de", "van", "al"), left out of the surname key.
pub(crate) const NAME_PARTICLES: &[&str] = &[
    "de", "del", "della", "der", "den", "di", "da", "do", "dos", "das", "du", "des", "la", "le",
    "van", "von", "al", "el", "bin", "ibn", "ben", "y", "ter", "ten", "zu", "st",
];

/// Generational suffixes dropped from person names.
pub(crate) const NAME_SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

/// The lists a word is on, one bit each (see [`Lexicon::lists`]).
mod list {
    pub const GIVEN: u32 = 1 << 0;
    pub const SURNAME: u32 = 1 << 1;
    pub const COMMON: u32 = 1 << 2;
    pub const DEMONYM: u32 = 1 << 3;
    pub const ROLE_HEAD: u32 = 1 << 4;
    pub const AMBIGUOUS_HEAD: u32 = 1 << 5;
    pub const ROLE_MODIFIER: u32 = 1 << 6;
    pub const PERSON_CUE_BEFORE: u32 = 1 << 7;
    pub const ORG_SUFFIX: u32 = 1 << 8;
    pub const ORG_HEAD_OF: u32 = 1 << 9;
    pub const PLACE_SUFFIX: u32 = 1 << 10;
    pub const FUNCTION_WORD: u32 = 1 << 11;
    pub const NAME_ADJECTIVE: u32 = 1 << 12;
    pub const NOT_NAME: u32 = 1 << 13;
    pub const MONTH: u32 = 1 << 14;
    pub const CONNECTOR: u32 = 1 << 15;
    pub const SPEECH_VERB: u32 = 1 << 16;
    pub const ORG_CUE_AFTER: u32 = 1 << 17;
    pub const HEADLINE_VERB: u32 = 1 << 18;
    pub const LOCATIVE: u32 = 1 << 19;
    pub const HYPHEN_TAIL: u32 = 1 << 20;
    pub const CHINESE_SURNAME: u32 = 1 << 21;
    pub const KOREAN_SURNAME: u32 = 1 << 22;
    pub const EVENT_SUFFIX: u32 = 1 << 25;
    pub const WORK_CUE_BEFORE: u32 = 1 << 26;
    pub const WORK_CUE_AFTER: u32 = 1 << 27;
    pub const ROLE_IN_A_WORK: u32 = 1 << 28;
    /// Not a list: role words joined by hyphens ("vice-chairman-elect").
    pub const HYPHENATED_ROLE: u32 = 1 << 23;
    /// Not a list: more than four letters ending with "ed" or "ing" ("backed").
    pub const PARTICIPLE: u32 = 1 << 24;
}

/// A word the lexicon is asked about: a string, or a token's key, which remembers the
/// answer of its first look-up.
pub(crate) trait LexKey {
    /// Every list the word is on ([`Lexicon::lists`]).
    fn lists(&self, lex: &Lexicon) -> u32;
}

impl LexKey for str {
    fn lists(&self, lex: &Lexicon) -> u32 {
        lex.lists(self)
    }
}

impl LexKey for String {
    fn lists(&self, lex: &Lexicon) -> u32 {
        lex.lists(self)
    }
}

/// A word's lists, looked up once for several questions.
pub(crate) struct Lists(pub u32);

impl LexKey for Lists {
    fn lists(&self, _: &Lexicon) -> u32 {
        self.0
    }
}

impl<T: LexKey + ?Sized> LexKey for &T {
    fn lists(&self, lex: &Lexicon) -> u32 {
        (**self).lists(lex)
    }
}

/// Everything above, loaded once: one table from each word to the lists it is on.
pub(crate) struct Lexicon {
    words: HashMap<String, u32>,
    /// Each given name (lower case) → the formal names it is a nickname of, itself included.
    formal: HashMap<String, Vec<String>>,
}

/// The non-comment, non-empty lines of an embedded data file.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
}

/// The shared lexicon.
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::load)
}

impl Lexicon {
    fn load() -> Lexicon {
        let mut words: HashMap<String, u32> = HashMap::default();
        let mut add = |word: String, bit: u32| *words.entry(word).or_default() |= bit;
        for line in data_lines(COUNTRIES) {
            if let Some(field) = line.split('\t').nth(4) {
                for demonym in field.split('|').filter(|d| !d.is_empty()) {
                    let key = fold(demonym);
                    add(plural(&key), list::DEMONYM);
                    add(key, list::DEMONYM);
                }
            }
        }
        for (text, bit) in [
            (GIVEN_NAMES, list::GIVEN),
            (SURNAMES, list::SURNAME),
            (COMMON_WORDS, list::COMMON),
        ] {
            for line in data_lines(text) {
                add(fold(line), bit);
            }
        }
        for (words, bit) in [
            (ROLE_HEADS, list::ROLE_HEAD),
            (AMBIGUOUS_HEADS, list::AMBIGUOUS_HEAD),
            (ROLE_MODIFIERS, list::ROLE_MODIFIER),
            (PERSON_CUES_BEFORE, list::PERSON_CUE_BEFORE),
            (ORG_SUFFIXES, list::ORG_SUFFIX),
            (ORG_HEADS_OF, list::ORG_HEAD_OF),
            (PLACE_SUFFIXES, list::PLACE_SUFFIX),
            (FUNCTION_WORDS, list::FUNCTION_WORD),
            (NAME_ADJECTIVES, list::NAME_ADJECTIVE),
            (NOT_NAMES, list::NOT_NAME),
            (MONTHS, list::MONTH),
            (CONNECTORS, list::CONNECTOR),
            (SPEECH_VERBS, list::SPEECH_VERB),
            (ORG_CUES_AFTER, list::ORG_CUE_AFTER),
            (HEADLINE_VERBS, list::HEADLINE_VERB),
            (LOCATIVES, list::LOCATIVE),
            (HYPHEN_TAILS, list::HYPHEN_TAIL),
            (CHINESE_SURNAMES, list::CHINESE_SURNAME),
            (KOREAN_SURNAMES, list::KOREAN_SURNAME),
            (EVENT_SUFFIXES, list::EVENT_SUFFIX),
            (WORK_CUES_BEFORE, list::WORK_CUE_BEFORE),
            (WORK_CUES_AFTER, list::WORK_CUE_AFTER),
            (ROLE_IN_A_WORK, list::ROLE_IN_A_WORK),
            (CONTRACTIONS, list::NOT_NAME),
        ] {
            for word in words {
                add(word.to_string(), bit);
            }
        }
        let mut formal: HashMap<String, Vec<String>> = HashMap::default();
        for line in data_lines(NICKNAMES) {
            let mut fields = line.split('\t');
            let (Some(name), Some(nicks)) = (fields.next(), fields.next()) else {
                continue;
            };
            let name = fold(name);
            formal.entry(name.clone()).or_default().push(name.clone());
            for nick in nicks.split('|').filter(|n| !n.is_empty()) {
                formal.entry(fold(nick)).or_default().push(name.clone());
            }
        }
        for names in formal.values_mut() {
            names.sort();
            names.dedup();
        }
        Lexicon { words, formal }
    }

    /// The lists `key` is on, with the two rules that read the word itself:
    /// [`list::HYPHENATED_ROLE`] and [`list::PARTICIPLE`].
    pub fn lists(&self, key: &str) -> u32 {
        let mut lists = self.words.get(key).copied().unwrap_or(0);
        let role_word = |part: &str| {
            self.words.get(part).copied().unwrap_or(0) & (list::ROLE_HEAD | list::ROLE_MODIFIER)
                != 0
        };
        if key.bytes().any(|b| b == b'-') && key.split('-').all(role_word) {
            lists |= list::HYPHENATED_ROLE;
        }
        if key.len() > 4 && (key.ends_with("ed") || key.ends_with("ing")) {
            lists |= list::PARTICIPLE;
        }
        // "Brexit", "Grexit": events named after an exit.
        if key.len() > 4 && key.ends_with("exit") {
            lists |= list::NOT_NAME;
        }
        lists
    }

    fn on<K: LexKey + ?Sized>(&self, key: &K, lists: u32) -> bool {
        key.lists(self) & lists != 0
    }

    pub fn is_given<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::GIVEN)
    }
    pub fn is_surname<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::SURNAME)
    }
    pub fn is_common<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::COMMON)
    }
    pub fn is_demonym<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::DEMONYM)
    }
    /// The formal names `key` is a nickname of (none when it is no known nickname).
    pub fn formal_names(&self, key: &str) -> &[String] {
        self.formal.get(key).map_or(&[], Vec::as_slice)
    }
    /// Whether one given name is a nickname of the other, or both of one formal name.
    pub fn nickname_related(&self, a: &str, b: &str) -> bool {
        match (self.formal.get(a), self.formal.get(b)) {
            (Some(fa), Some(fb)) => fa.iter().any(|f| fb.contains(f)),
            (Some(fa), None) => fa.iter().any(|f| f == b),
            (None, Some(fb)) => fb.iter().any(|f| f == a),
            (None, None) => false,
        }
    }
    /// A role head, or role words joined by hyphens.
    pub fn is_role_head<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ROLE_HEAD | list::HYPHENATED_ROLE)
    }
    pub fn is_ambiguous_head<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::AMBIGUOUS_HEAD)
    }
    pub fn is_role_word<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ROLE_HEAD | list::ROLE_MODIFIER)
    }
    pub fn is_role_modifier<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ROLE_MODIFIER)
    }
    pub fn is_person_cue_before<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::PERSON_CUE_BEFORE)
    }
    pub fn is_org_suffix<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ORG_SUFFIX)
    }
    pub fn is_org_head_of<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ORG_HEAD_OF)
    }
    pub fn is_place_suffix<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::PLACE_SUFFIX)
    }
    pub fn is_function_word<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::FUNCTION_WORD)
    }
    /// A function word that never begins a name ("The", "But", "According").
    pub fn is_filler<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        key.lists(self) & (list::FUNCTION_WORD | list::NAME_ADJECTIVE) == list::FUNCTION_WORD
    }
    /// Not a name, demonyms apart ("Monday", "Islamic", but not "American").
    pub fn is_not_name_word<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::NOT_NAME)
    }
    pub fn is_not_name<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::NOT_NAME | list::DEMONYM)
    }
    pub fn is_month<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::MONTH)
    }
    pub fn is_connector<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::CONNECTOR)
    }
    pub fn is_speech_verb<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::SPEECH_VERB)
    }
    pub fn is_org_cue_after<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ORG_CUE_AFTER)
    }
    pub fn is_headline_verb<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::HEADLINE_VERB)
    }
    pub fn is_locative<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::LOCATIVE)
    }
    pub fn is_hyphen_tail<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::HYPHEN_TAIL | list::PARTICIPLE)
    }
    pub fn is_chinese_surname<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::CHINESE_SURNAME)
    }
    pub fn is_event_suffix<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::EVENT_SUFFIX)
    }
    pub fn is_work_cue_before<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::WORK_CUE_BEFORE)
    }
    pub fn is_role_in_a_work<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::ROLE_IN_A_WORK)
    }
    pub fn is_work_cue_after<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::WORK_CUE_AFTER)
    }
    pub fn is_korean_surname<K: LexKey + ?Sized>(&self, key: &K) -> bool {
        self.on(key, list::KOREAN_SURNAME)
    }
}

/// "israeli" → "israelis"; "swiss" stays.
fn plural(word: &str) -> String {
    if word.ends_with('s') || word.ends_with('i') && word.len() < 4 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_load_and_answer() {
        let lex = lexicon();
        assert!(lex.is_given("joe") && lex.is_given("benjamin") && lex.is_given("yoav"));
        assert!(!lex.is_given("netanyahu"));
        assert!(lex.is_surname("smith") && lex.is_surname("baker"));
        assert!(lex.is_common("the") && lex.is_common("officials"));
        assert!(!lex.is_common("netanyahu"));
        assert!(lex.is_demonym("israeli") && lex.is_demonym("israelis"));
        assert!(lex.is_demonym("palestinian") && lex.is_demonym("american"));
        assert!(lex.nickname_related("joe", "joseph"));
        assert!(lex.nickname_related("tony", "anthony"));
        assert!(!lex.nickname_related("joe", "hunter"));
        assert!(lex.is_role_head("secretary-general") && lex.is_role_head("mrs"));
        assert!(!lex.is_role_head("gallant"));
    }
}
