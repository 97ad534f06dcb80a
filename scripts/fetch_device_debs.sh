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
