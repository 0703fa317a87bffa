#!/usr/bin/env python3
"""A serving loop on iccache, Python standard library only.

Per request: select examples and build the prompt (iccache_prompt), route (iccache_route),
call the chosen model, return the answer, admit the new pair (INSERT), feed back a reward
(iccache_feedback); every --offpeak-every requests, an off-peak step replays the examples
worth it (ex_replay + UPDATE) and evicts to the budget (iccache_evict).

Offline, with the seeded simulated pair of models (sim_models.py), nothing installed:
    /usr/bin/python3 examples/serving_loop.py --backend sim
Against vLLM or any OpenAI-compatible server (requests: a text file, one per line, or JSONL
with a "request" field; rewards from an LLM judge at the same server):
    /usr/bin/python3 examples/serving_loop.py --backend http --base-url http://localhost:8000/v1 \
        --small-model Qwen/Qwen2.5-3B-Instruct --large-model Qwen/Qwen2.5-32B-Instruct \
        --judge-model Qwen/Qwen2.5-32B-Instruct --requests-file examples/data/prompts.txt --db cache.db
As a library: ServingLoop(db, backend, small, large, reward_fn=...).serve(request).
"""
import argparse
import glob
import json
import math
import os
import signal
import sqlite3
import sys
import time

SIM_START = 1767225600.0  # 2026-01-01 00:00 UTC
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import openai_backend  # noqa: E402
import sim_models  # noqa: E402


def open_cache(path, extension):
    """A connection with iccache loaded, in autocommit mode (each routing call is atomic and
    no transaction is held across a model call)."""
    db = sqlite3.connect(path, isolation_level=None)
    if not hasattr(db, "enable_load_extension"):
        raise SystemExit("this Python's sqlite3 module cannot load extensions (a pyenv build?);"
                         " run it with Debian's /usr/bin/python3")
    db.enable_load_extension(True)
    try:
        db.load_extension(extension)
    except sqlite3.OperationalError as e:
        raise SystemExit("cannot load the iccache extension from %s: %s (build it with"
                         " scripts/build.sh, or pass --extension)" % (extension, e))
    db.enable_load_extension(False)
    if path != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")  # serving processes read while one writes
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def ensure_table(db, table, small, large, small_cost, large_cost, seed, cost_weight, budget=None, backend="http"):
    # cost_weight: reward points one unit of cost is worth. At 0 the router maximises
    # quality alone and, below load_threshold, sends everything to the large model.
    opts = "models='%s:%g,%s:%g', seed=%d, cost_weight=%g" % (small, small_cost, large, large_cost, seed,
                                                              cost_weight)
    if budget:
        opts += ", budget='%s'" % budget
    db.execute('CREATE VIRTUAL TABLE IF NOT EXISTS "%s" USING iccache(%s)' % (table.replace('"', '""'), opts))
    models = db.execute("SELECT value FROM iccache_stats(?) WHERE key = 'models'", (table,)).fetchone()[0]
    names = [m.rsplit(":", 1)[0] for m in models.split(",")]  # the cost follows the last colon
    missing = [m for m in (small, large) if m not in names]
    if missing and backend == "sim":
        raise SystemExit("--backend sim serves the simulated models %s and %s, but table %s routes between %s; "
                         "give the simulation its own table (--table sim, or another --db: a new table is created "
                         "with the simulated models), or serve this table's models with --backend http "
                         "--small-model NAME --large-model NAME" % (small, large, table, models))
    if missing:
        raise SystemExit("table %s routes between %s, not %s; pass --small-model and --large-model among those "
                         "names, or use another --table (a new table is created with the two models)"
                         % (table, models, " and ".join(missing)))


