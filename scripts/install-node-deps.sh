#!/usr/bin/env bash
# Installs the npm packages the Node tests and the node/ package's tests use into
# tests/node/node_modules (better-sqlite3 12, @langchain/core, openai; versions pinned by
# tests/node/package-lock.json). Idempotent: does nothing when node_modules was installed
# from the current lock file. Node.js itself: the one on PATH, else Debian's nodejs + npm.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: nodejs npm"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
stamp=node_modules/.iccache-installed
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "installing npm packages of tests/node (better-sqlite3 compiles from source when no prebuilt binary can be fetched: a few minutes)"
# npm ci: exactly the lock file's versions. Install scripts run only for the packages
# package.json's allowScripts names (better-sqlite3's native build).
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
