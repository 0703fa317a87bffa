#!/usr/bin/env bash
# Debian's sqlcipher shell (SQLCipher 3.4.1 = SQLite 3.15.2) must refuse iccache with a clear
# message instead of crashing on routines its SQLite does not have. Usage: shell extension.
set -u
shell="$1"
ext="$2"
out="$(printf '.load %s\nSELECT 42;\n' "$ext" | "$shell" -bail :memory: 2>&1)"
rc=$?
echo "$out"
echo "exit status: $rc"
[ $rc -ne 0 ] && [ $rc -lt 128 ] || { echo "FAIL: expected an error exit, not $rc"; exit 1; }
echo "$out" | grep -q "iccache: needs SQLite 3.34.0 or later; this process runs SQLite 3.15" ||
  { echo "FAIL: the message does not say which SQLite is needed"; exit 1; }
echo "$out" | grep -q "^42$" && { echo "FAIL: the shell went on after the failed load"; exit 1; }
exit 0
