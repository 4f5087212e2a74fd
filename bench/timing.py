#!/usr/bin/env python3
"""Whole-process timings of newsearch on Reuters-21578: index wall time and peak memory,
and the wall time of single `newsearch query` processes, each a median over runs.

    python3 bench/timing.py [--runs N] [--queries N] [--binary PATH] [--work DIR]

Converts ../shared/data/reuters21578 to one .txt a story with bench/reuters.py (into
--work, default /tmp/newsearch-bench) unless that was done before, builds the release
binary, then for each run indexes into a fresh folder (`newsearch index --full`) and
times a fixed set of news queries, each as its own process. Peak memory is the
process's maximum resident set size as the kernel reports it (wait4).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "oil prices", "opec", "\"interest rates\"", "bank of japan", "coffee exports brazil",
    "dollar yen", "takeover bid", "wheat", "strike", "merger AND shareholders",
    "volcker", "trade deficit", "gold", "crude~", "petrol*",
]


def run(cmd: list[str]) -> tuple[float, int, int]:
    """Runs a command; returns (wall seconds, peak RSS in KiB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsearch-bench"))
    args = parser.parse_args()

    corpus = args.work / "reuters-txt"
    if not (corpus / "reut-00001.txt").exists():
        src = REPO.parent / "shared/data/reuters21578"
        if not src.is_dir():
            print(f"timing.py: Reuters-21578 not found at {src}", file=sys.stderr)
            return 2
        subprocess.run([sys.executable, str(REPO / "bench/reuters.py"), "txt", str(corpus)], check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)

    index = args.work / "index"
    index_runs = []
    for _ in range(args.runs):
        shutil.rmtree(index, ignore_errors=True)
        wall, rss, code = run([str(args.binary), "--index", str(index), "-q", "index", str(corpus)])
        if code != 0:
            print(f"timing.py: index run failed with exit {code}", file=sys.stderr)
            return 2
        index_runs.append((wall, rss))

    query_walls = []
    for _ in range(args.runs):
        for query in QUERIES:
            wall, _, code = run([str(args.binary), "--index", str(index), "query", query, "--format", "json"])
            if code not in (0, 1):
                print(f"timing.py: query {query!r} failed with exit {code}", file=sys.stderr)
                return 2
            query_walls.append(wall)

    size = sum(f.stat().st_size for f in index.iterdir() if f.is_file())
    files = sum(1 for _ in corpus.iterdir())
    print(f"corpus: {files} Reuters-21578 stories as .txt files; {args.runs} runs; cores: {os.cpu_count()}")
    print(f"index: median wall {statistics.median(w for w, _ in index_runs):.2f} s "
          f"(min {min(w for w, _ in index_runs):.2f}, max {max(w for w, _ in index_runs):.2f}); "
          f"median peak RSS {statistics.median(r for _, r in index_runs) / 1024:.0f} MiB; "
          f"index size {size / 1e6:.1f} MB")
    print(f"query: median wall {statistics.median(query_walls) * 1000:.1f} ms per process "
          f"over {len(query_walls)} runs of {len(QUERIES)} queries "
          f"(p90 {statistics.quantiles(query_walls, n=10)[-1] * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
