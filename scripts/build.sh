#!/usr/bin/env bash
# Configures and builds secinfer into build/ (Release, Ninja). CUDA is built where nvcc is found.
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "${BUILD_DIR:-build}" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "${BUILD_DIR:-build}" -j "$jobs"
