#!/usr/bin/env bash
# Session 42, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   CALL_S=570 bash docs/results/gpu-e2e-session42/call1/run.sh
# The code session 41 left unrun on the device (sigma2 TrFloor, SIGMA's TrCorr split, the review's
# mends):
# 1. scripts/gpu_check.sh --no-long --no-bench: the [cuda] checks at 2^18, among them SIGMA's DCF
#    at 50 bits and the sigma2 TrFloor with device vectors.
# 2. In the time left of CALL_S (default 570 s): gpu_e2e.sh under MPS on bert-base seq 128,
#    sigma, fusefss and fusefss with --fusefss-trunc sigma2, 3 runs after 1 warm-up.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/check" timeout 330 bash scripts/gpu_check.sh --no-long --no-bench >"$out/check.log" 2>&1
echo "gpu_check: rc $? ($(($(date +%s) - start)) s)"
tail -4 "$out/check.log"
grep -E "FAILED|failed" "$out/check.log" | head -20 || true
tar czf "$out/check.tgz" -C "$out/check" . 2>/dev/null && rm -rf "$out/check"
left=$((${CALL_S:-570} - ($(date +%s) - start)))
if [ "$left" -gt 60 ]; then
  OUT="$out/e2e" MPS=1 SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS="bert-base" E2E_SYSTEMS="sigma fusefss fusefss-sigma2trunc" BUDGET_S="$left" \
    bash scripts/gpu_e2e.sh >"$out/e2e.log" 2>&1
  echo "gpu_e2e: rc $? ($(($(date +%s) - start)) s)"
  tar czf "$out/e2e_runs.tgz" -C "$out/e2e" . 2>/dev/null && rm -rf "$out/e2e"
  tail -16 "$out/e2e.log"
fi
