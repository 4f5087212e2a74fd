#!/usr/bin/env python3
"""Load on `newsearch serve` over Reuters-21578: 32 concurrent clients on loopback send the
web page's result request for the harness's 30 queries, for 30 s, once on an idle server
and once while `newsearch index` commits new articles every 2 s.

    python3 bench/serve_load.py [--clients 32] [--seconds 30] [--work DIR] [--out BENCHMARKS.md]

The clients are `examples/serve_load.rs` (threads with keep-alive connections, each
request timed from send to the parsed JSON body). Reuters comes from
../shared/data/reuters21578 (converted with bench/reuters.py). While indexing, each run
adds a new JSON-lines file of 200 articles (Reuters articles under new ids, dated after the
collection, as new news is) to the served corpus folder and runs `newsearch index` on the folder, one run starting every 2 s (or
as soon as the last one ends, when it took longer): each run commits. The figures replace
the section between the serve-load markers in BENCHMARKS.md (the harness keeps it) and go
to DIR/serve_load.json.
"""

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from harness import QUERIES  # noqa: E402
import sections  # noqa: E402

# The first day after Reuters-21578 (its last article is dated 1987-10-20).
NEWS_START = datetime.date(1987, 11, 1)

SECTION = "serve-load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen):
    for _ in range(600):
        if server.poll() is not None:
            sys.exit(f"newsearch serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("newsearch serve did not answer /api/health within 60 s")


def load(client: Path, url: str, qfile: Path, clients: int, seconds: float) -> dict:
    out = subprocess.run([str(client), url, str(qfile), str(clients), str(seconds)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


class Indexer(threading.Thread):
    """Adds 200 articles and runs `newsearch index` every 2 s until stopped."""

    def __init__(self, binary: Path, corpus: Path, index: Path, records: list, every: float):
        super().__init__(daemon=True)
        self.binary, self.corpus, self.index = binary, corpus, index
        self.records, self.every = records, every
        self.stop = threading.Event()
        self.runs: list[float] = []
        self.failures = 0
        self.batch = 0

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            self.batch += 1
            lines = []
            for i in range(200):
                rec = dict(self.records[(self.batch * 200 + i) % len(self.records)])
                rec["id"] = f"load-{self.batch}-{i}"
                # Today's news, as a cron run adds it: dated after the corpus, a day per
                # five runs.
                rec["date"] = (NEWS_START + datetime.timedelta(days=self.batch // 5)).isoformat()
                lines.append(json.dumps(rec))
            (self.corpus / f"load-{self.batch:04}.jsonl").write_text("\n".join(lines) + "\n")
            r = subprocess.run([str(self.binary), "index", str(self.corpus), "--index",
                                str(self.index), "-q", "--wait"], capture_output=True)
            if r.returncode != 0:
                self.failures += 1
            self.runs.append(time.monotonic() - started)
            self.stop.wait(max(0.0, self.every - (time.monotonic() - started)))


def section(res: dict, cmdline: str) -> str:
    def row(name, r):
        errs = r["errors"]
        kinds = ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items())
        return (f"| {name} | {r['requests']:,} | {r['requests_per_second']:.0f} | "
                f"{r['p50_ms']:.1f} ms | {r['p90_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
                f"{r['max_ms']:.1f} ms | {errs}{' (' + kinds + ')' if kinds else ''} |")

    ix = res["indexing"]
    idle, busy = res["idle"], res["while_indexing"]
    ok = all(r["errors"] == 0 and r["p99_ms"] < 50 for r in (idle, busy))
    L = ["## Serving: 32 clients on loopback", "",
         f"Produced by `{cmdline}` on {res['when']} ({res['articles']:,} Reuters articles "
         f"indexed; load average before {res['load_before']:.2f}). "
         f"{res['clients']} client threads (`examples/serve_load.rs`, keep-alive), each "
         "sending the web page's result request (`/api/search?q=…&group=story&limit=10"
         "&per_article=2&snippet_chars=240`) for the 30 harness queries in turn, as fast as "
         f"answers come, for {res['seconds']:.0f} s. Latency is from send to the parsed "
         "JSON body; an error is any answer other than a 200 with results.", "",
         "| server | requests | per second | p50 | p90 | p99 | max | errors |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
         row("idle", idle), row("while indexing", busy), "",
         f"While indexing: {len(ix['runs'])} `newsearch index` runs of 200 new articles each, dated "
         "after the collection "
         f"(a commit each; median run {sorted(ix['runs'])[len(ix['runs']) // 2]:.2f} s, "
         f"{ix['failures']} failed), the server reopening the index at each commit.", "",
         f"Target (0 errors, p99 under 50 ms in both): {'met' if ok else 'not met'}."]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--every", type=float, default=2.0, help="seconds between index runs")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsearch-serve-load"))
    ap.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = ap.parse_args()
    cmdline = "python3 bench/serve_load.py" + "".join(
        f" {a}" for a in sys.argv[1:])

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "newsearch",
                    "--example", "serve_load"], cwd=REPO, check=True)
    binary = REPO / "target/release/newsearch"
    client = REPO / "target/release/examples/serve_load"

    args.work.mkdir(parents=True, exist_ok=True)
    corpus, index = args.work / "corpus", args.work / "index"
    subprocess.run(["rm", "-rf", str(corpus), str(index)], check=True)
    corpus.mkdir()
    reuters = corpus / "reuters.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench/reuters.py"), "jsonl", str(reuters)],
                   check=True, stderr=subprocess.DEVNULL)
    records = [json.loads(line) for line in reuters.read_text().splitlines() if line]
    subprocess.run([str(binary), "index", str(corpus), "--index", str(index), "-q"], check=True)
    qfile = args.work / "queries.json"
    qfile.write_text(json.dumps(QUERIES))

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(binary), "serve", "--index", str(index), "--addr",
                               f"127.0.0.1:{port}", "-q"], stdout=subprocess.DEVNULL)
    try:
        wait_healthy(url, server)
        load(client, url, qfile, args.clients, 3)  # warm the page cache
        res = {"when": time.strftime("%Y-%m-%d %H:%M"), "clients": args.clients,
               "seconds": args.seconds, "articles": len(records),
               "load_before": os.getloadavg()[0]}
        res["idle"] = load(client, url, qfile, args.clients, args.seconds)
        indexer = Indexer(binary, corpus, index, records, args.every)
        indexer.start()
        res["while_indexing"] = load(client, url, qfile, args.clients, args.seconds)
        indexer.stop.set()
        indexer.join()
        res["indexing"] = {"runs": indexer.runs, "failures": indexer.failures}
    finally:
        server.terminate()
        server.wait()
    (args.work / "serve_load.json").write_text(json.dumps(res, indent=1))
    text = section(res, cmdline)
    print(text)
    if args.out.exists():
        sections.put(args.out, SECTION, text)


if __name__ == "__main__":
    main()