class ServingLoop:
    """One cache table, one backend, two models. reward_fn(request, answer, model) -> reward
    in [0, 1] or None replaces the backend's judge."""

    def __init__(self, db, backend, small, large, table="ex", k=5, max_chars=8000,
                 feedback_rate=1.0, seed=7, reward_fn=None, tenant=None):
        self.db, self.backend, self.small, self.large = db, backend, small, large
        self.table, self.k, self.max_chars, self.tenant = table, k, max_chars, tenant
        self.feedback_rate = feedback_rate
        self.reward_fn = reward_fn or (lambda req, ans, model: backend.judge(req, ans))
        self.rng = sim_models.Rng(sim_models.splitmix64(seed))  # the same stream as serving_loop.cpp
        self.shadows_run = 0
        self._load_threshold = None

    def serve(self, request, at=None):
        """Answers one request; returns a dict with answer, model, decision, examples, reward."""
        # 1. select examples and build the prompt in one query
        # (a NULL tenant is refused, never "every tenant": pass it only when there is one)
        args = (self.table, request, self.k, self.max_chars)
        if self.tenant is not None:
            args += (self.tenant,)
        messages, prompt, ids = self.db.execute(
            "SELECT messages, prompt, example_ids FROM iccache_prompt(%s)"
            % ", ".join("?" * len(args)), args).fetchone()
        # 2. route: the small model with the examples, the large one without (or the cache).
        # The route writes its decision: taking the write lock first (BEGIN IMMEDIATE) lets
        # the busy timeout wait for another process's writer instead of failing at once
        # (docs/reliability.md).
        self.db.execute("BEGIN IMMEDIATE")
        try:
            decision, model, want, shadow, load = self.db.execute(
                "SELECT decision, model, want_feedback, shadow, load FROM iccache_route(?, ?, ?, ?)",
                (self.table, request, ids, at)).fetchone()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        # 3. generate
        answer = self._generate(model, request, messages, prompt, ids)
        # 4. feedback where the router asks for it, and on a sample of the rest
        reward = None
        if want or self.rng.uniform() < self.feedback_rate:
            reward = self.reward_fn(request, answer, model)
            if reward is not None:
                self.db.execute("SELECT iccache_feedback(?, ?, ?)", (self.table, decision, reward))
        # 4b. the router was unsure: it named a shadow arm to compare against. Run it off the
        #     user's path (here after answering) when load allows, and feed its reward back too.
        if shadow is not None and load < self.load_threshold():
            shadow_answer = self._generate(shadow, request, messages, prompt, ids)
            shadow_reward = self.reward_fn(request, shadow_answer, shadow)
            if shadow_reward is not None:
                self.db.execute("SELECT iccache_feedback(?, ?, ?, ?)",
                                (self.table, decision, shadow_reward, shadow))
                self.shadows_run += 1
        # 5. admit the pair: answers judged good (reward >= 0.5), and unjudged large-model
        #    answers (quality 0.5: not yet known); never the cache's own answer
        if model != "cache" and (reward >= 0.5 if reward is not None else model == self.large):
            self.db.execute('INSERT INTO "%s"(request, response, model, quality, tenant)'
                            " VALUES (?, ?, ?, ?, ifnull(?, ''))" % self.table,
                            (request, answer, model, 0.5 if reward is None else reward, self.tenant))
        return {"answer": answer, "model": model, "decision": decision, "example_ids": ids,
                "reward": reward, "want_feedback": want, "shadow": shadow}

    def _generate(self, model, request, messages, prompt, ids):
        if model == "cache":  # cache_arm=on: the best example's response, verbatim
            return self.db.execute('SELECT response FROM "%s" WHERE rowid = ?' % self.table,
                                   (json.loads(ids)[0],)).fetchone()[0]
        if model == self.small:
            return self.backend.generate(model, json.loads(messages), prompt)
        return self.backend.generate(model, [{"role": "user", "content": request}],
                                     "Question: %s\nAnswer:" % request)

    def load_threshold(self):
        if self._load_threshold is None:
            self._load_threshold = float(self.db.execute(
                "SELECT value FROM iccache_stats(?) WHERE key = 'load_threshold'", (self.table,)).fetchone()[0])
        return self._load_threshold

    def offpeak(self, replay_cost=0.2, limit=10, samples=3, now=None):
        """Replays the examples whose expected gain exceeds replay_cost: `samples` fresh
        large-model answers each, the best judged one kept if it beats the stored quality.
        Then evicts to the table's budget (when it has one)."""
        rows = self.db.execute(
            "SELECT rowid, request, quality FROM iccache_replay(?, ?, ?) LIMIT ?",
            (self.table, replay_cost, now if now is not None else time.time(), limit)).fetchall()
        replayed = improved = 0
        for rowid, request, quality in rows:
            best, best_reward = None, -1.0
            for _ in range(samples):
                answer = self.backend.generate(self.large, [{"role": "user", "content": request}],
                                               "Question: %s\nAnswer:" % request, temperature=0.7)
                reward = self.reward_fn(request, answer, self.large)
                if reward is not None and reward > best_reward:
                    best, best_reward = answer, reward
            replayed += 1
            if best is not None and best_reward > quality:
                self.db.execute('UPDATE "%s" SET response = ?, quality = ? WHERE rowid = ?' % self.table,
                                (best, best_reward, rowid))
                improved += 1
        evicted = None
        budget = self.db.execute("SELECT value FROM iccache_stats(?) WHERE key = 'budget'",
                                 (self.table,)).fetchone()
        if budget and budget[0] is not None:
            evicted = json.loads(self.db.execute("SELECT iccache_evict(?)", (self.table,)).fetchone()[0])
        return {"replayed": replayed, "improved": improved, "evict": evicted}


