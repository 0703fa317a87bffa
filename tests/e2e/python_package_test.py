"""The Python package python/iccache: load() on sqlite3 and apsw connections, the Cache API
(select, prompt, route, feedback, admit) with exact results on the deterministic hash
embedder, the LangChain-style example selector, and the message where the running Python
cannot load extensions. Run by ctest with ICCACHE_EXTENSION set and PYTHONPATH=python."""
import os
import shutil
import sqlite3
import subprocess
import sys
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "python"))
import iccache  # noqa: E402
from e2e_util import TempDirTest  # noqa: E402

EXT = os.environ["ICCACHE_EXTENSION"]
FACTS = [("What is the capital of France?", "Paris."), ("How many legs does a spider have?", "Eight."),
         ("What is the boiling point of water?", "100 degrees Celsius."), ("Capital of Spain?", "Madrid.")]


class Package(TempDirTest):
    def check_cache(self, conn):
        cache = iccache.Cache(conn, "ex", "models='small:0.1,large:1', dim=64, seed=3")
        ids = [cache.admit(q, a, model="large", quality=0.9) for q, a in FACTS]
        self.assertEqual(ids, [1, 2, 3, 4])
        hits = cache.select("capital of France", k=2)
        self.assertEqual([h["id"] for h in hits][:1], [1])
        self.assertEqual((hits[0]["request"], hits[0]["response"], hits[0]["model"], hits[0]["quality"]),
                         (FACTS[0][0], FACTS[0][1], "large", 0.9))
        p = cache.prompt("capital of France?", k=1)
        self.assertEqual(p["example_ids"], [1])
        self.assertEqual(p["messages"], [{"role": "user", "content": FACTS[0][0]},
                                         {"role": "assistant", "content": FACTS[0][1]},
                                         {"role": "user", "content": "capital of France?"}])
        self.assertEqual(p["prompt"], "Question: %s\nAnswer: %s\n\nQuestion: capital of France?\nAnswer:" % FACTS[0])
        r = cache.route("capital of France?", p["example_ids"])
        self.assertEqual(r["decision"], 1)
        self.assertIn(r["model"], ("small", "large"))
        cache.feedback(r["decision"], 0.75)
        stats = cache.stats()
        self.assertEqual((stats["examples"], stats["decisions"], stats["decisions_with_feedback"]), (4, 1, 1))
        with self.assertRaises(Exception) as e:
            cache.feedback(r["decision"], 0.5)
        self.assertIn("decision 1 of ex already has a reward (0.75)", str(e.exception))

    def test_sqlite3(self):
        conn = sqlite3.connect(self.db, isolation_level=None)
        self.assertEqual(iccache.load(conn), EXT)  # the path it loaded
        self.check_cache(conn)
        conn.close()
        # Reopened: the file is the cache; Cache loads the extension itself when needed.
        conn = sqlite3.connect(self.db, isolation_level=None)
        self.assertEqual(iccache.Cache(conn).stats()["examples"], 4)

    def test_apsw(self):
        import apsw
        conn = apsw.Connection(self.db)
        self.assertEqual(iccache.load(conn), EXT)
        self.check_cache(conn)

    def test_example_selector(self):
        conn = sqlite3.connect(":memory:")
        sel = iccache.IccacheExampleSelector(conn, k=1, input_key="question", output_key="answer",
                                             create="dim=64")
        for q, a in FACTS:
            sel.add_example({"question": q, "answer": a})
        self.assertEqual(sel.select_examples({"question": "How many legs has a spider?"}),
                         [{"question": FACTS[1][0], "answer": FACTS[1][1]}])
        with self.assertRaises(KeyError) as e:
            sel.add_example({"question": "x"})
        self.assertIn("the example has no 'answer' key (output_key)", str(e.exception))
        # LangChain calls the async forms too.
        import asyncio
        self.assertEqual(asyncio.run(sel.aselect_examples({"question": "Capital of Spain?"})),
                         [{"question": FACTS[3][0], "answer": FACTS[3][1]}])

    def test_errors(self):
        with self.assertRaises(TypeError) as e:
            iccache.load(object())
        self.assertEqual(str(e.exception), "iccache.load expects a sqlite3.Connection or an apsw.Connection; "
                                           "received object")
        env = dict(os.environ, ICCACHE_EXTENSION="")
        out = subprocess.run([sys.executable, "-c", "import iccache; print(iccache.loadable_path())"], env=dict(
            env, PYTHONPATH=os.path.join(SOURCE, "python")), capture_output=True, text=True)
        # Without the variable, the source tree's build/iccache.so is found (or a clear error).
        self.assertTrue(out.stdout.strip().endswith("iccache.so") or "cannot find iccache.so" in out.stderr,
                        out.stderr)

    def test_message_where_python_cannot_load_extensions(self):
        # pyenv's default builds lack extension loading; use one when this machine has it.
        for exe in filter(None, [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]):
            check = subprocess.run([exe, "-c", "import sqlite3; print(hasattr(sqlite3.Connection, "
                                   "'enable_load_extension'))"], capture_output=True, text=True)
            if check.stdout.strip() == "False":
                break
        else:
            self.skipTest("no Python without extension loading on this machine")
        out = subprocess.run([exe, "-c", "import sqlite3, iccache; iccache.load(sqlite3.connect(':memory:'))"],
                             env=dict(os.environ, PYTHONPATH=os.path.join(SOURCE, "python")),
                             capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("iccache.ExtensionLoadingUnavailable: this Python's sqlite3 module cannot load extensions",
                      out.stderr)
        self.assertIn("Debian's /usr/bin/python3", out.stderr)
        self.assertIn("--enable-loadable-sqlite-extensions", out.stderr)
        self.assertIn("apsw", out.stderr)

    def test_readme_block_runs_as_written(self):
        # README.md's Python block that imports the package, run in a fresh directory.
        import re
        readme = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
        blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "import iccache" in b]
        self.assertEqual(len(blocks), 1)
        out = subprocess.run([sys.executable, "-c", blocks[0]], cwd=self.dir.name, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=os.path.join(SOURCE, "python")))
        self.assertEqual((out.returncode, out.stdout), (0, EXT + "\n"), out.stderr)
        c = sqlite3.connect(os.path.join(self.dir.name, "cache.db"))
        self.assertEqual(c.execute("SELECT reward FROM ex_decisions").fetchall(), [(1.0,)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
