#!/usr/bin/env bash
# The first run for a newcomer: install the Debian packages (--core: not the test-only Go and
# npm ones), build only what the walkthrough needs (the extension build/iccache.so; the
# iccache command is Python; tests and benchmarks are not built), then walk through the whole
# loop on the shipped GSM8K sample, each step labelled:
#   import, select, prompt, route, feedback, replay, evict, stats.
# The cache is a file in a temporary directory (QUICKSTART_DB=path keeps it elsewhere).
# QUICKSTART_SKIP_BUILD=1 uses an existing build/iccache.so (the e2e test does).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUICKSTART_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/install-deps.sh --core
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build --target iccache -j"$(nproc)"
fi
export ICCACHE_EXTENSION=${ICCACHE_EXTENSION:-$PWD/build/iccache.so}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=${QUICKSTART_DB:-$tmp/quickstart.db}
rm -f "$db" "$db-wal" "$db-shm"
iccache() { /usr/bin/python3 cli/iccache --db "$db" "$@"; }
sql() { sqlite3 -cmd ".load ${ICCACHE_EXTENSION%.so}" "$db" "$@"; }
step() { printf '\n== %s: %s\n' "$1" "$2"; }
question="Natalia sold 48 clips in April and half as many in May. How many clips did she sell?"

step import "2,000 GSM8K problems with worked answers become examples (one transaction)"
iccache import examples/data/gsm8k_sample.json --request-field question --response-field answer \
  --model large --quality 0.9 --create "models='small:0.1,large:1'"

step select "the examples a new request would get, best first"
iccache select "$question" -k 3

step prompt "the chat prompt for the small model: the examples as turns, the request last"
iccache prompt "$question" -k 1 --max-chars 600

step route "which model serves it: a decision id, the model, the router's score"
decision=$(sql "SELECT decision FROM iccache_route('ex', '$question', (SELECT example_ids FROM iccache_prompt('ex', '$question', 3)))")
sql -box "SELECT id AS decision, arm AS model, round(score, 3) AS score, want_feedback FROM ex_decisions WHERE id = $decision"

step feedback "the answer was poor: reward 0.2 for decision $decision (the router and the shown examples learn)"
sql "SELECT 'recorded' FROM (SELECT iccache_feedback('ex', $decision, 0.2))"
sql -box "SELECT key, value FROM ex_stats WHERE key IN ('decisions', 'decisions_with_feedback')"

step replay "off-peak: examples worth regenerating with the large model (expected gain > a replay's cost, 0.05)"
sql -box "SELECT rowid, substr(request, 1, 50) AS request, round(gain, 3) AS gain, round(expected_gain, 3) AS expected_gain FROM ex_replay WHERE replay_cost = 0.05 LIMIT 3"

step evict "knapsack eviction down to a 1 MB budget: keeps the examples worth most per byte"
iccache evict 1MB

step stats "what the cache holds now"
iccache stats --json | /usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin); print("\n".join("%-24s %s" % (k, s[k]) for k in ("examples", "bytes", "models", "decisions", "decisions_with_feedback", "load")))'

printf '\nDone. Next: sql/quickstart.sql (the same in SQL), examples/serving_loop.py --backend sim (the loop\nover 400 simulated requests), cli/iccache serve (an OpenAI-compatible proxy); docs/guide.md.\n'
