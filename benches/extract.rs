//! Extraction cost per article: `build_article` and its parts over a sample of
//! real-looking articles, the seed articles of `corpus/` and the wire fixture plus
//! Reuters-style wire copy synthesised from a fixed seed (capitals headline, indented
//! paragraphs wrapped at 65 columns, people, companies, places and dates).
//!
//!     cargo bench --bench extract
//!
//! Needs no data outside the repository.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use newsearch::extract::{boilerplate, build_article, dates, entities, passages};
use newsearch::ingest::{Record, RecordMeta};

const SEED_A: &str = include_str!("../corpus/000_912483b5d7e3958a.txt");
const SEED_B: &str = include_str!("../corpus/001_3924ea85d488e746.txt");
const WIRE: &str = include_str!("../tests/fixtures/formats/wire.txt");

const PEOPLE: &[&str] = &[
    "Paul Volcker",
    "James Baker",
    "Nigel Lawson",
    "Kiichi Miyazawa",
    "Gerhard Stoltenberg",
    "Clayton Yeutter",
    "Richard Lyng",
    "Robin Leigh-Pemberton",
    "Jacques de Larosiere",
    "Li Peng",
    "Theresa May",
    "Joe Biden",
];
const ROLES: &[&str] = &[
    "Treasury Secretary",
    "Federal Reserve Board Chairman",
    "Chancellor of the Exchequer",
    "Finance Minister",
    "Agriculture Secretary",
    "U.S. Trade Representative",
    "spokesman",
    "analyst",
];
const ORGS: &[&str] = &[
    "Chrysler Corp",
    "Texaco Inc",
    "Cargill Inc",
    "Mellon Bank Corp",
    "General Motors Corp",
    "Procter and Gamble Co",
    "Bank of England",
    "International Monetary Fund",
    "Organization of Petroleum Exporting Countries",
    "Commodity Futures Trading Commission",
    "Securities and Exchange Commission",
    "European Community",
];
const PLACES: &[&str] = &[
    "NEW YORK",
    "WASHINGTON",
    "LONDON",
    "TOKYO",
    "BONN",
    "CHICAGO",
    "OTTAWA",
    "PARIS",
    "HONG KONG",
    "SINGAPORE",
];
const TOWNS: &[&str] = &[
    "Japan",
    "Brazil",
    "the United States",
    "West Germany",
    "Canada",
    "Saudi Arabia",
    "Reading",
    "Rafah",
    "Gaza",
    "Mexico",
];
const WHEN: &[&str] = &[
    "on Monday",
    "yesterday",
    "last week",
    "in March",
    "on March 25, 1987",
    "next month",
    "by April 1",
    "on Friday",
    "today",
    "since January",
];
const FIGURES: &[&str] = &[
    "1.20 dlrs a share",
    "45.3 mln dlrs",
    "three pct",
    "1,024 tonnes",
    "2.5 billion yen",
];

/// A small xorshift generator: the same sample every run.
struct Rng(u64);

impl Rng {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }
}

fn sentence(rng: &mut Rng) -> String {
    let surname = |name: &str| name.rsplit(' ').next().unwrap_or(name).to_string();
    let person = rng.pick(PEOPLE);
    let org = rng.pick(ORGS);
    match rng.0 % 7 {
        0 => format!(
            "{} {} said {} the {} would {} its stake in {}.",
            rng.pick(ROLES),
            person,
            rng.pick(WHEN),
            org,
            rng.pick(&["raise", "cut", "hold"]),
            rng.pick(ORGS)
        ),
        1 => format!(
            "{org} said it expects earnings of {} for the quarter ended {}, up from {} a year earlier.",
            rng.pick(FIGURES),
            rng.pick(&["March 31", "December 31", "June 30"]),
            rng.pick(FIGURES)
        ),
        2 => format!(
            "\"We are not going to change our policy,\" {} told reporters in {} {}.",
            surname(person),
            rng.pick(TOWNS),
            rng.pick(WHEN)
        ),
        3 => format!(
            "Officials from {} and {} met in {} to discuss trade, the {} said.",
            rng.pick(TOWNS),
            rng.pick(TOWNS),
            rng.pick(TOWNS),
            org
        ),
        4 => format!(
            "Mr {} added that the {} ({}) would meet {}.",
            surname(person),
            org,
            org.split(' ')
                .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
                .collect::<String>(),
            rng.pick(WHEN)
        ),
        5 => format!(
            "Dealers said the dollar fell against the yen in {} trading {}, while {} rose.",
            rng.pick(TOWNS),
            rng.pick(WHEN),
            rng.pick(FIGURES)
        ),
        _ => format!(
            "{}, a Hamas-run enclave official, and {} will visit {} {}.",
            person,
            rng.pick(PEOPLE),
            rng.pick(TOWNS),
            rng.pick(WHEN)
        ),
    }
}

