#!/usr/bin/env bash
# The main job for a newcomer: install dependencies, build, and run the walkthrough
# (sql/quickstart.sql in the sqlite3 shell on the shipped GSM8K sample).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
sqlite3 < sql/quickstart.sql
