#!/usr/bin/env bash
# Session 42, call 2 (device `run`, one GPU, carry [".deps"], call 1's machine, warm), from the
# repository root:
#   bash docs/results/gpu-e2e-session42/call2/run.sh
# The whole bert-base key check, GPU dealer against CPU dealer, both suites (about 7 minutes after
# the build): scripts/gpu_check.sh --only dealer-run-base --no-bench.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call2}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/check" timeout "${CHECK_S:-570}" bash scripts/gpu_check.sh --only dealer-run-base --no-bench \
  >"$out/check.log" 2>&1
echo "gpu_check dealer-run-base: rc $? ($(($(date +%s) - start)) s)"
grep -E "passed|failed|FAILED" "$out/check.log" | tail -20 || true
tar czf "$out/check.tgz" -C "$out/check" . 2>/dev/null && rm -rf "$out/check"
tail -5 "$out/check.log"
