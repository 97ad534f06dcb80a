# Session 38, call 3 as it was run (device `run`, one GPU, carry [".deps"]; call 1's machine,
# warm, its build-gpu from call 1), from the repository root, one command line:
OUT=$OUT/r MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 BUDGET_S=140 bash scripts/gpu_e2e.sh > $OUT/mps2.stdout 2>&1; echo rc $?; cp $OUT/r/gpu_e2e.md $OUT/mps2.md; cp $OUT/r/gpu_e2e_runs.tgz $OUT/mps2_runs.tgz; rm -rf $OUT/r; pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"; cat $OUT/mps2.md
