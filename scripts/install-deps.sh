#!/usr/bin/env bash
# Installs the Debian packages iccache builds and tests with, then the npm packages of the
# Node tests (install-node-deps.sh). Idempotent: does nothing when everything is installed.
set -euo pipefail
# iccache-node's packages (Go, go-dqlite, libdqlite; cluster/): their own idempotent script.
# --core: only what the extension and the command need (scripts/quickstart.sh); the rest is
# for the tests: the cluster's Go/dqlite packages and the Node tests' npm packages.
core=0
[ "${1:-}" = "--core" ] && core=1
[ $core = 1 ] || bash "$(dirname "$0")/install-cluster-deps.sh"
packages=(build-essential cmake pkg-config sqlite3 libsqlite3-dev libfaiss-dev libeigen3-dev
          liblz4-dev libopenblas-dev libomp-dev libgtest-dev libgmock-dev libbenchmark-dev python3
          clang libclang-rt-14-dev  # clang + its runtimes: libFuzzer, ASan, UBSan (scripts/sanitize.sh)
          # `iccache serve` (cli/iccache_cli/serve.py) and the Python package's apsw test
          python3-fastapi python3-uvicorn python3-httpx python3-prometheus-client python3-apsw
          # encryption at rest (docs/privacy.md): Debian's SQLCipher shell (too old to host
          # iccache: a test checks the refusal), OpenSSL for SQLCipher 4 (install-sqlcipher.sh)
          sqlcipher libssl-dev openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm packages of the Node tests (tests/node): their own idempotent step.
[ $core = 1 ] || bash "$(dirname "$0")/install-node-deps.sh"
# SQLCipher 4 amalgamation (npm, which install-node-deps.sh
# installs when missing) for the encrypted-database tests: its own idempotent step.
[ $core = 1 ] || bash "$(dirname "$0")/install-sqlcipher.sh"
