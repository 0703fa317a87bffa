"""iccache for Python: load the extension into a connection, and a small API over its SQL.

    import sqlite3, iccache
    db = sqlite3.connect("cache.db")
    iccache.load(db)                       # returns the path of the iccache.so it loaded
    cache = iccache.Cache(db)              # table 'ex', created with the options you give
    cache.admit("What is the capital of France?", "Paris.", quality=0.9)
    cache.select("capital city of France", k=3)

Works with the standard library's sqlite3 (when its build can load extensions: Debian's
/usr/bin/python3 can, pyenv's default builds cannot) and with apsw. Everything here is a
thin layer over the SQL of docs/sql-reference.md; no state lives outside the cache file.
"""
import glob
import json
import os
import sqlite3

from .selector import IccacheExampleSelector

__all__ = ["load", "loadable_path", "Cache", "IccacheExampleSelector", "ExtensionLoadingUnavailable"]
__version__ = "0.1.0"

HERE = os.path.dirname(os.path.abspath(__file__))


class ExtensionLoadingUnavailable(RuntimeError):
    """The connection's SQLite binding was built without extension loading."""


def loadable_path():
    """The iccache.so to load: $ICCACHE_EXTENSION, else the installed one next to this package
    (<prefix>/lib/python3/dist-packages/iccache -> <prefix>/lib*/iccache/iccache.so), else the
    source tree's build/iccache.so. Raises FileNotFoundError naming the places looked in."""
    if os.environ.get("ICCACHE_EXTENSION"):
        return os.environ["ICCACHE_EXTENSION"]
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
    source = os.path.dirname(os.path.dirname(HERE))
    candidates = sorted(glob.glob(os.path.join(prefix, "lib*", "iccache", "iccache.so")) +
                        glob.glob(os.path.join(prefix, "lib", "*", "iccache", "iccache.so")))
    candidates.append(os.path.join(source, "build", "iccache.so"))
    for c in candidates:
        if os.path.exists(c):
            return c
    raise FileNotFoundError("cannot find iccache.so (looked in %s); build it with scripts/build.sh, install it "
                            "with cmake --install, or set ICCACHE_EXTENSION" % ", ".join(candidates))


NO_LOADING = ("this Python's sqlite3 module cannot load extensions ({exe} was built without "
              "--enable-loadable-sqlite-extensions, as pyenv builds are by default). Ways out: run with "
              "Debian's /usr/bin/python3; rebuild this Python with PYTHON_CONFIGURE_OPTS="
              "\"--enable-loadable-sqlite-extensions\"; or use apsw (pip install apsw, or Debian's python3-apsw) "
              "and pass an apsw.Connection to iccache.load")


def load(conn, path=None):
    """Loads iccache into conn (a sqlite3.Connection or an apsw.Connection) and returns the
    path it loaded. Extension loading is switched back off afterwards."""
    path = path or loadable_path()
    if hasattr(conn, "loadextension") and hasattr(conn, "enableloadextension"):  # apsw
        return _load_with(conn.enableloadextension, conn.loadextension, path)
    if isinstance(conn, sqlite3.Connection) or hasattr(conn, "load_extension"):
        if not hasattr(conn, "enable_load_extension"):
            import sys
            raise ExtensionLoadingUnavailable(NO_LOADING.format(exe=sys.executable))
        return _load_with(conn.enable_load_extension, conn.load_extension, path)
    raise TypeError("iccache.load expects a sqlite3.Connection or an apsw.Connection; received %s"
                    % type(conn).__name__)


def _load_with(enable, load_extension, path):
    """Loads path with extension loading switched on only for that call (the apsw and the
    sqlite3 spellings of the two methods differ)."""
    enable(True)
    try:
        load_extension(path)
    finally:
        enable(False)
    return path


def _q(name):
    return '"%s"' % name.replace('"', '""')


