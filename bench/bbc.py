#!/usr/bin/env python3
"""Converts the BBC News collection (Greene & Cunningham 2006: 2,225 articles in five topic
folders, line 1 the title, then the body; no dates) to JSON lines for the entity benchmarks.

    python3 bench/bbc.py jsonl /tmp/bbc.jsonl [--src ../shared/data/bbc-news/bbc]

Each line: {"id": "business/001", "path": "business/001.txt", "title": ..., "text": ...}.
The files are ASCII but for one Latin-1 byte (sport/199.txt), decoded here as Windows-1252.
The data is read from ../shared/data/bbc-news (copyright the BBC; never committed); the
script says so and exits 2 when it is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SRC = REPO.parent / "shared" / "data" / "bbc-news" / "bbc"
TOPICS = ("business", "entertainment", "politics", "sport", "tech")


class SourceError(Exception):
    pass


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def articles(src: Path):
    """Yields one dict per article, in topic and file order."""
    if not all((src / topic).is_dir() for topic in TOPICS):
        raise SourceError(f"{src} does not hold the BBC News topic folders")
    for topic in TOPICS:
        for path in sorted((src / topic).glob("*.txt")):
            text = decode(path.read_bytes())
            title, _, body = text.partition("\n")
            rel = f"{topic}/{path.name}"
            yield {"id": rel[: -len(".txt")], "path": rel, "title": title.strip(),
                   "text": body.strip("\n")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("format", choices=["jsonl"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    args = parser.parse_args()
    try:
        items = list(articles(args.src))
    except SourceError as err:
        print(f"bbc.py: {err} (BBC News is not in the repository)", file=sys.stderr)
        return 2
    with args.out.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"bbc.py: {len(items)} articles written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
