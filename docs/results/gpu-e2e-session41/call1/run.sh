#!/usr/bin/env bash
# Session 41, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root, with
# ab.patch = `git diff bb97f69~1 bb97f69 -- fss` (untracked):
#   bash docs/results/gpu-e2e-session41/call1/run.sh
# 1. scripts/device_ab.sh under MPS: the thread pool's tree of wake-ups and finer parts (B) against
#    the pool as session 40 left it (A), bert-base seq 128 fusefss, online and keygen a run
#    (METRIC=both); rounds interleaved within AB_S (ab.md). Each run compares its outputs with the
#    cleartext fixed-point reference; the last round's lines are printed.
# 2. gpu_e2e.sh under MPS in the time left, without bert-base (the A/B ran it) and without the
#    microbenchmarks: bert-tiny both suites and the row-chunk settings (gpt2-2l seq 256 among them).
# CALL_S (default 570): the seconds the whole call may take; the A/B gets CALL_S - 140 of them.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=both SYSTEMS="${SYSTEMS:-fusefss}" ROUNDS="${ROUNDS:-6}" \
  AB_S="${AB_S:-$((${CALL_S:-570} - 140))}" bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
grep "^round" "$out/ab.log" || true
grep -h "fixed-point reference" "$out"/ab/?-*.log || true
left=$((${CALL_S:-570} - ($(date +%s) - start)))
if [ "$left" -gt 60 ]; then
  OUT="$out/e2e" MPS=1 SKIP_MICRO=1 SKIP_BERT_BASE=1 BUDGET_S="$left" bash scripts/gpu_e2e.sh \
    >"$out/e2e.log" 2>&1
  echo "gpu_e2e: rc $? ($(($(date +%s) - start)) s)"
  tail -12 "$out/e2e/gpu_e2e.md" 2>/dev/null || tail -20 "$out/e2e.log"
fi
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
