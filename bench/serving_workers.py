#!/usr/bin/env python3
"""The serving loop with several worker processes on one cache file (docs/performance.md,
"Many connections and processes"). Standard library only; never part of ctest.

  /usr/bin/python3 bench/serving_workers.py build/iccache [--workers 4] [--requests 2000]
                   [--warm 2000] [--distinct 2000] [--dir /tmp]

The parent creates a WAL cache file and admits `warm` large-model answers (the GSM8K
sample's problems, as an import of past traffic would). Then `workers` processes, each with
its own connection (examples/serving_loop.py's open_cache), serve `requests` requests
against the seeded simulated models (examples/sim_models.py; worker w draws its traffic
with seed 7 + w), each request the SQL of examples/serving_loop.py's ServingLoop.serve:
iccache_prompt (MATCH k=5 + prompt), BEGIN IMMEDIATE + iccache_route + COMMIT, the
simulated model call, iccache_feedback, and the admission INSERT of an answer judged good
(reward >= 0.5). The loop is written out here (no shadow runs, no off-peak step) so that
the same statements run on builds from before the serving loop grew them: a before/after
comparison of the extension alone. Every admission and feedback is a foreign write for the
other workers.
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


def serve(db, backend, request, at):
    """One request: ServingLoop.serve's statements (examples/serving_loop.py)."""
    messages, prompt, ids = db.execute("SELECT messages, prompt, example_ids FROM iccache_prompt('ex', ?, 5, 8000)",
                                       (request,)).fetchone()
    db.execute("BEGIN IMMEDIATE")
    try:
        decision, model = db.execute("SELECT decision, model FROM iccache_route('ex', ?, ?, ?)",
                                     (request, ids, at)).fetchone()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    if model == sim_models.SMALL:
        answer = backend.generate(model, json.loads(messages), prompt)
    else:
        answer = backend.generate(model, [{"role": "user", "content": request}], "Question: %s\nAnswer:" % request)
    reward = backend.judge(request, answer)
    db.execute("SELECT iccache_feedback('ex', ?, ?)", (decision, reward))
    if reward >= 0.5:
        db.execute("INSERT INTO ex(request, response, model, quality) VALUES (?, ?, ?, ?)",
                   (request, answer, model, reward))


def worker(args):
    db = serving_loop.open_cache(args.db, args.extension)
    world = sim_models.SimWorld(seed=7 + args.worker)
    backend = openai_backend.SimBackend(world)
    requests = world.requests(args.requests, distinct=args.distinct)
    timed = TimedDb(db)
    while time.time() < args.start_at:  # all workers start together
        time.sleep(0.001)
    per_request, t0 = [], time.perf_counter()
    clock = time.time()
    for i, req in enumerate(requests):
        timed.request_s = 0.0
        serve(timed, backend, req, clock + i * 0.25)
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
    db.execute("CREATE VIRTUAL TABLE ex USING iccache(models='%s:0.1,%s:1', seed=7)" % (sim_models.SMALL, sim_models.LARGE))
    world = sim_models.SimWorld(seed=7)
    backend = openai_backend.SimBackend(world)
    db.execute("BEGIN")
    for p in world.problems[:args.warm]:
        req = p["question"]
        ans = backend.generate(sim_models.LARGE, [{"role": "user", "content": req}], "Question: %s\nAnswer:" % req)
        db.execute("INSERT INTO ex(request, response, model) VALUES (?, ?, ?)", (req, ans, sim_models.LARGE))
    db.execute("COMMIT")
    try:  # if the warm rows crossed ivf_min (builds before the background training have no such function)
        db.execute("SELECT iccache_training_wait('ex')").fetchone()
    except sqlite3.OperationalError:
        pass
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
