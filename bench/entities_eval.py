#!/usr/bin/env python3
"""Document-level recall of Reuters-21578's hand-assigned PLACES, PEOPLE and ORGS tags
against the entities newsearch extracts.

    python3 bench/entities_eval.py                  # extract with examples/entities.rs
    python3 bench/entities_eval.py --export FILE    # read `newsearch export --format jsonl`
    python3 bench/entities_eval.py --sample 50 --seed 1   # also print 50 entities to check
    python3 bench/entities_eval.py --articles 50 --seed 1 # and 50 stories to read for recall

Default mode converts the collection with bench/reuters.py (the stories that have a
TITLE or BODY), runs `cargo run --release --example entities -- --jsonl F --resolve
--mentions` and reads its output. With --export, FILE holds the JSON lines that
`newsearch export --format jsonl` prints for an index built from the files
`python3 bench/reuters.py txt DIR` writes; each line carries "path" (reut-NNNNN.txt) and
"entities": {"person": [...], "org": [...], "place": [...]} with canonical names.

bench/reuters_entity_tags.tsv maps each tag (usa, west-germany, volcker, opec) to the
usual forms of its name. A tag is *found* when an extracted entity of its kind is one of
those forms (for people also: a full name ending in a short form, whose first letter fits
the full name's given name: "Paul A. Volcker" for volcker, not "Howard Baker" for
james-baker). A tag is *findable* when one of its forms appears in the story's title or
text, word-bounded and case-sensitive (or in capitals). Reuters tags often name a country
the text never mentions (usa on most company news), so recall is reported over findable
tags and, for reference, over all tags. Tags are not exhaustive: precision is checked by
reading a --sample of extracted entities by hand.

The data is read from ../shared/data/reuters21578 (research use only; never committed);
the script says so and exits 2 when it is missing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import reuters  # noqa: E402  (bench/reuters.py, beside this script)

KINDS = ("place", "person", "org")
TAG_FIELDS = {"place": "places", "person": "people", "org": "orgs"}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace(".", "").replace("’", "'").split())


def load_tags(path: Path) -> dict[tuple[str, str], list[str]]:
    tags = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, tag, forms = line.split("\t")
        tags[(kind, tag)] = [f for f in forms.split("|") if f]
    return tags


class Tag:
    """One tag's forms, folded for matching and compiled for findability."""

    def __init__(self, kind: str, forms: list[str]):
        self.kind = kind
        self.forms = forms
        self.folded = [fold(f) for f in forms]
        patterns = []
        for form in forms:
            variants = {form, form.upper()} if any(c.islower() for c in form) else {form}
            patterns += [re.escape(v) for v in variants]
        self.findable_re = re.compile(r"(?<![\w])(?:" + "|".join(patterns) + r")(?![\w])")

    def findable(self, text: str) -> bool:
        return self.findable_re.search(text) is not None

    def found(self, names: list[str]) -> bool:
        for name in names:
            n = fold(name)
            if n in self.folded:
                return True
            if self.kind != "person":
                continue
            full = self.folded[0].split()
            tokens = n.split()
            if len(tokens) < 2:
                continue
            for short in self.folded:
                if short == self.folded[0] and len(full) > 1:
                    continue
                if n.endswith(" " + short):
                    given_known = len(full) > len(short.split())
                    if not given_known or tokens[0][0] == full[0][0]:
                        return True
        return False


def run_example(stories: list[dict], workdir: Path) -> tuple[dict[str, dict], dict[str, list], str]:
    jsonl = workdir / "reuters.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for story in stories:
            out.write(json.dumps({"id": reuters.story_id(story), "title": story["title"],
                                  "text": story["text"]}, ensure_ascii=False) + "\n")
    cmd = ["cargo", "run", "--quiet", "--release", "--example", "entities", "--",
           "--jsonl", str(jsonl), "--resolve", "--mentions"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"entities_eval: {' '.join(cmd)} failed:\n{proc.stderr}")
    entities, mentions = {}, {}
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        entities[record["article_id"]] = record["entities"]
        mentions[record["article_id"]] = record.get("mentions", [])
    return entities, mentions, proc.stderr.strip()


def read_export(path: Path) -> dict[str, dict]:
    entities = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        stem = Path(record.get("path", "")).name.split(".")[0]
        key = stem if re.fullmatch(r"reut-\d+", stem) else record.get("article_id")
        entities[key] = record.get("entities", {})
    return entities


def evaluate(stories, entities, tags):
    counts = {k: defaultdict(int) for k in KINDS}
    unknown = set()
    compiled: dict[tuple[str, str], Tag] = {}
    per_article = {k: 0 for k in KINDS}
    misses = []
    evaluated = 0
    for story in stories:
        sid = reuters.story_id(story)
        if sid not in entities:
            continue
        evaluated += 1
        extracted = entities[sid]
        text = story["title"] + "\n" + story["text"]
        for kind in KINDS:
            names = extracted.get(kind, [])
            per_article[kind] += len(names)
            for tag in story[TAG_FIELDS[kind]]:
                if (kind, tag) not in tags:
                    unknown.add((kind, tag))
                    continue
                t = compiled.setdefault((kind, tag), Tag(kind, tags[(kind, tag)]))
                found = t.found(names)
                findable = t.findable(text)
                c = counts[kind]
                c["tags"] += 1
                c["found"] += found
                c["findable"] += findable
                c["found_findable"] += found and findable
                if findable and not found:
                    misses.append((sid, kind, tag, names))
    return counts, per_article, evaluated, unknown, misses