def read_requests(path):
    """Requests of a text file: one per line, or JSONL objects with a "request" field."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise SystemExit("cannot read --requests-file %s: %s" % (path, e))
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                out.append(json.loads(line)["request"])
            except (ValueError, KeyError, TypeError):
                raise SystemExit("%s line %d: expected a JSON object with a \"request\" field, or plain text"
                                 % (path, n))
        else:
            out.append(line)
    return out


def default_extension():
    """$ICCACHE_EXTENSION, the build of this source tree, or an installed copy
    (examples live in <prefix>/share/iccache/examples, the extension in <prefix>/lib*/iccache)."""
    if os.environ.get("ICCACHE_EXTENSION"):
        return os.environ["ICCACHE_EXTENSION"]
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
    for c in [os.path.join(HERE, "..", "build", "iccache.so")] + sorted(
            glob.glob(os.path.join(prefix, "lib*", "iccache", "iccache.so")) +
            glob.glob(os.path.join(prefix, "lib", "*", "iccache", "iccache.so"))):
        if os.path.exists(c):
            return c
    return os.path.join(HERE, "..", "build", "iccache")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sim", "http"], default="sim")
    ap.add_argument("--db", default=":memory:", help="cache file (default: in memory)")
    ap.add_argument("--table", default="ex")
    ap.add_argument("--extension", default=default_extension(), help="path of iccache.so (without .so is fine)")
    ap.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
    ap.add_argument("--api", choices=["chat", "completions"], default="chat",
                    help="chat: /chat/completions with messages; completions: /completions with the few-shot text")
    ap.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"))
    ap.add_argument("--small-model", default=sim_models.SMALL)
    ap.add_argument("--large-model", default=sim_models.LARGE)
    ap.add_argument("--judge-model", help="LLM judge (sim_server.py: sim-judge); no judge: no rewards")
    ap.add_argument("--judge-url", help="OpenAI-compatible endpoint of the judge (default: --base-url)")
    ap.add_argument("--small-cost", type=float, default=0.1)
    ap.add_argument("--large-cost", type=float, default=1.0)
    ap.add_argument("--cost-weight", type=float, default=0.0,
                    help="reward points one unit of model cost is worth (a new table's cost_weight)")
    ap.add_argument("--large-share", type=float, default=0.3,
                    help="at each off-peak step, calibrate the router so this share of recent decisions goes"
                         " to the large model (RouteLLM style; negative: never)")
    ap.add_argument("--requests-file", help="http: requests, one per line or JSONL with 'request'")
    ap.add_argument("--requests", type=int, default=400, help="sim: number of requests")
    ap.add_argument("--distinct", type=int, default=200, help="sim: distinct problems in the traffic")
    ap.add_argument("--warm", type=int, default=100, help="sim: past requests answered by the large model, cached first")
    ap.add_argument("--qps", type=float, default=2.0, help="arrival rate of the (simulated) clock")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--max-chars", type=int, default=8000)
    ap.add_argument("--feedback-rate", type=float, default=1.0,
                    help="share of decisions judged besides those the router asks about")
    ap.add_argument("--offpeak-every", type=int, default=50, help="requests between off-peak steps (0: never)")
    ap.add_argument("--replay-cost", type=float, default=0.2)
    ap.add_argument("--replay-limit", type=int, default=10)
    ap.add_argument("--budget", help="byte budget of a new table, e.g. 256KB")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--verbose", action="store_true", help="one line per request")
    return ap.parse_args(argv)


def summarize(results, small_cost, large_cost, parts=4):
    rows = []
    n = len(results)
    for p in range(parts):
        chunk = results[p * n // parts:(p + 1) * n // parts]
        if not chunk:
            continue
        judged = [r["reward"] for r in chunk if r["reward"] is not None]
        small = sum(r["small"] for r in chunk)
        cost = sum(small_cost if r["small"] else large_cost for r in chunk) / (len(chunk) * large_cost)
        rows.append({"from": p * n // parts + 1, "to": (p + 1) * n // parts, "small_share": small / len(chunk),
                     "mean_reward": sum(judged) / len(judged) if judged else None, "relative_cost": cost})
    return rows


def reexec_if_no_extension_loading():
    """pyenv and some other Pythons build sqlite3 without extension loading; Debian's
    /usr/bin/python3 has it. Re-run under it rather than fail."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return
    system = "/usr/bin/python3"
    if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
        os.execv(system, [system] + sys.argv)


