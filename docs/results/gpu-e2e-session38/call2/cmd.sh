# Session 38, call 2 as it was run (device `run`, one GPU, carry [".deps"]; call 1's machine,
# warm, its build-gpu from call 1), from the repository root, one command line:
mkdir -p $OUT/plain; OUT=$OUT/plainrun MPS=0 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 BUDGET_S=170 bash scripts/gpu_e2e.sh > $OUT/plain.stdout 2>&1; echo rc $?; cp $OUT/plainrun/gpu_e2e.md $OUT/plain.md; cp $OUT/plainrun/gpu_e2e_runs.tgz $OUT/plain_runs.tgz; rm -rf $OUT/plainrun $OUT/plain; cat $OUT/plain.md
