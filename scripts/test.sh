#!/usr/bin/env bash
# The test command of README.md (and .ci/run): install dependencies, build everything (CUDA code
# too where nvcc is present: build only, GPU tests run on a GPU machine via scripts/gpu_check.sh),
# then run every Catch2 test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DSECINFER_BUILD_TESTS=ON -DSECINFER_BUILD_BENCH=ON "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure
