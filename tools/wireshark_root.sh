#!/usr/bin/env bash
# Prepares a second tshark: a minimal Debian trixie root (Wireshark 4.4, Lua 5.4)
# in a cache folder outside the repository, reused when present.
#   tools/wireshark_root.sh [DIR]   (default: $DISSECTGEN_CACHE/trixie, ~/.cache/dissectgen/trixie)
# Prints the root's path. Needs root (debootstrap, chroot) and Debian's package
# mirror. First build: about a minute here (45 s, 415 MB); later runs: instant.
set -euo pipefail
root="${1:-${DISSECTGEN_CACHE:-$HOME/.cache/dissectgen}/trixie}"
if [ -x "$root/usr/bin/tshark" ] && [ -f "$root/.dissectgen-complete" ]; then
  echo "$root"
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror="${DISSECTGEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
rm -rf "$root.partial"
mkdir -p "$(dirname "$root")"
echo "building a Debian trixie root with tshark in $root (about a minute)" >&2
debootstrap --variant=minbase --include=tshark trixie "$root.partial" "$mirror" >&2
rm -rf "$root"
mv "$root.partial" "$root"
touch "$root/.dissectgen-complete"
echo "$root"
