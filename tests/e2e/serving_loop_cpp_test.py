"""The C++ serving loop (examples/serving_loop.cpp, linking only SQLite) prints the same
summary as the Python one: same simulated models, streams, SQL and off-peak steps.
Run by ctest with ICCACHE_EXTENSION and ICCACHE_SERVING_LOOP_CPP set."""
import os
import subprocess
import unittest

from loop_util import SOURCE, loop


class ServingLoopCpp(unittest.TestCase):
    def test_cpp_program_prints_the_same_summary(self):
        cpp = os.environ["ICCACHE_SERVING_LOOP_CPP"]
        args = ["--requests", "100", "--warm", "30", "--offpeak-every", "25", "--budget", "64KB"]
        p = subprocess.run([cpp, "--extension", os.environ["ICCACHE_EXTENSION"]] + args, capture_output=True,
                           text=True, cwd=SOURCE)
        self.assertEqual(p.returncode, 0, p.stderr)
        rc, out, err = loop("--backend", "sim", *args)
        self.assertEqual(rc, 0, err)
        table = lambda text: [l for l in text.splitlines() if not l.startswith(("iccache", "simulated"))]  # noqa
        self.assertEqual(table(p.stdout), table(out))

    def test_help_lists_every_option(self):
        cpp = os.environ["ICCACHE_SERVING_LOOP_CPP"]
        p = subprocess.run([cpp, "--help"], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        for opt in ("--db", "--extension", "--data", "--budget", "--requests", "--warm", "--distinct", "--k",
                    "--max-chars", "--offpeak-every", "--qps", "--feedback-rate", "--large-share", "--cost-weight",
                    "--seed"):
            self.assertRegex(p.stdout, r"(?m)^  %s " % opt)
        p = subprocess.run([cpp, "--frobnicate", "1"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown option --frobnicate; expected --db", p.stderr)
        self.assertIn("(--help explains them)", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