class Cache:
    """One iccache table on a connection that has iccache loaded (load() is called when it
    has not been). create: the options of the table when it does not exist yet, e.g.
    "models='small:0.1,large:1', dim=256"; None leaves a missing table missing."""

    def __init__(self, conn, table="ex", create=""):
        self.conn, self.table = conn, table
        self.apsw = hasattr(conn, "loadextension")
        try:
            loaded = bool(self._rows("SELECT 1 FROM pragma_function_list WHERE name = 'iccache_feedback'"))
        except Exception:  # pragma_function_list may be compiled out: load to be sure
            loaded = False
        if not loaded:
            load(conn)
        exists = self._rows("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,))
        if not exists and create is not None:
            self._write(lambda: self._rows("CREATE VIRTUAL TABLE %s USING iccache(%s)" % (_q(table), create)))

    def _rows(self, sql, params=()):
        cur = self.conn.cursor()
        return list(cur.execute(sql, params))

    def _in_transaction(self):
        return (not self.conn.getautocommit()) if self.apsw else self.conn.in_transaction

    def _write(self, fn):
        """fn() inside BEGIN IMMEDIATE ... COMMIT when no transaction is open (the caller's
        transaction otherwise): the write lock first, so the busy timeout waits for another
        process's writer, and the write is committed even on sqlite3's default connections,
        which would otherwise leave it in an implicit transaction."""
        if self._in_transaction():
            return fn()
        self._rows("BEGIN IMMEDIATE")
        try:
            out = fn()
            self._rows("COMMIT")
            return out
        except BaseException:
            if self._in_transaction():
                self._rows("ROLLBACK")
            raise

    def select(self, text, k=5, tenant=None):
        """The examples selection gives a request, best first: dicts of id, similarity,
        request, response, model, quality."""
        sql = ("SELECT rowid, similarity, request, response, model, quality FROM %s WHERE %s MATCH ? AND k = ?"
               % (_q(self.table), _q(self.table)))
        params = [text, k]
        if tenant is not None:
            sql += " AND tenant = ?"
            params.append(tenant)
        keys = ("id", "similarity", "request", "response", "model", "quality")
        return [dict(zip(keys, r)) for r in self._rows(sql, params)]

    def prompt(self, text, k=5, max_chars=8000, tenant=None):
        """iccache_prompt: dict of messages (a list of chat messages, best example last, the
        request last), prompt (the few-shot text) and example_ids (best first)."""
        # A NULL tenant is refused (never "every tenant"): pass it only when there is one.
        args = (self.table, text, k, max_chars) + (() if tenant is None else (tenant,))
        messages, prompt, ids = self._rows("SELECT messages, prompt, example_ids FROM iccache_prompt(%s)"
                                           % ", ".join("?" * len(args)), args)[0]
        return {"messages": json.loads(messages), "prompt": prompt, "example_ids": json.loads(ids)}

    def route(self, text, example_ids=None, at=None):
        """iccache_route: dict of decision, model, score, load, explore, want_feedback.
        Writes (the decision log) like admit and feedback: committed at once unless a
        transaction of the caller is open (docs/reliability.md)."""
        ids = json.dumps(list(example_ids)) if example_ids is not None else None
        sql = "SELECT decision, model, score, load, explore, want_feedback FROM iccache_route(?, ?, ?, ?)"
        row = self._write(lambda: self._rows(sql, (self.table, text, ids, at))[0])
        keys = ("decision", "model", "score", "load", "explore", "want_feedback")
        return dict(zip(keys, row))

    def feedback(self, decision, reward):
        """iccache_feedback: the reward (0 to 1) of a routing decision."""
        self._write(lambda: self._rows("SELECT iccache_feedback(?, ?, ?)", (self.table, decision, reward)))

    def admit(self, request, response, model=None, quality=None, tenant=None, embedding=None):
        """Inserts an example; returns its rowid. model: the table's most expensive when None;
        quality 0.5 when None."""
        def insert():
            self._rows("INSERT INTO %s(request, response, model, quality, tenant, embedding) "
                       "VALUES (?, ?, ?, ?, ifnull(?, ''), ?)" % _q(self.table),
                       (request, response, model, quality, tenant, embedding))
            return self.conn.last_insert_rowid() if self.apsw else self._rows("SELECT last_insert_rowid()")[0][0]
        return self._write(insert)

    def stats(self):
        """iccache_stats as a dict."""
        return dict(self._rows("SELECT key, value FROM iccache_stats(?)", (self.table,)))
