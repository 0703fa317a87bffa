"""The serving loop offline: the seeded simulation repeats exactly, learns to offload once
calibrated, replays and evicts off peak, and prints a summary a newcomer can read.
Run by ctest with ICCACHE_EXTENSION set to the built extension."""
import json
import os
import sqlite3
import unittest

from loop_util import loop


class ServingLoopSim(unittest.TestCase):
    def test_sim_repeats_exactly_and_learns_to_offload(self):
        # Off-peak steps every 50 requests calibrate the router to send 30% to the large model.
        args = ["--backend", "sim", "--requests", "160", "--warm", "40", "--offpeak-every", "40", "--json"]
        rc, out, err = loop(*args)
        self.assertEqual(rc, 0, err)
        self.assertEqual(loop(*args)[1], out)
        s = json.loads(out)
        self.assertEqual(s["requests"], 160)
        self.assertEqual(s["decisions_with_feedback"], 160)  # --feedback-rate 1
        self.assertEqual(len(s["offpeak"]), 4)
        last = s["parts"][-1]
        self.assertGreaterEqual(last["small_share"], 0.5)
        self.assertLessEqual(last["relative_cost"], 0.55)
        self.assertGreaterEqual(last["mean_reward"], 0.8)  # sim-large alone: 0.9 at cost 1
        for p in s["parts"]:
            self.assertAlmostEqual(p["relative_cost"], p["small_share"] * 0.1 + (1 - p["small_share"]), places=9)
        self.assertGreater(s["examples"], 40)

    def test_without_cost_trade_off_quality_decides(self):
        # No calibration and cost_weight 0: the router maximises quality. Both arms are tried
        # early (optimistic prior, warm-up, shadow runs), then each request goes where the
        # reward is higher: the small model where close examples make it as good. The reward
        # reaches the large model's alone (0.9) within a small tolerance.
        rc, out, err = loop("--backend", "sim", "--requests", "160", "--warm", "20", "--large-share", "-1", "--json")
        self.assertEqual(rc, 0, err)
        parts = json.loads(out)["parts"]
        self.assertGreater(parts[0]["small_share"], 0.3)  # the small arm was tried
        self.assertGreaterEqual(parts[-1]["mean_reward"], 0.85)
        self.assertGreater(json.loads(out)["shadow_runs"], 0)

    def test_offpeak_replays_and_evicts(self):
        rc, out, err = loop("--backend", "sim", "--requests", "100", "--warm", "40", "--offpeak-every", "50",
                            "--budget", "48KB", "--json")
        self.assertEqual(rc, 0, err)
        s = json.loads(out)
        self.assertEqual(len(s["offpeak"]), 2)
        for o in s["offpeak"]:
            self.assertLessEqual(o["improved"], o["replayed"])
            self.assertLessEqual(o["replayed"], 10)
            self.assertIsNotNone(o["evict"])
            self.assertLessEqual(o["evict"]["kept_bytes"], 48 * 1024)
        self.assertGreater(sum(o["replayed"] for o in s["offpeak"]), 0)

    def test_text_summary_for_a_newcomer(self):
        rc, out, err = loop("--backend", "sim", "--requests", "40", "--warm", "10", "--offpeak-every", "20")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "iccache serving loop: backend sim, 40 requests, models sim-small (cost 0.1)"
                                   " / sim-large (cost 1)")
        self.assertEqual(lines[2].split(), ["requests", "small", "share", "mean", "reward", "cost", "vs", "large"])
        self.assertEqual([l.split()[0] for l in lines[3:7]], ["1-10", "11-20", "21-30", "31-40"])
        self.assertRegex(lines[7], r"^off-peak 1: replayed \d+ examples, \d+ improved$")
        self.assertRegex(lines[-1], r"^cache: \d+ examples, 40 decisions with feedback$")

    def test_library_use_with_a_reward_callback(self):
        # ServingLoop as a library: your own backend object and reward callback.
        import os
        import serving_loop  # examples/serving_loop.py (loop_util put examples/ on sys.path)
        db = serving_loop.open_cache(":memory:", os.environ["ICCACHE_EXTENSION"])
        serving_loop.ensure_table(db, "ex", "small", "large", 0.1, 1.0, seed=1, cost_weight=0)
        db.execute("INSERT INTO ex(request, response) VALUES ('What is 2 + 2?', '4')")
        seen = []

        class EchoBackend:
            def generate(self, model, messages, prompt, temperature=None):
                seen.append((model, messages, prompt))
                return "answer from " + model

        def reward(request, answer, model):
            return 0.75

        loop_ = serving_loop.ServingLoop(db, EchoBackend(), "small", "large", reward_fn=reward)
        r = loop_.serve("What is 2 plus 2?", at=1767225600.0)
        self.assertEqual(r["reward"], 0.75)
        self.assertEqual(r["answer"], "answer from " + r["model"])
        self.assertEqual(db.execute("SELECT reward FROM ex_decisions WHERE id = ?", (r["decision"],)).fetchone(),
                         (0.75,))
        model, messages, prompt = seen[0]
        if model == "small":  # the small model gets the examples, the large one the request alone
            self.assertEqual(messages[:2], [{"role": "user", "content": "What is 2 + 2?"},
                                            {"role": "assistant", "content": "4"}])
        else:
            self.assertEqual(messages, [{"role": "user", "content": "What is 2 plus 2?"}])
        self.assertEqual(db.execute("SELECT count(*) FROM ex").fetchone(), (2,))  # admitted (reward >= 0.5)

    def test_first_hour_messages(self):
        import subprocess
        import sys
        import tempfile
        from loop_util import LOOP, SOURCE
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "cache.db")
            c = sqlite3.connect(db)
            c.enable_load_extension(True)
            c.load_extension(os.environ["ICCACHE_EXTENSION"])
            c.execute("CREATE VIRTUAL TABLE ex USING iccache(models='small:0.1,large:1')")
            c.close()
            rc, _, err = loop("--backend", "sim", "--db", db, "--requests", "5")
            self.assertEqual(rc, 1)
            self.assertEqual(err, "--backend sim serves the simulated models sim-small and sim-large, but table ex "
                                  "routes between small:0.1,large:1; give the simulation its own table (--table "
                                  "sim, or another --db: a new table is created with the simulated models), or "
                                  "serve this table's models with --backend http --small-model NAME --large-model "
                                  "NAME\n")
            rc, out, err = loop("--backend", "sim", "--db", db, "--table", "sim", "--requests", "5", "--warm", "2")
            self.assertEqual(rc, 0, err)
        rc, _, err = loop("--backend", "sim", "--small-model", "llama3.1:8b")
        self.assertEqual((rc, err), (1, "--small-model llama3.1:8b applies to --backend http; --backend sim always "
                                        "serves the simulated models sim-small and sim-large (drop --small-model, "
                                        "or use --backend http)\n"))
        # A closed pipe ends it quietly.
        p = subprocess.run("%s %s --requests 20 --warm 5 --json | head -1" % (sys.executable, LOOP), shell=True,
                           capture_output=True, text=True, cwd=SOURCE)
        self.assertEqual((p.stdout, p.stderr), ("{\n", ""))


if __name__ == "__main__":
    unittest.main(verbosity=2)
