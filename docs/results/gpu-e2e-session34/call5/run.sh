#!/usr/bin/env bash
# Session 34, call 5 (device `run` on call 4's warm machine, carry [".deps"]; the command given
# inline, kept here): bert-base seq 128 through gpu_e2e.sh under MPS, two rounds of 5 runs.
source scripts/device_setup.sh; mkdir -p $OUT/l; s=$(date +%s); nvidia-cuda-mps-control -d; for r in 1 2; do OUT=$OUT/l/r$r SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS=bert-base MODEL_RUNS=5 MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S=140 bash scripts/gpu_e2e.sh > $OUT/l/r$r.txt 2>&1; echo "bert-base mps round $r rc $? $(( $(date +%s)-s )) s"; cp $OUT/l/r$r/gpu_e2e.md $OUT/bert_base_mps_r$r.md; cp $OUT/l/r$r/gpu_e2e_runs.tgz $OUT/bert_base_mps_r${r}_runs.tgz; done; echo quit | nvidia-cuda-mps-control; rm -rf $OUT/l; nvidia-smi --query-gpu=compute_mode --format=csv,noheader; cat $OUT/*.md
