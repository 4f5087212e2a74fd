"""Sections of BENCHMARKS.md that a benchmark script owns, between its markers
(`<!-- NAME -->` … `<!-- /NAME -->`): the script rewrites its own section in place and
bench/harness.py keeps it when it rewrites the rest of the file."""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name} -->", f"<!-- /{name} -->"


def find(text: str, name: str) -> str | None:
    """The section `name` of `text`, markers included, or None."""
    begin, end = markers(name)
    if begin not in text or end not in text:
        return None
    return text[text.index(begin):text.index(end) + len(end)]


def put(out: Path, name: str, body: str) -> None:
    """Writes `body` as the section `name` of `out`: in place of the old one, else at
    the end (the file is created when missing)."""
    begin, end = markers(name)
    section = f"{begin}\n{body}\n{end}"
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    old = find(text, name)
    if old is not None:
        text = text.replace(old, section, 1)
    elif text.strip():
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = section + "\n"
    out.write_text(text, encoding="utf-8")
