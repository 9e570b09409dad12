# Sourced by the other scripts: installs the system tools the project needs
# (tshark; luacheck and luac5.4 for the Lua checks; a C compiler, CMake and
# Wireshark's headers for the C plugin) when any is missing. A script that sets
# with_gui=1 first also gets the real Wireshark GUI, run under Xvfb and driven
# by xdotool (xwd, from x11-apps, tells when the screen has settled; DejaVu is
# the only font the GUI is given, so its pictures do not change with the
# machine's fonts); with_screenshots=1 adds netpbm and optipng, which turn
# the pictures into small PNGs.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v luacheck >/dev/null 2>&1 || need+=(lua-check)
command -v luac5.4 >/dev/null 2>&1 || need+=(lua5.4)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v cmake >/dev/null 2>&1 || need+=(cmake make)
[ -f /usr/include/wireshark/ws_version.h ] || need+=(libwireshark-dev wireshark-dev)
if [ -n "${with_gui:-}" ]; then
  command -v wireshark >/dev/null 2>&1 || need+=(wireshark-qt)
  command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
  command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
  command -v xwd >/dev/null 2>&1 || need+=(x11-apps)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
fi
if [ -n "${with_screenshots:-}" ]; then
  command -v pnmtopng >/dev/null 2>&1 || need+=(netpbm)
  command -v optipng >/dev/null 2>&1 || need+=(optipng)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  # wireshark-common asks whether non-root users may capture: keep the default.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
