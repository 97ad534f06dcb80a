#!/usr/bin/env bash
# Session 34, call 6 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session34/call6/run.sh
# The MPS=1 switches as committed: scripts/gate_ratio.sh (3 rounds of 10 runs) with the parties
# taking turns on the GPU, then under MPS (gate_ratio_plain.md, gate_ratio_mps.md); then
# scripts/gpu_e2e.sh MPS=1 on gpt2 seq 128, 5 runs (gpt2_mps.md, gpt2_mps_runs.tgz).
set -uo pipefail
out="${OUT:-$PWD/out/call6}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
for mode in plain mps; do
  mps=0
  [ "$mode" = mps ] && mps=1
  OUT="$logs/$mode" MPS=$mps ROUNDS=3 timeout 240 bash scripts/gate_ratio.sh >"$logs/$mode.txt" 2>&1
  echo "gate_ratio $mode: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$mode/gate_ratio.md" "$out/gate_ratio_$mode.md" 2>/dev/null || tail -5 "$logs/$mode.txt"
done
OUT="$logs/gpt2" MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS=gpt2 MODEL_RUNS=5 MODEL_WARMUP=1 \
  MODEL_CAP=80 BUDGET_S=120 bash scripts/gpu_e2e.sh >"$logs/gpt2.txt" 2>&1
echo "gpt2 mps: rc $? ($(($(date +%s) - start)) s)"
cp "$logs/gpt2/gpu_e2e.md" "$out/gpt2_mps.md" 2>/dev/null
cp "$logs/gpt2/gpu_e2e_runs.tgz" "$out/gpt2_mps_runs.tgz" 2>/dev/null
grep MPS "$logs/gpt2/gpu_e2e.log"
nvidia-smi --query-gpu=name,driver_version,compute_mode --format=csv,noheader
pgrep -l nvidia-cuda-mps || echo "no MPS daemon left running"
cat "$out"/*.md
