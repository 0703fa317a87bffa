#!/usr/bin/env bash
# SQLCipher for the encrypted-database tests (docs/privacy.md, "Encryption at rest").
# Idempotent. Two parts:
#  - Debian's sqlcipher shell and libsqlcipher-dev (installed by install-deps.sh) are SQLCipher
#    3.4.1, built on SQLite 3.15.2: too old to host iccache (it needs 3.34), and the test
#    sqlcipher.debian_refused checks that loading it there fails with a clear message.
#  - SQLCipher 4.5.5 (SQLite 3.42.0) as the amalgamation published on npm
#    (@commapp/sqlcipher-amalgamation), unpacked into third_party/sqlcipher/; CMake builds it
#    with OpenSSL's libcrypto into build/tests/sql_tests_sqlcipher, which runs the SQL tests on
#    encrypted files (ctest sqlcipher.sql_tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/third_party/sqlcipher"
version=4.5.5
if [ -f "$dest/package/src/sqlite3.c" ] && grep -q "\"version\": \"$version\"" "$dest/package/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-sqlcipher.sh: npm is missing; the SQLCipher tests will be skipped" >&2
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@commapp/sqlcipher-amalgamation@$version" >/dev/null)
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$tmp"/commapp-sqlcipher-amalgamation-$version.tgz -C "$dest"
echo "SQLCipher $version amalgamation in $dest"
