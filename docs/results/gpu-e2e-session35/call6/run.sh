#!/usr/bin/env bash
# Session 35, call 6 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session35/call6/run.sh
# The "[dealer-alone]" probe (tests/models/gpu_dealer_run_test.cpp) at the code after 9f91b37:
# party 0's inline dealer of bert-base seq 128 with the GPU to itself (no peer process), fusefss
# then sigma, 1 + 3 runs timed, and the keygen clock's totals (dealer_alone.log).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call6}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call6 "$logs" build-gpu \
  test_cuda_equivalence || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
timeout 200 build-gpu/tests/test_cuda_equivalence "[dealer-alone]" --use-colour no \
  >"$out/dealer_alone.log" 2>&1
echo "probe: rc $? ($(($(date +%s) - start)) s)"
grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log" | cut -c1-1500
