#!/usr/bin/env python3
"""The serving loop with several worker processes on one cache file (docs/performance.md,
"Many connections and processes"). Standard library only; never part of ctest.

  /usr/bin/python3 bench/serving_workers.py build/iccache [--workers 4] [--requests 2000]
                   [--warm 2000] [--distinct 2000] [--dir /tmp]

The parent creates a WAL cache file and admits `warm` large-model answers (the GSM8K
sample's problems, as an import of past traffic would). Then `workers` processes, each with
its own connection, run examples/serving_loop.py's ServingLoop against the seeded simulated
models (examples/sim_models.py; worker w draws its traffic with seed 7 + w): per request
iccache_prompt (MATCH k=5 + prompt), BEGIN IMMEDIATE + iccache_route + COMMIT, the simulated
model call, iccache_feedback, and the admission INSERT of a good answer. Every admission
and feedback is a foreign write for the three other workers. The off-peak step is off, so
the figures are the request path alone.

Reported: p50 and p99 over every request of the SQL time of that request (the sum of its
statements, measured around each execute() including fetching its rows, so the sqlite3
module's overhead is in), per statement kind too, and the final counts.
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import openai_backend  # noqa: E402
import serving_loop  # noqa: E402
import sim_models  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


class TimedDb:
    """Wraps a connection: execute() runs the statement and fetches its rows, timing both,
    and charges the time to the current request (and to the statement's kind)."""

    def __init__(self, db):
        self.db = db
        self.request_s = 0.0
        self.kinds = {}

    def execute(self, sql, args=()):
        t = time.perf_counter()
        rows = self.db.execute(sql, args).fetchall()
        dt = time.perf_counter() - t
        self.request_s += dt
        word = sql.split()[0].upper()
        kind = ("prompt" if "iccache_prompt" in sql else "route" if "iccache_route" in sql else
                "feedback" if "iccache_feedback" in sql else "insert" if word == "INSERT" else
                "begin/commit" if word in ("BEGIN", "COMMIT", "ROLLBACK") else "other")
        self.kinds.setdefault(kind, []).append(dt)
        return Rows(rows)


class Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows


def worker(args):
    db = serving_loop.open_cache(args.db, args.extension)
    world = sim_models.SimWorld(seed=7 + args.worker)
    requests = world.requests(args.requests, distinct=args.distinct)
    timed = TimedDb(db)
    loop = serving_loop.ServingLoop(timed, openai_backend.SimBackend(world), sim_models.SMALL, sim_models.LARGE,
                                    "ex", 5, 8000, 1.0, 7 + args.worker)
    while time.time() < args.start_at:  # all workers start together
        time.sleep(0.001)
    per_request, t0 = [], time.perf_counter()
    clock = time.time()
    for i, req in enumerate(requests):
        timed.request_s = 0.0
        loop.serve(req, at=clock + i * 0.25)
        per_request.append(timed.request_s)
    wall = time.perf_counter() - t0
    json.dump({"per_request": per_request, "kinds": timed.kinds, "wall": wall}, open(args.out, "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("extension")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--warm", type=int, default=2000)
    ap.add_argument("--distinct", type=int, default=2000)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        return worker(args)

    tmp = tempfile.mkdtemp(prefix="serving_workers_", dir=args.dir)
    path = os.path.join(tmp, "cache.db")
    db = serving_loop.open_cache(path, args.extension)
    serving_loop.ensure_table(db, "ex", sim_models.SMALL, sim_models.LARGE, 0.1, 1.0, 7, 0.0, backend="sim")
    world = sim_models.SimWorld(seed=7)
    backend = openai_backend.SimBackend(world)
    db.execute("BEGIN")
    for p in world.problems[:args.warm]:
        req = p["question"]
        ans = backend.generate(sim_models.LARGE, [{"role": "user", "content": req}], "Question: %s\nAnswer:" % req)
        db.execute("INSERT INTO ex(request, response, model) VALUES (?, ?, ?)", (req, ans, sim_models.LARGE))
    db.execute("COMMIT")
    db.execute("SELECT iccache_training_wait('ex')").fetchone()  # if the warm rows crossed ivf_min
    db.close()

    start_at = time.time() + 3.0
    procs, outs = [], []
    for w in range(args.workers):
        out = os.path.join(tmp, "worker%d.json" % w)
        outs.append(out)
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), args.extension,
                                       "--worker", str(w), "--db", path, "--out", out, "--start-at", str(start_at),
                                       "--requests", str(args.requests), "--distinct", str(args.distinct)]))
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("a worker failed")
    per_request, kinds, walls = [], {}, []
    for out in outs:
        r = json.load(open(out))
        per_request += r["per_request"]
        walls.append(r["wall"])
        for k, v in r["kinds"].items():
            kinds.setdefault(k, []).extend(v)
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    db.load_extension(args.extension)
    stats = dict(db.execute("SELECT key, value FROM ex_stats WHERE key IN ('examples', 'decisions',"
                            " 'decisions_with_feedback', 'index_lists')").fetchall())
    db.close()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print("serving_workers: %d workers x %d requests on one WAL file, warm %d examples, distinct %d (load average"
          " at the end %s)" % (args.workers, args.requests, args.warm, args.distinct, " ".join(load)))
    print("per-request SQL: p50 %.2f ms, p99 %.2f ms, mean %.2f ms over %d requests; slowest worker %.1f s wall"
          % (pct(per_request, 0.5) * 1e3, pct(per_request, 0.99) * 1e3, sum(per_request) / len(per_request) * 1e3,
             len(per_request), max(walls)))
    for k in sorted(kinds):
        v = kinds[k]
        print("  %-13s n=%-6d p50 %.3f ms  p99 %.3f ms" % (k, len(v), pct(v, 0.5) * 1e3, pct(v, 0.99) * 1e3))
    print("final: %s" % ", ".join("%s=%s" % kv for kv in sorted(stats.items())))
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
