#!/usr/bin/env python3
"""newsearch on about one million articles derived from Reuters-21578.

    python3 bench/scale.py [--copies 48] [--work DIR] [--binary PATH] [--memory-mb MB]
                           [--threads N] [--runs N] [--keep] [--skip-no-stories]

Writes --work/scale.jsonl (default /tmp/newsearch-bench; never inside the repository):
--copies copies of the 20,841 Reuters stories (48 copies: 1,000,368 articles, about
1 GB), each copy with new ids (`reut-NNNNN-cCC`) and its dates shifted by
SHIFT_DAYS days a copy, so that the date histogram spans decades rather than stacking
one month 48 times. The texts are the same in every copy.

Then, as whole processes: `newsearch index --full scale.jsonl` once (wall time and peak
RSS from wait4; the issue's targets: within 1 GiB, under 5 minutes) and the 30 harness
queries `--runs` times each (`newsearch query Q --format json`; target: median under
50 ms), then the same index run with --no-stories, for the cost of story grouping side
by side. Results go to --work/scale.json, which bench/harness.py puts in BENCHMARKS.md.
The generated corpus is kept for the next run; the index is removed unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from harness import QUERIES, run, dir_size  # noqa: E402

SHIFT_DAYS = 91
DATE_FORMATS = ("%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S")


def shift(date: str | None, days: int) -> str | None:
    if not date:
        return date
    for fmt in DATE_FORMATS:
        try:
            d = dt.datetime.strptime(date, fmt)
        except ValueError:
            continue
        return (d + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return date


def generate(src: Path, out: Path, copies: int) -> int:
    docs = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
    tmp = out.with_suffix(".part")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for c in range(copies):
            for d in docs:
                e = {"id": f"{d['id']}-c{c:02d}", "title": d.get("title"), "date": shift(d.get("date"), c * SHIFT_DAYS),
                     "source": d.get("source"), "text": d.get("text")}
                fh.write(json.dumps(e) + "\n")
                n += 1
    tmp.rename(out)
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=48)
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsearch-bench"))
    ap.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    ap.add_argument("--memory-mb", type=int, default=None, help="pass --memory-mb to newsearch index")
    ap.add_argument("--threads", type=int, default=None, help="pass --threads to newsearch index")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the index folder")
    ap.add_argument("--skip-no-stories", action="store_true",
                    help="do not also index without story grouping (--no-stories)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    src = args.work / "reuters.jsonl"
    if not src.exists():
        subprocess.run([sys.executable, str(REPO / "bench/reuters.py"), "jsonl", str(src)], check=True)
    corpus = args.work / "scale.jsonl"
    meta = args.work / "scale-corpus.json"
    if not corpus.exists() or not meta.exists() or json.loads(meta.read_text()).get("copies") != args.copies:
        t = time.perf_counter()
        n = generate(src, corpus, args.copies)
        meta.write_text(json.dumps({"copies": args.copies, "articles": n}))
        print(f"scale.py: wrote {n:,} articles to {corpus} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    n = json.loads(meta.read_text())["articles"]

    index = args.work / "idx-scale"
    shutil.rmtree(index, ignore_errors=True)
    # JSON lines are streamed: --max-file-size bounds one line, not the 1 GB file.
    cmd = [str(args.binary), "--index", str(index), "-q", "index", "--full", str(corpus)]
    if args.memory_mb:
        cmd += ["--memory-mb", str(args.memory_mb)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    load_before = os.getloadavg()[0]
    print(f"scale.py: {' '.join(cmd)}", file=sys.stderr)
    wall, rss, code, _ = run(cmd)
    print(f"scale.py: index {wall:.0f} s, peak RSS {rss / 1024:.0f} MiB, exit {code}", file=sys.stderr)
    res = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
           "command": "python3 bench/scale.py" + "".join(f" {a}" for a in sys.argv[1:]),
           "index_command": " ".join(cmd), "articles": n, "mb": corpus.stat().st_size / 1e6,
           "copies": args.copies, "shift_days": SHIFT_DAYS, "index_wall": wall, "index_rss_kib": rss,
           "index_exit": code, "index_bytes": dir_size(index), "load_before": f"{load_before:.2f}"}
    stats = subprocess.run([str(args.binary), "--index", str(index), "stats"], capture_output=True, text=True)
    res["stats"] = stats.stdout.strip()[:2000]
    if code == 0 and wall < 1:
        res["index_exit"] = "indexed nothing (check stats)"
    if code == 0:
        walls = []
        for _ in range(args.runs):
            for q in QUERIES:
                qw, _, qc, _ = run([str(args.binary), "--index", str(index), "query", q, "--format", "json"])
                walls.append(qw)
        res.update(query_median=statistics.median(walls), query_p90=statistics.quantiles(walls, n=10)[-1],
                   query_count=len(walls))
        print(f"scale.py: query median {res['query_median'] * 1000:.1f} ms, p90 {res['query_p90'] * 1000:.1f} ms",
              file=sys.stderr)
    if not args.keep:
        shutil.rmtree(index, ignore_errors=True)
    if not args.skip_no_stories:
        # The same run without story grouping, for the cost of stories side by side.
        plain = args.work / "idx-scale-no-stories"
        shutil.rmtree(plain, ignore_errors=True)
        plain_cmd = [a if a != str(index) else str(plain) for a in cmd] + ["--no-stories"]
        print(f"scale.py: {' '.join(plain_cmd)}", file=sys.stderr)
        pwall, prss, pcode, _ = run(plain_cmd)
        print(f"scale.py: without stories: index {pwall:.0f} s, peak RSS {prss / 1024:.0f} MiB, "
              f"exit {pcode}", file=sys.stderr)
        res.update(no_stories_wall=pwall, no_stories_rss_kib=prss, no_stories_exit=pcode)
        shutil.rmtree(plain, ignore_errors=True)
    (args.work / "scale.json").write_text(json.dumps(res, indent=1))
    return 0 if code == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
