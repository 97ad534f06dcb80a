#!/usr/bin/env bash
# Session 41, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root, with
# ab.patch = `git diff bb97f69~1 bb97f69 -- fss` (untracked):
#   bash docs/results/gpu-e2e-session41/call1/run.sh
# scripts/device_ab.sh under MPS: the thread pool's tree of wake-ups and finer parts (B) against
# the pool as session 40 left it (A), bert-base seq 128, fusefss and sigma alternating within a
# round, online and keygen a run (METRIC=both); rounds interleaved within AB_S (ab.md).
set -uo pipefail
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=both SYSTEMS="fusefss sigma" ROUNDS="${ROUNDS:-5}" \
  AB_S="${AB_S:-540}" bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $?"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
grep "^round" "$out/ab.log" || true
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
