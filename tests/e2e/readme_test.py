"""A newcomer following README.md: the commands of its "First steps" block run as written
(from the repository root, on a fresh cache file) and show what the README promises: the
import's progress bar (on a terminal) and the serving loop's summary.
Run by ctest with ICCACHE_EXTENSION set (README's build/ is where scripts/build.sh puts it)."""
import os
import re
import shlex
import subprocess
import tempfile
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def first_steps_commands():
    text = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
    section = text[text.index("## First steps"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]


def readme_block(marker, lang):
    """The fenced block of `lang` that follows `marker` in README.md."""
    text = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
    return re.search(r"```%s\n(.*?)```" % lang, text[text.index(marker):], re.S).group(1)


def snippet_dir(d):
    """`d` laid out like the repository root for the snippets' relative paths: build/iccache.so
    is the extension under test; cache.db is made by the README's first SQL block, run in the
    sqlite3 shell exactly as written."""
    os.mkdir(os.path.join(d, "build"))
    os.symlink(os.environ["ICCACHE_EXTENSION"], os.path.join(d, "build", "iccache.so"))
    p = subprocess.run(["sqlite3", "cache.db"], cwd=d, input=readme_block("## What it is", "sql"),
                       capture_output=True, text=True)
    return p


class Readme(unittest.TestCase):
    def test_sqlite3_shell_walkthrough_runs_as_written(self):
        with tempfile.TemporaryDirectory() as d:
            p = snippet_dir(d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr, "")
            self.assertRegex(p.stdout, r"^1\|What is the capital of France\?\|Paris\.\|0\.\d+\n$")

    def test_python_snippet_runs_as_written(self):
        code = readme_block("Python (Debian's", "python") + "print(ids)\nprint(messages)\n"
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(snippet_dir(d).returncode, 0)
            p = subprocess.run(["/usr/bin/python3", "-c", code], cwd=d, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            ids, messages = p.stdout.split("\n", 1)
            self.assertEqual(ids, "[1]")
            self.assertIn('"content":"Paris."', messages)
            self.assertIn('"content":"capital of France"', messages)

    def test_first_steps_run_as_written(self):
        commands = first_steps_commands()
        self.assertEqual([c.split()[0] for c in commands],
                         ["cli/iccache", "cli/iccache", "/usr/bin/python3"])
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "cache.db")
            outputs = []
            for c in commands:
                argv = [db if a == "cache.db" else a for a in shlex.split(c)]
                if "--progress" not in argv and argv[0] == "cli/iccache" and "import" in argv:
                    argv.append("--progress=always")  # what a terminal shows (tested on a pty in cli_test)
                p = subprocess.run(argv, cwd=SOURCE, capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, "%s\n%s" % (c, p.stderr))
                outputs.append((p.stdout, p.stderr))
        self.assertIn("] 100% 2000 rows", outputs[0][1])
        self.assertRegex(outputs[0][0], r"^imported 2000 examples into ex")
        self.assertIn("Natalia sold clips", outputs[1][0])
        self.assertRegex(outputs[2][0], r"(?m)^301-400 +\d\.\d{3} +\d\.\d{3} +\d\.\d{3}$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
