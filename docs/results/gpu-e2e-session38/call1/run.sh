#!/usr/bin/env bash
# Session 38, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session38/call1/run.sh
# At the half-tree DCF (ece9ffc), in order of need: the [cuda] checks at 2^18 (gpu_check.log:
# the DCF keys of the GPU dealer against the CPU's, its evaluations, the multipoint and shared-mask
# walks, the fused gates and the models); gpu_e2e.sh on bert-base seq 128, sigma and fusefss, 3
# runs after 1 warm-up, under MPS (mps.md, mps_runs.tgz) and, with LAYOUTS="1 0", taking turns
# too (plain.md, plain_runs.tgz; left out of the run that was made, for the device time that
# failed starts had taken); then gpu_bench --keygen --quick (bench_keygen.md: the DCF generators'
# rates at the dealer's sizes).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call1 "$logs" build-gpu \
  test_cuda_equivalence gpu_bench secinfer || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 120 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL" "$out/gpu_check.log" | head -10
for mps in ${LAYOUTS:-1}; do
  name=$([ "$mps" = 1 ] && echo mps || echo plain)
  OUT="$logs/$name" MPS=$mps SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
    E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 \
    BUDGET_S=110 bash scripts/gpu_e2e.sh >"$logs/$name.stdout" 2>&1
  echo "gpu_e2e $name: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$name/gpu_e2e.md" "$out/$name.md" 2>/dev/null
  cp "$logs/$name/gpu_e2e_runs.tgz" "$out/${name}_runs.tgz" 2>/dev/null
done
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
bench=$(find build-gpu -name gpu_bench -type f -perm -u+x | head -1)
timeout 120 "$bench" --keygen --quick --md "$out/bench_keygen.md" >"$out/bench_keygen.log" 2>&1
echo "gpu_bench --keygen: rc $? ($(($(date +%s) - start)) s)"
grep -E "^\| (DCF keygen|SIGMA DCF n=[0-9]+ keygen|DCF eval)" "$out/bench_keygen.md" | grep -v " N=[0-9]* "
for name in mps plain; do
  if [ -f "$out/$name.md" ]; then
    cat "$out/$name.md"
  elif [ -f "$logs/$name.stdout" ]; then
    tail -20 "$logs/$name.stdout"
  fi
done
