#!/usr/bin/env bash
# Session 36, call 7 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session36/call7/run.sh
# At the SIGMA DCF truth tables made on the dealer's GPU: the [cuda] checks at 2^18
# (gpu_check.log), then gpu_e2e.sh on bert-tiny and bert-base seq 128, sigma and fusefss, 3 runs
# after 1 warm-up, under MPS (mps.md, mps_runs.tgz).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call7}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call7 "$logs" build-gpu \
  test_cuda_equivalence secinfer || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL|truth table" "$out/gpu_check.log" | head -10
OUT="$logs/mps" MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
  E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S=120 \
  bash scripts/gpu_e2e.sh >"$logs/mps.stdout" 2>&1
echo "gpu_e2e mps: rc $? ($(($(date +%s) - start)) s)"
cp "$logs/mps/gpu_e2e.md" "$out/mps.md" 2>/dev/null
cp "$logs/mps/gpu_e2e_runs.tgz" "$out/mps_runs.tgz" 2>/dev/null
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
cat "$out/mps.md" 2>/dev/null || tail -20 "$logs/mps.stdout"
