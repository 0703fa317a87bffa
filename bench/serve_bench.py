#!/usr/bin/env python3
"""Serving-path figures for docs/performance.md (standard library only; never part of ctest):

  /usr/bin/python3 bench/serve_bench.py build/iccache [N]

1. per-request SQL of the serving loop on a cache of the GSM8K sample (2,000 examples):
   MATCH k=5 with the texts, iccache_prompt k=5, iccache_route with the prompt's ids,
   iccache_feedback; p50/p99 in microseconds, measured from Python (includes the sqlite3
   module's overhead, as serving code sees it);
2. `iccache import` of N JSONL rows (default 50,000: the sample's problems with a suffix),
   against the same rows inserted by one executemany in one transaction.
"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "examples", "data", "gsm8k_sample.json")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def timed(fn, reps):
    out = []
    for i in range(reps):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def per_request(ext):
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(ext)
    problems = json.load(open(SAMPLE, encoding="utf-8"))
    db.execute("CREATE VIRTUAL TABLE ex USING iccache(seed=7)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO ex(request, response) VALUES (?, ?)", [(p["question"], p["answer"]) for p in problems])
    db.execute("COMMIT")
    queries = [p["question"] + " (asked again)" for p in problems[:500]]
    rows = {}
    rows["MATCH k=5, texts read"] = timed(lambda i: db.execute(
        "SELECT rowid, request, response FROM ex WHERE ex MATCH ? AND k = 5", (queries[i],)).fetchall(), 500)
    ids = {}

    def prompt(i):
        ids[i] = db.execute("SELECT messages, prompt, example_ids FROM iccache_prompt('ex', ?, 5, 8000)",
                            (queries[i],)).fetchone()[2]
    rows["iccache_prompt k=5"] = timed(prompt, 500)
    decisions = {}

    def route(i):
        decisions[i] = db.execute("SELECT decision FROM iccache_route('ex', ?, ?, ?)",
                                  (queries[i], ids[i], 1767225600.0 + i)).fetchone()[0]
    rows["iccache_route, 5 ids"] = timed(route, 500)
    rows["iccache_feedback"] = timed(lambda i: db.execute("SELECT iccache_feedback('ex', ?, 0.8)",
                                                          (decisions[i],)).fetchone(), 500)
    for name, xs in rows.items():
        print("%-28s p50 %7.0f us   p99 %7.0f us" % (name, statistics.median(xs), pct(xs, 0.99)))


def import_rate(ext, n):
    problems = json.load(open(SAMPLE, encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rows.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for i in range(n):
                p = problems[i % len(problems)]
                f.write(json.dumps({"request": "%s (case %d)" % (p["question"], i), "response": p["answer"]}) + "\n")
        env = dict(os.environ, ICCACHE_EXTENSION=ext)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, os.path.join(ROOT, "cli", "iccache"), "--db", os.path.join(d, "cli.db"),
                              "import", path], capture_output=True, text=True, env=env, check=True).stdout
        cli = time.perf_counter() - t
        db = sqlite3.connect(os.path.join(d, "sql.db"), isolation_level=None)
        db.enable_load_extension(True)
        db.load_extension(ext)
        t = time.perf_counter()
        db.execute("BEGIN")
        db.execute("CREATE VIRTUAL TABLE ex USING iccache()")
        with open(path, encoding="utf-8") as f:
            db.executemany("INSERT INTO ex(request, response) VALUES (?, ?)",
                           ((r["request"], r["response"]) for r in map(json.loads, f)))
        db.execute("COMMIT")
        raw = time.perf_counter() - t
    print("iccache import, %d JSONL rows: %.2f s (%.0f rows/s, process start included); %s"
          % (n, cli, n / cli, out.strip()))
    print("executemany in one transaction: %.2f s (%.0f rows/s)" % (raw, n / raw))


if __name__ == "__main__":
    ext = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "iccache")
    per_request(ext)
    import_rate(ext, int(sys.argv[2]) if len(sys.argv) > 2 else 50000)
