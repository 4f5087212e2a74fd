#!/usr/bin/env python3
"""Time a re-run of `newsearch index` over an unchanged folder against a full run.

    python3 bench/incremental.py [--corpus DIR] [--bin PATH] [--runs 5]

On the Reuters-21578 articles (one .txt per story; made with bench/reuters.py into
--corpus when missing), copied to a scratch folder: --runs full runs into fresh indexes,
then --runs re-runs over the unchanged folder, each a whole process, interleaved so that
machine load affects both alike. Then one file is touched (new modification time, same
bytes) and one edited, and each following run's summary is shown. Prints medians and
the ratio of a re-run to a full run.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd):
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr}")
    return elapsed, json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--corpus", default="/tmp/newsearch-bench/reuters-txt")
    parser.add_argument("--bin", default=str(ROOT / "target/release/newsearch"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(ROOT / "bench/reuters.py"), "txt", str(corpus)],
                       check=True)
    work = Path(tempfile.mkdtemp(prefix="newsearch-incremental-"))
    folder = work / "corpus"
    shutil.copytree(corpus, folder)
    index = str(work / "index")
    base = [args.bin, "--index", index, "index", "-q", "--json", str(folder)]

    full, rerun = [], []
    for i in range(args.runs):
        shutil.rmtree(index, ignore_errors=True)
        elapsed, summary = timed(base)
        full.append(elapsed)
        elapsed, again = timed(base)
        rerun.append(elapsed)
        assert again["read"] == 0 and again["unchanged"] == summary["articles"], again
    files = sorted(folder.glob("*.txt"))
    touched = files[len(files) // 2]
    later = time.time() + 60
    import os
    os.utime(touched, (later, later))
    t_touch, touch_summary = timed(base)
    edited = files[len(files) // 3]
    with open(edited, "a", encoding="utf-8") as f:
        f.write("\nA late correction to this story.\n")
    t_edit, edit_summary = timed(base)
    shutil.rmtree(work)

    keys = ("read", "added", "updated", "removed", "unchanged", "commits")
    print(f"{summary['articles']} articles, {args.runs} runs each (medians, whole processes)")
    print(f"  full run:        {statistics.median(full):6.3f} s   (runs: "
          f"{', '.join(f'{t:.2f}' for t in full)})")
    print(f"  unchanged re-run: {statistics.median(rerun):6.3f} s   (runs: "
          f"{', '.join(f'{t:.3f}' for t in rerun)})")
    print(f"  ratio:           {statistics.median(rerun) / statistics.median(full):6.1%}")
    print(f"  one file touched: {t_touch:6.3f} s   {json.dumps({k: touch_summary[k] for k in keys})}")
    print(f"  one file edited:  {t_edit:6.3f} s   {json.dumps({k: edit_summary[k] for k in keys})}")


if __name__ == "__main__":
    main()
