#!/usr/bin/env python3
"""Evaluate newsearch's story grouping on ECB+, Reuters-21578 and BBC News.

    python3 bench/stories_eval.py ecb     [--stories FILE] [-- EXAMPLE ARGS...]
    python3 bench/stories_eval.py reuters [--stories FILE] [--sample N] [--seed S]
    python3 bench/stories_eval.py bbc     [--stories FILE]
    python3 bench/stories_eval.py all [--index] [--out BENCHMARKS.md]

Without --stories the script runs `cargo run --release --example stories` on the
collection (arguments after `--` go to the example, e.g. `-- --join 0.25`) and reads its
output. With --index it instead indexes the collection with the release build of
newsearch (into a temporary folder) and reads the stories back with `newsearch export`:
the grouping the index holds. With --out the report also goes to FILE between the
stories-eval markers (bench/harness.py keeps that section when it rewrites the file). A stories file holds one JSON object a line, either the example's
`{"id": ..., "story": "<16 hex>"}` or `newsearch export`'s article lines, which carry
`"article_id"`, an `"external_id"` or a `"path"`, and `"story": {"id": ...}`.

- ecb: BCubed precision, recall and F1 and pairwise precision, recall and F1 against
  ../shared/data/ecbplus/gold.json (86 stories of 982 articles).
- reuters: the article pairs whose word 5-shingle Jaccard (lowercase \\w+ words of title
  and body) is at least 0.8, and the share of them that land in one story; story counts;
  and --sample multi-article stories (default 30) written to /tmp/stories_sample.txt with
  titles, dates and first lines, to read by hand. Converts the collection with
  bench/reuters.py into /tmp/reuters.jsonl when that file is missing.
- bbc: the byte-identical files (98 pairs) and whether each lands in its copy's story.

The collections are read from ../shared/data (relative to the repository root); when it
is missing the script says so and exits 2.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sections  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".." / "shared" / "data"
REUTERS_JSONL = Path("/tmp/reuters.jsonl")
WORD = re.compile(r"\w+")


def read_stories(lines) -> dict[str, str]:
    """External id (or path) → story id, from either output format."""
    out: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        story = obj.get("story")
        if isinstance(story, dict):
            story = story.get("id")
        key = obj.get("external_id") or obj.get("id") or obj.get("path") or obj.get("article_id")
        if key is None or story is None:
            continue
        out[str(key)] = str(story)
    return out


REPORT: list[str] = []


def say(line: str) -> None:
    """Prints a line of the report and keeps it for --out."""
    print(line)
    REPORT.append(line)


def run_index(inputs: list[str]) -> dict[str, str]:
    """Indexes `inputs` with newsearch and reads each article's story back."""
    subprocess.run(["cargo", "build", "-q", "--release"], cwd=REPO, check=True)
    binary = REPO / "target" / "release" / "newsearch"
    paths = [i for i in inputs if i != "--jsonl"]
    with tempfile.TemporaryDirectory(prefix="stories-eval-") as tmp:
        index = str(Path(tmp) / "index")
        cmd = [str(binary), "index", "-q", "--index", index, *paths]
        print("running:", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
        proc = subprocess.run([str(binary), "export", "-q", "--index", index],
                              stdout=subprocess.PIPE, text=True, check=True)
    return read_stories(proc.stdout.splitlines())


def run_example(inputs: list[str], extra: list[str]) -> dict[str, str]:
    cmd = ["cargo", "run", "-q", "--release", "--example", "stories", "--", *inputs, *extra]
    print("running:", " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True, check=True)
    return read_stories(proc.stdout.splitlines())


def load(args, inputs: list[str]) -> dict[str, str]:
    if args.stories:
        with open(args.stories, encoding="utf-8") as fh:
            return read_stories(fh)
    if args.index:
        return run_index(inputs)
    return run_example(inputs, args.extra)


def lookup(stories: dict[str, str], key: str) -> str | None:
    """The story of `key`, also when the file names articles by a longer path."""
    if key in stories:
        return stories[key]
    for k, v in stories.items():
        if k.endswith("/" + key):
            stories[key] = v
            return v
    return None


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    by_pred = collections.defaultdict(set)
    by_gold = collections.defaultdict(set)
    for item in gold:
        by_pred[pred[item]].add(item)
        by_gold[gold[item]].add(item)
    p = r = 0.0
    for item in gold:
        same_pred = by_pred[pred[item]]
        same_gold = by_gold[gold[item]]
        both = len(same_pred & same_gold)
        p += both / len(same_pred)
        r += both / len(same_gold)
    p /= len(gold)
    r /= len(gold)
    return p, r, 2 * p * r / (p + r)


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    def pairs(assign):
        groups = collections.defaultdict(list)
        for item, c in assign.items():
            groups[c].append(item)
        return {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}

    pp, gp = pairs(pred), pairs(gold)
    tp = len(pp & gp)
    p = tp / len(pp) if pp else 1.0
    r = tp / len(gp) if gp else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cmd_ecb(args) -> int:
    root = DATA / "ecbplus"
    gold = json.load(open(root / "gold.json", encoding="utf-8"))
    stories = load(args, ["--jsonl", str(root / "corpus.jsonl")])
    missing = [k for k in gold if lookup(stories, k) is None]
    if len(missing) > len(gold) // 100:
        print(f"{len(missing)} gold articles have no story, e.g. {missing[:3]}", file=sys.stderr)
        return 1
    # An article the index refuses (ECB+ holds one with no text) is a story of its own.
    pred = {k: lookup(stories, k) or f"missing:{k}" for k in gold}
    bp, br, bf = bcubed(pred, gold)
    pp, pr, pf = pairwise(pred, gold)
    say(f"ECB+ {len(gold)} articles, {len(set(gold.values()))} gold stories, "
          f"{len(set(pred.values()))} predicted")
    if missing:
        say(f"  not in the index (no text), counted as a story each: {', '.join(missing)}")
    say(f"  BCubed   P {bp:.3f}  R {br:.3f}  F1 {bf:.3f}")
    say(f"  pairwise P {pp:.3f}  R {pr:.3f}  F1 {pf:.3f}")
    return 0


def shingles(text: str) -> set[str]:
    words = WORD.findall(text.lower())
    if len(words) < 5:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}


def near_duplicate_pairs(docs: list[dict], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    sets = [shingles((d.get("title") or "") + "\n" + (d.get("text") or "")) for d in docs]
    postings = collections.defaultdict(list)
    for i, s in enumerate(sets):
        for sh in s:
            postings[sh].append(i)
    shared = collections.Counter()
    for ids in postings.values():
        if len(ids) > 300:  # a shingle that common cannot carry a 0.8 pair alone
            continue
        for a, b in itertools.combinations(ids, 2):
            shared[(a, b)] += 1
    out = []
    for (a, b), n in shared.items():
        if n < threshold * min(len(sets[a]), len(sets[b])):
            continue
        j = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
        if j >= threshold:
            out.append((a, b, j))
    return out


def cmd_reuters(args) -> int:
    if not REUTERS_JSONL.exists():
        subprocess.run([sys.executable, str(REPO / "bench" / "reuters.py"), "jsonl",
                        str(REUTERS_JSONL)], check=True)
    docs = [json.loads(l) for l in open(REUTERS_JSONL, encoding="utf-8") if l.strip()]
    stories = load(args, ["--jsonl", str(REUTERS_JSONL)])
    pairs = near_duplicate_pairs(docs)
    identical = sum(1 for p in pairs if p[2] == 1.0)
    together = [p for p in pairs if stories.get(docs[p[0]]["id"]) == stories.get(docs[p[1]]["id"])]
    apart = [p for p in pairs if p not in together]
    share = len(together) / len(pairs) if pairs else 1.0
    sizes = collections.Counter(stories.get(d["id"]) for d in docs)
    multi = [s for s, n in sizes.items() if n > 1]
    say(f"Reuters {len(docs)} articles, {len(sizes)} stories, {len(multi)} with more than one "
          f"article ({sum(sizes[s] for s in multi)} articles), largest {max(sizes.values())}")
    say(f"  near-duplicate pairs (5-shingle Jaccard >= 0.8): {len(pairs)} ({identical} identical); "
          f"in one story: {len(together)} = {share:.1%}")
    for a, b, j in apart[:10]:
        say(f"    apart: {docs[a]['id']} {docs[a]['date'][:11]} / {docs[b]['id']} "
              f"{docs[b]['date'][:11]} J={j:.2f} {docs[a]['title'][:50]!r}")
    rng = random.Random(args.seed)
    sample = rng.sample(sorted(multi), min(args.sample, len(multi)))
    by_story = collections.defaultdict(list)
    for d in docs:
        by_story[stories.get(d["id"])].append(d)
    with open("/tmp/stories_sample.txt", "w", encoding="utf-8") as fh:
        for n, s in enumerate(sample, 1):
            members = by_story[s]
            fh.write(f"## {n}. story {s}: {len(members)} articles\n")
            for d in members[:12]:
                first = " ".join((d.get("text") or "").split())[:160]
                fh.write(f"  {d['id']} {d['date'][:11]} | {d['title'][:70]} | {first}\n")
            if len(members) > 12:
                fh.write(f"  ... {len(members) - 12} more\n")
    say(f"  {len(sample)} multi-article stories (seed {args.seed}) written to /tmp/stories_sample.txt")
    return 0


def cmd_bbc(args) -> int:
    root = DATA / "bbc-news" / "bbc"
    files = sorted(root.glob("*/*.txt"))
    by_hash = collections.defaultdict(list)
    for f in files:
        by_hash[hashlib.sha256(f.read_bytes()).hexdigest()].append(f.relative_to(root).as_posix())
    stories = load(args, [str(root)])
    groups = [g for g in by_hash.values() if len(g) > 1]
    dup_files = [f for g in groups for f in g[1:]]
    ok = 0
    for g in groups:
        first = lookup(stories, g[0])
        ok += sum(1 for f in g[1:] if first is not None and lookup(stories, f) == first)
    sizes = collections.Counter(stories.values())
    say(f"BBC {len(files)} files, {len(sizes)} stories, "
          f"{sum(1 for n in sizes.values() if n > 1)} with more than one article")
    say(f"  duplicated files: {len(dup_files)}; in their copy's story: {ok}")
    return 0 if ok == len(dup_files) else 1


def main() -> int:
    if not DATA.is_dir():
        print(f"stories_eval: {DATA} is missing: the evaluation collections are not here",
              file=sys.stderr)
        return 2
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("collection", choices=["ecb", "reuters", "bbc", "all"])
    ap.add_argument("--stories", help="a stories file instead of running the example")
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--index", action="store_true",
                    help="read the grouping from a newsearch index of the collection")
    ap.add_argument("--out", type=Path, help="also write the report into this Markdown file")
    args = ap.parse_args(argv)
    args.extra = extra
    if args.index and (args.stories or extra):
        ap.error("--index reads the index's grouping; it takes neither --stories nor example arguments")
    if args.collection == "all":
        if args.stories:
            ap.error("all runs the example on each collection; --stories names one output")
        code = max(cmd_ecb(args), cmd_reuters(args), cmd_bbc(args))
    else:
        code = {"ecb": cmd_ecb, "reuters": cmd_reuters, "bbc": cmd_bbc}[args.collection](args)
    if args.out:
        write_section(args.out, " ".join(["python3", "bench/stories_eval.py", *sys.argv[1:]]))
    return code


def write_section(out: Path, command: str) -> None:
    """Puts the report in the stories-eval section of `out`."""
    source = ("the grouping read back from a newsearch index (`newsearch export`)" if "--index" in command
              else "the grouping of `examples/stories.rs` (the index's own sketching and clustering)")
    body = "\n".join(["## Stories (bench/stories_eval.py)", "",
                       f"Command: `{command}`; {source}. ECB+: "
                       "../shared/data/ecbplus (982 articles, 86 gold stories); Reuters: "
                       "article pairs with word 5-shingle Jaccard >= 0.8 and whether they share a "
                       "story; BBC: the byte-identical files and whether each is in its copy's story.",
                       "", "```", *REPORT, "```"])
    sections.put(out, "stories-eval", body)
    print(f"stories_eval: wrote its section of {out}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
