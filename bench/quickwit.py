#!/usr/bin/env python3
"""newsearch on a Quickwit index next to the embedded index, on Reuters-21578.

    python3 bench/quickwit.py (--url http://HOST:PORT | --quickwit PATH) [--data FILE]
                              [--work DIR] [--binary PATH] [--runs N] [--out BENCHMARKS.md]

It needs a running Quickwit (`--url`, the REST address of a node that runs the indexer)
or a `quickwit` binary (`--quickwit`: a single node is started on loopback in --work, with
a file metastore, and stopped at the end); with neither it says so and exits 2. Quickwit
itself is not part of newsearch: get a release from quickwit.io or build it.

What it does, in one run:
  1. `newsearch index --full REUTERS --to quickwit://…/reuters-<time>`: wall time of the
     local index alone (a run without --to first) and with the send;
  2. for each of the harness's 30 queries in AND form (`oil AND prices`), the number of
     matching articles on both engines and the overlap of their top 10 articles
     (`--group article`);
  3. for the 5 most mentioned people, organisations and places (`stats`), the number of
     articles `person:NAME` (…) matches on both;
  4. whole-process query latency, median and p90 over --runs rounds of the 30 queries,
     both engines interleaved;
  5. TIME MAP@100 on Quickwit next to the embedded index (bench/time_eval.py --quickwit);
  6. with --scale FILE (bench/scale.py's corpus of about a million articles): the local
     index alone, then with the send (articles a second), and whole-process query latency
     on both engines;
  7. with --quickwit and --postgres URI (a PostgreSQL database for Quickwit's metastore,
     e.g. postgres://postgres@127.0.0.1:5432/quickwit_metastore): a cluster on loopback,
     one node for the metastore, control plane, indexer and janitor and two searchers,
     sharing a file:// storage root. Reuters is sent through the first; queries run
     through a searcher in a loop while the other searcher is killed (SIGKILL) and later
     started again; the script reports what each query saw and checks that every article
     sent is still there at the end.

With --out the figures are written as the "quickwit" section of that file
(bench/sections.py), which bench/harness.py keeps. Exit 0 when it ran, 2 when something
it needs is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import sections  # noqa: E402
from harness import QUERIES  # noqa: E402


def and_form(query: str) -> str:
    """`oil prices` → `oil AND prices`; a phrase stays a phrase."""
    if query.startswith('"'):
        return query
    return " AND ".join(query.split())


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/readyz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def version(url: str) -> str:
    with urllib.request.urlopen(f"{url}/api/v1/version", timeout=5) as answer:
        build = json.load(answer).get("build", {})
    return f"{build.get('version', '?')} ({build.get('commit_short_hash', '?')}, " \
           f"{build.get('build_profile', '?')} build)"


def start_node(binary: Path, work: Path, port: int) -> tuple[subprocess.Popen, str]:
    """A single Quickwit node on loopback with a file metastore under `work`."""
    data = work / "qwdata"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    config = work / "node.yaml"
    config.write_text(
        "version: 0.8\n"
        "node_id: newsearch-bench\n"
        "listen_address: 127.0.0.1\n"
        f"rest:\n  listen_port: {port}\n"
        f"data_dir: {data}\n"
        f"metastore_uri: {data}/indexes\n"
        f"default_index_root_uri: {data}/indexes\n"
    )
    log = open(work / "node.log", "w")
    env = dict(os.environ, QW_DISABLE_TELEMETRY="1", NO_COLOR="1")
    node = subprocess.Popen([str(binary), "run", "--config", str(config)], stdout=log,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if ready(url):
            return node, url
        if node.poll() is not None:
            break
        time.sleep(1)
    node.kill()
    raise RuntimeError(f"Quickwit did not start; see {work / 'node.log'}")


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def query(ns: Path, index: Path, engine: str | None, text: str, extra: list[str]) -> dict:
    cmd = [str(ns), "--index", str(index)]
    if engine:
        cmd += ["--engine", engine]
    cmd += ["query", text, "--format", "json", "--group", "article", "--per-article", "1", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def top_ids(answer: dict) -> list[str]:
    ids: list[str] = []
    for hit in answer["results"]:
        if hit["article_id"] not in ids:
            ids.append(hit["article_id"])
    return ids


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="REST address of a running Quickwit node (its indexer)")
    parser.add_argument("--quickwit", type=Path, help="a quickwit binary to start a node with")
    parser.add_argument("--port", type=int, default=7390, help="REST port for --quickwit")
    parser.add_argument("--data", type=Path, default=Path("/tmp/reuters.jsonl"),
                        help="Reuters as JSON lines (bench/reuters.py writes it)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsearch-quickwit")
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/newsearch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-time", action="store_true", help="skip the TIME evaluation")
    parser.add_argument("--scale", type=Path, help="bench/scale.py's corpus (JSON lines)")
    parser.add_argument("--postgres", help="metastore URI for the two-searcher cluster run")
    parser.add_argument("--cluster-only", action="store_true",
                        help="only the cluster run (needs --quickwit and --postgres)")
    parser.add_argument("--out", type=Path, help="write the figures into this Markdown file")
    args = parser.parse_args()

    if not args.url and not args.quickwit:
        print("quickwit.py: give --url of a running Quickwit node or --quickwit PATH of a "
              "quickwit binary; Quickwit is not part of newsearch", file=sys.stderr)
        return 2
    if not args.data.is_file():
        print(f"quickwit.py: no Reuters JSON lines at {args.data} (python3 bench/reuters.py "
              "writes them)", file=sys.stderr)
        return 2
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.postgres and not args.quickwit:
        print("quickwit.py: the cluster run (--postgres) starts its nodes from --quickwit PATH",
              file=sys.stderr)
        return 2
    if not args.cluster_only:
        node = None
        url = args.url
        if args.quickwit:
            node, url = start_node(args.quickwit, args.work, args.port)
        try:
            body = "## newsearch on Quickwit\n\n" + evaluate(args, url.rstrip("/")) + \
                "\nMeasured with `python3 bench/quickwit.py`.\n"
        finally:
            if node is not None:
                stop(node)
        print(body)
        if args.out:
            sections.put(args.out, "quickwit", body)
    if args.postgres:
        body = "### newsearch on a Quickwit cluster\n\n" + cluster(args) + \
            "\nMeasured with `python3 bench/quickwit.py --quickwit PATH --postgres URI " \
            "--cluster-only`.\n"
        print(body)
        if args.out:
            sections.put(args.out, "quickwit-cluster", body)
    return 0


def stop(node: subprocess.Popen) -> None:
    try:
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(timeout=120)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(node.pid, signal.SIGKILL)
        node.wait()


def node_config(work: Path, name: str, port: int, services: list[str], postgres: str,
                shared: Path, seeds: list[int]) -> Path:
    data = work / name
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    config = work / f"{name}.yaml"
    peers = ", ".join(f'"127.0.0.1:{p}"' for p in seeds)
    config.write_text(
        "version: 0.8\n"
        "cluster_id: newsearch-bench-cluster\n"
        f"node_id: {name}\n"
        "listen_address: 127.0.0.1\n"
        f"rest:\n  listen_port: {port}\n"
        f"grpc_listen_port: {port + 1}\n"
        f"gossip_listen_port: {port}\n"
        f"peer_seeds: [{peers}]\n"
        f"enabled_services: [{', '.join(services)}]\n"
        f"data_dir: {data}\n"
        f"metastore_uri: {postgres}\n"
        f"default_index_root_uri: file://{shared}\n"
    )
    return config


def launch(binary: Path, config: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, QW_DISABLE_TELEMETRY="1", NO_COLOR="1")
    return subprocess.Popen([str(binary), "run", "--config", str(config)],
                            stdout=open(log, "a"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def wait_ready(url: str, seconds: int = 180) -> None:
    for _ in range(seconds):
        if ready(url):
            return
        time.sleep(1)
    raise RuntimeError(f"Quickwit at {url} did not become ready")


def leaf_searches(port: int) -> int:
    """The leaf searches a node has answered, from its Prometheus metrics."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return -1
    total = 0
    for line in text.splitlines():
        if line.startswith("quickwit_search_leaf_search_requests_total") and \
                'status="success"' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def cluster(args: argparse.Namespace) -> str:
    """Two searchers on loopback: kill one during a query loop, start it again."""
    ns = args.binary
    work = args.work / "cluster"
    shared = work / "shared"
    shutil.rmtree(work, ignore_errors=True)
    shared.mkdir(parents=True)
    ports = [7510, 7520, 7530]
    roles = [("control", ["metastore", "control_plane", "indexer", "janitor"]),
             ("searcher-a", ["searcher"]), ("searcher-b", ["searcher"])]
    configs = [node_config(work, name, port, services, args.postgres, shared, ports)
               for (name, services), port in zip(roles, ports)]
    nodes = [launch(args.quickwit, c, work / f"{c.stem}.log") for c in configs]
    lines: list[str] = []
    try:
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
        index_id = f"reuters-cluster-{int(time.time())}"
        local = work / "local"
        # Reuters in four runs, as cron would send a growing folder: each run's last
        # request commits, so the index has several splits for the searchers to share.
        corpus = work / "corpus"
        corpus.mkdir()
        records = args.data.read_bytes().splitlines(keepends=True)
        runs = 4
        wall = 0.0
        for n in range(runs):
            part = records[n * len(records) // runs:(n + 1) * len(records) // runs]
            (corpus / f"part-{n}.jsonl").write_bytes(b"".join(part))
            took, proc = timed([str(ns), "--index", str(local), "index", str(corpus), "--to",
                                f"quickwit://127.0.0.1:{ports[0]}/{index_id}"])
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr)
            wall += took
        engine = f"quickwit://127.0.0.1:{ports[1]}/{index_id}"
        expected = json.loads(subprocess.run(
            [str(ns), "--index", str(local), "query", "oil OR gold OR wheat", "--format", "json",
             "-n", "1"], capture_output=True, text=True, check=True).stdout)["total_articles"]
        sent = json.loads(subprocess.run(
            [str(ns), "--index", str(local), "--engine", engine, "stats", "--format", "json"],
            capture_output=True, text=True, check=True).stdout)["articles"]
        log: list[tuple[float, int, int | None, float]] = []
        start = time.perf_counter()
        killed_at = restarted_at = None
        while time.perf_counter() - start < 75:
            now = time.perf_counter() - start
            if killed_at is None and now > 15:
                served_before = leaf_searches(ports[2])
                os.killpg(nodes[2].pid, signal.SIGKILL)
                nodes[2].wait()
                killed_at = now
            if restarted_at is None and now > 45:
                nodes[2] = launch(args.quickwit, configs[2], work / "searcher-b.log")
                restarted_at = now
            wall_q, proc = timed([str(ns), "--index", str(local), "--engine", engine, "query",
                                  "oil OR gold OR wheat", "--format", "json", "-n", "5"])
            total = json.loads(proc.stdout)["total_articles"] if proc.returncode == 0 else None
            log.append((now, proc.returncode, total, wall_q * 1000))
        wait_ready(f"http://127.0.0.1:{ports[2]}")
        after = json.loads(subprocess.run(
            [str(ns), "--index", str(local), "--engine", engine, "stats", "--format", "json"],
            capture_output=True, text=True, check=True).stdout)["articles"]
        after_b = json.loads(subprocess.run(
            [str(ns), "--index", str(local), "--engine",
             f"quickwit://127.0.0.1:{ports[2]}/{index_id}", "stats", "--format", "json"],
            capture_output=True, text=True, check=True).stdout)["articles"]

        def phase(lo: float, hi: float) -> str:
            part = [r for r in log if lo <= r[0] < hi]
            ok = [r for r in part if r[1] == 0 and r[2] == expected]
            walls = [r[3] for r in part]
            failed = [r for r in part if r[1] != 0]
            return (f"{len(part)} queries, {len(ok)} complete ({expected} articles), "
                    f"{len(failed)} failed; median {statistics.median(walls):.0f} ms, "
                    f"max {max(walls):.0f} ms" if part else "no queries")

        lines.append(f"Cluster on loopback (PostgreSQL metastore `{args.postgres.split('@')[-1]}`, "
                     f"shared `file://` root): one node with the metastore, control plane, "
                     f"indexer and janitor, two searchers. Reuters sent through the first in "
                     f"{runs} runs of `index --to` ({wall:.1f} s in all, {sent} articles); `query 'oil OR gold OR wheat'` through "
                     f"searcher-a in a loop while searcher-b was killed with SIGKILL at "
                     f"{killed_at:.0f} s and started again at {restarted_at:.0f} s:\n")
        lines.append(f"- before the kill: {phase(0, killed_at)}; searcher-b had answered "
                     f"{served_before} leaf searches (its `/metrics`), searcher-a "
                     f"{leaf_searches(ports[1])} by the end")
        lines.append(f"- searcher-b down: {phase(killed_at, restarted_at)}")
        lines.append(f"- after the restart: {phase(restarted_at, 1e9)}")
        lines.append(f"\nArticles held at the end, asked through searcher-a: {after}, through the "
                     f"restarted searcher-b: {after_b} (sent: {sent}).\n")
        return "\n".join(lines)
    finally:
        for node in nodes:
            if node.poll() is None:
                stop(node)


