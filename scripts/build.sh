#!/usr/bin/env bash
# Configures and builds iccache into build/ (the extension is build/iccache.so).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
