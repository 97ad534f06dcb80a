#!/usr/bin/env bash
# Session 39, the range checks' A/B (device `run`, one GPU, carry [".deps"]), from the repository
# root, with ab.patch = `git diff cdea0dc 65f6e39 -- fss` (the generators' range checks on the
# dealer's threads; untracked):
#   bash docs/results/gpu-e2e-session39/ab/run.sh
# scripts/device_ab.sh under MPS: the keygen a run of bert-base seq 128, fusefss and sigma, A =
# the range checks on the calling thread, B = on the dealer's pool; rounds interleaved within AB_S
# (ab/ab.md, the last round's logs).
set -uo pipefail
out="${OUT:-$PWD/out/ab}"
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss sigma" ROUNDS=5 \
  AB_S=$((540 - ($(date +%s) - start))) bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
