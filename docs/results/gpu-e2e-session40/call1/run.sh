#!/usr/bin/env bash
# Session 40, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session40/call1/run.sh
# The [cuda] checks at 2^18 (gpu_check.log: the DCF's Delta now one function for the CPU's and
# the GPU's generators, the GPU entry points' range check the CPU's), then gpu_e2e.sh on bert-base
# seq 128, sigma and fusefss, 3 runs after 1 warm-up, under MPS (mps.md, mps_runs.tgz) and taking
# turns (plain.md, plain_runs.tgz; LAYOUTS="1" for MPS alone). The figures the dealer issue's bar
# names the card of.
set -uo pipefail
# shellcheck source=scripts/device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call1 "$logs" build-gpu \
  test_cuda_equivalence secinfer || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
# shellcheck disable=SC2016 # expanded by the inner shell
SECINFER_GPU_CHECK_LOG2N=18 timeout 120 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL" "$out/gpu_check.log" | head -10
for mps in ${LAYOUTS:-1 0}; do
  name=$([ "$mps" = 1 ] && echo mps || echo plain)
  OUT="$logs/$name" MPS=$mps SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
    E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 BUDGET_S=120 \
    bash scripts/gpu_e2e.sh >"$logs/$name.stdout" 2>&1
  echo "gpu_e2e $name: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$name/gpu_e2e.md" "$out/$name.md" 2>/dev/null
  cp "$logs/$name/gpu_e2e_runs.tgz" "$out/${name}_runs.tgz" 2>/dev/null
done
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
for f in "$out"/*.md; do
  echo "== $(basename "$f")"
  grep -E "^\| bert" "$f"
done
