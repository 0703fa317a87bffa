#!/usr/bin/env bash
# `iccache serve --cluster URL`: the OpenAI-compatible proxy keeping its cache in an iccache
# cluster (one node on a 127.0.0.1 port, `iccache-node http` in front of it), with
# examples/sim_server.py as both models. Requests are answered, and the routed decisions,
# kept answers and admitted examples are in the cluster afterwards.
#   tests/cluster/serve_cluster.sh build/iccache-node
set -euo pipefail
node="$1"
src="$(cd "$(dirname "$0")/../.." && pwd)"
py=/usr/bin/python3
tmp="$(mktemp -d /tmp/iccache-serve-cluster.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "serve_cluster.sh: $*" >&2; for f in "$tmp"/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports 10000-30000: below Linux's ephemeral range (32768-60999), where a connection
# another process opens can take a port between the probe and the node's bind.
port() { local p=$((10000 + RANDOM % 20000)); while ! free "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_line() {  # wait_line FILE PATTERN
  for i in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1 within 30 s"
}

addr="127.0.0.1:$(port)"
"$node" serve --dir "$tmp/n" --address "$addr" >"$tmp/node.log" 2>&1 & pids+=($!)
wait_line "$tmp/node.log" ready
hport="$(port)"
"$node" http --cluster "$addr" --listen "127.0.0.1:$hport" >"$tmp/http.log" 2>&1 & pids+=($!)
wait_line "$tmp/http.log" serving
"$py" "$src/examples/sim_server.py" --port 0 >"$tmp/sim.log" 2>&1 & pids+=($!)
wait_line "$tmp/sim.log" listening
sim="$(sed -nE 's/^listening on (http[^ ]*).*/\1/p' "$tmp/sim.log" | head -1)"
"$py" "$src/cli/iccache" serve --cluster "http://127.0.0.1:$hport" --port 0 --log-level warning \
  --small-url "$sim" --small-model sim-small --large-url "$sim" --large-model sim-large \
  >"$tmp/serve.log" 2>&1 & pids+=($!)
wait_line "$tmp/serve.log" "listening on"
base="$(sed -nE 's/^listening on (http[^ ]*) .*/\1/p' "$tmp/serve.log" | head -1)"

"$py" - "$base" "http://127.0.0.1:$hport" "$src/cli" <<'PY' || fail "requests through iccache serve --cluster"
import json, sys, urllib.request
base, bridge, cli = sys.argv[1:4]
sys.path.insert(0, cli)
from iccache_cluster import Cluster

def chat(text):
    req = urllib.request.Request(base + "/chat/completions", method="POST",
                                 data=json.dumps({"model": "any", "messages": [{"role": "user", "content": text}]}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.headers.get("x-iccache-model"), json.load(r)

served = []
for i in range(6):
    status, model, body = chat("Natalia sold %d clips in April and half as many in May. How many in total?" % (40 + i))
    assert status == 200 and body["choices"][0]["message"]["content"], (status, body)
    served.append(model)
print("ok: 6 chat completions answered through the cluster; models:", " ".join(served))
c = Cluster(bridge)
decisions = c.query("SELECT count(*) FROM ex_decisions")[0][0]
answers = c.query("SELECT count(*) FROM iccache_serve_answers")[0][0]
examples = c.query("SELECT count(*) FROM ex")[0][0]
assert decisions == 6, decisions
assert answers >= 1 and examples >= 1, (answers, examples)
print("ok: the cluster holds %d decisions, %d kept answers, %d examples" % (decisions, answers, examples))
PY
echo "serve --cluster: ok"