/// Wraps `text` at 65 columns, as Reuters wire copy is.
fn wrap(text: &str, out: &mut String) {
    let mut column = 0;
    out.push_str("    ");
    for word in text.split(' ') {
        if column > 0 && column + word.len() > 65 {
            out.push('\n');
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out.push('\n');
}

/// One Reuters-style article: a headline in capitals and an indented, wrapped body.
fn wire_article(rng: &mut Rng) -> (String, String) {
    let person = rng.pick(PEOPLE);
    let surname = person.rsplit(' ').next().unwrap_or(person);
    let title = format!(
        "{} {} {} {}",
        surname,
        rng.pick(&["SAYS", "SEES", "WARNS ON", "URGES"]),
        rng.pick(&["U.S. RATES", "DOLLAR", "TRADE BILL", "OIL PRICES"]),
        rng.pick(&["WILL STAY LOW", "RISE", "IN JAPAN TALKS", ""]),
    )
    .trim()
    .to_uppercase();
    let mut body = String::new();
    let place = rng.pick(PLACES);
    let opening = format!("{place}, March 3 - {}", sentence(rng));
    wrap(&opening, &mut body);
    let paragraphs = 3 + rng.0 % 6;
    for _ in 0..paragraphs {
        let mut paragraph = sentence(rng);
        paragraph.push(' ');
        paragraph.push_str(&sentence(rng));
        wrap(&paragraph, &mut body);
    }
    body.push_str(" Reuter\n&#3;\n");
    (title, body)
}

fn record(n: u64, title: Option<&str>, date: &str, body: String) -> Record {
    Record {
        path: "bench.jsonl".into(),
        identity: format!("/bench/bench.jsonl#{n}"),
        record: Some(n),
        external_id: None,
        meta: RecordMeta {
            title: title.map(str::to_string),
            date: Some(date.into()),
            source: Some("Reuters".into()),
            ..RecordMeta::default()
        },
        body,
    }
}

/// The seed articles, the wire fixture and 200 synthesised wire articles.
fn sample() -> Vec<Record> {
    let mut records = vec![
        record(1, None, "2024-03-25", SEED_A.to_string()),
        record(2, None, "2024-03-25", SEED_B.to_string()),
        record(
            3,
            Some("Port strike enters second week"),
            "2024-04-02",
            WIRE.split("---").nth(2).unwrap_or(WIRE).to_string(),
        ),
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for n in 0..200 {
        let (title, body) = wire_article(&mut rng);
        records.push(record(4 + n, Some(&title), "1987-03-03", body));
    }
    records
}

fn bench_extract(c: &mut Criterion) {
    let records = sample();
    let bytes: u64 = records.iter().map(|r| r.body.len() as u64).sum();
    let published = NaiveDate::from_ymd_opt(1987, 3, 3);
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("build_article", |b| {
        b.iter(|| {
            for r in &records {
                black_box(build_article(black_box(r)).ok());
            }
        })
    });
    group.bench_function("extract_entities", |b| {
        b.iter(|| {
            for r in &records {
                let title = r.meta.title.as_deref().unwrap_or("");
                black_box(entities::extract_entities(black_box(title), &r.body));
            }
        })
    });
    group.bench_function("strip_boilerplate", |b| {
        b.iter(|| {
            for r in &records {
                black_box(boilerplate::strip_boilerplate(black_box(&r.body)));
            }
        })
    });
    group.bench_function("mentioned_dates", |b| {
        b.iter(|| {
            for r in &records {
                black_box(dates::mentioned_dates(black_box(&r.body), published));
            }
        })
    });
    group.bench_function("split_passages", |b| {
        b.iter(|| {
            for r in &records {
                black_box(passages::split_passages(black_box(&r.body)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_extract);
criterion_main!(benches);
