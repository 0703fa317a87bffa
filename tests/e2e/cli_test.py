"""The iccache command end to end: import (JSON, JSONL, CSV; progress bar; bad rows leave
nothing behind), export round trip, stats, select, prompt, evict, exit codes and messages.
Run by ctest with ICCACHE_EXTENSION set to the built extension."""
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
import unittest
from e2e_util import TempDirTest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(SOURCE, "cli", "iccache")
SAMPLE = os.path.join(SOURCE, "examples", "data", "gsm8k_sample.json")
EXT = os.environ["ICCACHE_EXTENSION"]


def run(*args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    p = subprocess.run([sys.executable, CLI] + list(args), capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def count(db, table="ex"):
    c = sqlite3.connect(db)
    try:
        if not c.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (table,)).fetchone():
            return None
        return c.execute("SELECT count(*) FROM %s_data" % table).fetchone()[0]
    finally:
        c.close()


class Cli(TempDirTest):
    def write(self, name, text, mode="w"):
        path = os.path.join(self.dir.name, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    def test_import_shipped_sample_with_progress_bar(self):
        rc, out, err = run("--db", self.db, "import", SAMPLE, "--request-field", "question",
                           "--response-field", "answer", "--model", "large", "--quality", "0.9",
                           "--progress", "always")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^imported 2000 examples into ex \(.*cache.db\) in [0-9.]+ s \([0-9]+ rows/s\)\n$")
        self.assertIn("] 100% 2000 rows", err)
        self.assertIn("rows/s  ETA 0:00", err)
        self.assertEqual(count(self.db), 2000)
        c = sqlite3.connect(self.db)
        self.assertEqual(c.execute("SELECT model, quality FROM ex_data WHERE id = 1").fetchone(), ("large", 0.9))

    def test_progress_bar_on_a_terminal_by_default(self):
        # stderr on a pseudo-terminal: the default (--progress auto) draws the bar.
        master, slave = pty.openpty()
        p = subprocess.run([sys.executable, CLI, "--db", self.db, "import", SAMPLE, "--request-field", "question",
                            "--response-field", "answer"], stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal is closed and drained
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"] 100% 2000 rows", err)

    def test_no_progress_bar_when_not_a_terminal(self):
        rc, out, err = run("--db", self.db, "import", SAMPLE, "--request-field", "question",
                           "--response-field", "answer")
        self.assertEqual((rc, err), (0, ""))

    def test_bad_jsonl_row_imports_nothing(self):
        path = self.write("bad.jsonl", '{"request": "a", "response": "b"}\n\n{"request": "c", "response": "d"}\n'
                                       '{"request": "e"}\n')
        rc, out, err = run("--db", self.db, "import", path)
        self.assertEqual(rc, 4)
        self.assertEqual(err, "iccache import: %s: row 3 (line 4): field 'response' (the response) is missing"
                              " or null; nothing was imported\n" % path)
        self.assertIsNone(count(self.db))  # not even the table was created
        # Into an existing table: unchanged.
        good = self.write("good.jsonl", '{"request": "x", "response": "y", "tenant": "t1"}\n')
        self.assertEqual(run("--db", self.db, "import", good)[0], 0)
        self.assertEqual(run("--db", self.db, "import", path)[0], 4)
        self.assertEqual(count(self.db), 1)

    def test_row_errors_name_the_row_and_reason(self):
        cases = [
            ('{"request": "a", "response": "b"}\n{"request": 5, "response": "b"}\n',
             "row 2 (line 2): field 'request' (the request) must be text; received 5"),
            ('{"request": "a", "response": "b"\n', "row 1 (line 1): not valid JSON: Expecting ',' delimiter"),
            ('[1]\n', "row 1 (line 1): expected a JSON object; received [1]"),
            ('{"request": "a", "response": "b", "quality": 1.5}\n',
             "row 1 (line 1): ex.quality: must be a number from 0 to 1; received 1.5"),
            ('{"request": "a", "response": "b", "model": "gpt"}\n',
             "row 1 (line 1): ex.model: unknown model 'gpt'; expected one of small, large"),
        ]
        for i, (text, reason) in enumerate(cases):
            path = self.write("case%d.jsonl" % i, text)
            rc, _, err = run("--db", self.db, "import", path)
            self.assertEqual(rc, 4, err)
            self.assertIn(reason, err)
            self.assertTrue(err.endswith("; nothing was imported\n"), err)
        path = self.write("latin1.jsonl", b'{"request": "caf\xe9", "response": "b"}\n', "wb")
        rc, _, err = run("--db", self.db, "import", path)
        self.assertEqual(rc, 4)
        self.assertIn("row 1 (line 1): the text is not valid UTF-8", err)
        self.assertIsNone(count(self.db))

    def test_csv_with_quoting_and_mapping(self):
        path = self.write("pairs.csv", 'q,a,who,score\n"Hello, world?","Line one\nline two",small,0.7\n'
                                       'plain,"say ""hi""",,\n')
        rc, out, err = run("--db", self.db, "import", path, "--request-field", "q", "--response-field", "a",
                           "--model-field", "who", "--quality-field", "score", "--create", "dim=32")
        self.assertEqual(rc, 0, err)
        c = sqlite3.connect(self.db)
        c.enable_load_extension(True)
        c.load_extension(EXT)
        self.assertEqual(c.execute("SELECT request, response, model, quality FROM ex ORDER BY rowid").fetchall(),
                         [("Hello, world?", "Line one\nline two", "small", 0.7),
                          ("plain", 'say "hi"', "large", 0.5)])  # empty cells: the defaults
        self.assertEqual(c.execute("SELECT value FROM ex_stats WHERE key = 'dim'").fetchone()[0], 32)
        bad = self.write("bad.csv", "q,a\nx,y\nonly-one-cell\n")
        rc, _, err = run("--db", self.db, "import", bad, "--request-field", "q", "--response-field", "a")
        self.assertEqual(rc, 4)
        self.assertIn("row 2 (line 3): field 'a' (the response) is missing or null", err)
        extra = self.write("extra.csv", "q,a\nx,y,z\n")
        rc, _, err = run("--db", self.db, "import", extra, "--request-field", "q", "--response-field", "a")
        self.assertEqual(rc, 4)
        self.assertIn("row 1 (line 2): it has 3 cells but the header names 2 columns", err)
        self.assertEqual(count(self.db), 2)

    def test_input_and_setup_errors(self):
        rc, _, err = run("--db", self.db, "import", "/nonexistent/x.jsonl")
        self.assertEqual((rc, err), (3, "iccache import: /nonexistent/x.jsonl: no such file; expected a JSONL,"
                                        " CSV or JSON file to import\n"))
        path = self.write("data.txt", "hello\n")
        rc, _, err = run("--db", self.db, "import", path)
        self.assertEqual(rc, 3)
        self.assertIn("cannot tell the format of %s from its name" % path, err)
        rc, _, err = run("--db", self.db, "stats")
        self.assertEqual((rc, err), (3, "iccache stats: %s: no such cache file; create one with `iccache --db %s "
                                        "import FILE` (or check the path)\n" % (self.db, self.db)))
        self.assertFalse(os.path.exists(self.db))  # a read command creates no empty file
        sqlite3.connect(self.db).execute("CREATE TABLE t(x)")
        rc, _, err = run("--db", self.db, "stats", env_extra={"ICCACHE_EXTENSION": "/nonexistent/iccache.so"})
        self.assertEqual(rc, 5)
        self.assertIn("cannot load the iccache extension /nonexistent/iccache.so", err)
        rc, _, err = run("--db", self.db, "stats")
        self.assertEqual(rc, 1)
        self.assertIn("iccache stats: iccache_stats: there is no iccache table named 'ex'", err)
        self.assertEqual(run("--db", self.db, "frobnicate")[0], 2)

    def test_export_round_trip_and_read_commands(self):
        jsonl = self.write("in.jsonl", "".join(json.dumps(r) + "\n" for r in [
            {"request": "What is the capital of France?", "response": "Paris.", "tenant": "t"},
            {"request": "How many legs does a spider have?", "response": "Eight.", "quality": 0.8},
            {"request": "Capital of Spain?", "response": "Madrid.", "model": "small"}]))
        self.assertEqual(run("--db", self.db, "import", jsonl)[0], 0)
        out_path = os.path.join(self.dir.name, "out.jsonl")
        rc, out, _ = run("--db", self.db, "export", "-o", out_path)
        self.assertEqual((rc, out), (0, "exported 3 examples to %s\n" % out_path))
        with open(out_path) as f:
            rows = [json.loads(line) for line in f]
        self.assertEqual([(r["id"], r["request"], r["model"], r["quality"], r["tenant"]) for r in rows],
                         [(1, "What is the capital of France?", "large", 0.5, "t"),
                          (2, "How many legs does a spider have?", "large", 0.8, ""),
                          (3, "Capital of Spain?", "small", 0.5, "")])
        db2 = os.path.join(self.dir.name, "copy.db")
        self.assertEqual(run("--db", db2, "import", out_path)[0], 0)
        rc, again, _ = run("--db", db2, "export")
        strip = lambda rs: [{k: v for k, v in r.items() if k != "created_at"} for r in rs]  # noqa: E731
        self.assertEqual(strip(json.loads(line) for line in again.splitlines()), strip(rows))
        rc, csv_out, _ = run("--db", self.db, "export", "--format", "csv")
        self.assertEqual(csv_out.splitlines()[0], "id,request,response,model,quality,tenant,created_at,uses,offloads,gain")

        rc, out, _ = run("--db", self.db, "stats")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^key +value\n")
        self.assertRegex(out, r"(?m)^examples +3$")
        rc, out, _ = run("stats", "--json", "--db", self.db)  # global options after the command too
        self.assertEqual(rc, 0)
        stats = json.loads(out)
        self.assertEqual((stats["examples"], stats["models"]), (3, "small:0.1,large:1"))
        rc, out, _ = run("--db", self.db, "select", "capital of France", "-k", "2", "--json")
        hits = json.loads(out)
        self.assertEqual(len(hits), 2)
        self.assertEqual(hits[0]["request"], "What is the capital of France?")
        rc, out, _ = run("--db", self.db, "select", "capital of France", "-k", "1")
        self.assertRegex(out, r"^      id  sim    request\n +1  [01]\.\d{3}  What is the capital of France\?\n$")
        rc, out, err = run("--db", self.db, "prompt", "capital of France?", "-k", "1")
        self.assertEqual(json.loads(out)[-1], {"role": "user", "content": "capital of France?"})
        self.assertEqual(err, "examples: [1]\n")
        rc, out, _ = run("--db", self.db, "prompt", "capital of France?", "-k", "1", "--completion")
        self.assertEqual(out, "Question: What is the capital of France?\nAnswer: Paris.\n\n"
                              "Question: capital of France?\nAnswer:\n")
        rc, out, _ = run("--db", self.db, "evict", "300")
        result = json.loads(out)
        self.assertEqual(rc, 0)
        self.assertEqual(result["kept"] + result["evicted"], 3)
        self.assertEqual(count(self.db), result["kept"])
        rc, _, err = run("--db", self.db, "evict")
        self.assertEqual(rc, 1)
        self.assertIn("table ex has no budget option", err)

    def test_first_hour_papercuts(self):
        # --version, and the version agrees with the project's.
        rc, out, _ = run("--version")
        cmake = open(os.path.join(SOURCE, "CMakeLists.txt")).read()
        self.assertEqual((rc, out), (0, "iccache %s\n" % re.search(r"project\(iccache VERSION (\S+)", cmake).group(1)))
        # - reads standard input: an import (format from the first character) and a request.
        p = subprocess.run([sys.executable, CLI, "import", "-", "--db", self.db], input="".join(
            json.dumps({"request": "capital of Peru %d?" % i, "response": "Lima."}) + "\n" for i in range(50)),
            capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^imported 50 examples into ex")
        p = subprocess.run([sys.executable, CLI, "--db", self.db, "select", "-", "-k", "1", "--json"],
                           input="capital of Peru 7?\n", capture_output=True, text=True)
        self.assertEqual(json.loads(p.stdout)[0]["request"], "capital of Peru 7?")
        p = subprocess.run([sys.executable, CLI, "--db", self.db, "import", "-"], input="a,b\n",
                           capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (3, "iccache import: cannot tell the format of standard input "
                                                       "from its first character; pass --format jsonl, csv or json\n"))
        # A closed pipe ends export quietly (no traceback), as it does cat.
        p = subprocess.run("%s %s --db %s export | head -1" % (sys.executable, CLI, self.db), shell=True,
                           capture_output=True, text=True)
        self.assertEqual((p.stderr, len(p.stdout.splitlines())), ("", 1))
        # optimize: trains the index, with a progress bar when asked.
        rc, out, err = run("--db", self.db, "optimize", "--progress", "always")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^optimized ex: 50 examples in [0-9.]+ s\n$")
        self.assertIn("] 100% 50 rows", err)
        # Every option of every command has a help text.
        sys.path.insert(0, os.path.join(SOURCE, "cli"))
        from iccache_cli.main import parser
        ap = parser()
        subs = next(a for a in ap._actions if a.dest == "command").choices
        for name, sp in [("iccache", ap)] + sorted(subs.items()):
            for a in sp._actions:
                self.assertTrue(a.help, "%s: %s has no help" % (name, a.option_strings or a.dest))

    def test_model_names_as_serving_stacks_write_them(self):
        # The cost follows the last colon of a models item: Ollama tags and Hugging Face ids work.
        path = self.write("in.jsonl", '{"request": "a", "response": "b", "model": "llama3.1:8b"}\n'
                                      '{"request": "c", "response": "d"}\n')
        rc, _, err = run("--db", self.db, "import", path, "--create",
                         "models='llama3.1:8b:0.1,Qwen/Qwen2.5-72B-Instruct:1'")
        self.assertEqual(rc, 0, err)
        rc, out, _ = run("--db", self.db, "stats", "--json")
        stats = json.loads(out)
        self.assertEqual(stats["models"], "llama3.1:8b:0.1,Qwen/Qwen2.5-72B-Instruct:1")
        self.assertEqual((stats["arm.llama3.1:8b.cost"], stats["arm.Qwen/Qwen2.5-72B-Instruct.cost"]), (0.1, 1.0))
        rc, out, _ = run("--db", self.db, "export")
        self.assertEqual([json.loads(l)["model"] for l in out.splitlines()],
                         ["llama3.1:8b", "Qwen/Qwen2.5-72B-Instruct"])  # the default: the most expensive

    def test_import_json_paths(self):
        # OpenAI / vLLM chat logs: the request and response inside message arrays.
        path = self.write("chat.jsonl", "".join(json.dumps(r) + "\n" for r in [
            {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}]},
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of Chad?"},
                          {"role": "assistant", "content": "N'Djamena"}], "meta": {"a.b": {"q": 0.7}}}]))
        rc, out, err = run("--db", self.db, "import", path, "--request-field", "$.messages[#-2].content",
                           "--response-field", "$.messages[#-1].content", "--quality-field", '$.meta."a.b".q')
        self.assertEqual(rc, 0, err)
        c = sqlite3.connect(self.db)
        c.enable_load_extension(True)
        c.load_extension(EXT)
        self.assertEqual(c.execute("SELECT request, response, quality FROM ex ORDER BY rowid").fetchall(),
                         [("What is 2+2?", "4", 0.5), ("Capital of Chad?", "N'Djamena", 0.7)])
        rc, _, err = run("--db", self.db, "import", path, "--request-field", "$.messages[x]")
        self.assertEqual(rc, 3)
        self.assertIn("--request-field: field path '$.messages[x]' is not an SQLite JSON path at character 11", err)
        rc, _, err = run("--db", self.db, "import", path, "--request-field", "$.messages[5].content")
        self.assertEqual(rc, 4)
        self.assertIn("row 1 (line 1): field '$.messages[5].content' (the request) is missing or null", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
