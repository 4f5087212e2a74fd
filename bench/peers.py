#!/usr/bin/env python3
"""Peer engines for the newsearch benchmark harness: SQLite FTS5 and Xapian workers.

Used by bench/harness.py, which runs each of these as its own process so that its wall
time and peak memory can be measured like any other command:

    python3 bench/peers.py fts5-index   DB JSONL
    python3 bench/peers.py fts5-query   DB QUERIES.json RUNS
    /usr/bin/python3 bench/peers.py xapian-index DB JSONL
    /usr/bin/python3 bench/peers.py xapian-query DB QUERIES.json RUNS

The `-index` workers build an index of the Reuters JSON lines (title and text; id
stored). The `-query` workers open the index once and time every query of QUERIES.json
(a JSON list of newsearch query strings) RUNS times in the same process, top 10 hits with
a highlighted snippet each, and print one JSON object: per-query times in seconds.

SQLite FTS5: `fts5(id UNINDEXED, title, body, tokenize='porter unicode61')`, one
transaction, then the `optimize` command; queries are the query's words and "phrases"
joined with OR, ordered by bm25() with the title weighted 1.5 (as newsearch weighs it),
snippet() over the body.

Xapian (python3-xapian, from Debian; run it with /usr/bin/python3): TermGenerator with
the English stemmer and positions; the title indexed without prefix and again under
the prefix S, the id as a boolean term Q; data holds id, title and text (for snippets);
add_document into a fresh database, one commit. Queries through
QueryParser (English stemmer, STEM_SOME, default operator OR, phrase support), BM25Weight
defaults, top 10, MSet.snippet() over the text.
"""

from __future__ import annotations

import json
import re
import sys
import time

TOKEN_RE = re.compile(r'"[^"]*"|\S+')


def fts5_match(query: str) -> str:
    """A newsearch query of words and "phrases" as an FTS5 OR query."""
    parts = []
    for tok in TOKEN_RE.findall(query):
        if tok.startswith('"'):
            parts.append(tok.lower())
        else:
            word = re.sub(r"[^0-9A-Za-z]", "", tok).lower()
            if word:
                parts.append(word)
    return " OR ".join(parts)


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield json.loads(line)


FTS5_SQL = ("SELECT id, title, snippet(docs, 2, '[', ']', '...', 24) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 1.5, 1.0) LIMIT 10")


def fts5_index(db: str, jsonl: str) -> int:
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
                "tokenize='porter unicode61')")
    with con:
        con.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)",
                        ((d.get("id"), d.get("title") or "", d.get("text") or "")
                         for d in read_jsonl(jsonl)))
    con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.commit()
    con.close()
    return 0


def fts5_query(db: str, queries_path: str, runs: int) -> int:
    import sqlite3
    queries = json.load(open(queries_path, encoding="utf-8"))
    con = sqlite3.connect(db)
    times, hits = [], {}
    for _ in range(runs):
        for q in queries:
            start = time.perf_counter()
            rows = con.execute(FTS5_SQL, (fts5_match(q),)).fetchall()
            times.append(time.perf_counter() - start)
            hits[q] = len(rows)
    print(json.dumps({"times": times, "hits": hits, "version": sqlite3.sqlite_version}))
    return 0


def xapian_index(db: str, jsonl: str) -> int:
    import xapian
    wdb = xapian.WritableDatabase(db, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for d in read_jsonl(jsonl):
        doc = xapian.Document()
        tg.set_document(doc)
        title = d.get("title") or ""
        text = d.get("text") or ""
        tg.index_text(title, 1, "S")
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(text)
        doc.set_data(json.dumps({"id": d.get("id"), "title": title, "text": text}))
        doc.add_boolean_term("Q" + str(d.get("id")))
        wdb.add_document(doc)
    wdb.commit()
    wdb.close()
    return 0


def xapian_query(db: str, queries_path: str, runs: int) -> int:
    import xapian
    queries = json.load(open(queries_path, encoding="utf-8"))
    rdb = xapian.Database(db)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_database(rdb)
    qp.set_default_op(xapian.Query.OP_OR)
    enquire = xapian.Enquire(rdb)
    enquire.set_weighting_scheme(xapian.BM25Weight())
    stem = xapian.Stem("english")
    times, hits = [], {}
    for _ in range(runs):
        for q in queries:
            start = time.perf_counter()
            query = qp.parse_query(q, xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_PHRASE)
            enquire.set_query(query)
            mset = enquire.get_mset(0, 10)
            out = []
            for m in mset:
                data = json.loads(m.document.get_data())
                out.append((data["id"], mset.snippet(data["text"], 200, stem)))
            times.append(time.perf_counter() - start)
            hits[q] = len(out)
    print(json.dumps({"times": times, "hits": hits, "version": xapian.version_string()}))
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[0]
    if cmd == "fts5-index":
        return fts5_index(argv[1], argv[2])
    if cmd == "fts5-query":
        return fts5_query(argv[1], argv[2], int(argv[3]))
    if cmd == "xapian-index":
        return xapian_index(argv[1], argv[2])
    if cmd == "xapian-query":
        return xapian_query(argv[1], argv[2], int(argv[3]))
    print(f"peers.py: unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
