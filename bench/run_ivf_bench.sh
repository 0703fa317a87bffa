#!/usr/bin/env bash
# Builds what the selection benchmark needs and runs it in one go: the Release build, and
# sqlite-vec's prebuilt loadable extension (npm package sqlite-vec-linux-x64, pinned) into
# build/sqlite-vec/. Output: build/bench_ivf.md (the tables quoted in docs/performance.md).
#   bash bench/run_ivf_bench.sh [--sizes 100000,1000000] [other bench_ivf arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
SQLITE_VEC_VERSION=0.1.9
bash scripts/build.sh >/dev/null
vec0=build/sqlite-vec/node_modules/sqlite-vec-linux-x64/vec0.so
if [ ! -f "$vec0" ]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch sqlite-vec (apt-get install npm)"; exit 1; }
  npm install --silent --no-save --prefix build/sqlite-vec "sqlite-vec-linux-x64@${SQLITE_VEC_VERSION}"
fi
{
  echo "# bench_ivf $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  build/bench/bench_ivf --vec0 "${vec0%.so}" "$@"
} | tee build/bench_ivf.md
