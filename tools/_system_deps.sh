# Sourced by the other scripts: installs the system tools the project needs
# (tshark; luacheck and luac5.4 for the Lua checks) when any is missing.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v luacheck >/dev/null 2>&1 || need+=(lua-check)
command -v luac5.4 >/dev/null 2>&1 || need+=(lua5.4)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  # wireshark-common asks whether non-root users may capture: keep the default.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
