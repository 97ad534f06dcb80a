#!/usr/bin/env bash
# Session 35, call 9 (device `run`, one GPU, carry [".deps"]), from the repository root, with what
# was left of the session's device time: at `26495a7` (Dealer::for_rows, the review's mend),
# scripts/gpu_e2e.sh on bert-tiny and bert-base seq 128 (1 run, no warm-up; sigma and fusefss),
# every output against the cleartext reference (e2e.md, e2e_runs.tgz).
set -uo pipefail
out="${OUT:-$PWD/out/call9}"
mkdir -p "$out"
OUT="$out/l" SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS=bert-base MODEL_RUNS=1 MODEL_WARMUP=0 \
  MODEL_CAP=60 BUDGET_S=150 bash scripts/gpu_e2e.sh >"$out/e2e.stdout" 2>&1
echo "gpu_e2e: rc $?"
cp "$out/l/gpu_e2e.md" "$out/e2e.md" 2>/dev/null
cp "$out/l/gpu_e2e_runs.tgz" "$out/e2e_runs.tgz" 2>/dev/null
rm -rf "$out/l"
cat "$out/e2e.md" 2>/dev/null || tail -20 "$out/e2e.stdout"
