#!/usr/bin/env bash
# Runs every libFuzzer target for a set time, starting from its checked-in seed corpus
# (fuzz/corpus/<target>, never modified: new inputs go to a scratch copy), two at a time.
#   fuzz/run.sh [seconds per target, default 30] [build dir, default build-asan]
# Prints executions per target; exits 1 if any target found a crash, leak or oracle failure,
# leaving the reproducer in the printed artifact directory.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
build=${2:-build-asan}
targets=(vector_blob vector_json options embed codec command sql_ops pii)
work=$(mktemp -d /tmp/iccache_fuzz_XXXXXX)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
  local t=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  set +e
  "$build/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix="$dir/artifacts/" "$dir/corpus" "fuzz/corpus/$t" \
    >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run_one "${targets[i]}" &
  [ $((i + 1)) -lt ${#targets[@]} ] && run_one "${targets[i + 1]}" &
  wait
done

failed=0
printf '%-22s %12s %8s %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  dir=$work/$t
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/log" | awk '{print $2}' | tail -1)
  speed=$(grep -o "exec/s: [0-9]*" "$dir/log" | awk "{print \$2}" | tail -1)
  if [ "$(cat "$dir/rc")" = 0 ]; then result=ok; else result="FAILED (see $dir)"; failed=1; fi
  printf '%-22s %12s %8s %s\n' "fuzz_$t" "${execs:-?}" "${speed:-?}" "$result"
done
if [ $failed = 1 ]; then
  for t in "${targets[@]}"; do
    [ "$(cat "$work/$t/rc")" = 0 ] || { echo "== fuzz_$t"; tail -40 "$work/$t/log"; ls "$work/$t/artifacts"; }
  done
  exit 1
fi
rm -rf "$work"
