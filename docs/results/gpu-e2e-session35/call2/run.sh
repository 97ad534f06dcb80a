#!/usr/bin/env bash
# Session 35, call 2 (device `run`, one GPU, carry [".deps"]), from the repository root, with the
# change to weigh as the untracked ab.patch (git diff 8b2300a HEAD -- fss, made here):
#   bash docs/results/gpu-e2e-session35/call2/run.sh
# 1. scripts/device_ab.sh under MPS: bert-base seq 128 keygen a run, fusefss and sigma, A (the
#    dealer's host loops as before: ranges of 2^16 elements, copies split from 1 MiB, the serial
#    loops of mul, mul_rowwise, sumsq and drelu keygen) against B (ranges of 2^14, copies split
#    from 256 KiB, those loops on the dealer's threads), 3 interleaved rounds of 3 runs (ab/);
#    every run's output against the cleartext reference (its party 0 log);
# 2. the tests' build and the [cuda] checks at 2^18 (gpu_check.log).
# The summary is printed last.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out/ab"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss sigma" ROUNDS=3 RUNS=3 AB_S=330 \
  bash scripts/device_ab.sh >"$out/ab/ab.txt" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
grep -h "vs cleartext fixed-point" "$out"/ab/*.log | sed 's/.*reference: //' | sort | uniq -c
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=200 device_build call2 "$logs" build-gpu \
  test_cuda_equivalence || { cp "$logs"/*.log "$out/"; }
echo "test build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
grep "^round" "$out/ab/ab.txt"
cat "$out/ab/ab.md"
