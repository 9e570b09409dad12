#!/usr/bin/env bash
# Prepares another Wireshark generation: a minimal Debian root holding tshark,
# in a cache folder outside the repository, reused when present.
#   tools/wireshark_root.sh [SUITE] [DIR]
#     SUITE: trixie (default; Wireshark 4.4, Lua 5.4), forky (Debian testing:
#            Wireshark 4.6, Lua 5.4) or bullseye (Wireshark 3.4, Lua 5.2)
#     DIR:   default $DISSECTGEN_CACHE/SUITE, ~/.cache/dissectgen/SUITE
# The root also holds a C compiler and Wireshark's headers, for the C plugin
# (dissectgen plugin --tshark chroot:DIR); a root built before gets them added.
# Prints the root's path. Needs root (debootstrap, chroot) and a Debian package
# mirror: the machine's own (the first Debian archive in its apt sources), else
# debootstrap's default. The first build downloads and installs the packages
# (a minute or two); later runs are instant.
set -euo pipefail
suite="${1:-trixie}"
# what each suite needs besides tshark, and which debootstrap script knows it
case "$suite" in
  trixie) script="$suite"; extra="" ;;
  # Wireshark 3.4's CMake package links plugins against libgcrypt.so and libgnutls.so,
  # whose -dev packages libwireshark-dev does not pull in.
  bullseye) script="$suite"; extra=",libgcrypt20-dev,libgnutls28-dev" ;;
  # debootstrap has no forky script yet; testing is built like unstable.
  # Without libre2-11 named, one of Wireshark's plugin libraries fails to configure.
  forky) script="sid"; extra=",libre2-11" ;;
  *) echo "unknown suite '$suite': trixie, forky or bullseye" >&2; exit 2 ;;
esac
root="${2:-${DISSECTGEN_CACHE:-$HOME/.cache/dissectgen}/$suite}"
# what the C plugin needs to be built in the root (its headers, compiler, CMake)
plugin_packages="gcc,libc6-dev,pkg-config,make,cmake,libwireshark-dev,wireshark-dev"
has_plugin_tools() {
  [ -x "$1/usr/bin/gcc" ] && [ -x "$1/usr/bin/cmake" ] && [ -f "$1/usr/include/wireshark/epan/packet.h" ] \
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
echo "building a Debian $suite root with tshark and Wireshark's headers in $root (a minute or two)" >&2
# an empty mirror argument is debootstrap's default mirror; the script argument must come after it
debootstrap --variant=minbase --include="tshark,$plugin_packages$extra" "$suite" "$root.partial" \
  "$mirror" "$script" >&2
rm -rf "$root"
mv "$root.partial" "$root"
touch "$root/.dissectgen-complete"
echo "$root"
