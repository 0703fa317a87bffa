#!/usr/bin/env bash
# Routing benchmarks: the bandit comparison (route_policy_compare), the latency bench
# (route_bench) and the routing evaluation (bench/route_sim.py: the extension through SQL
# against baselines with the same feedback, docs/routing.md). The evaluation reads the public
# data sets at run time and is skipped cleanly when they are absent. Not part of the tests or
# CI. QUICK=1 runs one model pair and two seeds (a smoke run, about a minute).
#   BUILD=build bash bench/route_sim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DATA=${DATA:-../shared/data}
OUT=${OUT:-$BUILD/route_sim}
mkdir -p "$OUT"
cmake --build "$BUILD" --target iccache route_bench route_policy_compare -j2 >/dev/null

echo "== route_policy_compare"; "$BUILD/bench/route_policy_compare" | tee "$OUT/policy_compare.txt"
echo "== route_bench";          "$BUILD/bench/route_bench" 20000 | tee "$OUT/route_bench.txt"

echo "== route_sim"
/usr/bin/python3 bench/route_sim.py "$BUILD/iccache" "$OUT" "$DATA" ${QUICK:+--quick}
echo "report: $OUT/route_sim.md (per-run figures: $OUT/route_sim.json)"
