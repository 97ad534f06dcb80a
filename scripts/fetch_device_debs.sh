#!/usr/bin/env bash
# Run HERE (a Debian machine with apt): downloads the Debian packages that the build needs into
# .deps/debs (git-ignored), so they can be carried to the GPU machine, which has CUDA, CMake and
# ninja but no Boost, CLI11, spdlog, fmt, nlohmann-json, Catch2 or Google Benchmark and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .deps/debs
cd .deps/debs
pkgs=(libboost1.74-dev catch2 libbenchmark-dev libbenchmark1debian libspdlog-dev libspdlog1.10
      libfmt-dev libfmt9 nlohmann-json3-dev libcli11-dev)
ls ./*.deb >/dev/null 2>&1 || { apt-get update -qq || true; apt-get download "${pkgs[@]}"; }
ls -la
# gperftools' CPU profiler for scripts/host_profile.sh (the GPU machine has no perf or gdb),
# unpacked here into .deps/pt so that it travels with .deps.
if [ ! -x ../pt/usr/bin/google-pprof ]; then
  mkdir -p ../pt-debs ../pt
  (cd ../pt-debs && { ls ./*.deb >/dev/null 2>&1 ||
    apt-get download libgoogle-perftools4 libtcmalloc-minimal4 google-perftools libunwind8; } &&
    for f in ./*.deb; do dpkg -x "$f" ../pt; done)
fi
