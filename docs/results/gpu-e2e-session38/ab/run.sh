#!/usr/bin/env bash
# Session 38, the A/B planned as call 2 (device `run`, one GPU, carry [".deps"]; call 1's machine,
# warm), from the repository root, with ab.patch = `git diff d424b11 ece9ffc -- fss` (the half-tree
# DCF; untracked):
#   bash docs/results/gpu-e2e-session38/ab/run.sh
# NOT RUN: failed device starts took the session's device time; what was left after call 1 went
# to calls 2 and 3 (README.md).
# scripts/device_ab.sh under MPS: the keygen a run of bert-base seq 128, fusefss and sigma (sigma
# does not use this DCF: the control), A = the DCF of Boyle et al.'s Fig. 3 expansion, B = the
# half-tree; rounds interleaved within AB_S (ab/ab.md, the last round's logs).
set -uo pipefail
out="${OUT:-$PWD/out/ab}"
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss sigma" ROUNDS=3 \
  AB_S=$((560 - ($(date +%s) - start))) bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
