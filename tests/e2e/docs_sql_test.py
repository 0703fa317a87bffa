"""Every ```sql block of README.md and docs/*.md runs against the built extension, so the
documentation cannot drift from the code.

Each block runs in a fresh in-memory database, statement by statement. A block that does not
create its own `ex` gets a fixture first: `ex` with the two default models and a budget,
200 GSM8K examples, two routed decisions (one with a reward) and their example feedback. A
block that creates `ex` (with the built-in embedder) gets the same examples and decisions
right after its CREATE.
Named parameters (:request, :decision, ...) are bound from PARAMS below; a block using a name
missing there fails, naming it. sqlite3-shell dot commands (.load, .mode) are skipped: the
test has loaded the extension itself. An HTML comment right before a block may pick another
fixture (`<!-- docs-test: fixture=NAME -->`, see FIXTURES).
Sources of sql/*.sql are run whole too (they are examples a person runs).
"""
import glob
import json
import os
import re
import sqlite3
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXT = os.environ["ICCACHE_EXTENSION"]
SAMPLE = os.path.join(SOURCE, "examples", "data", "gsm8k_sample.json")

PARAMS = {
    "request": "A baker makes 24 muffins an hour. How many muffins does he bake in 6 hours?",
    "query": "How many clips did Natalia sell in April and May?",
    "k": 3, "tenant": "", "t": "", "decision": 2, "reward": 0.8, "id": 1, "better": "A better worked answer. #### 72",
    "q": 0.95, "example_ids_json": "[1, 2]", "at": 1767225600.0, "time": 1767225600.0, "share": 0.3,
    "requests_per_second": 5.0, "window": 100, "budget": "256MB", "replay_cost": 0.2, "max_chars": 4000,
    "embedding": None, "ids_json": "[1, 2]", "best": "A better worked answer. #### 72", "judged": 0.9,
}


def load_sample(db, n=200):
    """n GSM8K examples, two routed decisions (one rewarded, so its examples have feedback)."""
    problems = json.load(open(SAMPLE, encoding="utf-8"))[:n]
    db.executemany("INSERT INTO ex(request, response, model, quality) VALUES (?, ?, NULL, 0.9)",
                   [(p["question"], p["answer"]) for p in problems])
    db.execute("SELECT * FROM iccache_route('ex', 'Natalia sold clips', '[1, 2]', 1767225600)").fetchall()
    db.execute("SELECT * FROM iccache_route('ex', 'Weng earns $12 an hour', '[2]', 1767225601)").fetchall()
    db.execute("SELECT iccache_feedback('ex', 1, 0.3)")


def fixture_default(db):
    db.execute("CREATE VIRTUAL TABLE ex USING iccache(models='small:0.1,large:1.0', budget='1GB', seed=7)")
    load_sample(db)


def fixture_dim3(db):
    """Three dimensions, for examples that spell vectors out as JSON."""
    db.execute("CREATE VIRTUAL TABLE ex USING iccache(dim=3)")
    load_sample(db, 20)


def fixture_empty(db):
    pass


FIXTURES = {"default": fixture_default, "dim3": fixture_dim3, "empty": fixture_empty}
CREATES_EX = re.compile(r"CREATE\s+VIRTUAL\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?ex\b", re.I)
FENCE = re.compile(r"(?:<!--\s*docs-test:\s*fixture=(\w+)\s*-->\s*\n)?```sql\n(.*?)```", re.S)


def blocks():
    files = [os.path.join(SOURCE, "README.md")] + sorted(glob.glob(os.path.join(SOURCE, "docs", "*.md")))
    for path in files:
        text = open(path, encoding="utf-8").read()
        for m in FENCE.finditer(text):
            line = text.count("\n", 0, m.start(2)) + 1
            yield os.path.relpath(path, SOURCE), line, m.group(1), m.group(2)


def statements(sql):
    """Complete statements of a block (several may share a line). Dot commands and
    load_extension() calls are dropped: the test has loaded the extension (and SQLite
    refuses to register functions again while a statement runs)."""
    text = "".join(l for l in sql.splitlines(keepends=True)
                   if not l.lstrip().startswith(".") and "load_extension(" not in l)
    buf = ""
    for piece in re.split(r"(;)", text):
        buf += piece
        if piece == ";" and sqlite3.complete_statement(buf):
            yield buf.strip()
            buf = ""
    if re.sub(r"--[^\n]*", "", buf).strip():
        raise AssertionError("an incomplete statement at the end of the block: %r" % buf.strip()[:80])


def parameter_names(stmt):
    """:names of a statement, outside string literals and comments."""
    code = re.sub(r"--[^\n]*", "", re.sub(r"'(?:[^']|'')*'", "''", stmt))
    return re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", code)


def connect():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    # readfile() is a sqlite3-shell function that sql/quickstart.sql and docs use.
    db.create_function("readfile", 1, lambda p: open(os.path.join(SOURCE, p), "rb").read())
    return db


def run_block(fixture, sql):
    db = connect()
    if fixture is None:
        fixture = "empty" if CREATES_EX.search(sql) else "default"
    FIXTURES[fixture](db)
    for stmt in statements(sql):
        if fixture == "empty" and CREATES_EX.search(re.sub(r"--[^\n]*", "", stmt)):
            db.execute(stmt)  # the block's own table: give it the sample data (hash embedder only)
            embedder = db.execute("SELECT value FROM iccache_stats('ex') WHERE key = 'embedder'").fetchone()[0]
            if embedder == "hash":
                load_sample(db)
            continue
        names = parameter_names(stmt)
        missing = [n for n in names if n not in PARAMS]
        if missing:
            raise AssertionError("no value for parameter(s) %s in: %s" % (", ".join(missing), stmt[:120]))
        try:
            db.execute(stmt, {n: PARAMS[n] for n in names}).fetchall()
        except sqlite3.Error as e:
            raise AssertionError("%s\n  in: %s" % (e, stmt[:300]))
    db.close()


class DocsSql(unittest.TestCase):
    def test_every_sql_block_runs(self):
        found = 0
        for path, line, fixture, sql in blocks():
            found += 1
            with self.subTest(block="%s:%d" % (path, line)):
                run_block(fixture, sql)
        self.assertGreater(found, 10)

    def test_sql_scripts_run(self):
        for path in sorted(glob.glob(os.path.join(SOURCE, "sql", "*.sql"))):
            with self.subTest(script=os.path.relpath(path, SOURCE)):
                cwd = os.getcwd()
                os.chdir(SOURCE)  # scripts read files relative to the repository root
                try:
                    run_block(None, open(path, encoding="utf-8").read())
                finally:
                    os.chdir(cwd)


if __name__ == "__main__":
    unittest.main(verbosity=2)
