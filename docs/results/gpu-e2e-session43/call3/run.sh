#!/usr/bin/env bash
# Session 43, call 3 (device `run`, one GPU, carry [".deps"]), from the repository root, for the
# last few minutes of the session's device time (call 1 never found a machine):
#   CALL_S=200 bash docs/results/gpu-e2e-session43/call3/run.sh
# scripts/gate_ratio.sh under MPS, ROUNDS rounds (default 2) of trunc-gelu 393,216 and trunc-silu
# 1,409,024 (it builds secinfer in build-gpu and checks every output against the cleartext
# reference), then, if 60 s of CALL_S (default 200 s) are left, one round taking turns (MPS=0).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call3}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
for mps in 1 0; do
  left=$((${CALL_S:-200} - ($(date +%s) - start)))
  [ "$left" -gt 60 ] || break
  rounds=${ROUNDS:-2}
  [ "$mps" = 0 ] && rounds=1
  OUT="$out/gates-mps$mps" MPS=$mps ROUNDS=$rounds timeout "$left" bash scripts/gate_ratio.sh \
    >"$out/gates-mps$mps.log" 2>&1
  echo "gate_ratio MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/gates-mps$mps/gate_ratio.md" 2>/dev/null || tail -20 "$out/gates-mps$mps.log"
done
