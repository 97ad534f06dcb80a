#!/usr/bin/env bash
# Session 42, call 3 (device `run`, one GPU, carry [".deps"], a warm machine), from the
# repository root:
#   CALL_S=570 bash docs/results/gpu-e2e-session42/call3/run.sh
# 1. gpu_e2e.sh taking turns (MPS=0) on bert-base seq 128: sigma, fusefss and fusefss with
#    --fusefss-trunc sigma2, 3 runs after 1 warm-up.
# 2. In the time left of CALL_S (default 570 s): scripts/gate_ratio.sh under MPS, trunc-gelu and
#    trunc-silu, ROUNDS rounds (default 3).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call3}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/e2e" MPS=0 SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
  E2E_MODELS="bert-base" E2E_SYSTEMS="sigma fusefss fusefss-sigma2trunc" BUDGET_S=300 \
  bash scripts/gpu_e2e.sh >"$out/e2e.log" 2>&1
echo "gpu_e2e: rc $? ($(($(date +%s) - start)) s)"
tar czf "$out/e2e_runs.tgz" -C "$out/e2e" . 2>/dev/null && rm -rf "$out/e2e"
left=$((${CALL_S:-570} - ($(date +%s) - start)))
if [ "$left" -gt 90 ]; then
  OUT="$out/gates" MPS=1 ROUNDS="${ROUNDS:-3}" timeout "$left" bash scripts/gate_ratio.sh \
    >"$out/gates.log" 2>&1
  echo "gate_ratio: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/gates/gate_ratio.md" 2>/dev/null || tail -20 "$out/gates.log"
fi
tail -16 "$out/e2e.log"
