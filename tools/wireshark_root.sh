#!/usr/bin/env bash
# Prepares a second tshark: a minimal Debian trixie root (Wireshark 4.4, Lua 5.4)
# in a cache folder outside the repository, reused when present.
#   tools/wireshark_root.sh [DIR]   (default: $DISSECTGEN_CACHE/trixie, ~/.cache/dissectgen/trixie)
# The root also holds a C compiler and Wireshark's headers, for the C plugin
# (dissectgen plugin --tshark chroot:DIR); a root built before gets them added.
# Prints the root's path. Needs root (debootstrap, chroot) and a Debian package
# mirror: the machine's own (the first Debian archive in its apt sources), else
# debootstrap's default. The first build downloads and installs the packages;
# later runs are instant.
set -euo pipefail
root="${1:-${DISSECTGEN_CACHE:-$HOME/.cache/dissectgen}/trixie}"
# what the C plugin needs to be built in the root (its headers, compiler, CMake)
plugin_packages="gcc,libc6-dev,pkg-config,make,cmake,libwireshark-dev,wireshark-dev"
has_plugin_tools() {
  [ -x "$1/usr/bin/gcc" ] && [ -x "$1/usr/bin/cmake" ] && [ -f "$1/usr/include/wireshark/ws_version.h" ] \
    && [ -n "$(find "$1/usr/lib" -name WiresharkConfig.cmake -print -quit 2>/dev/null)" ]
}
if [ -x "$root/usr/bin/tshark" ] && [ -f "$root/.dissectgen-complete" ]; then
  if ! has_plugin_tools "$root"; then
    echo "adding the C compiler and Wireshark's headers to $root" >&2
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ${plugin_packages//,/ } >&2
  fi
  echo "$root"
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
# The archive the machine's apt already uses (deb822 "URIs:" or one-line "deb"
# entries), skipping security and update suites; empty: debootstrap's default.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '
      /^[[:space:]]*#/ { next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ && uri != "" && $0 !~ /security/ { print uri; exit }
      /^[[:space:]]*$/ { uri = "" }
      $1 == "deb" { sub(/\[[^]]*\][[:space:]]*/, ""); if ($3 !~ /security|updates|backports/) { print $2; exit } }
    ' "$f"
  done | grep -m1 -E '/debian/?$' || true
}
mirror="${DISSECTGEN_DEBIAN_MIRROR:-$(apt_mirror)}"
rm -rf "$root.partial"
mkdir -p "$(dirname "$root")"
echo "building a Debian trixie root with tshark and Wireshark's headers in $root (a minute or two)" >&2
debootstrap --variant=minbase --include="tshark,$plugin_packages" trixie "$root.partial" ${mirror:+"$mirror"} >&2
rm -rf "$root"
mv "$root.partial" "$root"
touch "$root/.dissectgen-complete"
echo "$root"