def evaluate(args: argparse.Namespace, url: str) -> str:
    ns = args.binary
    host = url.removeprefix("http://")
    index_id = f"reuters-{int(time.time())}"
    engine = f"quickwit://{host}/{index_id}"
    local = args.work / "local"
    remote_local = args.work / "remote"
    lines: list[str] = []
    say = lines.append

    shutil.rmtree(local, ignore_errors=True)
    shutil.rmtree(remote_local, ignore_errors=True)
    local_wall, proc = timed([str(ns), "--index", str(local), "-q", "index", "--full", str(args.data)])
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    send_wall, proc = timed([str(ns), "--index", str(remote_local), "index", "--full",
                             str(args.data), "--to", engine])
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    sent_line = next((l for l in proc.stderr.splitlines() if l.startswith("newsearch: sent")), "")
    qw_version = version(url)
    say(f"Quickwit {qw_version} at {url}, index `{index_id}`; newsearch "
        f"{subprocess.run([str(ns), '--version'], capture_output=True, text=True).stdout.strip()}.\n")
    say(f"Reuters ({args.data.name}): local index alone {local_wall:.1f} s; local index and "
        f"send to Quickwit {send_wall:.1f} s, so sending took about "
        f"{send_wall - local_wall:.1f} s (`{sent_line.removeprefix('newsearch: ')}`).\n")

    say("| query (AND form) | articles, embedded | articles, Quickwit | top-10 overlap |")
    say("|---|---|---|---|")
    same = 0
    overlaps = []
    for text in map(and_form, QUERIES):
        a = query(ns, local, None, text, ["-n", "10"])
        b = query(ns, remote_local, engine, text, ["-n", "10"])
        ta, tb = top_ids(a), top_ids(b)
        overlap = len(set(ta) & set(tb)) / max(1, min(10, len(ta)))
        overlaps.append(overlap)
        same += a["total_articles"] == b["total_articles"]
        say(f"| `{text}` | {a['total_articles']} | {b['total_articles']} | {overlap:.0%} |")
    say(f"\nSame article count on {same} of {len(QUERIES)} queries; mean top-10 overlap "
        f"{statistics.mean(overlaps):.0%}.\n")

    stats = json.loads(subprocess.run([str(ns), "--index", str(local), "stats", "--format", "json"],
                                      capture_output=True, text=True, check=True).stdout)
    say("| entity filter | articles, embedded | articles, Quickwit |")
    say("|---|---|---|")
    entity_same = entity_all = 0
    for kind, field in (("person", "person"), ("org", "org"), ("place", "place")):
        for entity in stats["top_entities"][kind][:5]:
            text = f'{field}:"{entity["name"]}"'
            a = query(ns, local, None, text, ["-n", "1"])["total_articles"]
            b = query(ns, remote_local, engine, text, ["-n", "1"])["total_articles"]
            entity_all += 1
            entity_same += a == b
            say(f"| `{text}` | {a} | {b} |")
    say(f"\nSame count for {entity_same} of {entity_all} entity filters.\n")

    say(latency_table(ns, local, remote_local, engine, args.runs, "whole-process `query --format json`"))

    if not args.no_time:
        proc = subprocess.run([sys.executable, str(BENCH / "time_eval.py"), "--no-build",
                               "--engines", "newsearch", "--quickwit", url],
                              capture_output=True, text=True)
        say("TIME (`python3 bench/time_eval.py --engines newsearch --quickwit URL`):\n")
        say("```\n" + proc.stdout.strip() + "\n```\n")

    if args.scale:
        lines.append(scale(args, url))
    return "\n".join(lines)


