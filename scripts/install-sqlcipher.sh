#!/usr/bin/env bash
# SQLCipher for the encrypted-database tests (docs/privacy.md, "Encryption at rest").
#  - Debian's sqlcipher shell (installed by install-deps.sh) is SQLCipher 3.4.1, built on
#    SQLite 3.15.2: too old to host iccache (it needs 3.34); the test sqlcipher.debian_refused
#    checks that loading it there fails with a clear message.
#  - SQLCipher 4.5.5 (SQLite 3.42.0): the amalgamation published on npm
#    (@commapp/sqlcipher-amalgamation 4.5.5, checked against the sha512 pinned below),
#    unpacked into third_party/sqlcipher/ (git-ignored). CMake builds it with OpenSSL's
#    libcrypto into build/tests/sql_tests_sqlcipher (ctest -R '^sqlcipher\.').
# Idempotent: does nothing when the pinned package is in place (a stamp written last, so an
# interrupted run is redone). Offline-safe: npm's cache is tried first (--offline); when
# npm is missing or the registry cannot be reached, it says so and exits 0, and CMake then
# leaves the encrypted tests out (it prints why).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/third_party/sqlcipher"
package=@commapp/sqlcipher-amalgamation
version=4.5.5
integrity='sha512-Ebi6aNWlh5qr2fWGaHVvahCBRZtbs63hStQmUOIA8zhfiJT3S0ZgQ0Oby0Pwh12DWP2uRs03am1LFuxgcdegoQ=='
stamp="$dest/.iccache-installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$package@$version $integrity" ] &&
   [ -f "$dest/package/src/sqlite3.c" ]; then
  exit 0
fi
skip() {
  echo "install-sqlcipher.sh: $1; the SQLCipher (encrypted-database) tests will not be built" >&2
  exit 0
}
command -v npm >/dev/null || skip "npm is missing (install-deps.sh installs it with the Node tests' packages)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# npm's cache first, without touching the network; then the registry.
pack() { (cd "$tmp" && npm pack --loglevel=error --no-audit --no-fund "$@" "$package@$version" \
            >/dev/null 2>"$tmp/npm.err"); }
pack --offline || pack --prefer-offline --fetch-retries=1 ||
  skip "npm pack $package@$version failed ($(grep -m1 -v 'complete log' "$tmp/npm.err" || true))"
tgz="$tmp/commapp-sqlcipher-amalgamation-$version.tgz"
[ -f "$tgz" ] || skip "npm pack did not produce $(basename "$tgz")"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "install-sqlcipher.sh: $package@$version does not match its pinned sha512 ($got)" >&2
  exit 1
fi
mkdir -p "$tmp/unpacked"
tar -xzf "$tgz" -C "$tmp/unpacked"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp/unpacked" "$dest"
echo "$package@$version $integrity" > "$stamp"
echo "SQLCipher $version amalgamation in $dest"
