#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then use what it installed the way a user would:
# the iccache command imports and selects, and the sqlite3 shell loads the extension.
set -euo pipefail
build=$1
source=$2
python=${ICCACHE_PYTHON:-python3}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
ext=$(find "$prefix" -path '*/iccache/iccache.so')
test -n "$ext" || { echo "install: no iccache.so under $prefix"; exit 1; }
case "$ext" in "$prefix"/lib*/iccache/iccache.so) ;; *) echo "install: unexpected place $ext"; exit 1 ;; esac
test -x "$prefix/bin/iccache" || { echo "install: no bin/iccache"; exit 1; }
test -f "$prefix/share/iccache/sql/analytics.sql"
test -f "$prefix/share/doc/iccache/sql-reference.md"
# The installed command finds the installed extension by itself (no --extension, no env).
unset ICCACHE_EXTENSION
db="$prefix/cache.db"
"$python" "$prefix/bin/iccache" --db "$db" import "$prefix/share/iccache/examples/data/gsm8k_sample.json" \
  --request-field question --response-field answer >/dev/null
out=$("$python" "$prefix/bin/iccache" --db "$db" select "Natalia sold 48 clips in April" -k 1)
case "$out" in *"Natalia sold clips"*) ;; *) echo "install: select gave: $out"; exit 1 ;; esac
# The sqlite3 shell loads it by path without the suffix.
n=$(sqlite3 "$db" ".load ${ext%.so}" "SELECT count(*) FROM ex")
test "$n" = 2000 || { echo "install: sqlite3 shell counted $n"; exit 1; }
# The installed serving loop finds the installed extension too.
"$python" "$prefix/share/iccache/examples/serving_loop.py" --requests 20 --warm 5 --offpeak-every 0 >/dev/null
echo "install: ok ($ext)"