def scale(args: argparse.Namespace, url: str) -> str:
    """The million-article corpus: local index, then with the send; query latency."""
    ns = args.binary
    host = url.removeprefix("http://")
    engine = f"quickwit://{host}/scale-{int(time.time())}"
    local, remote = args.work / "scale-local", args.work / "scale-remote"
    shutil.rmtree(local, ignore_errors=True)
    shutil.rmtree(remote, ignore_errors=True)
    articles = sum(1 for _ in open(args.scale, "rb"))
    local_wall, proc = timed([str(ns), "--index", str(local), "-q", "index", str(args.scale)])
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    send_wall, proc = timed([str(ns), "--index", str(remote), "index", str(args.scale),
                             "--to", engine])
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    sending = max(send_wall - local_wall, 1e-9)
    table = latency_table(ns, local, remote, engine, 1, "1M, whole-process `query --format json`")
    return (f"{articles:,} articles ({args.scale.name}): local index alone {local_wall:.0f} s; "
            f"with the send to Quickwit {send_wall:.0f} s, so about {sending:.0f} s of sending "
            f"({articles / sending:,.0f} articles a second).\n\n{table}")


def latency_table(ns: Path, local: Path, remote: Path, engine: str, runs: int, title: str) -> str:
    """Whole-process latency of the 30 queries on both engines, interleaved."""
    latencies: dict[str, list[float]] = {"embedded": [], "Quickwit": []}
    for _ in range(runs):
        for text in QUERIES:
            for name, index, eng in (("embedded", local, None), ("Quickwit", remote, engine)):
                cmd = [str(ns), "--index", str(index)] + (["--engine", eng] if eng else [])
                wall, proc = timed(cmd + ["query", text, "--format", "json"])
                if proc.returncode not in (0, 1):
                    raise RuntimeError(proc.stderr)
                latencies[name].append(wall * 1000)
    rows = [f"| {title} | median | p90 |", "|---|---|---|"]
    for name, values in latencies.items():
        rows.append(f"| {name} | {statistics.median(values):.1f} ms | "
                    f"{percentile(values, 0.9):.1f} ms |")
    return "\n".join(rows) + f"\n\n{runs} round(s) of the 30 queries, engines interleaved.\n"


if __name__ == "__main__":
    sys.exit(main())
