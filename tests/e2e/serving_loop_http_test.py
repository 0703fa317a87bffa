"""The serving loop over HTTP: the same traffic through a real OpenAI-compatible server on
127.0.0.1 (examples/sim_server.py; chat and completions APIs, an LLM-judge call per request)
gives exactly the offline simulation's outcome; a server that is down is a clear error.
Run by ctest with ICCACHE_EXTENSION set to the built extension."""
import json
import os
import tempfile
import unittest

from loop_util import SimServer, loop  # puts examples/ on sys.path
import sim_models  # noqa: E402  (examples/sim_models.py)


class ServingLoopHttp(unittest.TestCase):
    def _http_run(self, api, requests_file, separate_judge=False):
        with SimServer() as server, SimServer() as judge:
            judge_args = ["--judge-url", judge.url] if separate_judge else []
            rc, out, err = loop("--backend", "http", "--base-url", server.url, "--api", api,
                                "--small-model", "sim-small", "--large-model", "sim-large",
                                "--judge-model", "sim-judge", "--requests-file", requests_file,
                                "--offpeak-every", "20", "--json", *judge_args)
            self.assertEqual(server.proc.poll(), None)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_http_round_trip_matches_the_offline_simulation(self):
        requests = sim_models.SimWorld(seed=7).requests(60, distinct=200)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("".join(r + "\n" for r in requests))
        try:
            chat = self._http_run("chat", f.name)
            completions = self._http_run("completions", f.name, separate_judge=True)
        finally:
            os.unlink(f.name)
        rc, out, err = loop("--backend", "sim", "--requests", "60", "--warm", "0", "--offpeak-every", "20", "--json")
        self.assertEqual(rc, 0, err)
        offline = json.loads(out)
        self.assertEqual(chat["requests"], 60)
        self.assertEqual(chat["decisions_with_feedback"], 60)  # one judge call over HTTP each
        self.assertGreater(chat["parts"][-1]["small_share"], 0)  # the few-shot prompts were used
        self.assertEqual(chat, offline)
        self.assertEqual(completions, offline)  # the few-shot text carries the same examples;
        # its judge ran on a second server (--judge-url)

    def test_shipped_prompts_file(self):
        # examples/data/prompts.txt, as the docstring's command uses it, against the simulated server.
        with SimServer() as server:
            rc, out, err = loop("--backend", "http", "--base-url", server.url, "--small-model", "sim-small",
                                "--large-model", "sim-large", "--judge-model", "sim-judge",
                                "--requests-file", "examples/data/prompts.txt", "--offpeak-every", "0", "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["requests"], 40)

    def test_server_down_is_a_clear_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("hello\n")
        try:
            rc, out, err = loop("--backend", "http", "--base-url", "http://127.0.0.1:9/v1",
                                "--requests-file", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 1)
        self.assertIn("request 1: cannot reach http://127.0.0.1:9/v1/chat/completions", err)

    def test_bad_requests_file_is_a_clear_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write('hello\n{"prompt": "x"}\n')
        try:
            rc, _, err = loop("--backend", "http", "--base-url", "http://127.0.0.1:9/v1", "--requests-file", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual((rc, err), (1, '%s line 2: expected a JSON object with a "request" field, or plain text\n'
                                        % f.name))
        rc, _, err = loop("--backend", "http", "--base-url", "http://127.0.0.1:9/v1", "--requests-file", "/nonexistent")
        self.assertEqual(rc, 1)
        self.assertIn("cannot read --requests-file /nonexistent", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
