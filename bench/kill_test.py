#!/usr/bin/env python3
"""Kill `newsearch index` runs at random moments and check that nothing is lost.

    python3 bench/kill_test.py [--kills 20] [--corpus DIR] [--bin PATH] [--seed N]

Indexes the Reuters-21578 articles (one .txt per story, made with bench/reuters.py
into --corpus when that folder does not exist) into a fresh index the way a cron job
meets a growing folder: the folder starts with a third of the articles, and before each
run another slice arrives and a few articles already there are edited. Each run is
killed at a random moment -- SIGKILL mostly, some SIGTERM and SIGINT -- until --kills
runs were killed before they finished. Two runs in three are incremental (they commit
every --commit-interval seconds, so a killed one keeps part of its work); every third
is a `--full` rebuild (which commits once, at the end). After every run it checks that:

  - `newsearch stats` and a query answer (exit 0; a query may find nothing only while
    the index is still empty);
  - the article count never goes backwards;
  - no article is in the index twice (export ids are unique and as many as `stats`
    counts).

Then it runs one index run to completion and checks that the index holds every
article, exactly the passages a clean one-run index of the same folder holds, and
that a further run finds nothing to do (the manifest agrees with the commit).
Exit status 0 when every check passed.
"""

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def stats(binary, index):
    out = run([binary, "--index", index, "stats", "--format", "json"])
    if out.returncode != 0:
        raise SystemExit(f"stats failed after a kill: {out.stderr.strip()}")
    return json.loads(out.stdout)


def export_ids(binary, index):
    out = run([binary, "--index", index, "export", "--format", "jsonl"])
    if out.returncode != 0:
        raise SystemExit(f"export failed: {out.stderr.strip()}")
    return [json.loads(line)["article_id"] for line in out.stdout.splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--corpus", default="/tmp/newsearch-bench/reuters-txt")
    parser.add_argument("--bin", default=str(ROOT / "target/release/newsearch"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--commit-interval", default="0.3")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"writing the Reuters articles to {corpus}", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "bench/reuters.py"), "txt", str(corpus)],
                       check=True)
    binary = args.bin
    work = Path(tempfile.mkdtemp(prefix="newsearch-kill-"))
    index = str(work / "index")
    folder = work / "corpus"
    folder.mkdir()
    sources = sorted(corpus.glob("*.txt"))
    arrived = len(sources) // 3
    slice_size = max(1, (len(sources) - arrived) // max(1, args.kills))
    for path in sources[:arrived]:
        (folder / path.name).write_bytes(path.read_bytes())

    # How long a whole run takes, to spread the kills over it.
    probe = str(work / "probe")
    started = time.monotonic()
    run([binary, "--index", probe, "index", "-q", str(corpus)])
    full_time = time.monotonic() - started
    subprocess.run(["rm", "-rf", probe])
    print(f"seed {seed}; {len(sources)} articles; a whole run takes {full_time:.2f} s")

    print(f"{'run':>3} {'mode':<11} {'files':>6} {'signal':<7} {'after':>7} {'outcome':<9} "
          f"{'articles':>8} {'passages':>8}  check")
    kills = 0
    attempt = 0
    last_count = 0
    failures = 0
    while kills < args.kills:
        attempt += 1
        # The folder grows and some articles are edited, as between two cron runs.
        for path in sources[arrived:arrived + slice_size]:
            (folder / path.name).write_bytes(path.read_bytes())
        arrived = min(len(sources), arrived + slice_size)
        present = sorted(folder.glob("*.txt"))
        for path in rng.sample(present, min(20, len(present))):
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"\nEdited in run {attempt}.\n")
        full = attempt % 3 == 0
        sig = rng.choice([signal.SIGKILL] * 4 + [signal.SIGTERM, signal.SIGINT])
        delay = rng.uniform(0.02, full_time * (1.1 if full else 0.5))
        cmd = [binary, "--index", index, "index", "-q",
               "--commit-interval", args.commit_interval, str(folder)]
        if full:
            cmd.insert(4, "--full")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(sig)
            kills += 1
        proc.wait()
        stderr = proc.stderr.read().decode(errors="replace").strip()
        problems = []
        if finished and proc.returncode != 0:
            problems.append(f"the run failed by itself: {stderr}")
        figures = stats(binary, index) if Path(index, "meta.json").exists() else None
        count = figures["articles"] if figures else 0
        if count < last_count:
            problems.append(f"article count went back from {last_count} to {count}")
        if figures:
            q = run([binary, "--index", index, "query", "oil", "--format", "json"])
            if q.returncode not in (0, 1) or (q.returncode == 1 and count > 0):
                problems.append(f"query exit {q.returncode}: {q.stderr.strip()}")
            ids = export_ids(binary, index)
            if len(ids) != len(set(ids)) or len(ids) != count:
                problems.append(f"export has {len(ids)} lines, {len(set(ids))} ids, "
                                f"stats counts {count}")
        last_count = max(last_count, count)
        failures += bool(problems)
        print(f"{attempt:>3} {'--full' if full else 'incremental':<11} {len(present):>6} "
              f"{'-' if finished else sig.name:<7} {delay:>6.2f}s "
              f"{'finished' if finished else 'killed':<9} {count:>8} "
              f"{figures['passages'] if figures else 0:>8}  "
              f"{'; '.join(problems) or 'ok'}", flush=True)

    for path in sources[arrived:]:
        (folder / path.name).write_bytes(path.read_bytes())
    corpus = folder
    # A clean one-run index of the final folder gives the expected figures.
    reference = str(work / "reference")
    out = run([binary, "--index", reference, "index", "-q", "--json", str(corpus)])
    if out.returncode != 0:
        raise SystemExit(f"reference run failed: {out.stderr}")
    expected = json.loads(out.stdout)

    out = run([binary, "--index", index, "index", "-q", "--json", str(corpus)])
    final = json.loads(out.stdout) if out.returncode == 0 else None
    again = run([binary, "--index", index, "index", "-q", "--json", str(corpus)])
    rerun = json.loads(again.stdout) if again.returncode == 0 else None
    same_ids = sorted(export_ids(binary, index)) == sorted(export_ids(binary, reference))
    checks = {
        "final run succeeded": final is not None,
        "every article present": bool(final) and final["articles"] == expected["articles"],
        "same passages as a clean index": bool(final)
        and final["passages"] == expected["passages"],
        "same article ids as a clean index": same_ids,
        "a further run reads nothing": bool(rerun) and rerun["read"] == 0
        and rerun["commits"] == 0 and rerun["unchanged"] == expected["articles"],
    }
    print(f"\nfinal run: {final and {k: final[k] for k in ('added', 'updated', 'unchanged', 'removed', 'articles', 'passages')}}")
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    print(f"\n{attempt} runs, {kills} killed, {failures} with a failed check (seed {seed})")
    if failures == 0 and all(checks.values()):
        print(f"survived {kills} of {kills} kills")
    ok = failures == 0 and all(checks.values())
    subprocess.run(["rm", "-rf", str(work)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
