#!/usr/bin/env bash
# Installs what iccache-node (cluster/, docs/scale-out.md) builds with: Go, Debian's go-dqlite
# sources (built in GOPATH mode, no module download) and libdqlite. Idempotent: does nothing
# when every package is installed. scripts/install-deps.sh calls it.
set -euo pipefail
packages=(golang-go golang-github-canonical-go-dqlite-dev libdqlite-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
