"""Client for an iccache cluster through `iccache-node http` (docs/scale-out.md).

Python has no dqlite client in Debian; `iccache-node http --cluster A,B,C` serves the
cluster's SQL as JSON over HTTP, and this module (standard library only) calls it:

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
import urllib.error
import urllib.request


class ClusterError(Exception):
    """A statement failed (status 400: nothing of the call was committed), or the cluster was
    unavailable or lost its leader during the commit (status 503: a write may or may not have
    been committed; check before retrying it)."""

    def __init__(self, message, status=None, statement=None):
        super().__init__(message)
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

    def transaction(self, statements):
        """Runs [(sql, args), ...] in one transaction; returns a Result per statement."""
        body = {"statements": [{"sql": sql, "args": [_arg(a) for a in args]} for sql, args in statements]}
        req = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = json.load(resp)
        except urllib.error.HTTPError as e:
            try:
                err = json.load(e)
            except ValueError:
                err = {"error": f"HTTP {e.code} from {self.url}"}
            raise ClusterError(err.get("error", f"HTTP {e.code}"), e.code, err.get("statement")) from None
        except urllib.error.URLError as e:
            raise ClusterError(f"cannot reach iccache-node http at {self.url}: {e.reason}", 503) from None
        return [Result(r) for r in raw["results"]]

    def query(self, sql, args=()):
        """One statement in its own transaction; its rows (empty for statements without rows)."""
        return self.transaction([(sql, args)])[0].rows

    def execute(self, sql, args=()):
        """One statement in its own transaction; its Result."""
        return self.transaction([(sql, args)])[0]
