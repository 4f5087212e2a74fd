#!/usr/bin/env python3
"""Speed and memory benchmark: newsearch side by side with tantivy-cli, SQLite FTS5 and Xapian.

    python3 bench/harness.py [--runs N] [--skip-scale] [--skip-time-eval] [--no-install]
                             [--engines newsearch,tantivy-cli,fts5,xapian] [--no-profile]
                             [--work DIR] [--out BENCHMARKS.md]

Prepares Reuters-21578 as JSON lines (bench/reuters.py, from ../shared/data/reuters21578,
into --work), builds the release binary, installs missing peers (tantivy-cli with
`cargo install tantivy-cli`, without --locked; Xapian from Debian with apt-get), then in
each of --runs rounds, engines interleaved so that a change in machine load hits all of
them alike:

  * index: one whole process per engine into a fresh folder: wall time and peak RSS
    (the kernel's ru_maxrss through wait4); index size on disk after the last round;
  * query: each of the 30 news queries in QUERIES as its own whole process (wall time);
  * in-process query time where the engine allows: SQLite FTS5 and Xapian through a
    Python loop (bench/peers.py; top 10 with snippets), tantivy-cli through its own
    `bench` command (top 10 + count, then fetching the 10 stored documents), newsearch
    through examples/query_bench.rs (the library's `search()`, top 10 passages with
    snippets and highlights); the process-start floor (`--version`) is given too.

Then it runs bench/time_eval.py (ranking quality on TIME) and bench/scale.py (one million
articles; skipped with --skip-scale, in which case the last scale results found in --work
are reported with their date), checks the targets of the article-level and stories issues, records a perf profile of
newsearch's index run when a speed target fails (unless --no-profile; the profiled binary is
built with `cargo build --profile profiling`, the release build with debug line tables),
and writes
BENCHMARKS.md. Raw figures go to --work/harness.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sections  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
SYS_PY = "/usr/bin/python3"  # Debian's python3-xapian lives here, not in pyenv

# 30 news queries, the same for every engine: words (OR, ranked) and "phrases".
QUERIES = [
    "oil prices", "opec", "\"interest rates\"", "bank japan", "coffee exports brazil",
    "dollar yen", "takeover bid", "wheat", "strike", "merger shareholders",
    "volcker", "trade deficit", "gold", "crude output", "petroleum",
    "\"money supply\"", "cocoa", "grain exports soviet", "sugar quota", "\"federal reserve\"",
    "bundesbank", "debt rescheduling", "inflation", "copper", "earnings per share",
    "\"stock split\"", "tariffs semiconductors", "bankruptcy chapter", "acquisition", "g7 paris",
]


# ---------------------------------------------------------------- measuring

def run(cmd, stdin_path=None, env=None, cwd=None, capture=False):
    """Runs a command as a whole process: (wall s, peak RSS KiB, exit code, stdout)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    out = b""
    if capture:
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if stdin_path:
        stdin.close()
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def size_by_kind(path: Path) -> dict:
    """Bytes per file kind (tantivy's .store, .idx, .pos, .term, .fast, .fieldnorm; others by name)."""
    out: dict[str, int] = {}
    if not path.is_dir():
        return out
    for f in path.rglob("*"):
        if f.is_file():
            kind = f.suffix if len(f.name.split(".")[0]) == 32 else re.sub(r"-\d+", "", f.name)
            out[kind] = out.get(kind, 0) + f.stat().st_size
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def sh(cmd, **kw) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw).stdout.strip()
    except OSError:
        return ""


def med(xs):
    return statistics.median(xs) if xs else None


def p90(xs):
    return statistics.quantiles(xs, n=10)[-1] if len(xs) >= 2 else (xs[0] if xs else None)


# ---------------------------------------------------------------- engines

class Engine:
    name = ""
    available = True
    note = ""

    def version(self) -> str: return ""

    def prepare_index(self, path: Path):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def index_cmd(self, path: Path): raise NotImplementedError
    def index_stdin(self): return None
    def query_cmd(self, path: Path, q: str): raise NotImplementedError
    def floor_cmd(self): return None
    def inproc(self, path: Path, qfile: Path, runs: int): return None


