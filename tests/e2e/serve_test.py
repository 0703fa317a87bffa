"""`iccache serve` end to end on loopback: examples/sim_server.py as the small and the large
upstream (models sim-small / sim-large), the proxy in front, clients speaking HTTP (urllib)
and the `openai` npm package's client. Checks the per-request loop (select, prompt, route,
upstream, answer, admit, feedback), streaming, feedback, fallback, metrics, startup checks
and two workers on one cache file. Run by ctest with ICCACHE_EXTENSION set."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

from loop_util import SOURCE, SimServer
from e2e_util import TempDirTest

CLI = os.path.join(SOURCE, "cli", "iccache")
SAMPLE = os.path.join(SOURCE, "examples", "data", "gsm8k_sample.json")
NODE_DIR = os.path.join(SOURCE, "tests", "node")
NATALIA = ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
           "How many clips did Natalia sell altogether in April and May?")


def http(method, url, body=None, raw=False):
    """(status, headers, body): body parsed as JSON unless raw."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, headers, text = r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        status, headers, text = e.code, e.headers, e.read().decode()
    return status, headers, text if raw else json.loads(text)


class Proxy:
    """`iccache serve --port 0 ...` on 127.0.0.1; .base is its /v1 URL, .root without /v1."""

    def __init__(self, db, *args):
        self.argv = [sys.executable, CLI, "--db", db, "serve", "--port", "0", "--log-level", "warning"] + list(args)

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (http://127\.0\.0\.1:\d+)/v1 ", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("iccache serve did not start: %r %s" % (line, self.proc.stderr.read()))
        self.root = m.group(1)
        self.base = self.root + "/v1"
        for _ in range(100):  # the socket is bound before uvicorn is ready; wait for it
            try:
                if http("GET", self.root + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()


def chat(base, text, **extra):
    return http("POST", base + "/chat/completions", dict({"model": "any", "messages": [
        {"role": "user", "content": text}]}, **extra))


def wait_for(fn, timeout=20):
    """fn() once it is truthy (admission happens after the answer has gone out)."""
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(0.05)


def scrape(root):
    """{(name, sorted labels): value} of GET /metrics."""
    status, _, text = http("GET", root + "/metrics", raw=True)
    assert status == 200
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$", line)
        if m:
            labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


class Serve(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.sim = SimServer().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.sim.__exit__(None, None, None)

    def cache(self):
        c = sqlite3.connect(self.db)
        c.enable_load_extension(True)
        c.load_extension(os.environ["ICCACHE_EXTENSION"])
        return c

    def upstreams(self, small_url=None):
        # warmup=0: no uniform draws while the arms are new, so the cost weight alone decides
        return ["--small-url", small_url or self.sim.url, "--small-model", "sim-small",
                "--large-url", self.sim.url, "--large-model", "sim-large", "--create", "warmup=0"]

    def import_sample(self):
        p = subprocess.run([sys.executable, CLI, "--db", self.db, "import", SAMPLE, "--request-field", "question",
                            "--response-field", "answer", "--create", "models='sim-small:0.1,sim-large:1', warmup=0, cost_weight=1",
                            "--model", "sim-large", "--quality", "0.9"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_small_model_gets_examples_and_answers_are_admitted(self):
        # cost_weight 1: the small model's 0.9 lower cost decides every route.
        self.import_sample()
        with Proxy(self.db, *self.upstreams(), "--cost-weight", "1", "--large-share", "-1",
                   "--judge-model", "sim-judge") as p:
            status, headers, body = chat(p.base, NATALIA)
            self.assertEqual(status, 200, body)
            self.assertEqual(headers["x-iccache-model"], "sim-small")
            self.assertEqual(headers["x-iccache-decision"], "1")
            ids = json.loads(headers["x-iccache-examples"])
            self.assertEqual(ids[0], 1)  # the sample's own Natalia question is the best example
            self.assertEqual(body["model"], "sim-small")
            self.assertEqual(body["object"], "chat.completion")
            # The judge's reward reaches the router; a right answer (the world's gold) is admitted.
            c = self.cache()
            reward = wait_for(lambda: c.execute("SELECT reward FROM ex_decisions WHERE id = 1").fetchone()[0]
                              is not None and c.execute("SELECT reward FROM ex_decisions WHERE id = 1").fetchone())
            self.assertIn(reward[0], (0.0, 1.0))
            admitted = c.execute("SELECT count(*) FROM ex WHERE rowid > 2000").fetchone()[0]
            self.assertEqual(admitted, 1 if reward[0] == 1.0 else 0)
            # Completions: the few-shot text goes to /v1/completions of the small model.
            status, headers, body = http("POST", p.base + "/completions", {"model": "x", "prompt": NATALIA})
            self.assertEqual((status, headers["x-iccache-model"], body["object"]), (200, "sim-small", "text_completion"))
            self.assertTrue(body["choices"][0]["text"].strip())

    def test_streaming_passes_events_through_and_ends_with_done(self):
        with Proxy(self.db, *self.upstreams(), "--cost-weight", "-1", "--large-share", "-1") as p:
            status, headers, plain = chat(p.base, NATALIA)
            self.assertEqual((status, headers["x-iccache-model"]), (200, "sim-large"))
            status, headers, text = http("POST", p.base + "/chat/completions", {
                "model": "any", "stream": True, "messages": [{"role": "user", "content": NATALIA}]}, raw=True)
            self.assertEqual(status, 200)
            self.assertTrue(headers["content-type"].startswith("text/event-stream"))
            self.assertEqual(headers["x-iccache-decision"], "2")
            events = [e for e in text.split("\n\n") if e.strip()]
            self.assertEqual(events[-1], "data: [DONE]")
            chunks = [json.loads(e[len("data: "):]) for e in events[:-1]]
            self.assertGreater(len(chunks), 3)
            streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
            self.assertEqual(streamed, plain["choices"][0]["message"]["content"])  # the sim is deterministic
            # Both large-model answers are admitted unjudged (quality 0.5), the streamed one as assembled.
            c = self.cache()
            rows = wait_for(lambda: c.execute("SELECT response, model, quality FROM ex").fetchall()
                            if c.execute("SELECT count(*) FROM ex").fetchone()[0] == 2 else None)
            self.assertEqual(rows, [(streamed, "sim-large", 0.5)] * 2)
            # Completions stream too.
            status, _, text = http("POST", p.base + "/completions", {"model": "x", "prompt": "What is 2+2?",
                                                                     "stream": True}, raw=True)
            self.assertEqual(status, 200)
            self.assertTrue(text.rstrip().endswith("data: [DONE]"))

    def test_feedback_endpoint(self):
        with Proxy(self.db, *self.upstreams(), "--cost-weight", "1", "--large-share", "-1") as p:
            _, headers, body = chat(p.base, NATALIA)
            decision = headers["x-iccache-decision"]
            self.assertEqual(headers["x-iccache-model"], "sim-small")
            c = self.cache()
            self.assertEqual(c.execute("SELECT count(*) FROM ex").fetchone()[0], 0)  # small, unjudged: kept aside
            wait_for(lambda: c.execute("SELECT count(*) FROM iccache_serve_answers").fetchone()[0])
            status, _, out = http("POST", p.base + "/feedback", {"decision": decision, "reward": 0.8})
            self.assertEqual((status, out), (200, {"decision": 1, "reward": 0.8, "example": 1}))
            self.assertEqual(c.execute("SELECT response, model, quality FROM ex").fetchall(),
                             [(body["choices"][0]["message"]["content"], "sim-small", 0.8)])
            self.assertEqual(c.execute("SELECT reward FROM ex_decisions WHERE id = 1").fetchone(), (0.8,))
            status, _, out = http("POST", p.base + "/feedback", {"decision": 1, "reward": 0.3})
            self.assertEqual(status, 409)
            self.assertIn("decision 1 of ex already has a reward (0.8)", out["error"]["message"])
            status, _, out = http("POST", p.base + "/feedback", {"decision": 77, "reward": 0.3})
            self.assertEqual(status, 404)
            self.assertIn("ex has no decision 77", out["error"]["message"])
            status, _, out = http("POST", p.base + "/feedback", {"decision": 1, "reward": 2})
            self.assertEqual((status, out["error"]["message"]), (400, "'reward' must be a number from 0 to 1; "
                                                                      "received 2"))
            status, _, out = http("POST", p.base + "/feedback", {"reward": 0.5})
            self.assertEqual(status, 400)
            self.assertIn("x-iccache-decision header", out["error"]["message"])
            status, _, out = http("POST", p.base + "/chat/completions", b"{not json")
            self.assertEqual(status, 400)
            self.assertIn("the body is not JSON", out["error"]["message"])
            status, _, out = http("POST", p.base + "/chat/completions", {"model": "x", "messages": []})
            self.assertEqual((status, out["error"]["message"]),
                             (400, "'messages' must be a non-empty array of message objects"))

    def test_models_health_and_metrics(self):
        with Proxy(self.db, *self.upstreams(), "--cost-weight", "1", "--large-share", "-1") as p:
            status, _, out = http("GET", p.base + "/models")
            self.assertEqual((status, [m["id"] for m in out["data"]]), (200, ["iccache", "sim-small", "sim-large"]))
            status, _, out = http("GET", p.root + "/healthz")
            self.assertEqual((status, out["status"], out["examples"]), (200, "ok", 0))
            for i in range(3):
                self.assertEqual(chat(p.base, "What is %d + %d?" % (i, i))[0], 200)
            m = wait_for(lambda: (lambda s: s if s.get(("iccache_decisions", ())) == 3 else None)(scrape(p.root)))
            self.assertEqual(m[("iccache_requests_total", (("endpoint", "chat"), ("model", "sim-small"),
                                                            ("outcome", "ok")))], 3)
            self.assertEqual(m[("iccache_request_seconds_count", (("model", "sim-small"),))], 3)
            self.assertEqual(m[("iccache_selection_seconds_count", ())], 3)
            self.assertEqual(m[("iccache_route_seconds_count", ())], 3)
            self.assertEqual(m[("iccache_offload_share", ())], 1.0)
            self.assertEqual(m[("iccache_cache_examples", ())], 0)
            self.assertEqual(m[("iccache_cost_weight", ())], 1.0)
            self.assertIn(("iccache_load_requests_per_second", ()), m)

    def test_small_model_failure_falls_back_to_the_large_one(self):
        with SimServer() as small:
            with Proxy(self.db, *self.upstreams(small.url), "--cost-weight", "1", "--large-share", "-1") as p:
                status, headers, _ = chat(p.base, NATALIA)
                self.assertEqual((status, headers["x-iccache-model"]), (200, "sim-small"))
                small.__exit__(None, None, None)  # the small model's server goes away
                small.__exit__ = lambda *a: None
                status, headers, body = chat(p.base, NATALIA)
                self.assertEqual(status, 200, body)
                self.assertEqual((headers["x-iccache-model"], headers["x-iccache-fallback"], body["model"]),
                                 ("sim-large", "sim-small", "sim-large"))
                status, headers, text = http("POST", p.base + "/chat/completions", {
                    "model": "any", "stream": True, "messages": [{"role": "user", "content": NATALIA}]}, raw=True)
                self.assertEqual((status, headers["x-iccache-model"]), (200, "sim-large"))
                self.assertTrue(text.rstrip().endswith("data: [DONE]"))
                m = scrape(p.root)
                self.assertEqual(m[("iccache_fallbacks_total", ())], 2)
                self.assertEqual(m[("iccache_upstream_errors_total", (("model", "sim-small"),))], 2)
                self.assertEqual(m[("iccache_requests_total", (("endpoint", "chat"), ("model", "sim-large"),
                                                                ("outcome", "ok")))], 2)

    def test_unsure_router_runs_the_shadow_arm_after_the_answer(self):
        # A fresh table with no cost trade-off: both arms look the same, so the router is unsure
        # and names the runner-up; with a judge and no load, the proxy runs it too and feeds its
        # reward back (iccache_feedback with the arm), after the answer.
        with Proxy(self.db, *self.upstreams()[:-2], "--cost-weight", "0", "--large-share", "-1",
                   "--judge-model", "sim-judge") as p:
            status, headers, _ = chat(p.base, NATALIA)
            self.assertEqual(status, 200)
            c = self.cache()
            row = wait_for(lambda: (lambda r: r if r and r[2] is not None else None)(c.execute(
                "SELECT arm, shadow, shadow_reward, want_feedback FROM ex_decisions WHERE id = 1").fetchone()))
            self.assertIsNotNone(row)
            arm, shadow, shadow_reward, want = row
            self.assertEqual((arm, want), (headers["x-iccache-model"], 1))
            self.assertEqual({arm, shadow}, {"sim-small", "sim-large"})
            self.assertIn(shadow_reward, (0.0, 1.0))  # the simulated judge: right or wrong
            self.assertEqual(scrape(p.root)[("iccache_shadow_runs_total", ())], 1)

    def test_startup_checks_say_what_is_missing(self):
        def start(*args):
            p = subprocess.run([sys.executable, CLI, "--db", self.db, "serve", "--port", "0"] + list(args),
                               capture_output=True, text=True, timeout=60)
            return p.returncode, p.stderr
        root = self.sim.url[:-len("/v1")]
        rc, err = start("--small-url", root, "--small-model", "sim-small", "--large-url", self.sim.url,
                        "--large-model", "sim-huge")
        self.assertEqual(rc, 5)
        self.assertEqual(err, "iccache serve: the small model's server answered GET %s/models with HTTP 404; "
                              "OpenAI-compatible base URLs end in /v1: try --small-url %s/v1; and the large model "
                              "sim-huge is not served at %s (it serves: sim-small, sim-large, sim-judge); fix "
                              "--large-model or --large-url\n" % (root, root, self.sim.url))
        rc, err = start("--small-url", "http://127.0.0.1:9/v1", "--small-model", "a", "--large-url", self.sim.url,
                        "--large-model", "sim-large")
        self.assertEqual(rc, 5)
        self.assertRegex(err, r"^iccache serve: the small model's server http://127.0.0.1:9/v1 cannot be reached "
                              r"\(.*\); start it or fix --small-url\n$")
        self.assertFalse(os.path.exists(self.db))  # nothing created before the checks pass
        self.import_sample()  # a table whose models are sim-small and sim-large
        rc, err = start("--small-url", self.sim.url, "--small-model", "sim-large", "--large-url", self.sim.url,
                        "--large-model", "sim-judge")
        self.assertEqual(rc, 3)
        self.assertIn("table ex of %s routes between the models sim-small:0.1,sim-large:1, not sim-judge" % self.db,
                      err)

    def test_two_workers_share_one_cache_file(self):
        with Proxy(self.db, *self.upstreams(), "--workers", "2", "--cost-weight", "-1", "--large-share", "-1") as p:
            def workers():  # the spawned children (not multiprocessing's resource tracker)
                with open("/proc/%d/task/%d/children" % (p.proc.pid, p.proc.pid)) as f:
                    pids = f.read().split()
                out = []
                for q in pids:
                    with open("/proc/%s/cmdline" % q, "rb") as f:
                        if b"spawn_main" in f.read():
                            out.append(q)
                return out
            self.assertEqual(len(workers()), 2)
            decisions = set()
            for i in range(20):
                status, headers, _ = chat(p.base, "Question number %d about apples" % i)
                self.assertEqual((status, headers["x-iccache-model"]), (200, "sim-large"))
                decisions.add(int(headers["x-iccache-decision"]))
            self.assertEqual(decisions, set(range(1, 21)))  # one decision log across the workers
            c = self.cache()
            self.assertEqual(wait_for(lambda: c.execute("SELECT count(*) FROM ex").fetchone()[0] == 20 or None), True)
            # Any worker's /metrics counts every worker's requests.
            m = scrape(p.root)
            self.assertEqual(m[("iccache_requests_total", (("endpoint", "chat"), ("model", "sim-large"),
                                                            ("outcome", "ok")))], 20)
            self.assertEqual(m[("iccache_cache_examples", ())], 20)

    def test_openai_npm_client(self):
        script = os.path.join(NODE_DIR, "serve_openai_client.js")
        self.assertTrue(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "openai")),
                        "the openai npm package is missing: run bash scripts/install-node-deps.sh")
        self.import_sample()
        with Proxy(self.db, *self.upstreams(), "--cost-weight", "1", "--large-share", "-1") as p:
            out = subprocess.run(["node", script, p.base], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            seen = json.loads(out.stdout)
        self.assertEqual((seen["decision"], seen["model"]), ("1", "sim-small"))
        self.assertTrue(seen["answer"])
        self.assertRegex(seen["answer"], r"#### \d+$")
        self.assertRegex(seen["streamed"], r"(?s)^Natalia .*#### \d+$")
        self.assertGreater(seen["chunks"], 3)
        self.assertTrue(seen["completion"].strip())
        self.assertEqual(seen["models"], ["iccache", "sim-small", "sim-large"])

    def test_judge_template_matches_the_serving_loop(self):
        sys.path.insert(0, os.path.join(SOURCE, "cli"))
        from iccache_cli.serve_app import JUDGE_TEMPLATE
        import openai_backend
        self.assertEqual(JUDGE_TEMPLATE, openai_backend.JUDGE_TEMPLATE)


if __name__ == "__main__":
    unittest.main(verbosity=2)
