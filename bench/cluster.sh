#!/usr/bin/env bash
# Through a 3-node iccache cluster on loopback against a local file (docs/scale-out.md):
# acknowledged inserts/s and MATCH latency, printed by `iccache-node bench`.
#   bench/cluster.sh [--dir DIR] [-- BENCH FLAGS]    e.g. bench/cluster.sh -- --n 2000
# DIR holds the nodes' data and the local file (default: a new folder under /tmp, removed
# at the end); put it on the disk you would serve from: each commit fsyncs there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node="$here/../build/iccache-node"
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "bench/cluster.sh: unknown argument '$1'; expected --dir DIR or -- BENCH FLAGS" >&2; exit 2 ;;
  esac
done
[ -x "$node" ] || { echo "bench/cluster.sh: build iccache-node first (cmake --build build)" >&2; exit 2; }
own=0
[ -z "$dir" ] && { dir="$(mktemp -d /tmp/iccache-bench.XXXXXX)"; own=1; }
mkdir -p "$dir"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$own" = 1 ] && rm -rf "$dir"
}
trap cleanup EXIT
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports 10000-30000: below Linux's ephemeral range (32768-60999), where a connection
# another process opens can take a port between the probe and the node's bind.
base=$((10000 + RANDOM % 20000))
addrs=()
while [ ${#addrs[@]} -lt 3 ]; do free "$base" && addrs+=("127.0.0.1:$base"); base=$((base + 1)); done
cluster="$(IFS=,; echo "${addrs[*]}")"
for i in 0 1 2; do
  join=""; [ "$i" -gt 0 ] && join="--join ${addrs[0]}"
  "$node" serve --dir "$dir/n$i" --address "${addrs[$i]}" $join >"$dir/n$i.log" 2>&1 &
  pids+=($!)
  [ "$i" = 0 ] && for t in $(seq 300); do grep -q ready "$dir/n0.log" && break; sleep 0.1; done
done
# The nodes use one OpenMP thread (iccache-node serve --threads); so does the local side.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
"$node" wait --cluster "$cluster" --voters 3 --timeout 60 >/dev/null
"$node" bench --cluster "$cluster" --local "$dir/local.db" "$@"
