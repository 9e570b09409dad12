# Sourced by the other scripts: installs the system tools the project needs
# (tshark; luacheck and luac5.4 for the Lua checks; a C compiler, CMake and
# Wireshark's headers for the C plugin) when any is missing.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v luacheck >/dev/null 2>&1 || need+=(lua-check)
command -v luac5.4 >/dev/null 2>&1 || need+=(lua5.4)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v cmake >/dev/null 2>&1 || need+=(cmake make)
[ -f /usr/include/wireshark/ws_version.h ] || need+=(libwireshark-dev wireshark-dev)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  # wireshark-common asks whether non-root users may capture: keep the default.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
