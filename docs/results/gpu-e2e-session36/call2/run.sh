#!/usr/bin/env bash
# Session 36, call 2 (device `run`, one GPU, carry [".deps"]), from the repository root, with the
# change as an untracked patch (here: git diff <call 1's commit> <the change's commit> -- fss >
# ab.patch):
#   bash docs/results/gpu-e2e-session36/call2/run.sh
# 1. device_ab.sh under MPS, keygen a run of bert-base seq 128, fusefss and sigma, A (512-thread
#    blocks everywhere) against B (plan_launch's smaller blocks for calls of a mostly idle last
#    wave), 2 rounds of 3 runs (ab/);
# 2. the [cuda] checks at 2^18 at B (gpu_check.log);
# 3. gpu_bench --keygen --quick: the dealer-size rows, explicit blocks against the default launch
#    (bench.md, bench.log);
# 4. the "[dealer-alone]" probe at B: the keygen stream's time by kind (dealer_alone.log).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out/ab"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss sigma" ROUNDS=2 RUNS=3 AB_S=260 \
  bash scripts/device_ab.sh >"$out/ab/ab.txt" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
grep -h "vs cleartext fixed-point" "$out"/ab/*.log | sed 's/.*reference: //' | sort | uniq -c
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=200 device_build call2 "$logs" build-gpu \
  test_cuda_equivalence gpu_bench || { cp "$logs"/*.log "$out/"; }
echo "test build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
timeout 60 build-gpu/bin/gpu_bench --keygen --quick --md "$out/bench.md" >"$out/bench.log" 2>&1
echo "bench: rc $? ($(($(date +%s) - start)) s)"
timeout 60 build-gpu/tests/test_cuda_equivalence "[dealer-alone]" --use-colour no \
  >"$out/dealer_alone.log" 2>&1
echo "probe: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
grep -E 'N=(27648|98304|393216)' "$out/bench.log" | cut -c1-120
grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log" | cut -c1-1500
grep "^round" "$out/ab/ab.txt"
cat "$out/ab/ab.md"
