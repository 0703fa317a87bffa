#!/usr/bin/env bash
# Eviction policy comparison (docs/example-manager.md): runs bench/manage_policy_compare on
# the ../shared/data stream and plots successful offloads per cache size to
# docs/example-manager-policies.png. Skips cleanly when ../shared/data is absent.
#   bash bench/manage_compare.sh [build dir] [requests] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
requests=${2:-20000}
seed=${3:-6}
data=../shared/data
if [ ! -f "$data/gsm8k/train.jsonl" ] || [ ! -f "$data/alpaca_eval/gpt4.model_outputs.json" ]; then
  echo "skipped: $data (GSM8K and AlpacaEval) not found"
  exit 0
fi
cmake --build "$build" --target manage_policy_compare -j2 >/dev/null
dat=$(mktemp /tmp/manage_compare.XXXXXX.dat)
"$build/bench/manage_policy_compare" "$data" "$requests" "$seed" "$dat"
if ! command -v gnuplot >/dev/null; then  # plotting only; never needed by the tests or CI
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq gnuplot-nox >/dev/null
fi
gnuplot <<PLOT
set terminal pngcairo size 800,500 noenhanced
set output "docs/example-manager-policies.png"
set title "Successful offloads kept vs cache size ($requests requests, seed $seed)"
set xlabel "cache size (% of the unbounded cache's bytes)"
set ylabel "successful offloads"
set logscale x
set xtics (1, 5, 20, 100)
set key bottom right
set grid
plot "$dat" using 1:2 with linespoints lw 2 title "iccache knapsack", \
     "$dat" using 1:3 with linespoints title "LRU", \
     "$dat" using 1:4 with linespoints title "LFU", \
     "$dat" using 1:5 with linespoints title "random"
PLOT
rm -f "$dat"
echo "wrote docs/example-manager-policies.png"
