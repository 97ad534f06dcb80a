#!/usr/bin/env bash
# Session 36, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session36/call1/run.sh
# Whether the dealer's generation calls lose time to the last wave of their grid: gpu_bench's
# keygen rows (--keygen --quick), among them the DCF / SIGMA DCF generators and the DCF evaluation
# at a bert-base seq 128 gate's sizes (98,304 and 393,216 keys) with blocks of 512, 256 and 128
# threads (bench.md); then the "[dealer-alone]" probe (one party's inline dealer of bert-base seq
# 128 with the GPU to itself) as the baseline on this card (dealer_alone.log).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=420 device_build call1 "$logs" build-gpu \
  gpu_bench test_cuda_equivalence || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
timeout 200 build-gpu/bin/gpu_bench --keygen --quick --md "$out/bench.md" \
  >"$out/bench.log" 2>&1
echo "bench: rc $? ($(($(date +%s) - start)) s)"
timeout 150 build-gpu/tests/test_cuda_equivalence "[dealer-alone]" --use-colour no \
  >"$out/dealer_alone.log" 2>&1
echo "probe: rc $? ($(($(date +%s) - start)) s)"
grep -E 'N=98304|N=393216|pure AES' "$out/bench.log" | cut -c1-140
grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log" | cut -c1-1500
