"""Client for an iccache cluster through `iccache-node http` (docs/scale-out.md).

Python has no dqlite client in Debian; `iccache-node http --cluster A,B,C` serves the
cluster's SQL as JSON over HTTP, and this module (standard library only) calls it. Two
interfaces: Cluster, one call per transaction, and connect(url), a small subset of
sqlite3.Connection (execute, cursors, BEGIN/COMMIT/ROLLBACK) for code written against
sqlite3, such as `iccache serve --cluster`:

    from iccache_cluster import Cluster
    c = Cluster("http://127.0.0.1:8090")
    rows = c.query("SELECT rowid, response FROM ex WHERE ex MATCH ? AND k = 4", [request])
    route, = c.transaction([("SELECT decision, model FROM iccache_route('ex', ?, ?)",
                             [request, json.dumps([r[0] for r in rows])])])
    c.query("SELECT iccache_feedback('ex', ?, ?)", [route.rows[0][0], 0.9])

Every call is one transaction on the leader, committed on a majority when it returns.
BLOBs travel as bytes (base64 on the wire).
"""
import base64
import json
import sqlite3
import urllib.error
import urllib.request


class ClusterError(sqlite3.OperationalError):
    """A statement failed (status 400: nothing of the call was committed), or the cluster was
    unavailable or lost its leader during the commit (status 503: a write may or may not have
    been committed; check before retrying it)."""

    def __init__(self, message, status=None, statement=None):
        super().__init__(message)  # a sqlite3.Error, so code catching those handles it
        self.status = status
        self.statement = statement


class Result:
    """One statement's result: rows (list of tuples) and columns for a query;
    last_insert_id and rows_affected for other statements."""

    def __init__(self, raw):
        self.columns = raw.get("columns", [])
        self.rows = [tuple(_value(v) for v in row) for row in raw.get("rows", [])]
        self.last_insert_id = raw.get("last_insert_id")
        self.rows_affected = raw.get("rows_affected")


def _value(v):
    if isinstance(v, dict) and set(v) == {"base64"}:
        return base64.b64decode(v["base64"])
    return v


def _arg(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(v)).decode("ascii")}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    raise TypeError(f"SQL arguments must be str, int, float, bool, bytes or None; received {type(v).__name__}")


class Cluster:
    def __init__(self, url="http://127.0.0.1:8090", timeout=30.0):
        self.url = url.rstrip("/") + "/v1/sql"
        self.timeout = timeout

    def transaction(self, statements, tx=None):
        """Runs [(sql, args), ...] in one transaction; returns a Result per statement. With tx
        (an id from begin()), runs them in that open transaction instead."""
        body = {"statements": [{"sql": sql, "args": [_arg(a) for a in args]} for sql, args in statements]}
        if tx:
            body["tx"] = tx
        return [Result(r) for r in self._post("sql", body)["results"]]

    def begin(self):
        """Opens an interactive transaction (rolled back after 30 s idle); returns its id."""
        return self._post("begin", {})["tx"]

    def commit(self, tx):
        self._post("commit", {"tx": tx})

    def rollback(self, tx):
        self._post("rollback", {"tx": tx})

    def _post(self, path, body):
        url = self.url[:-len("sql")] + path
        req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = json.load(resp)
        except urllib.error.HTTPError as e:
            try:
                err = json.load(e)
            except ValueError:
                err = {"error": f"HTTP {e.code} from {url}"}
            raise ClusterError(err.get("error", f"HTTP {e.code}"), e.code, err.get("statement")) from None
        except urllib.error.URLError as e:
            raise ClusterError(f"cannot reach iccache-node http at {url}: {e.reason}", 503) from None
        return raw

    def query(self, sql, args=()):
        """One statement in its own transaction; its rows (empty for statements without rows)."""
        return self.transaction([(sql, args)])[0].rows

    def execute(self, sql, args=()):
        """One statement in its own transaction; its Result."""
        return self.transaction([(sql, args)])[0]


class Cursor:
    """What Connection.execute returns: fetchone, fetchall, iteration, lastrowid, rowcount."""

    def __init__(self, result=None):
        self._rows = list(result.rows) if result else []
        self.description = [(c, None, None, None, None, None, None) for c in result.columns] if result and result.columns else None
        self.lastrowid = result.last_insert_id if result else None
        self.rowcount = result.rows_affected if result and result.rows_affected is not None else -1

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return iter(self.fetchall())


class Connection:
    """A subset of sqlite3.Connection (isolation_level=None style) over a cluster: each
    statement is its own transaction, except between BEGIN and COMMIT/ROLLBACK, which open
    an interactive transaction on the leader. PRAGMAs that tune a local file (busy_timeout,
    synchronous, journal_mode) are accepted and ignored: the cluster's database is dqlite's."""

    LOCAL_PRAGMAS = ("busy_timeout", "synchronous", "journal_mode")

    def __init__(self, url, timeout=30.0):
        self.cluster = Cluster(url, timeout)
        self.tx = None

    def execute(self, sql, params=()):
        words = sql.strip().rstrip(";").split()
        first = words[0].upper() if words else ""
        if first == "BEGIN":
            if self.tx:
                raise ClusterError("cannot start a transaction within a transaction")
            self.tx = self.cluster.begin()
            return Cursor()
        if first in ("COMMIT", "END", "ROLLBACK") and len(words) <= 2:
            tx, self.tx = self.tx, None
            if tx is None and first == "ROLLBACK":
                return Cursor()  # a failed statement has rolled it back already (bridge)
            if tx is None:
                raise ClusterError("cannot %s - no transaction is active" % first.lower())
            (self.cluster.commit if first != "ROLLBACK" else self.cluster.rollback)(tx)
            return Cursor()
        if first == "PRAGMA" and any(words[1].lower().startswith(p) for p in self.LOCAL_PRAGMAS):
            return Cursor()
        try:
            return Cursor(self.cluster.transaction([(sql, tuple(params))], self.tx)[0])
        except ClusterError:
            self.tx = None  # the bridge rolled the transaction back
            raise

    def close(self):
        if self.tx:
            try:
                self.cluster.rollback(self.tx)
            finally:
                self.tx = None


def connect(url, timeout=30.0):
    """A sqlite3-like connection to the cluster behind `iccache-node http` at url."""
    return Connection(url, timeout)
