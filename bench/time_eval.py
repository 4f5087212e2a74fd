#!/usr/bin/env python3
"""Ranking quality on the TIME test collection: newsearch next to SQLite FTS5 and Xapian.

    python3 bench/time_eval.py [--data DIR] [--work DIR] [--binary PATH] [--no-build]
                               [--engines newsearch,fts5,xapian] [--per-query]
                               [--quickwit http://HOST:PORT]

Reads ../shared/data/time (TIME.ALL: 423 Time magazine articles from 1963 as `*TEXT NNN`
blocks; TIME.QUE: 83 queries; TIME.qrels.trec: relevance judgments keyed by the `*TEXT`
numbers), writes one `.txt` a article into --work (front matter `id: "time-NNN"` and the
issue date; file `time-NNN.txt`, so a result's `path` gives the TIME number back), indexes
them with the release binary and runs every query through

    newsearch query QUERY --format jsonl -n 100 --per-article 1 --group article

Articles are ranked by the first appearance of one of their passages. The judgments are
per article, so results are not grouped by story here (grouping shows a story's other
articles on one line, outside the ranked list, and TIME's articles on one topic in one
issue form stories). The same queries
run on SQLite FTS5 (Python's sqlite3, `tokenize='porter unicode61'`, `ORDER BY bm25()`,
no stop words, words joined with OR) and on Xapian (python3-xapian: TermGenerator and
QueryParser with the English Snowball stemmer, STEM_SOME, default operator OR, Omega's
default stop list, BM25Weight with its defaults k1=1, k2=0, k3=1, b=0.5,
min_normlen=0.5), over the same article texts.

Figures follow trec_eval: MAP@100 (average precision over the first 100 articles, divided
by the number of relevant articles of the query), nDCG@10 (binary gains, log2 discount),
P@10; each the mean over all 83 queries (a query with no result counts 0).

The collection text is all capitals with a blank line after every line of print; lines
are joined into one paragraph (newsearch then cuts it into passages at sentence bounds).
Query text is turned into plain newsearch words: lower-cased (so AND/OR/NOT are words, not
operators) and reduced to runs of letters and digits, joined inside a word by `.`, `'` or
`-` ("U.S", "NAM'S"), which newsearch reads as words or short phrases; nothing else of the
query language can appear.

Xapian needs Debian's python3-xapian (`apt-get install python3-xapian`); when the Python
running this script cannot import it, the script runs that engine under /usr/bin/python3
(where Debian installs it) and, failing that, reports the engine as not installed. Exit 0
when the evaluation ran, 2 when the data or newsearch is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import time
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEPTH = 100
CUTOFF = 10

# Omega's built-in stop list (xapian-applications/omega/query.cc, MyStopper): what Xapian's
# own search front end drops from queries by default. Xapian's core ships none.
OMEGA_STOPWORDS = frozenset(
    "a about an and are as at be by en for from how i in is it of on or that the this "
    "to was what when where which who why will with you your".split()
)

WORD = re.compile(r"[A-Za-z0-9]+(?:['.\-][A-Za-z0-9]+)*")


def parse_articles(path: Path) -> dict[str, str]:
    """TIME number (as written, e.g. "017") -> article text with its lines joined."""
    articles: dict[str, str] = {}
    number = None
    lines: list[str] = []

    def flush() -> None:
        if number is not None:
            articles[number] = " ".join(lines)

    for raw in path.read_text(encoding="ascii", errors="replace").splitlines():
        line = raw.strip()
        if line.startswith("*TEXT") or line == "*STOP":
            flush()
            number = line.split()[1] if line.startswith("*TEXT") else None
            lines = []
        elif line and number is not None:
            lines.append(line)
    flush()
    return articles


def parse_dates(path: Path) -> dict[str, str]:
    """TIME number -> issue date as YYYY-MM-DD where the header gives a readable one."""
    dates = {}
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        m = re.match(r"\*TEXT\s+(\d+)\s+(\d\d)/(\d\d)/?\s*(\d\d)\b", line)
        if m:
            dates[m.group(1)] = f"19{m.group(4)}-{m.group(2)}-{m.group(3)}"
    return dates


def parse_queries(path: Path) -> dict[str, str]:
    """Query number (as in the qrels) -> query text."""
    queries: dict[str, str] = {}
    current = None
    for raw in path.read_text(encoding="ascii", errors="replace").splitlines():
        line = raw.strip()
        if line.startswith("*FIND"):
            current = line.split()[1]
            queries[current] = ""
        elif line.startswith("*STOP"):
            current = None
        elif line and current is not None:
            queries[current] = (queries[current] + " " + line).strip()
    return queries


def parse_qrels(path: Path) -> dict[str, set[str]]:
    """Query number -> TIME numbers judged relevant (numbers without leading zeros)."""
    qrels: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], set()).add(str(int(parts[2])))
    return qrels


def query_words(text: str) -> list[str]:
    """The query as plain lower-case words (see the module doc)."""
    return [w.lower() for w in WORD.findall(text)]


def doc_key(number: str) -> str:
    return str(int(number))


# --- metrics (trec_eval definitions) -------------------------------------------------


def average_precision(ranking: list[str], relevant: set[str], depth: int = DEPTH) -> float:
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking[:depth], start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def precision_at(ranking: list[str], relevant: set[str], k: int = CUTOFF) -> float:
    return sum(1 for doc in ranking[:k] if doc in relevant) / k


def ndcg_at(ranking: list[str], relevant: set[str], k: int = CUTOFF) -> float:
    dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], 1) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def evaluate(runs: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    n = len(qrels)
    return {
        "map": sum(average_precision(runs.get(q, []), rel) for q, rel in qrels.items()) / n,
        "ndcg10": sum(ndcg_at(runs.get(q, []), rel) for q, rel in qrels.items()) / n,
        "p10": sum(precision_at(runs.get(q, []), rel) for q, rel in qrels.items()) / n,
    }


# --- engines -------------------------------------------------------------------------


def write_corpus(articles: dict[str, str], dates: dict[str, str], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for number, text in articles.items():
        front = [f'id: "time-{number}"', "source: TIME"]
        if number in dates:
            front.append(f"date: {dates[number]}")
        body = "---\n" + "\n".join(front) + "\n---\n" + text + "\n"
        (folder / f"time-{number}.txt").write_text(body)


def run_newsearch(
    binary: Path, corpus: Path, index: Path, queries: dict[str, str], engine: str | None = None
) -> dict[str, list[str]]:
    """With `engine` (quickwit://HOST:PORT/INDEX), the articles are also sent there and
    the queries answered from it."""
    shutil.rmtree(index, ignore_errors=True)
    subprocess.run(
        [str(binary), "--index", str(index), "-q", "index", "--full", str(corpus)]
        + (["--to", engine] if engine else []),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    path_number = re.compile(r"time-(\d+)\.txt$")

    def one(item: tuple[str, str]) -> tuple[str, list[str]]:
        qid, text = item
        words = query_words(text)
        if not words:
            return qid, []
        cmd = [str(binary), "--index", str(index)] + (["--engine", engine] if engine else [])
        cmd += ["query", " ".join(words),
               "--format", "jsonl", "-n", str(DEPTH), "--per-article", "1", "--group", "article"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"query {qid} failed ({proc.returncode}): {proc.stderr.strip()}")
        ranking: list[str] = []
        for line in proc.stdout.splitlines():
            m = path_number.search(json.loads(line)["path"])
            if m and doc_key(m.group(1)) not in ranking:
                ranking.append(doc_key(m.group(1)))
        return qid, ranking

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, queries.items()))


def run_fts5(articles: dict[str, str], queries: dict[str, str]) -> dict[str, list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(number UNINDEXED, body, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs(number, body) VALUES (?, ?)",
                   [(doc_key(n), t) for n, t in articles.items()])
    runs = {}
    for qid, text in queries.items():
        words = query_words(text)
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = db.execute("SELECT number FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) "
                          "LIMIT ?", (match, DEPTH)).fetchall()
        runs[qid] = [r[0] for r in rows]
    return runs


def run_xapian_here(articles: dict[str, str], queries: dict[str, str]) -> dict[str, list[str]]:
    import xapian  # noqa: PLC0415 (optional dependency)

    with tempfile.TemporaryDirectory() as folder:
        db = xapian.WritableDatabase(folder, xapian.DB_CREATE_OR_OVERWRITE)
        generator = xapian.TermGenerator()
        generator.set_stemmer(xapian.Stem("english"))
        for number, text in articles.items():
            doc = xapian.Document()
            generator.set_document(doc)
            generator.index_text(text)
            doc.set_data(doc_key(number))
            db.add_document(doc)
        db.commit()
        stopper = xapian.SimpleStopper()
        for word in sorted(OMEGA_STOPWORDS):
            stopper.add(word)
        parser = xapian.QueryParser()
        parser.set_stemmer(xapian.Stem("english"))
        parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        parser.set_stopper(stopper)
        parser.set_default_op(xapian.Query.OP_OR)
        parser.set_database(db)
        enquire = xapian.Enquire(db)
        enquire.set_weighting_scheme(xapian.BM25Weight())
        runs = {}
        for qid, text in queries.items():
            enquire.set_query(parser.parse_query(" ".join(query_words(text)), 0))
            runs[qid] = [m.document.get_data().decode() for m in enquire.get_mset(0, DEPTH)]
        db.close()
        return runs


def run_xapian(articles: dict[str, str], queries: dict[str, str]) -> dict[str, list[str]] | None:
    """Xapian rankings, run in this Python or in Debian's; None when neither has it."""
    try:
        import xapian  # noqa: F401, PLC0415

        return run_xapian_here(articles, queries)
    except ImportError:
        pass
    system_python = Path("/usr/bin/python3")
    if not system_python.exists() or Path(sys.executable).resolve() == system_python.resolve():
        return None
    if subprocess.run([str(system_python), "-c", "import xapian"],
                      capture_output=True).returncode != 0:
        return None
    payload = json.dumps({"articles": articles, "queries": queries})
    proc = subprocess.run([str(system_python), __file__, "--xapian-worker"], input=payload,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def xapian_version() -> str:
    code = "import xapian; print(xapian.version_string())"
    for python in (sys.executable, "/usr/bin/python3"):
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.strip()
    return "?"


# --- main ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/time")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsearch-time")
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    parser.add_argument("--no-build", action="store_true", help="use --binary as it is")
    parser.add_argument("--engines", default="newsearch,fts5,xapian")
    parser.add_argument("--quickwit", metavar="URL",
                        help="also rank on a Quickwit node (its REST address, http://HOST:PORT)")
    parser.add_argument("--per-query", action="store_true",
                        help="also print each query's average precision")
    parser.add_argument("--xapian-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.xapian_worker:
        payload = json.load(sys.stdin)
        json.dump(run_xapian_here(payload["articles"], payload["queries"]), sys.stdout)
        return 0

    files = {name: args.data / name for name in ("TIME.ALL", "TIME.QUE", "TIME.qrels.trec")}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        print(f"time_eval.py: TIME collection not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    articles = parse_articles(files["TIME.ALL"])
    queries = parse_queries(files["TIME.QUE"])
    qrels = parse_qrels(files["TIME.qrels.trec"])
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    rows: list[tuple[str, str, dict[str, float] | None]] = []
    runs_by_engine: dict[str, dict[str, list[str]]] = {}
    if "newsearch" in engines:
        if not args.no_build:
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        if not args.binary.exists():
            print(f"time_eval.py: no newsearch binary at {args.binary}", file=sys.stderr)
            return 2
        corpus = args.work / "corpus"
        write_corpus(articles, parse_dates(files["TIME.ALL"]), corpus)
        version = subprocess.run([str(args.binary), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        runs = run_newsearch(args.binary, corpus, args.work / "index", queries)
        runs_by_engine["newsearch"] = runs
        rows.append((f"newsearch ({version})", "as shipped, query -n 100 --per-article 1 --group article",
                     evaluate(runs, qrels)))
        if args.quickwit:
            host = args.quickwit.rstrip("/").removeprefix("http://")
            engine = f"quickwit://{host}/time-eval-{int(time.time())}"
            runs = run_newsearch(args.binary, corpus, args.work / "index-quickwit", queries, engine)
            runs_by_engine["newsearch on Quickwit"] = runs
            rows.append(("newsearch on Quickwit", f"the same, --engine {engine}",
                         evaluate(runs, qrels)))
    if "fts5" in engines:
        runs = run_fts5(articles, queries)
        runs_by_engine["fts5"] = runs
        rows.append((f"SQLite FTS5 ({sqlite3.sqlite_version})",
                     "porter unicode61, bm25(), OR", evaluate(runs, qrels)))
    if "xapian" in engines:
        runs = run_xapian(articles, queries)
        if runs is None:
            rows.append(("Xapian", "not installed: apt-get install python3-xapian", None))
        else:
            runs_by_engine["xapian"] = runs
            rows.append((f"Xapian ({xapian_version()})",
                         "BM25Weight(), english stem, Omega stop list, OR",
                         evaluate(runs, qrels)))

    print(f"TIME collection: {len(articles)} articles, {len(queries)} queries, "
          f"{sum(len(r) for r in qrels.values())} relevance judgments ({args.data})")
    width = max(len(name) for name, _, _ in rows)
    print(f"{'engine':<{width}}  {'MAP@100':>7}  {'nDCG@10':>7}  {'P@10':>6}  settings")
    for name, settings, scores in rows:
        if scores is None:
            print(f"{name:<{width}}  {'-':>7}  {'-':>7}  {'-':>6}  {settings}")
        else:
            print(f"{name:<{width}}  {scores['map']:>7.4f}  {scores['ndcg10']:>7.4f}  "
                  f"{scores['p10']:>6.4f}  {settings}")
    if args.per_query:
        names = list(runs_by_engine)
        print("\naverage precision per query: " + "  ".join(names))
        for qid in sorted(qrels, key=int):
            values = "  ".join(
                f"{average_precision(runs_by_engine[n].get(qid, []), qrels[qid]):.3f}"
                for n in names
            )
            print(f"{qid:>3}  {values}  {' '.join(query_words(queries.get(qid, '')))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
