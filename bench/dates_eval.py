#!/usr/bin/env python3
"""Date extraction on Reuters-21578: publication dates against the DATE tags, the
monthly histogram against counts computed from the tags, and mentioned dates found.

    python3 bench/dates_eval.py [--binary PATH] [--work DIR]

Converts the collection (../shared/data/reuters21578, never committed) with
bench/reuters.py into one .txt a story (front matter carries the raw DATE text), indexes
it with `newsearch index --full`, then reads `newsearch export` and
`newsearch facets --interval month --format json`.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def tag_day(raw: str) -> str:
    """The day of a Reuters DATE tag such as '26-FEB-1987 15:01:01.79'."""
    return datetime.datetime.strptime(raw.split()[0], "%d-%b-%Y").strftime("%Y-%m-%d")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsearch-bench"))
    args = parser.parse_args()
    src = REPO.parent / "shared/data/reuters21578"
    if not src.is_dir():
        print(f"dates_eval.py: Reuters-21578 not found at {src}", file=sys.stderr)
        return 2
    corpus = args.work / "reuters-txt"
    if not (corpus / "reut-00001.txt").exists():
        subprocess.run([sys.executable, str(REPO / "bench/reuters.py"), "txt", str(corpus)], check=True)
    tags_file = args.work / "reuters-tags.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench/reuters.py"), "tags", str(tags_file)], check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    index = args.work / "index-dates"
    ns = [str(args.binary), "--index", str(index)]
    subprocess.run(ns + ["-q", "index", "--full", str(corpus)], check=True, stderr=subprocess.DEVNULL)

    expected = {}
    for line in tags_file.read_text().splitlines():
        tag = json.loads(line)
        expected[tag["id"]] = tag_day(tag["date"])
    exported = subprocess.run(ns + ["export"], check=True, capture_output=True, text=True).stdout
    found = {}
    mentions = 0
    for line in exported.splitlines():
        article = json.loads(line)
        found[Path(article["path"]).stem] = article["date"]
        mentions += len(article["mentioned_dates"])

    equal = sum(1 for key, day in expected.items() if found.get(key) == day)
    missing = [key for key in expected if key not in found]
    wrong = [(key, expected[key], found.get(key)) for key in expected if key in found and found[key] != expected[key]]
    print(f"publication dates: {equal}/{len(expected)} equal to the DATE tag "
          f"({100.0 * equal / len(expected):.2f}%); {len(missing)} articles missing, {len(wrong)} different")
    for key, want, got in wrong[:10]:
        print(f"  {key}: tag {want}, extracted {got}")

    facets = json.loads(subprocess.run(ns + ["facets", "--interval", "month", "--format", "json"],
                                       check=True, capture_output=True, text=True).stdout)
    histogram = {b["key"]: b["count"] for b in facets["facets"]["date"] if b["count"] or b["key"] != "unknown"}
    from_tags = collections.Counter(day[:7] for day in expected.values())
    months = sorted(set(histogram) | set(from_tags))
    differing = [(m, from_tags.get(m, 0), histogram.get(m, 0)) for m in months if from_tags.get(m, 0) != histogram.get(m, 0)]
    print(f"monthly histogram: {len(months)} months, {len(differing)} differ from the tag counts")
    for month, want, got in differing:
        print(f"  {month}: tags {want}, histogram {got}")
    print(f"mentioned dates: {mentions} in {len(found)} articles = {1000.0 * mentions / max(len(found), 1):.0f} per 1,000 articles")
    return 0 if equal == len(expected) and not differing else 1


if __name__ == "__main__":
    sys.exit(main())
