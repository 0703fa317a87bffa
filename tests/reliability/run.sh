#!/usr/bin/env bash
# Long forms of the reliability tests (ctest runs the short ones: 20 kills, 300 steps).
#   tests/reliability/run.sh [kills, default 100] [two-process steps, default 3000] [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-100}
steps=${2:-3000}
build=${3:-build}
cmake --build "$build" --target iccache_crash_test iccache_two_process_test >/dev/null
"$build/tests/reliability/iccache_crash_test" --kills "$kills" --seed "${SEED:-1}"
"$build/tests/reliability/iccache_two_process_test" --ops "$steps"
