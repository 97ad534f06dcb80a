#!/usr/bin/env bash
# Session 41, call 3 (device `run`, one GPU, carry [".deps"], call 1's machine, warm), from the
# repository root:
#   bash docs/results/gpu-e2e-session41/call3/run.sh
# 1. The per-gate ratio under MPS: scripts/gate_ratio.sh, 2 rounds of trunc-gelu 393,216 and
#    trunc-silu 1,409,024 (RUNS 10 after 1 warm-up).
# 2. gpu_e2e.sh taking turns (no MPS) on bert-base seq 128 alone, sigma and fusefss, 3 runs after
#    1 warm-up, in the time left of CALL_S (default 200 s).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call3}"
mkdir -p "$out"
OUT="$out/gates" MPS=1 ROUNDS=2 timeout 120 bash scripts/gate_ratio.sh >"$out/gates.log" 2>&1
echo "gate_ratio: rc $? ($(($(date +%s) - start)) s)"
tail -12 "$out/gates/gate_ratio.md" 2>/dev/null || tail -12 "$out/gates.log"
left=$((${CALL_S:-200} - ($(date +%s) - start)))
if [ "$left" -gt 45 ]; then
  OUT="$out/e2e" MPS=0 SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS="bert-base" BUDGET_S="$left" bash scripts/gpu_e2e.sh >"$out/e2e.log" 2>&1
  echo "gpu_e2e: rc $? ($(($(date +%s) - start)) s)"
  tar czf "$out/e2e_runs.tgz" -C "$out/e2e" . 2>/dev/null && rm -rf "$out/e2e"
  tail -8 "$out/e2e.log"
fi