class Newsearch(Engine):
    def __init__(self, binary: Path, jsonl: Path, stories: bool = True):
        self.binary, self.jsonl, self.stories = binary, jsonl, stories
        self.name = "newsearch" if stories else "newsearch --no-stories"
        self.settings = ("index JSONL --full (default threads = cores, 256 MB budget; entities, dates, passages"
                         + (", stories" if stories else "; story grouping off") + "); "
                         "query --format json: 10 stories' best passages with highlights")

    def version(self):
        lock = (REPO / "Cargo.lock").read_text()
        m = re.search(r'name = "tantivy"\nversion = "([^"]+)"', lock)
        return f"{sh([str(self.binary), '--version'])} (tantivy {m.group(1) if m else '?'})"

    def index_cmd(self, path):
        extra = [] if self.stories else ["--no-stories"]
        return [str(self.binary), "--index", str(path), "-q", "index", "--full", *extra, str(self.jsonl)]

    def query_cmd(self, path, q):
        return [str(self.binary), "--index", str(path), "query", q, "--format", "json"]

    def floor_cmd(self):
        return [str(self.binary), "--version"]

    def inproc(self, path, qfile, runs):
        exe = REPO / "target/release/examples/query_bench"
        _, _, code, out = run([str(exe), str(path), str(qfile), str(runs)], capture=True)
        if code != 0:
            return None
        res = json.loads(out)
        res["how"] = ("examples/query_bench.rs: index opened once, `search()` per query "
                      "(top 10 passages, snippets and highlight spans; not printed)")
        return res


class TantivyCli(Engine):
    def __init__(self, exe: str | None, jsonl: Path, threads: int):
        self.exe, self.jsonl, self.threads = exe, jsonl, threads
        self.name = f"tantivy-cli -t {threads}"
        self.available = exe is not None
        self.settings = (f"`tantivy index -t {threads}` (default 1 GB budget), title+text stored, en_stem, positions; "
                         "`tantivy search` prints every match unranked as JSON")

    def version(self):
        out = sh(["cargo", "install", "--list"])
        m = re.search(r"tantivy-cli v(\S+)", out)
        reg = Path.home() / ".cargo/registry/src"
        tv = ""
        if m:
            for lock in reg.glob(f"*/tantivy-cli-{m.group(1).rstrip(':')}/Cargo.toml"):
                mm = re.search(r'\[dependencies\.tantivy\]\s*version\s*=\s*"([^"]+)"', lock.read_text())
                if mm:
                    # no lock file ships with it: the build takes the newest patch release
                    found = sorted(d.name.split("-", 1)[1] for d in lock.parent.parent.glob(f"tantivy-{mm.group(1)}.*"))
                    tv = f" (tantivy {found[-1] if found else mm.group(1)}, as built here without --locked)"
        return (f"tantivy-cli {m.group(1).rstrip(':')}" if m else "tantivy-cli ?") + tv

    def prepare_index(self, path):
        shutil.rmtree(path, ignore_errors=True)
        # `tantivy new` is interactive: answer its prompts (name, type, stored, fast,
        # indexed, tokenized, freqs, positions, another field?).
        answers = "title\nText\nY\nN\nY\nY\nY\nY\nY\ntext\nText\nY\nN\nY\nY\nY\nY\nN\n"
        subprocess.run([self.exe, "new", "-i", str(path)], input=answers, text=True,
                       capture_output=True, check=True)

    def index_cmd(self, path):
        return [self.exe, "index", "-i", str(path), "-t", str(self.threads)]

    def index_stdin(self):
        return self.jsonl

    def query_cmd(self, path, q):
        return [self.exe, "search", "-i", str(path), "-q", q]

    def floor_cmd(self):
        return [self.exe, "--version"]

    def inproc(self, path, qfile, runs):
        lines = qfile.with_suffix(".txt")
        lines.write_text("\n".join(json.loads(qfile.read_text())) + "\n")
        out = sh([self.exe, "bench", "-i", str(path), "-q", str(lines), "-n", str(runs)])
        search, fetch, section = [], [], None
        for line in out.splitlines():
            if line.startswith("SEARCH"):
                section = search
            elif line.startswith("FETCH STORE"):
                section = fetch
            elif section is not None and "\t" in line and not line.startswith("query"):
                try:
                    section.append(float(line.rsplit("\t", 1)[1]) / 1e6)
                except ValueError:
                    pass
        if not search:
            return None
        total = [a + b for a, b in zip(search, fetch)] if len(fetch) == len(search) else search
        return {"times": total, "how": "`tantivy bench`: top 10 + count, then fetch of the 10 stored docs"}


