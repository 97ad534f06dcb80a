#!/usr/bin/env bash
# Session 34, the bert-base GPU dealer key check, one suite a call (device `run`, one GPU, carry
# [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session34/call2/run.sh fusefss|sigma [probe]
# Builds the tests where call 1's build is gone (a fresh machine), then the [cuda-long] case
# [dealer-run-base-SUITE] (tests/models/gpu_dealer_run_test.cpp: both parties' keys of a bert-base
# seq 128 run, part by part, GPU dealer against CPU dealer) into long-SUITE.log; with `probe`, the
# dealer-alone probe after it (dealer_alone.log: one dealer's keygen stream by kind of call, its
# calls and elements).
set -uo pipefail
source scripts/device_setup.sh
suite=${1:?fusefss or sigma}
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/device.txt"
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=260 device_build call2 "$logs" build-gpu \
  test_cuda_equivalence || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s" | tee -a "$out/device.txt"
timeout "${LONG_S:-420}" bash -c 'source scripts/device_setup.sh && run_cuda_checks "$@"' _ \
  build-gpu "$out/long-$suite.log" "[dealer-run-base-$suite]"
echo "long check $suite: rc $? ($(($(date +%s) - start)) s)" | tee -a "$out/device.txt"
if [ "${2:-}" = probe ]; then
  timeout 120 build-gpu/tests/test_cuda_equivalence "[dealer-alone]" --use-colour no \
    >"$out/dealer_alone.log" 2>&1
  echo "dealer alone: rc $? ($(($(date +%s) - start)) s)" | tee -a "$out/device.txt"
  grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log"
fi
grep -E '^\[FAIL\]' "$out/long-$suite.log" | head
tail -1 "$out/long-$suite.log"
