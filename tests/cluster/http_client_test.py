"""iccache_cluster (cluster/python) against `iccache-node http` on a one-node cluster whose
table ex holds two examples (tests/cluster/clients.sh sets it up and passes the URL)."""
import json
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
