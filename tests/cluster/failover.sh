#!/usr/bin/env bash
# Leader failover of a 3-node iccache cluster on loopback (docs/scale-out.md).
#
#   tests/cluster/failover.sh [--kills N] [--acks-between N] [--max-leader-s S] [--node build/iccache-node]
#
# Starts three iccache-node processes on 127.0.0.1 ports, runs the workload client (inserts
# into ex, MATCH, iccache_route, iccache_feedback, in a loop), and N times: waits for
# --acks-between more acknowledged inserts, SIGKILLs the leader mid-stream, measures the time
# until another node leads, waits for more acknowledged inserts through the new leader, and
# restarts the killed node from its data directory. Then it stops the client and checks:
# every acknowledged insert is present, the MATCH answers of a fixed query set equal those
# taken before the first kill, integrity-check passes on both tables. Last line:
#   failover: acknowledged A, present P, new leader in X s, selections equal yes|no
# (X: the slowest of the N elections). Exit status 0 only when P = A, every election took
# <= S s (--max-leader-s, default 5: the issue's target; ctest passes 30, since timing on a
# loaded CI machine is not what it tests), selections are equal and the integrity checks
# pass. Everything it starts it stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node="$here/../../build/iccache-node"
kills=1
acks_between=100
max_leader=5
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --acks-between) acks_between="$2"; shift 2 ;;
    --max-leader-s) max_leader="$2"; shift 2 ;;
    --node) node="$2"; shift 2 ;;
    *) echo "failover.sh: unknown argument '$1'; expected --kills N, --acks-between N, --max-leader-s S or --node PATH" >&2; exit 2 ;;
  esac
done
[ -x "$node" ] || { echo "failover.sh: $node is not built (cmake --build build --target iccache-node)" >&2; exit 2; }

tmp="$(mktemp -d /tmp/iccache-failover.XXXXXX)"
declare -A pid=()
client_pid=""
cleanup() {
  local p
  [ -n "$client_pid" ] && kill -9 "$client_pid" 2>/dev/null || true
  for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  sleep 0.2  # the killed nodes release their files
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "failover.sh: $*" >&2
  for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $(basename "$f")" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}

# Three free loopback ports (another test may hold some): probe a random base upwards.
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports 10000-30000: below Linux's ephemeral range (32768-60999), where a connection
# another process opens can take a port between the probe and the node's bind.
base=$((10000 + RANDOM % 20000))
addrs=()
while [ ${#addrs[@]} -lt 3 ]; do
  free "$base" && addrs+=("127.0.0.1:$base")
  base=$((base + 1))
done
cluster="$(IFS=,; echo "${addrs[*]}")"

start_node() {  # start_node INDEX [JOIN]
  local a="${addrs[$1]}"
  "$node" serve --dir "$tmp/n$1" --address "$a" ${2:+--join "$2"} >>"$tmp/n$1.log" 2>&1 &
  pid[$a]=$!
  disown "$!"  # no "Killed" job line when the test kills it
}
wait_ready() {  # wait_ready INDEX: the node printed its ready line (60 s at most)
  local i
  for i in $(seq 600); do
    grep -q "iccache-node: ready" "$tmp/n$1.log" 2>/dev/null && return 0
    kill -0 "${pid[${addrs[$1]}]}" 2>/dev/null || fail "node ${addrs[$1]} exited"
    sleep 0.1
  done
  fail "node ${addrs[$1]} not ready within 60 s"
}
acked() { [ -f "$tmp/acked" ] && wc -l <"$tmp/acked" || echo 0; }
wait_acks() {  # wait_acks N: at least N acknowledged inserts (60 s at most)
  local i
  for i in $(seq 600); do
    [ "$(acked)" -ge "$1" ] && return 0
    kill -0 "$client_pid" 2>/dev/null || fail "the workload client exited"
    sleep 0.1
  done
  fail "only $(acked) of $1 acknowledged inserts within 60 s"
}

start_node 0; wait_ready 0
start_node 1 "${addrs[0]}"; start_node 2 "${addrs[0]}"
wait_ready 1; wait_ready 2
"$node" wait --cluster "$cluster" --voters 3 --timeout 30 >/dev/null || fail "no 3 voters"

"$node" workload --cluster "$cluster" --acked "$tmp/acked" --baseline "$tmp/baseline.json" \
  --stop "$tmp/stop" --max-seconds 600 >"$tmp/client.out" 2>"$tmp/client.log" &
client_pid=$!

worst=0
target=0
for k in $(seq "$kills"); do
  target=$(( $(acked) + acks_between ))
  wait_acks "$target"
  leader="$("$node" leader --cluster "$cluster" --timeout 10)" || fail "no leader before kill $k"
  t0="$(date +%s%N)"
  kill -9 "${pid[$leader]}"
  survivors="$(printf '%s\n' "${addrs[@]}" | grep -vx "$leader" | paste -sd, -)"
  out="$("$node" leader --cluster "$survivors" --not "$leader" --since "$t0" --timeout "$((max_leader + 10))")" \
    || fail "kill $k: no new leader within $((max_leader + 10)) s of killing $leader"
  new="${out% *}"; secs="${out#* }"
  worst="$(awk -v a="$worst" -v b="$secs" 'BEGIN { print (b > a) ? b : a }')"
  echo "kill $k: leader $leader killed at $(acked) acknowledged inserts, new leader $new in $secs s"
  wait_acks $(( $(acked) + 20 ))  # writes go on through the new leader
  for i in 0 1 2; do [ "${addrs[$i]}" = "$leader" ] && idx=$i; done
  start_node "$idx"; wait_ready "$idx"
  "$node" wait --cluster "$cluster" --voters 3 --timeout 30 >/dev/null || fail "kill $k: the restarted node did not rejoin"
done

touch "$tmp/stop"
wait "$client_pid" || fail "the workload client failed"
client_pid=""
cat "$tmp/client.out"
check="$("$node" check --cluster "$cluster" --acked "$tmp/acked" --baseline "$tmp/baseline.json" 2>"$tmp/check.log")" \
  || fail "check failed"
echo "$check"
a="$(sed -E 's/.*acknowledged ([0-9]+).*/\1/' <<<"$check")"
p="$(sed -E 's/.*present ([0-9]+).*/\1/' <<<"$check")"
eq="$(sed -E 's/.*selections equal ([a-z]+).*/\1/' <<<"$check")"
grep -q "integrity ok," <<<"$check" || { cat "$tmp/check.log" >&2; echo "failover.sh: integrity check failed" >&2; rc=1; }
[ "$a" = "$p" ] && [ "$eq" = yes ] && awk -v w="$worst" -v m="$max_leader" 'BEGIN { exit !(w <= m) }' || rc=1
[ "${rc:-0}" -ne 0 ] && cat "$tmp/check.log" >&2
echo "failover: acknowledged $a, present $p, new leader in $worst s, selections equal $eq"
exit "${rc:-0}"
