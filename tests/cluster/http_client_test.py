"""iccache_cluster (cli/iccache_cluster.py) against `iccache-node http` on a one-node cluster whose
table ex holds two examples (tests/cluster/clients.sh sets it up and passes the URL)."""
import json
import sqlite3
import sys

sys.path.insert(0, sys.argv[2])
from iccache_cluster import Cluster, ClusterError  # noqa: E402


def check(name, want, got):
    if want != got:
        sys.exit(f"http_client_test: {name}: expected {want!r}, got {got!r}")
    print(f"ok: {name}")


c = Cluster(sys.argv[1])
rows = c.query("SELECT rowid, request FROM ex WHERE ex MATCH ? AND k = ?", ["capital city of France", 1])
check("MATCH with arguments", [(1, "What is the capital of France?")], rows)
route, fb = c.transaction([
    ("SELECT decision FROM iccache_route('ex', ?, ?)", ["capital of France", json.dumps([1])]),
    ("SELECT iccache_feedback('ex', (SELECT max(id) FROM ex_decisions), ?)", [0.5]),
])
check("route and feedback in one transaction", [(2,)], route.rows)
check("the reward is stored", [(2, 0.5)], c.query("SELECT id, reward FROM ex_decisions WHERE id = 2"))
res = c.execute("INSERT INTO ex(request, response) VALUES (?, ?)", ["What is 2 + 2?", "4."])
check("insert: last_insert_id", 3, res.last_insert_id)
check("blob round trip", [(b"\x00\x01\xff",)], c.query("SELECT ?", [b"\x00\x01\xff"]))
try:
    c.transaction([("INSERT INTO ex(request, response) VALUES ('rolled back', 'x')", []),
                   ("SELECT nope FROM ex", [])])
    sys.exit("http_client_test: a bad statement succeeded")
except ClusterError as e:
    check("bad statement: status, index, message", (400, 1, "no such column: nope"), (e.status, e.statement, str(e)))
check("nothing of a failed call is committed", [(3,)], c.query("SELECT count(*) FROM ex"))
try:
    c.query("SELECT ?", [object()])
    sys.exit("http_client_test: an object argument was accepted")
except TypeError as e:
    check("bad argument type", "SQL arguments must be str, int, float, bool, bytes or None; received object", str(e))
try:
    Cluster("http://127.0.0.1:1").query("SELECT 1")
    sys.exit("http_client_test: an unreachable server answered")
except ClusterError as e:
    check("unreachable server is a 503 ClusterError", 503, e.status)
print("http client: ok")

# connect(): the sqlite3-like interface, with an interactive transaction.
from iccache_cluster import connect  # noqa: E402

db = connect(sys.argv[1])
db.execute("BEGIN IMMEDIATE")
cur = db.execute("INSERT INTO ex(request, response) VALUES (?, ?)", ["Who wrote Hamlet?", "Shakespeare."])
check("connect: lastrowid inside a transaction", 4, cur.lastrowid)
check("connect: the transaction sees its own write", (4,), db.execute("SELECT count(*) FROM ex").fetchone())
db.execute("ROLLBACK")
check("connect: ROLLBACK undoes it", [(3,)], db.execute("SELECT count(*) FROM ex").fetchall())
db.execute("BEGIN")
db.execute("INSERT INTO ex(request, response) VALUES (?, ?)", ["Who wrote Hamlet?", "Shakespeare."])
db.execute("COMMIT")
check("connect: COMMIT keeps it", (4,), db.execute("SELECT count(*) FROM ex").fetchone())
check("connect: local PRAGMAs are ignored", None, db.execute("PRAGMA busy_timeout=5000").fetchone())
db.execute("BEGIN")
try:
    db.execute("SELECT nope FROM ex")
    sys.exit("http_client_test: a bad statement succeeded in a transaction")
except sqlite3.Error as e:  # ClusterError is a sqlite3.Error
    check("connect: a failed statement ends the transaction", (None, "no such column: nope"), (db.tx, str(e)))
try:
    db.execute("COMMIT")
    sys.exit("http_client_test: COMMIT without a transaction succeeded")
except sqlite3.Error as e:
    check("connect: COMMIT without a transaction", "cannot commit - no transaction is active", str(e))
db.close()
print("connect: ok")
