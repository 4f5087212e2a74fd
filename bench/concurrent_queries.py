#!/usr/bin/env python3
"""Query an index from four processes while an index run writes to it.

    python3 bench/concurrent_queries.py [--corpus DIR] [--bin PATH] [--loops 4]

Two scenarios on the Reuters-21578 articles (one .txt per story; made with
bench/reuters.py into --corpus when missing):

  full:        an index of every article is rebuilt with `index --full` (one commit at
               the end, then merges);
  incremental: an index of a third of the articles takes in the other two thirds, with
               a commit every 0.5 s (so segments appear and merge under the readers).

During each run, --loops processes run queries back to back (each query a separate
`newsearch query` process, cycling through a fixed list). A query counts as an error
when it exits 2 or prints anything on stderr. Prints, per scenario, the queries run,
the errors (with the first few messages) and the article counts seen; exit status 0
when there were no errors.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["oil", "coffee prices", '"interest rates"', "bank AND loan", "opec", "gold",
           "dollar yen", "wheat", "takeover bid", "strike"]


def query_loop(binary, index, stop, results):
    n = 0
    while not stop.is_set():
        q = QUERIES[n % len(QUERIES)]
        n += 1
        out = subprocess.run([binary, "--index", index, "query", q, "--format", "json"],
                             capture_output=True, text=True)
        ok = out.returncode in (0, 1) and not out.stderr.strip()
        total = json.loads(out.stdout)["total_articles"] if out.returncode == 0 else 0
        results.append((ok, q, out.returncode, out.stderr.strip(), total))


def scenario(name, binary, index, index_cmd, loops):
    stop = threading.Event()
    results = []
    threads = [threading.Thread(target=query_loop, args=(binary, index, stop, results))
               for _ in range(loops)]
    for t in threads:
        t.start()
    started = time.monotonic()
    run = subprocess.run(index_cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join()
    errors = [r for r in results if not r[0]]
    print(f"{name}: index run exit {run.returncode} in {elapsed:.1f} s; "
          f"{len(results)} queries from {loops} processes, {len(errors)} errors")
    for _, q, code, err, _ in errors[:5]:
        print(f"  query {q!r}: exit {code}: {err}")
    return len(errors) + (run.returncode != 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--corpus", default="/tmp/newsearch-bench/reuters-txt")
    parser.add_argument("--bin", default=str(ROOT / "target/release/newsearch"))
    parser.add_argument("--loops", type=int, default=4)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(ROOT / "bench/reuters.py"), "txt", str(corpus)],
                       check=True)
    work = Path(tempfile.mkdtemp(prefix="newsearch-concurrent-"))
    binary = args.bin
    failures = 0

    index = str(work / "full")
    subprocess.run([binary, "--index", index, "index", "-q", str(corpus)], check=True)
    failures += scenario("full", binary, index,
                         [binary, "--index", index, "index", "-q", "--full", str(corpus)],
                         args.loops)

    folder = work / "corpus"
    folder.mkdir()
    sources = sorted(corpus.glob("*.txt"))
    for path in sources[: len(sources) // 3]:
        (folder / path.name).write_bytes(path.read_bytes())
    index = str(work / "incremental")
    subprocess.run([binary, "--index", index, "index", "-q", str(folder)], check=True)
    for path in sources[len(sources) // 3:]:
        (folder / path.name).write_bytes(path.read_bytes())
    failures += scenario("incremental", binary, index,
                         [binary, "--index", index, "index", "-q", "--commit-interval", "0.5",
                          str(folder)], args.loops)
    subprocess.run(["rm", "-rf", str(work)])
    sys.exit(0 if failures == 0 else 1)


if __name__ == "__main__":
    main()
