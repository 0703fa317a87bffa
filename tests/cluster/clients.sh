#!/usr/bin/env bash
# The client paths of an iccache cluster (docs/scale-out.md), on one node at a 127.0.0.1 port:
# iccache-node sql (the Go database/sql client) creates, inserts, selects and routes; the
# go-dqlite shell reads the same tables; a routed decision written through `iccache-node sql`
# is replicated (a later connection sees it); a restarted node has it all; bad usage fails
# with a clear message.
#   tests/cluster/clients.sh build/iccache-node build/go-dqlite
set -euo pipefail
node="$1"; shell="$2"
tmp="$(mktemp -d /tmp/iccache-clients.XXXXXX)"
npid=""
cleanup() { [ -n "$npid" ] && kill -9 "$npid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "clients.sh: $1: expected [$2], got [$3]" >&2; exit 1; fi
  echo "ok: $1"
}

free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports 10000-30000: below Linux's ephemeral range (32768-60999), where a connection
# another process opens can take a port between the probe and the node's bind.
port=$((10000 + RANDOM % 20000)); while ! free "$port"; do port=$((port + 1)); done
addr="127.0.0.1:$port"
"$node" serve --dir "$tmp/n" --address "$addr" >"$tmp/node.log" 2>&1 &
npid=$!
for i in $(seq 300); do grep -q "ready" "$tmp/node.log" && break; sleep 0.1; done
grep -q "ready" "$tmp/node.log" || { cat "$tmp/node.log" >&2; exit 1; }

sql() { "$node" sql --cluster "$addr" "$@"; }
sql "CREATE VIRTUAL TABLE ex USING iccache(dim=64, embedder='hash', models='small:0.1,large:1.0')" \
    "INSERT INTO ex(request, response, model, quality) VALUES ('What is the capital of France?', 'Paris.', 'large', 0.9)" \
    "INSERT INTO ex(request, response, model, quality) VALUES ('How far is the Moon?', 'About 384,400 km.', 'large', 0.8)"
check "count through iccache-node sql" "2" "$(sql "SELECT count(*) FROM ex")"
check "MATCH through iccache-node sql" "1	What is the capital of France?" \
  "$(sql "SELECT rowid, request FROM ex WHERE ex MATCH 'capital city of France' AND k = 1")"
check "iccache_route through iccache-node sql" "1" "$(sql "SELECT decision FROM iccache_route('ex', 'capital of France', '[1]')")"
check "iccache_feedback through iccache-node sql" "NULL" "$(sql "SELECT iccache_feedback('ex', 1, 0.75)")"
check "the routed decision and its reward replicated (a new connection reads them)" "1	0.75" \
  "$(sql "SELECT id, reward FROM ex_decisions")"
check "integrity-check" "" "$(sql "INSERT INTO ex(ex) VALUES('integrity-check')")"

# The go-dqlite shell: reads (MATCH, iccache_prompt, iccache_stats) and plain writes.
out="$("$shell" -s "$addr" cache "SELECT rowid, request FROM ex WHERE ex MATCH 'distance to the Moon' AND k = 1")"
check "MATCH through the go-dqlite shell" "2|How far is the Moon?" "$(tr -s ' ' <<<"$out" | sed 's/ *| */|/g; s/^ //; s/ $//')"
out="$("$shell" -s "$addr" cache "SELECT value FROM iccache_stats('ex') WHERE key = 'examples'")"
check "iccache_stats through the go-dqlite shell" "2" "$(tr -d ' ' <<<"$out")"

# A stopped node restarts from its directory with everything committed (Raft log + snapshot).
kill -TERM "$npid"; wait "$npid" 2>/dev/null || true
"$node" serve --dir "$tmp/n" --address "$addr" >"$tmp/node2.log" 2>&1 &
npid=$!
for i in $(seq 300); do grep -q "ready" "$tmp/node2.log" && break; sleep 0.1; done
check "examples after a restart" "2" "$(sql "SELECT count(*) FROM ex")"
check "MATCH after a restart" "1	What is the capital of France?" \
  "$(sql "SELECT rowid, request FROM ex WHERE ex MATCH 'capital city of France' AND k = 1")"
check "decisions after a restart" "1	0.75" "$(sql "SELECT id, reward FROM ex_decisions")"

# Python through `iccache-node http` (cli/iccache_cluster.py).
hport=$((port + 1)); while ! free "$hport"; do hport=$((hport + 1)); done
"$node" http --cluster "$addr" --listen "127.0.0.1:$hport" >"$tmp/http.log" 2>&1 &
hpid=$!
for i in $(seq 100); do grep -q "serving" "$tmp/http.log" && break; sleep 0.1; done
/usr/bin/python3 "$(dirname "$0")/http_client_test.py" "http://127.0.0.1:$hport" "$(dirname "$0")/../../cli" \
  || { kill "$hpid"; cat "$tmp/http.log" >&2; exit 1; }
out="$(/usr/bin/python3 -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"{\"statements\": []}", method="POST"))
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())' "http://127.0.0.1:$hport/v1/sql")"
check "http: empty request" '400 {"error":"the body must be JSON {\"statements\": [{\"sql\": \"...\", \"args\": [...]}]} with at least one statement"}' "$out"
kill "$hpid"; wait "$hpid" 2>/dev/null || true

# Bad usage: a clear error and a non-zero status.
if err="$("$node" serve --dir "$tmp/x" 2>&1)"; then echo "clients.sh: serve without --address succeeded" >&2; exit 1; fi
check "serve without --address" "iccache-node serve: --dir and --address are required; expected e.g. --dir /var/lib/iccache/n1 --address 127.0.0.1:9001" "$err"
if err="$(sql "SELECT nope FROM ex" 2>&1)"; then echo "clients.sh: a bad column succeeded" >&2; exit 1; fi
check "SQL error reported" "iccache-node sql: SELECT nope FROM ex: no such column: nope" "$err"
echo "clients: ok"
