#!/usr/bin/env bash
# Session 36, call 4 (device `run`, one GPU, carry [".deps"]; call 3's machine, warm), from the
# repository root:
#   bash docs/results/gpu-e2e-session36/call4/run.sh
# At plan_launch: scripts/gate_ratio.sh, 7 interleaved rounds, under MPS (r1/) and the parties
# taking turns on the GPU (r0/).
source scripts/device_setup.sh
OUT="${OUT:-$PWD/out/call4}"
mkdir -p "$OUT"
for mps in 1 0; do
  OUT=$OUT/r$mps MPS=$mps ROUNDS=7 timeout 200 bash scripts/gate_ratio.sh >/tmp/g$mps.txt 2>&1
  echo "rc $?"
done
for mps in 1 0; do cat "$OUT/r$mps/gate_ratio.md"; done
