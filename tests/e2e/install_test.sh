#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then use what it installed the way a user would:
# the iccache command imports and selects, the sqlite3 shell loads the extension, the Python
# package loads it, and C programs link libiccache.a through pkg-config and find_package.
set -euo pipefail
build=$1
source=$(cd "$2" && pwd)
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
# The Python package: importable from the prefix, finds the installed extension by itself.
got=$(PYTHONPATH="$prefix/lib/python3/dist-packages" "$python" -c "
import sqlite3, iccache
db = sqlite3.connect('$db')
print(iccache.load(db)); print(iccache.Cache(db).select('Natalia sold 48 clips in April', k=1)[0]['id'])")
test "$got" = "$ext
1" || { echo "install: the Python package gave: $got"; exit 1; }
# The Node package finds the installed extension from share/iccache/node.
got=$(cd "$prefix/share/iccache/node" && node -e "console.log(require('./index.js').getLoadablePath())")
test "$got" = "$ext" || { echo "install: the Node package found: $got"; exit 1; }
# C and C++ programs against the installed prefix: the header and libiccache.a through
# pkg-config, and through find_package(iccache) in CMake. The program registers iccache with
# sqlite3_auto_extension and runs a MATCH (tests/static/static_link.c).
app="$prefix/app"
mkdir -p "$app"
cc -o "$app/with_pkg_config" "$source/tests/static/static_link.c" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs iccache)
"$app/with_pkg_config"
# README.md's C block, as written, against the installed prefix.
awk '/^```c$/{on=1; next} /^```$/{on=0} on' "$source/README.md" > "$app/readme.c"
grep -q sqlite3_iccache_init "$app/readme.c" || { echo "install: no C block in README.md"; exit 1; }
cc -o "$app/readme" "$app/readme.c" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs iccache)
"$app/readme" || { echo "install: README's C program failed"; exit 1; }
cat > "$app/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(app C CXX)
find_package(iccache 0.1 REQUIRED)
add_executable(with_cmake "$source/tests/static/static_link.c")
target_link_libraries(with_cmake PRIVATE iccache::iccache_static)
CMAKE
cmake -S "$app" -B "$app/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$app/build" >/dev/null
"$app/build/with_cmake"
echo "install: ok ($ext)"
