#!/usr/bin/env bash
# Session 40, compile_instance's A/B (device `run`, one GPU, carry [".deps"], call 1's machine,
# warm), from the repository root, with ab.patch = `git diff 3936958~1 3936958 -- fss` (untracked):
#   bash docs/results/gpu-e2e-session40/ab/run.sh
# scripts/device_ab.sh under MPS: fusefss's keygen a run of bert-base seq 128, A = the sorted
# instances, B = the rotation and one payload buffer; rounds interleaved within AB_S (ab.md).
set -uo pipefail
out="${OUT:-$PWD/out/ab}"
mkdir -p "$out"
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss" ROUNDS=5 AB_S="${AB_S:-330}" \
  bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $?"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
