#!/usr/bin/env bash
# Session 33, call 2 (device `run`, carry [".deps"], from the repository root, with ab.patch made
# here first: git diff e163b1a d1e2040 -- fss > ab.patch, the one-payload DCF change):
#   bash docs/results/gpu-e2e-session33/call2/run.sh
# 1. builds the tree (B) with the tests; the [cuda] checks at 2^18 (gpu_check.log);
# 2. the dealer-alone probe on B (dealer_alone.log);
# 3. scripts/device_ab.sh: fusefss keygen a bert-base run, A (ab.patch reversed) against B,
#    interleaved (ab.md, A-fusefss.log, B-fusefss.log).
# At most 6 files into $OUT; the summary is printed last.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call2 "$logs" build-gpu secinfer \
  test_cuda_equivalence || exit 2
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 120 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
timeout 120 build-gpu/tests/test_cuda_equivalence "[dealer-alone]" --use-colour no \
  >"$out/dealer_alone.log" 2>&1
grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log"
echo "dealer alone: ($(($(date +%s) - start)) s)"
OUT="$out" PATCH=ab.patch METRIC=keygen SYSTEMS=fusefss ROUNDS=3 RUNS=3 AB_S=330 \
  bash scripts/device_ab.sh >"$logs/ab.stdout" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
rm -f "$out/configure.log" "$out/build.log"
cat "$out/ab.md" 2>/dev/null || tail -20 "$logs/ab.stdout"
