#!/usr/bin/env bash
# Next session, call 3 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   [MPS=0] [ROUNDS=3] bash docs/results/gpu-e2e-session45/call3/run.sh
# The narrow lookup in the fused trunc-gelu, A/B on one machine: narrow.patch is `git diff
# 613f70b 98f6680 -- fss/gates/fusefss/trunc_act.cpp` (the gate's lookup opened in w bits
# instead of n); A is the tree with it reversed, B the tree. scripts/device_ab.sh with
# GATE="trunc-gelu 393216", fusefss, ROUNDS interleaved rounds, taking turns unless MPS=1. Session
# 44 saw the gate fall 7.2 -> 6.4 ms under MPS but only 10.9 -> 10.6 taking turns (against
# session 42's figures on another H100), the packing before the lookup's opening grown: this
# weighs the one change on one machine, with both sides' traces for scripts/round_trace.py in
# $OUT/A-fusefss-gate and B-fusefss-gate.
set -uo pipefail
out="${OUT:-$PWD/out/call3}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
cp docs/results/gpu-e2e-session45/call3/narrow.patch ab.patch
OUT="$out" PATCH=ab.patch GATE="trunc-gelu 393216" SYSTEM=fusefss ROUNDS="${ROUNDS:-3}" \
  MPS="${MPS:-0}" AB_S="${AB_S:-480}" bash scripts/device_ab.sh
rc=$?
rm -f ab.patch
for side in A B; do
  python3 scripts/round_trace.py "$out/$side-fusefss-gate" 2>/dev/null | tail -12
done
exit "$rc"
