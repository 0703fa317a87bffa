#!/usr/bin/env bash
# Every test: install dependencies, build, run ctest (engine unit tests and SQL-level
# tests that load build/iccache.so). The last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build && ctest --output-on-failure -j"$(nproc)"