class Fts5(Engine):
    name = "SQLite FTS5"
    settings = ("Python sqlite3, fts5(id UNINDEXED, title, body, porter unicode61), one transaction + optimize; "
                "query: sqlite3 CLI, words OR-ed, ORDER BY bm25 LIMIT 10 with snippet()")

    def __init__(self, jsonl: Path):
        self.jsonl = jsonl
        self.cli = shutil.which("sqlite3")

    def version(self):
        import sqlite3
        return f"SQLite {sqlite3.sqlite_version} (Python {platform.python_version()}); CLI {sh([self.cli, '--version']).split(' ')[0] if self.cli else 'not installed'}"

    def prepare_index(self, path):
        path.unlink(missing_ok=True)

    def index_cmd(self, path):
        return [sys.executable, str(BENCH / "peers.py"), "fts5-index", str(path), str(self.jsonl)]

    def query_cmd(self, path, q):
        sys.path.insert(0, str(BENCH))
        import peers
        sql = peers.FTS5_SQL.replace("?", "'" + peers.fts5_match(q).replace("'", "''") + "'")
        if self.cli:
            return [self.cli, "-readonly", str(path), sql]
        return [sys.executable, "-c", f"import sqlite3;print(sqlite3.connect({str(path)!r}).execute({sql!r}).fetchall())"]

    def floor_cmd(self):
        return [self.cli, ":memory:", "select 1"] if self.cli else None

    def inproc(self, path, qfile, runs):
        _, _, code, out = run([sys.executable, str(BENCH / "peers.py"), "fts5-query", str(path), str(qfile), str(runs)], capture=True)
        if code != 0:
            return None
        res = json.loads(out)
        res["how"] = "Python sqlite3 loop: MATCH + bm25 + snippet(), fetch 10 rows"
        return res


class Xapian(Engine):
    name = "Xapian"
    settings = ("python3-xapian TermGenerator (english, STEM_SOME, positions), add_document, one commit; "
                "query: `quest -m 10` (default op OR, BM25)")

    def __init__(self, jsonl: Path):
        self.jsonl = jsonl
        self.available = bool(sh([SYS_PY, "-c", "import xapian; print(1)"])) and shutil.which("quest") is not None

    def version(self):
        return f"Xapian {sh([SYS_PY, '-c', 'import xapian; print(xapian.version_string())'])} (Debian python3-xapian, xapian-tools)"

    def index_cmd(self, path):
        return [SYS_PY, str(BENCH / "peers.py"), "xapian-index", str(path), str(self.jsonl)]

    def query_cmd(self, path, q):
        return ["quest", "-d", str(path), "-m", "10", q]

    def floor_cmd(self):
        return ["quest", "--version"]

    def inproc(self, path, qfile, runs):
        _, _, code, out = run([SYS_PY, str(BENCH / "peers.py"), "xapian-query", str(path), str(qfile), str(runs)], capture=True)
        if code != 0:
            return None
        res = json.loads(out)
        res["how"] = "python3-xapian loop: parse, top-10 MSet, MSet.snippet() on each"
        return res


# ---------------------------------------------------------------- setup

def ensure_tantivy_cli(install: bool, log: list[str]) -> str | None:
    exe = shutil.which("tantivy") or (str(Path.home() / ".cargo/bin/tantivy") if (Path.home() / ".cargo/bin/tantivy").exists() else None)
    if exe or not install:
        return exe
    print("harness: cargo install tantivy-cli (several minutes)", file=sys.stderr)
    proc = subprocess.run(["cargo", "install", "tantivy-cli"], capture_output=True, text=True)
    if proc.returncode != 0:
        log.append("tantivy-cli: `cargo install tantivy-cli` failed: " + proc.stderr.strip().splitlines()[-1])
        return None
    return str(Path.home() / ".cargo/bin/tantivy")


