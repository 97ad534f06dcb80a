#!/usr/bin/env bash
# Session 44, call 4 (device `run`, one GPU, carry [".deps"], a fresh machine), from the
# repository root:
#   CALL_S=250 bash docs/results/gpu-e2e-session44/call4/run.sh
# `6e6c660` (party 0's slack in the lookup's own combine) taking turns first: scripts/gate_ratio.sh
# with MPS=0, ROUNDS (default 2) rounds, its logs kept for scripts/round_trace.py; then under MPS,
# one round, if 70 s of CALL_S are left.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call4}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
for mps in 0 1; do
  left=$((${CALL_S:-250} - ($(date +%s) - start)))
  [ "$mps" = 0 ] || [ "$left" -gt 70 ] || break
  rounds=${ROUNDS:-2}
  [ "$mps" = 1 ] && rounds=1
  OUT="$out/gates-mps$mps" MPS=$mps ROUNDS=$rounds timeout "$left" bash scripts/gate_ratio.sh \
    >"$out/gates-mps$mps.log" 2>&1
  echo "gate_ratio MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/gates-mps$mps/gate_ratio.md" 2>/dev/null || tail -20 "$out/gates-mps$mps.log"
done
