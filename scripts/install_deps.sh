#!/usr/bin/env bash
# Installs secinfer's build and run dependencies from Debian's packages (idempotent).
# Usage: scripts/install_deps.sh        (as root, or with sudo available)
set -euo pipefail
pkgs=(cmake ninja-build g++ libboost-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
      catch2 libbenchmark-dev python3 python3-matplotlib clang-format
      tcpdump)  # tcpdump: tests/scripts/wire_capture_test.py (skips without it)
[ "${SECINFER_SKIP_APT:-0}" = 1 ] && { echo "install_deps: skipped (SECINFER_SKIP_APT=1)"; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install_deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install_deps: all dependencies present"
fi
