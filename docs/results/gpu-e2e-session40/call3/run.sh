#!/usr/bin/env bash
# Session 40, call 3 (device `run`, one GPU, carry [".deps"]; 273 s of device time were left), from
# the repository root:
#   bash docs/results/gpu-e2e-session40/call3/run.sh
# The session's last code (267cf19: the pool's one spin constant) end to end: gpu_e2e.sh under
# MPS, bert-tiny and bert-base seq 128, fusefss and sigma, 3 runs after 1 warm-up (mps.md,
# mps_runs.tgz); asked for as nvidia-h200, the card the dealer issue's keygen bar names.
set -uo pipefail
out="${OUT:-$PWD/out/call3}"
mkdir -p "$out"
OUT="$out" MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" E2E_SYSTEMS="fusefss sigma" \
  MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 BUDGET_S=230 bash scripts/gpu_e2e.sh >"$out/stdout.txt" 2>&1
echo "gpu_e2e: rc $?"
grep -E "^\| bert|^\| setting|^\|---" "$out/gpu_e2e.md" 2>/dev/null || tail -20 "$out/stdout.txt"
