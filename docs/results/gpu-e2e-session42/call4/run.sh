#!/usr/bin/env bash
# Session 42, call 4 (device `run`, one GPU, carry [".deps"], calls 1-3's machine, warm), from the
# repository root:
#   bash docs/results/gpu-e2e-session42/call4/run.sh
# 1. gpu_e2e.sh on gpt2 seq 128 under MPS, then taking turns: sigma, fusefss and fusefss with
#    --fusefss-trunc sigma2, 3 runs after 1 warm-up.
# 2. scripts/gate_ratio.sh taking turns (MPS=0), 3 rounds.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call4}"
mkdir -p "$out"
for mps in 1 0; do
  OUT="$out/e2e-mps$mps" MPS=$mps SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS="gpt2" E2E_SYSTEMS="sigma fusefss fusefss-sigma2trunc" BUDGET_S=200 \
    bash scripts/gpu_e2e.sh >"$out/e2e-mps$mps.log" 2>&1
  echo "gpu_e2e MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  tar czf "$out/e2e-mps${mps}_runs.tgz" -C "$out/e2e-mps$mps" . 2>/dev/null && rm -rf "$out/e2e-mps$mps"
done
OUT="$out/gates" MPS=0 ROUNDS="${ROUNDS:-3}" timeout 150 bash scripts/gate_ratio.sh >"$out/gates.log" 2>&1
echo "gate_ratio: rc $? ($(($(date +%s) - start)) s)"
cat "$out/gates/gate_ratio.md" 2>/dev/null || tail -20 "$out/gates.log"
for mps in 1 0; do tail -8 "$out/e2e-mps$mps.log"; done