def context(text: str, start: int, end: int, width: int = 70) -> str:
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"...{left}[[{text[start:end]}]]{right}..."


def print_sample(stories, entities, mentions, n, seed):
    """Prints n random extracted entities with the text around their first mention
    (article-level names when the mentions are known, canonical names otherwise)."""
    by_id = {reuters.story_id(s): s for s in stories}
    pool = []
    for sid in sorted(entities):
        if mentions.get(sid):
            pool += [(sid, e["kind"], e["name"], e["mentions"][0]) for e in mentions[sid]]
        else:
            pool += [(sid, kind, name, None) for kind in KINDS for name in entities[sid].get(kind, [])]
    rng = random.Random(seed)
    print(f"\nSample of {n} extracted entities (seed {seed}) for checking by hand:")
    for i, (sid, kind, name, mention) in enumerate(rng.sample(pool, min(n, len(pool))), 1):
        story = by_id.get(sid, {"title": "", "text": ""})
        if mention:
            source = story["title"] if mention.get("in_title") else story["text"]
            where = context(source, mention["start"], mention["end"])
        else:
            text = story["title"] + "\n" + story["text"]
            at = text.lower().find(name.split()[-1].lower())
            where = context(text, at, at + len(name.split()[-1])) if at >= 0 else story["title"]
        print(f"{i:3}. {sid} {kind:6} {name!r}\n     {where}")


def print_articles(stories, entities, n, seed):
    """Prints n random stories with the entities extracted from them, to read for the
    names a reader would expect (recall beyond the tags)."""
    by_id = {reuters.story_id(s): s for s in stories}
    rng = random.Random(seed)
    print(f"\n{n} stories (seed {seed}) to read for the names a reader expects:")
    for sid in rng.sample(sorted(entities), min(n, len(entities))):
        story = by_id.get(sid, {"title": "", "text": ""})
        print(f"\n== {sid}: {(story['title'] + chr(10) + story['text'])[:700]!r}")
        for kind in KINDS:
            print(f"   {kind}: {entities[sid].get(kind, [])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=reuters.DEFAULT_SRC)
    parser.add_argument("--export", type=Path, help="newsearch export --format jsonl output")
    parser.add_argument("--tags", type=Path, default=BENCH / "reuters_entity_tags.tsv")
    parser.add_argument("--sample", type=int, default=0, metavar="N")
    parser.add_argument("--articles", type=int, default=0, metavar="N",
                        help="print N stories with their entities to read for recall")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="list N findable tags per kind that were not found")
    args = parser.parse_args()

    try:
        stories = list(reuters.stories(args.src, defaultdict(int), skip_unproc=True))
    except reuters.SourceError as err:
        print(f"entities_eval: {err} (Reuters-21578 is not in the repository)", file=sys.stderr)
        return 2
    tags = load_tags(args.tags)
    timing = ""
    mentions: dict[str, list] = {}
    if args.export:
        entities = read_export(args.export)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            entities, mentions, timing = run_example(stories, Path(tmp))
    counts, per_article, evaluated, unknown, misses = evaluate(stories, entities, tags)

    figures = {"articles": evaluated, "kinds": {}}
    for kind in KINDS:
        c = counts[kind]
        figures["kinds"][kind] = {
            "tags": c["tags"],
            "findable": c["findable"],
            "recall_findable": round(c["found_findable"] / c["findable"], 4) if c["findable"] else None,
            "recall_all": round(c["found"] / c["tags"], 4) if c["tags"] else None,
            "entities_per_article": round(per_article[kind] / evaluated, 3) if evaluated else None,
        }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"Reuters-21578: {evaluated} stories evaluated"
              + (f" ({timing})" if timing else ""))
        print(f"{'kind':8}{'tags':>7}{'findable':>10}{'recall(findable)':>18}{'recall(all)':>13}{'per article':>13}")
        for kind in KINDS:
            f = figures["kinds"][kind]
            print(f"{kind:8}{f['tags']:>7}{f['findable']:>10}{f['recall_findable']:>18}"
                  f"{f['recall_all']:>13}{f['entities_per_article']:>13}")
        total = sum(per_article.values()) / evaluated if evaluated else 0
        print(f"entities per article, all kinds: {total:.3f}")
    if unknown:
        print(f"tags missing from {args.tags.name}: {sorted(unknown)}", file=sys.stderr)
    for kind in KINDS if args.misses else ():
        missed = [m for m in misses if m[1] == kind]
        print(f"\n{len(missed)} findable {kind} tags not found; the first {args.misses}:")
        for sid, _, tag, names in missed[: args.misses]:
            print(f"  {sid} {tag}: extracted {names}")
    if args.sample:
        print_sample(stories, entities, mentions, args.sample, args.seed)
    if args.articles:
        print_articles(stories, entities, args.articles, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
