#!/usr/bin/env bash
# Routing benchmarks: the trace-driven simulation (bench/route_sim.py) with its PNG plots,
# the latency bench (route_bench) and the bandit comparison (route_policy_compare).
# Skips the simulation cleanly when ../shared/data is absent. Not part of the tests or CI.
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

if [ ! -d "$DATA/alpaca_eval" ] || [ ! -d "$DATA/azure_llm_trace" ]; then
  echo "route_sim: $DATA not found; skipping the simulation"
  exit 0
fi
echo "== route_sim"
/usr/bin/python3 bench/route_sim.py "$BUILD/iccache" "$OUT" "$DATA"

if ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y gnuplot-nox >/dev/null || true
  else sudo apt-get install -y gnuplot-nox >/dev/null || true; fi
fi
if ! command -v gnuplot >/dev/null; then echo "route_sim: gnuplot missing; no plots"; exit 0; fi
# Columns: minute, rate, then (offload, p99, quality) per router in route_sim.py order:
# always-large, always-small, random, static threshold, iccache.
gnuplot <<GP
set terminal pngcairo size 1000,700 noenhanced
set output "docs/img/route_sim_offload.png"
set multiplot layout 2,1
set title "Arrivals (Azure LLM conv trace), requests per second per minute"
set xlabel "minute"; set ylabel "req/s"; set grid
plot "$OUT/route_sim_series.dat" using 1:2 with lines lw 2 title "arrival rate"
set title "Offload share (requests served by the small model with examples)"
set ylabel "share"; set yrange [0:1]
plot "$OUT/route_sim_series.dat" using 1:12 with lines lw 2 title "static threshold", \
     "" using 1:15 with lines lw 2 title "iccache", \
     "" using 1:9 with lines lw 1 title "random (same share)"
unset multiplot
set output "docs/img/route_sim_latency.png"
set multiplot layout 2,1
set yrange [*:*]
set title "p99 latency per minute (s, log scale)"; set ylabel "s"; set logscale y
plot "$OUT/route_sim_series.dat" using 1:4 with lines lw 2 title "always-large", \
     "" using 1:13 with lines lw 2 title "static threshold", \
     "" using 1:16 with lines lw 2 title "iccache", \
     "" using 1:7 with lines lw 1 title "always-small"
unset logscale y
set title "Mean judged quality per minute"; set ylabel "quality"; set yrange [0.6:1]
plot "$OUT/route_sim_series.dat" using 1:5 with lines lw 1 title "always-large", \
     "" using 1:14 with lines lw 2 title "static threshold", \
     "" using 1:17 with lines lw 2 title "iccache", \
     "" using 1:8 with lines lw 1 title "always-small"
unset multiplot
GP
echo "plots: docs/img/route_sim_offload.png docs/img/route_sim_latency.png"
