#!/usr/bin/env bash
# Session 35, call 7 (device `run` on call 6's warm H200, carry [".deps"]; the command given
# inline, kept here): scripts/gpu_e2e.sh on bert-base seq 128 (3 runs after 1 warm-up, sigma and
# fusefss, bert-tiny first) under MPS (e2e_mps1) and taking turns (e2e_mps0).
source scripts/device_setup.sh; s=$(date +%s); mkdir -p $OUT/l; DEVICE_BUILD_TIMEOUT=200 device_build c7 $OUT/l build-gpu secinfer || exit 2; echo "build $(( $(date +%s)-s )) s"; for m in 1 0; do OUT=$OUT/l/m$m MPS=$m SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS=bert-base MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S=120 bash scripts/gpu_e2e.sh > $OUT/l/m$m.txt 2>&1; echo "mps=$m rc $? $(( $(date +%s)-s )) s"; cp $OUT/l/m$m/gpu_e2e.md $OUT/e2e_mps$m.md; cp $OUT/l/m$m/gpu_e2e_runs.tgz $OUT/e2e_mps${m}_runs.tgz; done; rm -rf $OUT/l; cat $OUT/*.md
