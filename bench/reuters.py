#!/usr/bin/env python3
"""Convert the Reuters-21578 SGML collection into article files for newsearch.

Reads reut2-000.sgm ... reut2-021.sgm and writes one of three outputs:

    python3 bench/reuters.py txt   OUTDIR  [--src DIR] [--limit N] [--keep-unproc]
        One file per story, OUTDIR/reut-NNNNN.txt (NNNNN = NEWID padded to 5
        digits): a YAML front-matter block (title, date, source, dateline;
        values JSON-quoted) followed by the body text.

    python3 bench/reuters.py jsonl OUTFILE [--src DIR] [--limit N] [--keep-unproc]
        One JSON object per story: id, title, date, source, dateline, text,
        topics, places, people, orgs, exchanges.  OUTFILE "-" means stdout.
        `newsearch index OUTFILE` (or `... | newsearch index -`) reads id,
        title, date, source and text from it; the other fields are ignored.

    python3 bench/reuters.py tags  OUTFILE [--src DIR] [--keep-unproc]
        Ground truth for evaluations: one JSON object per story with id,
        date, places, people, orgs.  OUTFILE "-" means stdout.

DIR defaults to ../shared/data/reuters21578 relative to the repository root
(the parent of this script's bench/ directory).  Counts go to stderr.

Body text: the <BODY> element.  TYPE="BRIEF" stories have a title only (their
"Blah blah blah." filler lies outside any element and is dropped), so their
body is empty.  TYPE="UNPROC" stories have neither <TITLE> nor <BODY>; their
body is the raw <TEXT> content with tags stripped.  Stories with neither a
title nor any body text are skipped.  By default the UNPROC stories are skipped
as well, which leaves the 20,841 stories that have a <TITLE> or <BODY>; with
--keep-unproc they are written too (21,577 stories).

Text clean-up: the files are read as bytes and decoded as latin-1 (they are
ASCII except for one stray byte in reut2-017.sgm); SGML entities (&lt; &amp;
&#3; ...) are unescaped with html.unescape and the control characters that
the numeric entities produce (\\x02, \\x03, \\x1f, \\x7f, ...) are dropped.
Line structure and paragraph indentation of bodies are kept; trailing spaces
on lines are removed.  Dates are the <DATE> text with whitespace collapsed and
the stray trailers some records carry (tab-separated codes, "# ..." comments)
removed.  The files are not well-formed XML, so they are parsed with regexes.

Licence: Reuters-21578, Distribution 1.0: research use; the data is read from
../shared/data and never committed.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Iterator, TextIO

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = REPO_ROOT / ".." / "shared" / "data" / "reuters21578"

RECORD_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
D_RE = re.compile(r"<D>(.*?)</D>", re.S)
TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
# Control characters except \t and \n (C0, DEL and C1).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DATE_CORE_RE = re.compile(r"\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d+:\d\d:\d\d(?:\.\d+)?")


class SourceError(Exception):
    """The source directory is missing or holds no reut2-*.sgm files."""


def element(text: str, name: str) -> str | None:
    """Inner text of the first <name ...>...</name> element, or None."""
    m = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", text, re.S)
    return m.group(1) if m else None


def clean(raw: str) -> str:
    """Unescape SGML entities and drop control characters (keep \\t, \\n)."""
    text = html.unescape(raw)
    return CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(raw: str | None) -> str:
    """Cleaned text with all whitespace runs collapsed to single spaces."""
    if raw is None:
        return ""
    return " ".join(clean(raw).split())


def block(raw: str | None) -> str:
    """Cleaned multi-line text: keep lines and indentation, trim the edges."""
    if raw is None:
        return ""
    lines = [line.rstrip() for line in clean(raw).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def clean_date(raw: str | None) -> str:
    text = one_line(raw)
    m = DATE_CORE_RE.search(text)
    return " ".join(m.group(0).split()) if m else text


def labels(rec: str, name: str) -> list[str]:
    inner = element(rec, name)
    if inner is None:
        return []
    return [v for v in (one_line(d) for d in D_RE.findall(inner)) if v]


def sgm_files(src: Path) -> list[Path]:
    if not src.is_dir():
        raise SourceError(f"source directory not found: {src}")
    files = sorted(src.glob("reut2-*.sgm"))
    if not files:
        raise SourceError(f"no reut2-*.sgm files in {src}")
    return files


def parse_record(attrs: str, rec: str) -> dict:
    attr = dict(ATTR_RE.findall(attrs))
    newid = int(attr["NEWID"])
    text_m = re.search(r"<TEXT\b([^>]*)>(.*?)</TEXT>", rec, re.S)
    text_attrs, text = (text_m.group(1), text_m.group(2)) if text_m else ("", "")
    text_type = dict(ATTR_RE.findall(text_attrs)).get("TYPE", "NORM")
    title_raw = element(text, "TITLE")
    body_raw = element(text, "BODY")
    if body_raw is None and title_raw is None:
        # UNPROC (or any unstructured story): the TEXT content, tags stripped.
        body_raw = TAG_RE.sub("", text)
    return {
        "newid": newid,
        "type": text_type,
        "title": one_line(title_raw),
        "date": clean_date(element(rec, "DATE")),
        "dateline": one_line(element(text, "DATELINE")),
        "text": block(body_raw),
        "topics": labels(rec, "TOPICS"),
        "places": labels(rec, "PLACES"),
        "people": labels(rec, "PEOPLE"),
        "orgs": labels(rec, "ORGS"),
        "exchanges": labels(rec, "EXCHANGES"),
    }


def stories(src: Path, stats: dict, skip_unproc: bool = False) -> Iterator[dict]:
    """Yield parsed stories that have a title or body text."""
    for path in sgm_files(src):
        data = path.read_bytes().decode("latin-1")
        for m in RECORD_RE.finditer(data):
            story = parse_record(m.group(1), m.group(2))
            stats["records"] += 1
            if skip_unproc and story["type"] == "UNPROC":
                stats["skipped_unproc"] += 1
                continue
            if not story["title"] and not story["text"]:
                stats["skipped_empty"] += 1
                continue
            yield story


def story_id(story: dict) -> str:
    return f"reut-{story['newid']:05d}"


def render_txt(story: dict) -> str:
    lines = ["---"]
    if story["title"]:
        lines.append(f"title: {json.dumps(story['title'])}")
    lines.append(f"date: {json.dumps(story['date'])}")
    lines.append("source: Reuters")
    if story["dateline"]:
        lines.append(f"dateline: {json.dumps(story['dateline'])}")
    lines.append("---")
    head = "\n".join(lines) + "\n"
    return head + (story["text"] + "\n" if story["text"] else "")


def open_out(name: str) -> tuple[TextIO, bool]:
    if name == "-":
        return sys.stdout, False
    path = Path(name)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", newline="\n"), True


def cmd_txt(args: argparse.Namespace, stats: dict) -> int:
    outdir = Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    written = 0
    for story in stories(args.src, stats, not args.keep_unproc):
        if args.limit is not None and written >= args.limit:
            break
        path = outdir / f"{story_id(story)}.txt"
        path.write_text(render_txt(story), encoding="utf-8", newline="\n")
        written += 1
    return written


def cmd_jsonl(args: argparse.Namespace, stats: dict) -> int:
    out, close = open_out(args.out)
    written = 0
    try:
        for story in stories(args.src, stats, not args.keep_unproc):
            if args.limit is not None and written >= args.limit:
                break
            obj = {
                "id": story_id(story),
                "title": story["title"],
                "date": story["date"],
                "source": "Reuters",
                "dateline": story["dateline"],
                "text": story["text"],
                "topics": story["topics"],
                "places": story["places"],
                "people": story["people"],
                "orgs": story["orgs"],
                "exchanges": story["exchanges"],
            }
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            written += 1
    finally:
        if close:
            out.close()
        else:
            out.flush()
    return written


def cmd_tags(args: argparse.Namespace, stats: dict) -> int:
    out, close = open_out(args.out)
    written = 0
    try:
        for story in stories(args.src, stats, not args.keep_unproc):
            obj = {
                "id": story_id(story),
                "date": story["date"],
                "places": story["places"],
                "people": story["people"],
                "orgs": story["orgs"],
            }
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            written += 1
    finally:
        if close:
            out.close()
        else:
            out.flush()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert Reuters-21578 SGML into newsearch article files.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, limit: bool) -> None:
        p.add_argument("--src", type=Path, default=DEFAULT_SRC,
                       help="directory with reut2-*.sgm (default: %(default)s)")
        p.add_argument("--keep-unproc", action="store_true",
                       help='also write TYPE="UNPROC" stories (no TITLE/BODY)')
        if limit:
            p.add_argument("--limit", type=int, default=None, metavar="N",
                           help="write at most N stories")

    p = sub.add_parser("txt", help="one front-matter .txt file per story")
    p.add_argument("out", metavar="OUTDIR")
    common(p, True)
    p.set_defaults(func=cmd_txt)

    p = sub.add_parser("jsonl", help="JSON lines, one story per line")
    p.add_argument("out", metavar="OUTFILE", help='"-" for stdout')
    common(p, True)
    p.set_defaults(func=cmd_jsonl)

    p = sub.add_parser("tags", help="JSON lines of id/date/places/people/orgs")
    p.add_argument("out", metavar="OUTFILE", help='"-" for stdout')
    common(p, False)
    p.set_defaults(func=cmd_tags)

    args = parser.parse_args(argv)
    if getattr(args, "limit", None) is not None and args.limit < 0:
        parser.error("--limit must be >= 0")
    stats = {"records": 0, "skipped_empty": 0, "skipped_unproc": 0}
    try:
        sgm_files(args.src)  # fail before creating any output
        written = args.func(args, stats)
    except SourceError as exc:
        print(f"reuters.py: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    msg = (f"reuters.py: {written} stories written to {args.out} "
           f"({stats['records']} records read, {stats['skipped_empty']} "
           f"skipped with neither title nor body")
    if not args.keep_unproc:
        msg += f", {stats['skipped_unproc']} UNPROC skipped"
    print(msg + ")", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
