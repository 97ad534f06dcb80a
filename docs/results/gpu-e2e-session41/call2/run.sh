#!/usr/bin/env bash
# Session 41, call 2 (device `run`, one GPU, carry [".deps"], call 1's machine, warm), from the
# repository root:
#   CALL_S=300 bash docs/results/gpu-e2e-session41/call2/run.sh
# 1. gpu_e2e.sh under MPS on bert-base seq 128 alone, sigma and fusefss, 3 runs after 1 warm-up
#    (no microbenchmarks, no row chunks: call 1 ran those settings).
# 2. In the time left of CALL_S (default 570 s): scripts/gpu_check.sh --no-long --no-bench, the
#    [cuda] checks at 2^18.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call2}"
mkdir -p "$out"
OUT="$out/e2e" MPS=1 SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
  E2E_MODELS="bert-base" BUDGET_S=150 bash scripts/gpu_e2e.sh >"$out/e2e.log" 2>&1
echo "gpu_e2e: rc $? ($(($(date +%s) - start)) s)"
tar czf "$out/e2e_runs.tgz" -C "$out/e2e" . 2>/dev/null && rm -rf "$out/e2e"
left=$((${CALL_S:-570} - ($(date +%s) - start)))
if [ "$left" -gt 60 ]; then
  OUT="$out/check" timeout "$left" bash scripts/gpu_check.sh --no-long --no-bench >"$out/check.log" 2>&1
  echo "gpu_check: rc $? ($(($(date +%s) - start)) s)"
  tail -3 "$out/check.log"
  tar czf "$out/check.tgz" -C "$out/check" . 2>/dev/null && rm -rf "$out/check"
fi
tail -14 "$out/e2e.log"
