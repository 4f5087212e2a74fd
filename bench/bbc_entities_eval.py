#!/usr/bin/env python3
"""Entities of BBC News (2,225 articles, no tags, no dates) against a hand-written gold file.

    python3 bench/bbc_entities_eval.py                     # extract, link, report
    python3 bench/bbc_entities_eval.py --linked FILE       # read examples/entities --linked
    python3 bench/bbc_entities_eval.py --top 200           # also list the top person values
    python3 bench/bbc_entities_eval.py --sample 100 --seed 1   # person values to check by hand
    python3 bench/bbc_entities_eval.py --articles 50 --seed 1  # articles to read for recall

Default mode converts the collection with bench/bbc.py, runs `cargo run --release --example
entities -- --jsonl F --linked` (extraction, a CorpusLinker pass, then each article's names
resolved in its context with AliasTable::canonical_in) and reads one line per article:
{"path", "person": [...], "org": [...], "place": [...]}.

bench/bbc_gold.tsv holds two kinds of rows (see its header):
- entity: a well-known person, organisation or place and the forms that name it. Reported:
  the articles whose text holds a form (gold), how many of them list the canonical name
  (recall), how many other articles list it (extra: bare surnames linked by the corpus, or
  errors), and any other value of the same kind that is one of the forms or, for people,
  the surname alone or a name ending with it whose first letter fits: the entity split.
- surname: the articles that name a person in full, by a title and the surname ("Mr
  Blair"), or by the surname alone where the article gives no other full name with that
  surname, less hand-checked exclusions; reported: the share that list the full name.

The data is read from ../shared/data/bbc-news (copyright the BBC; never committed); the
script says so and exits 2 when it is missing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import bbc  # noqa: E402  (bench/bbc.py, beside this script)

KINDS = ("person", "org", "place")
# Words before a surname that still mean the person ("Mr Blair", "Chancellor Brown").
TITLES = {"Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "Prime", "Minister", "Chancellor",
          "Leader", "President", "Tory", "Labour", "Conservative", "Champion", "Swiss", "PM",
          "MP", "Premier", "The", "A", "But", "And", "In", "However", "Meanwhile", "When", "As",
          "If", "So", "Both", "For"}


def word_re(forms: list[str]) -> re.Pattern:
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])")


def load_gold(path: Path):
    entities, surnames = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        row, kind, name, rest = (line.split("\t") + [""])[:4]
        forms = [f for f in rest.split("|") if f]
        (entities if row == "entity" else surnames).append((kind, name, forms))
    return entities, surnames


def run_example(articles: list[dict], workdir: Path) -> tuple[dict[str, dict], str]:
    jsonl = workdir / "bbc.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps(a, ensure_ascii=False) + "\n")
    cmd = ["cargo", "run", "--quiet", "--release", "--example", "entities", "--",
           "--jsonl", str(jsonl), "--linked"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bbc_entities_eval: {' '.join(cmd)} failed:\n{proc.stderr}")
    return read_linked(proc.stdout.splitlines()), proc.stderr.strip()


def read_linked(lines) -> dict[str, dict]:
    out = {}
    for line in lines:
        if line.strip():
            record = json.loads(line)
            out[record["path"]] = record
    return out


def same_entity_value(kind: str, canonical: str, forms: list[str], value: str) -> bool:
    """Whether `value` is another name of the entity: a form, or for people the surname
    alone or a full name with the surname whose first letter fits."""
    if value == canonical:
        return False
    if value in forms:
        return True
    if kind != "person":
        return False
    given, surname = canonical.split()[0], canonical.split()[-1]
    words = value.split()
    return words[-1] == surname and (len(words) == 1 or words[0][0] == given[0])


def surname_gold(texts: dict[str, str], full: str) -> list[str]:
    given, surname = full.split()[0], full.split()[-1]
    gold = []
    for path, text in texts.items():
        if full in text:
            gold.append(path)
            continue
        others = {m.group(1) for m in re.finditer(r"\b([A-Z][a-z]+) " + surname + r"\b", text)
                  if m.group(1) not in TITLES}
        if others:
            continue
        for m in re.finditer(r"\b" + surname + r"\b", text):
            after = text[m.end():m.end() + 20]
            before = re.search(r"\b([A-Z][a-z]+) $", text[max(0, m.start() - 20):m.start()])
            followed = re.match(r"\s+(?:[A-Z][a-z]+|and|&)\b", after) and not re.match(
                r"\s+(?:The|But|In|He|She|It|Mr|Mrs)\b", after)
            if not followed and (before is None or before.group(1) in TITLES):
                gold.append(path)
                break
    return gold


def context(text: str, needle: str, width: int = 80) -> str:
    at = text.find(needle)
    if at < 0:
        return ""
    return "..." + text[max(0, at - width):at + len(needle) + width].replace("\n", " ") + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=bbc.DEFAULT_SRC)
    parser.add_argument("--linked", type=Path, help="examples/entities --linked output")
    parser.add_argument("--gold", type=Path, default=BENCH / "bbc_gold.tsv")
    parser.add_argument("--top", type=int, default=0, metavar="N")
    parser.add_argument("--sample", type=int, default=0, metavar="N")
    parser.add_argument("--articles", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    try:
        articles = list(bbc.articles(args.src))
    except bbc.SourceError as err:
        print(f"bbc_entities_eval: {err} (BBC News is not in the repository)", file=sys.stderr)
        return 2
    texts = {a["path"]: a["title"] + "\n" + a["text"] for a in articles}
    timing = ""
    if args.linked:
        linked = read_linked(args.linked.read_text(encoding="utf-8").splitlines())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            linked, timing = run_example(articles, Path(tmp))
    entities, surnames = load_gold(args.gold)

    print(f"BBC News: {len(linked)} articles" + (f" ({timing})" if timing else ""))
    print(f"\n{'entity':28}{'gold':>6}{'found':>7}{'recall':>8}{'extra':>7}  other values")
    total_gold = total_found = one_entity = 0
    for kind, name, forms in entities:
        pattern = word_re(forms)
        gold = {p for p, t in texts.items() if pattern.search(t)}
        listed = {p for p, r in linked.items() if name in r.get(kind, [])}
        split = Counter(v for p, r in linked.items() for v in r.get(kind, [])
                        if same_entity_value(kind, name, forms, v))
        found = len(gold & listed)
        total_gold += len(gold)
        total_found += found
        one_entity += not split
        recall = found / len(gold) if gold else 0
        others = ", ".join(f"{v} ({n})" for v, n in split.most_common(4))
        print(f"{name[:27]:28}{len(gold):>6}{found:>7}{recall:>8.3f}{len(listed - gold):>7}  {others}")
    print(f"{len(entities)} entities: {one_entity} with no other value; recall over all gold "
          f"articles {total_found}/{total_gold} = {total_found / max(total_gold, 1):.3f}")

    print(f"\n{'person by surname':28}{'gold':>6}{'one value':>10}{'share':>8}")
    for _, full, excluded in surnames:
        gold = [p for p in surname_gold(texts, full) if p not in excluded]
        found = [p for p in gold if full in linked.get(p, {}).get("person", [])]
        print(f"{full:28}{len(gold):>6}{len(found):>10}{len(found) / max(len(gold), 1):>8.3f}")

    counts = Counter(v for r in linked.values() for v in set(r.get("person", [])))
    if args.top:
        print(f"\nTop {args.top} person values (articles):")
        print(" | ".join(f"{n} {v}" for v, n in counts.most_common(args.top)))
    rng = random.Random(args.seed)
    if args.sample:
        values = sorted(counts)
        print(f"\nSample of {args.sample} distinct person values (seed {args.seed}), with the "
              "text around one mention, to check by hand:")
        for i, value in enumerate(rng.sample(values, min(args.sample, len(values))), 1):
            path = next(p for p, r in sorted(linked.items()) if value in r.get("person", []))
            needle = value if value in texts[path] else value.split()[-1]
            print(f"{i:3}. {value!r} ({counts[value]}) {path}\n     {context(texts[path], needle)}")
    if args.articles:
        print(f"\n{args.articles} articles (seed {args.seed}) to read for the names a reader "
              "expects:")
        for path in rng.sample(sorted(linked), min(args.articles, len(linked))):
            r = linked[path]
            print(f"\n== {path}: {texts[path][:700]!r}")
            for kind in KINDS:
                print(f"   {kind}: {r.get(kind, [])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
