#!/usr/bin/env bash
# Session 41, call 4 (device `run`, one GPU, carry [".deps"], call 1's machine, warm), from the
# repository root:
#   bash docs/results/gpu-e2e-session41/call4/run.sh
# scripts/gate_ratio.sh, 5 rounds of trunc-gelu 393,216 and trunc-silu 1,409,024 (RUNS 10 after 1
# warm-up), under MPS, then taking turns (no MPS).
set -uo pipefail
out="${OUT:-$PWD/out/call4}"
mkdir -p "$out"
for mps in 1 0; do
  OUT="$out/gates-mps$mps" MPS=$mps ROUNDS=5 timeout 75 bash scripts/gate_ratio.sh \
    >"$out/gates-mps$mps.log" 2>&1
  echo "gate_ratio MPS=$mps: rc $?"
  tail -12 "$out/gates-mps$mps/gate_ratio.md" 2>/dev/null || tail -12 "$out/gates-mps$mps.log"
done