def main(argv=None):
    if argv is None:
        reexec_if_no_extension_loading()
        # A closed pipe (`serving_loop.py --json | head`) ends the program quietly, as it does cat.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = parse_args(argv if argv is not None else sys.argv[1:])
    db = open_cache(args.db, args.extension)
    if args.backend == "sim":
        for flag, value, sim in (("--small-model", args.small_model, sim_models.SMALL),
                                 ("--large-model", args.large_model, sim_models.LARGE)):
            if value != sim:
                raise SystemExit("%s %s applies to --backend http; --backend sim always serves the simulated "
                                 "models %s and %s (drop %s, or use --backend http)"
                                 % (flag, value, sim_models.SMALL, sim_models.LARGE, flag))
        world = sim_models.SimWorld(seed=args.seed)
        backend = openai_backend.SimBackend(world)
        requests = world.requests(args.requests + args.warm, distinct=args.distinct)
        warm, requests = requests[:args.warm], requests[args.warm:]
        args.small_model, args.large_model = sim_models.SMALL, sim_models.LARGE
    else:
        if not args.base_url or not args.requests_file:
            raise SystemExit("--backend http needs --base-url and --requests-file")
        backend = openai_backend.HttpBackend(args.base_url, args.api, args.api_key, args.judge_model,
                                             judge_url=args.judge_url)
        requests, warm = read_requests(args.requests_file), []
    ensure_table(db, args.table, args.small_model, args.large_model, args.small_cost, args.large_cost,
                 args.seed, args.cost_weight, args.budget, args.backend)
    loop = ServingLoop(db, backend, args.small_model, args.large_model, args.table, args.k,
                       args.max_chars, args.feedback_rate, args.seed)
    # Past traffic: large-model answers admitted unjudged, as an import of logs would.
    for req in warm:
        ans = backend.generate(args.large_model, [{"role": "user", "content": req}], "Question: %s\nAnswer:" % req)
        db.execute('INSERT INTO "%s"(request, response, model) VALUES (?, ?, ?)' % args.table,
                   (req, ans, args.large_model))
    # The router's clock: Poisson arrivals at --qps. An in-memory run starts at a fixed time
    # so that it repeats exactly; a cache file continues from now.
    clock = SIM_START if args.db == ":memory:" else time.time()
    gaps = sim_models.Rng(sim_models.splitmix64(args.seed + 1))
    results, offpeak = [], []
    for i, req in enumerate(requests, 1):
        clock += -math.log(1.0 - gaps.uniform()) / args.qps
        try:
            r = loop.serve(req, at=clock)
        except openai_backend.BackendError as e:
            raise SystemExit("request %d: %s" % (i, e))
        r["small"] = r["model"] == args.small_model
        results.append(r)
        if args.verbose:
            print("%4d %-10s reward=%s examples=%s  %.60s" % (i, r["model"], r["reward"], r["example_ids"], req))
        if args.offpeak_every and i % args.offpeak_every == 0:
            offpeak.append(loop.offpeak(args.replay_cost, args.replay_limit))
            if args.large_share >= 0:  # RouteLLM style: a target share of large-model calls
                offpeak[-1]["cost_weight"] = db.execute("SELECT iccache_calibrate(?, ?)",
                                                        (args.table, args.large_share)).fetchone()[0]
    summary = {"requests": len(results), "parts": summarize(results, args.small_cost, args.large_cost),
               "offpeak": offpeak, "shadow_runs": loop.shadows_run, "examples": db.execute('SELECT count(*) FROM "%s"' % args.table).fetchone()[0],
               "decisions_with_feedback": int(db.execute(
                   "SELECT value FROM iccache_stats(?) WHERE key = 'decisions_with_feedback'",
                   (args.table,)).fetchone()[0])}
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print_summary(args, summary)
    return 0


def print_summary(args, s):
    print("iccache serving loop: backend %s, %d requests, models %s (cost %g) / %s (cost %g)"
          % (args.backend, s["requests"], args.small_model, args.small_cost, args.large_model, args.large_cost))
    if args.backend == "sim":
        print("simulated: %s right %.0f%% of the time; %s %.0f%% alone, up to %.0f%% with close examples"
              % (sim_models.LARGE, 100 * sim_models.P_LARGE, sim_models.SMALL, 100 * sim_models.P_SMALL,
                 100 * (sim_models.P_SMALL + sim_models.LIFT)))
    print("%-12s %12s %12s %14s" % ("requests", "small share", "mean reward", "cost vs large"))
    for p in s["parts"]:
        reward = "-" if p["mean_reward"] is None else "%.3f" % p["mean_reward"]
        print("%-12s %12.3f %12s %14.3f" % ("%d-%d" % (p["from"], p["to"]), p["small_share"], reward,
                                           p["relative_cost"]))
    for i, o in enumerate(s["offpeak"], 1):
        ev = "" if o["evict"] is None else ", evicted %d" % o["evict"]["evicted"]
        print("off-peak %d: replayed %d examples, %d improved%s" % (i, o["replayed"], o["improved"], ev))
    print("cache: %d examples, %d decisions with feedback" % (s["examples"], s["decisions_with_feedback"]))


if __name__ == "__main__":
    sys.exit(main())