def ensure_xapian(install: bool, log: list[str]):
    ok = bool(sh([SYS_PY, "-c", "import xapian; print(1)"])) and shutil.which("quest")
    if ok or not install:
        return
    print("harness: apt-get install xapian-tools xapian-omega python3-xapian", file=sys.stderr)
    proc = subprocess.run(["apt-get", "install", "-y", "xapian-tools", "xapian-omega", "python3-xapian"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        log.append("Xapian: apt-get install failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1])


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    osr = re.search(r'PRETTY_NAME="([^"]*)"', Path("/etc/os-release").read_text()) if Path("/etc/os-release").exists() else None
    return {
        "cpu": cpu.group(1) if cpu else "?",
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": f"{osr.group(1) if osr else platform.system()}, kernel {platform.release()}",
        "rustc": sh(["rustc", "--version"]),
        "python": platform.python_version(),
    }


# ---------------------------------------------------------------- profile

def perf_top(cmd: list[str], data: Path, limit: float = 1.5, rows: int = 30) -> str:
    """perf record -g over cmd (children followed); self-time symbols above `limit` percent."""
    if not shutil.which("perf"):
        return "perf not installed"
    rec = subprocess.run(["perf", "record", "-g", "-F", "999", "-o", str(data), "--"] + cmd,
                         capture_output=True, text=True)
    if rec.returncode != 0:
        return "perf record failed: " + (rec.stderr.strip().splitlines() or ["?"])[-1]
    rep = sh(["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", "dso,symbol",
              "-g", "none", "--percent-limit", str(limit)])
    lines = [re.sub(r"\s+-\s+-$", "", l.rstrip()).rstrip() for l in rep.splitlines() if l.strip() and not l.startswith("#")]
    return "\n".join(lines[:rows])


def profile_index(ns: Newsearch, work: Path) -> str:
    idx = work / "idx-profile"
    shutil.rmtree(idx, ignore_errors=True)
    return perf_top(ns.index_cmd(idx), work / "perf-index.data")


def profile_queries(ns: Newsearch, index: Path, work: Path) -> str:
    """The 30 queries, 3 times each, as separate processes under one perf record."""
    import shlex
    loop = "; ".join(shlex.join(ns.query_cmd(index, q)) + " >/dev/null" for q in QUERIES * 3)
    return perf_top(["sh", "-c", loop], work / "perf-query.data", limit=1.0, rows=40)


# ---------------------------------------------------------------- report

def fmt_ms(s):
    return "-" if s is None else f"{s * 1000:.1f} ms" if s >= 0.001 else f"{s * 1e6:.0f} µs"


def fmt_ratio(v, base):
    if v is None or not base:
        return ""
    return f" ({v / base:.2f}×)"


def write_report(out: Path, res: dict, cmdline: str):
    m = res["machine"]
    L = []
    L.append("# Benchmarks\n")
    L.append(f"Produced by `{cmdline}` on {res['date']} "
             f"({res['runs']} rounds; engines interleaved within each round). "
             "Every figure is a median; a ratio in parentheses is the engine's figure divided by "
             "newsearch's in the same run (above 1: newsearch is faster or smaller).\n")
    L.append("## Machine\n")
    L.append(f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gib']} GiB; {m['os']}")
    L.append(f"- {m['rustc']}; Python {m['python']}")
    L.append(f"- load average (1 min) before / after: {res['load_before']} / {res['load_after']} "
             "(the machine is shared: another build may have been running; compare the ratios, "
             "which come from interleaved runs, rather than the absolute times)")
    L.append("")
    L.append("## Versions and settings\n")
    for e in res["engines"]:
        L.append(f"- **{e['name']}**: {e['version']}. {e['settings']}")
    for msg in res["install_log"]:
        L.append(f"- {msg}")
    L.append("")
    L.append(f"## Reuters-21578 ({res['corpus']['articles']:,} articles, {res['corpus']['mb']:.1f} MB of JSON lines)\n")
    base = next((e for e in res["engines"] if e["name"] == "newsearch"), None)
    def b(key):
        return base.get(key) if base else None
    L.append("| engine | index wall | peak RSS (index) | index size | query, whole process (median / p90) | query, in process | process start |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for e in res["engines"]:
        if not e.get("ok"):
            L.append(f"| {e['name']} | {e.get('error', 'not run')} | | | | | |")
            continue
        L.append(
            f"| {e['name']} | {e['index_wall']:.2f} s{fmt_ratio(e['index_wall'], b('index_wall'))} "
            f"| {e['index_rss_kib'] / 1024:.0f} MiB{fmt_ratio(e['index_rss_kib'], b('index_rss_kib'))} "
            f"| {e['index_bytes'] / 1e6:.1f} MB{fmt_ratio(e['index_bytes'], b('index_bytes'))} "
            f"| {fmt_ms(e['query_median'])}{fmt_ratio(e['query_median'], b('query_median'))} / {fmt_ms(e['query_p90'])} "
            f"| {fmt_ms(e.get('inproc_median')) if e.get('inproc_median') is not None else e.get('inproc_note', 'n/a')} "
            f"| {fmt_ms(e.get('floor'))} |")
    L.append("")
    L.append("Index wall and peak RSS: the whole indexing process, fresh folder each round. "
             "Query, whole process: each of the 30 queries below run as its own process, "
             f"{res['runs']} times, median and 90th percentile over all of them. "
             "Process start: the engine's `--version` (sqlite3: `select 1` in memory), the floor "
             "under any whole-process query.\n")
    notes = [f"- {e['name']}: in-process figure is {e['inproc_how']}" for e in res["engines"] if e.get("inproc_how")]
    L.extend(notes)
    L.append("- tantivy-cli's `search` prints every matching document, unranked, as JSON (no top-k, "
             "no snippets), so its whole-process query time grows with the number of matches and is "
             "not like for like; its in-process `bench` figure is the fair one.")
    L.append("- `quest` prints the top 10 with their stored data but builds no snippets; the SQLite "
             "CLI query builds snippet() for each of the 10 rows; newsearch prints 10 passages with "
             "highlight spans as JSON.")
    L.append("")
    L.append("Queries (words are OR-ed and ranked by every engine; FTS5 gets them joined with OR):\n")
    L.append("`" + "`, `".join(QUERIES) + "`\n")

    L.append("## Targets (article-level and stories issues)\n")
    L.append("| target | measured | holds |")
    L.append("| --- | --- | --- |")
    for t in res["targets"]:
        L.append(f"| {t['target']} | {t['measured']} | {t['holds']} |")
    L.append("")
    kinds = [(e["name"], e.get("index_by_kind")) for e in res["engines"]
             if e.get("ok") and e.get("index_by_kind") and e["name"] in ("newsearch", "tantivy-cli -t 1")]
    if len(kinds) == 2:
        L.append("### Index size by file kind (MB)\n")
        keys = list(dict.fromkeys(list(kinds[0][1]) + list(kinds[1][1])))
        L.append("| file kind | " + " | ".join(n for n, _ in kinds) + " |")
        L.append("| --- | ---: | ---: |")
        for k in keys:
            L.append(f"| {k} | " + " | ".join(f"{d.get(k, 0) / 1e6:.2f}" for _, d in kinds) + " |")
        L.append("")
    prof = res.get("profile") or {}
    if isinstance(prof, str):
        prof = {"index": prof}
    if prof.get("index"):
        L.append("### Profile of `newsearch index` (perf record -g, self time by object and symbol, ≥ 1.5 %)\n")
        L.append("```\n" + "\n".join(l.rstrip() for l in prof["index"].splitlines()) + "\n```\n")
    if prof.get("query"):
        L.append("### Profile of 90 `newsearch query` processes (perf record -g, self time by object and symbol, ≥ 1 %)\n")
        L.append("```\n" + "\n".join(re.sub(r"\s+-\s+-$", "", l.rstrip()) for l in prof["query"].splitlines()) + "\n```\n")
    if res.get("profile_notes"):
        L.append(res["profile_notes"] + "\n")
    if FINDINGS.exists():
        L.append("### Findings (bench/FINDINGS.md, written by hand from these runs and profiles)\n")
        L.append(FINDINGS.read_text().strip() + "\n")
    L.append("## One million articles (bench/scale.py)\n")
    sc = res.get("scale")
    if sc:
        L.append(f"From {sc.get('date', '?')}: `{sc.get('command', 'python3 bench/scale.py')}`\n")
        L.append(f"- corpus: {sc['articles']:,} articles ({sc['mb']:.0f} MB of JSON lines), "
                 f"copies of Reuters-21578 with new ids and dates shifted by {sc.get('shift_days', '?')} days per copy")
        if sc.get("index_wall") is not None:
            L.append(f"- index: {sc['index_wall']:.0f} s wall, peak RSS {sc['index_rss_kib'] / 1024:.0f} MiB, "
                     f"index {sc['index_bytes'] / 1e9:.2f} GB (exit {sc.get('index_exit')}; "
                     f"load average before {sc.get('load_before')})")
        if sc.get("no_stories_wall") is not None:
            cost = sc["index_wall"] / sc["no_stories_wall"] - 1 if sc["no_stories_wall"] else 0
            L.append(f"- the same run with `--no-stories`: {sc['no_stories_wall']:.0f} s wall, peak RSS "
                     f"{sc['no_stories_rss_kib'] / 1024:.0f} MiB (exit {sc.get('no_stories_exit')}); "
                     f"story grouping costs {cost:+.0%} of index wall")
        if sc.get("query_median") is not None:
            L.append(f"- query, whole process: median {fmt_ms(sc['query_median'])}, p90 {fmt_ms(sc['query_p90'])} "
                     f"over {sc.get('query_count')} runs of the 30 queries")
        L.append("")
    else:
        L.append("No results (no scale.json in the work folder when this file was written). "
                 "Command: `python3 bench/scale.py` (generates about 1,000,000 articles into "
                 "/tmp/newsearch-bench/scale.jsonl, about 1 GB, never committed; then indexes and "
                 "queries them; several minutes).\n")
    L.append("## Ranking quality on TIME (bench/time_eval.py)\n")
    if res.get("time_eval"):
        L.append("```\n" + res["time_eval"].rstrip() + "\n```\n")
    else:
        L.append("Not run in this invocation (`python3 bench/time_eval.py`).\n")
    L.append("## Not measured\n")
    for n in res["not_measured"]:
        L.append(f"- {n}")
    L.append("")
    # The serving figures come from bench/serve_load.py, the story figures from
    # bench/stories_eval.py and the Quickwit figures from bench/quickwit.py, which write
    # them between their markers; a rerun of the harness keeps them.
    old = out.read_text() if out.exists() else ""
    for name, missing in [
        ("stories-eval", "Stories: not measured here (`python3 bench/stories_eval.py all --index --out BENCHMARKS.md`).\n"),
        ("serve-load", "Serving under load: not measured here (`python3 bench/serve_load.py`).\n"),
        ("quickwit", "newsearch on Quickwit: not measured here (`python3 bench/quickwit.py --quickwit PATH`).\n"),
        ("quickwit-cluster", "newsearch on a Quickwit cluster: not measured here (`python3 bench/quickwit.py --quickwit PATH --postgres URI --cluster-only`).\n"),
    ]:
        kept = sections.find(old, name)
        L.append(kept + "\n" if kept is not None else missing)
    out.write_text("\n".join(L))


# Hand-written reading of the figures and profiles, kept in the repository so that a rerun
# of the harness keeps it (and shows it next to the figures it was written from).
FINDINGS = BENCH / "FINDINGS.md"


def scale_targets(scale: dict) -> list[dict]:
    out = []
    if scale.get("index_wall") is not None:
        out.append({"target": "1M articles: index peak RSS ≤ 1 GiB",
                    "measured": f"{scale['index_rss_kib'] / 1024:.0f} MiB",
                    "holds": "yes" if scale["index_rss_kib"] <= 1024 * 1024 and scale.get("index_exit") == 0 else "**no**"})
        out.append({"target": "1M articles: index wall ≤ 120 s",
                    "measured": f"{scale['index_wall']:.0f} s",
                    "holds": "yes" if scale["index_wall"] <= 120 and scale.get("index_exit") == 0 else "**no**"})
    if scale.get("query_median") is not None and scale.get("index_exit") == 0:
        out.append({"target": "1M articles: whole-process query median ≤ 10 ms",
                    "measured": fmt_ms(scale["query_median"]),
                    "holds": "yes" if scale["query_median"] <= 0.010 else "**no**"})
        if scale.get("query_p90") is not None:
            out.append({"target": "1M articles: whole-process query p90 ≤ 30 ms",
                        "measured": fmt_ms(scale["query_p90"]),
                        "holds": "yes" if scale["query_p90"] <= 0.030 else "**no**"})
    return out


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsearch-bench"))
    ap.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    ap.add_argument("--engines", default="newsearch,tantivy-cli,fts5,xapian")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-time-eval", action="store_true")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite --out from --work/harness.json and the latest scale.json, measuring nothing")
    args = ap.parse_args()
    if args.report_only:
        res = json.loads((args.work / "harness.json").read_text())
        for e in res["engines"]:
            if e.get("ok") and not e.get("index_by_kind"):
                e["index_by_kind"] = size_by_kind(args.work / ("idx-" + re.sub(r"[^a-z0-9]+", "-", e["name"].lower()).strip("-")))
        sf = args.work / "scale.json"
        if sf.exists():
            res["scale"] = json.loads(sf.read_text())
            res["targets"] = [t for t in res["targets"] if not t["target"].startswith("1M")] + scale_targets(res["scale"])
        write_report(args.out, res, res["command"])
        return 0
    cmdline = "python3 bench/harness.py" + "".join(f" {a}" for a in sys.argv[1:])
    wanted = set(args.engines.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    install_log: list[str] = []
    load_before = os.getloadavg()[0]

    jsonl = args.work / "reuters.jsonl"
    if not jsonl.exists():
        subprocess.run([sys.executable, str(BENCH / "reuters.py"), "jsonl", str(jsonl)], check=True)
    articles = sum(1 for _ in open(jsonl, encoding="utf-8"))
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "query_bench"], cwd=REPO, check=True)

    engines: list[Engine] = []
    if "newsearch" in wanted:
        engines.append(Newsearch(args.binary, jsonl))
        engines.append(Newsearch(args.binary, jsonl, stories=False))
    if "tantivy-cli" in wanted:
        exe = ensure_tantivy_cli(not args.no_install, install_log)
        engines.append(TantivyCli(exe, jsonl, 1))
    if "fts5" in wanted:
        engines.append(Fts5(jsonl))
    if "xapian" in wanted:
        ensure_xapian(not args.no_install, install_log)
        engines.append(Xapian(jsonl))

    qfile = args.work / "queries.json"
    qfile.write_text(json.dumps(QUERIES))
    slug = lambda e: re.sub(r"[^a-z0-9]+", "-", e.name.lower()).strip("-")
    paths = {e.name: args.work / f"idx-{slug(e)}" for e in engines}
    data = {e.name: {"index": [], "query": [], "per_query": {q: [] for q in QUERIES}, "errors": []} for e in engines}

    for r in range(args.runs):
        for e in engines:
            if not e.available:
                continue
            p = paths[e.name]
            e.prepare_index(p)
            wall, rss, code, _ = run(e.index_cmd(p), stdin_path=e.index_stdin())
            if code != 0:
                data[e.name]["errors"].append(f"index exit {code}")
                continue
            data[e.name]["index"].append((wall, rss))
            for q in QUERIES:
                qw, _, qc, _ = run(e.query_cmd(p, q))
                if qc not in (0, 1):
                    data[e.name]["errors"].append(f"query {q!r} exit {qc}")
                data[e.name]["query"].append(qw)
                data[e.name]["per_query"][q].append(qw)
            print(f"round {r + 1}/{args.runs} {e.name}: index {wall:.2f} s, {rss / 1024:.0f} MiB", file=sys.stderr)

    results = []
    for e in engines:
        d = data[e.name]
        row = {"name": e.name, "settings": getattr(e, "settings", ""), "version": e.version() if e.available else "not installed"}
        if not e.available or not d["index"]:
            row["ok"] = False
            row["error"] = "not installed" if not e.available else "; ".join(d["errors"][:3])
            results.append(row)
            continue
        row.update(ok=True,
                   index_wall=med([w for w, _ in d["index"]]),
                   index_wall_all=[w for w, _ in d["index"]],
                   index_rss_kib=med([r for _, r in d["index"]]),
                   index_bytes=dir_size(paths[e.name]),
                   index_by_kind=size_by_kind(paths[e.name]),
                   query_median=med(d["query"]), query_p90=p90(d["query"]),
                   per_query=[med(d["per_query"][q]) for q in QUERIES],
                   errors=d["errors"][:5])
        fl = e.floor_cmd()
        if fl:
            row["floor"] = med([run(fl)[0] for _ in range(10)])
        ip = e.inproc(paths[e.name], qfile, args.runs)
        if ip:
            row["inproc_median"] = med(ip["times"])
            row["inproc_how"] = ip["how"]
        else:
            row["inproc_note"] = "n/a"
        results.append(row)

    ns = next((r for r in results if r["name"] == "newsearch" and r.get("ok")), None)
    plain = next((r for r in results if r["name"] == "newsearch --no-stories" and r.get("ok")), None)
    tcs = [r for r in results if r["name"].startswith("tantivy-cli") and r.get("ok")]
    fts = next((r for r in results if r["name"] == "SQLite FTS5" and r.get("ok")), None)
    targets = []
    if ns and tcs:
        best = tcs[0]
        ratio = ns["index_wall"] / best["index_wall"]
        targets.append({"target": "Reuters index wall ≤ 1.1× tantivy-cli `-t 1` (en_stem on title and body)",
                        "measured": f"{ns['index_wall']:.2f} s vs {best['index_wall']:.2f} s ({ratio:.2f}×)",
                        "holds": "yes" if ratio <= 1.1 else "**no**"})
        tsize = best["index_bytes"]
        ratio = ns["index_bytes"] / tsize
        targets.append({"target": "Reuters index size ≤ 1.2× that tantivy-cli index",
                        "measured": f"{ns['index_bytes'] / 1e6:.1f} MB vs {tsize / 1e6:.1f} MB ({ratio:.2f}×)",
                        "holds": "yes" if ratio <= 1.2 else "**no**"})
    if ns and plain:
        cost = ns["index_wall"] / plain["index_wall"] - 1
        targets.append({"target": "story grouping costs ≤ 15% of the Reuters index run",
                        "measured": f"{ns['index_wall']:.2f} s with stories vs {plain['index_wall']:.2f} s without ({cost * 100:+.0f}%)",
                        "holds": "yes" if cost <= 0.15 else "**no**"})
    if ns and fts and ns.get("per_query") and fts.get("per_query"):
        ratios = [a / b for a, b in zip(ns["per_query"], fts["per_query"]) if b]
        ratio = med(ratios)
        targets.append({"target": "whole-process `newsearch query --format json` vs sqlite3 FTS5 with snippet(), median ratio over the 30 queries ≤ 0.5×",
                        "measured": f"{ratio:.2f}× (newsearch median {fmt_ms(ns['query_median'])}, FTS5 {fmt_ms(fts['query_median'])}; process start alone {fmt_ms(ns.get('floor'))})",
                        "holds": "yes" if ratio <= 0.5 else "**no**"})
    if ns and ns.get("inproc_median") is not None:
        ok = ns["inproc_median"] <= 0.0004
        targets.append({"target": "in-process query (examples/query_bench.rs), Reuters, median ≤ 0.4 ms",
                        "measured": fmt_ms(ns["inproc_median"]),
                        "holds": "yes" if ok else "**no**"})

    time_eval = None
    if not args.skip_time_eval:
        te = subprocess.run([sys.executable, str(BENCH / "time_eval.py"), "--no-build", "--binary", str(args.binary)],
                            capture_output=True, text=True)
        time_eval = te.stdout if te.returncode == 0 else f"time_eval.py exited {te.returncode}: {te.stderr[-500:]}"

    if not args.skip_scale:
        subprocess.run([sys.executable, str(BENCH / "scale.py"), "--work", str(args.work), "--binary", str(args.binary)])
    scale = None
    sf = args.work / "scale.json"
    if sf.exists():
        scale = json.loads(sf.read_text())
        targets += scale_targets(scale)

    profile = {}
    if ns and not args.no_profile:
        # Release builds carry no debug info (it made the installed binary 122 MB); the
        # `profiling` profile is the release build with line tables, for perf.
        subprocess.run(["cargo", "build", "--profile", "profiling", "--quiet"], cwd=REPO, check=True)
        nse = Newsearch(REPO / "target/profiling/newsearch", jsonl)
        if any(t["holds"] != "yes" and "index wall" in t["target"] for t in targets):
            profile["index"] = profile_index(nse, args.work)
        if any(t["holds"] != "yes" and "query" in t["target"] and "1M" not in t["target"] for t in targets):
            profile["query"] = profile_queries(nse, paths["newsearch"], args.work)

    not_measured = [
        "tantivy-cli whole-process query is not comparable (prints all matches, unranked, no snippets); "
        "its in-process figure comes from its own `bench` command, not from a top-10-with-snippets loop.",
        "Xapian's index time is through the Python bindings (C++ does the work, one Python call per "
        "document); Omega's `scriptindex` was not timed. Its whole-process query (`quest`) makes no snippets.",
        "Peers at the one-million-article scale: only newsearch is run on the scaled corpus.",
        "Query latency under concurrent indexing (see bench/concurrent_queries.py for errors, not timings); "
        "cold-cache query times (the page cache is warm after the index run; caches are not dropped).",
        "Energy, CPU time (user/sys) and disk I/O volume.",
    ]
    res = {"command": cmdline, "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "runs": args.runs, "machine": machine(),
           "load_before": f"{load_before:.2f}", "load_after": f"{os.getloadavg()[0]:.2f}",
           "install_log": install_log, "corpus": {"articles": articles, "mb": jsonl.stat().st_size / 1e6},
           "engines": results, "targets": targets, "profile": profile, "scale": scale,
           "time_eval": time_eval, "not_measured": not_measured}
    (args.work / "harness.json").write_text(json.dumps(res, indent=1))
    write_report(args.out, res, cmdline)
    print(f"harness: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
