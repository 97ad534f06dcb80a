#!/usr/bin/env bash
# Session 39, call 2 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session39/call2/run.sh
# How the parties' host threads wait for the GPU (--gpu-wait), on one machine: the [cuda] checks
# at 2^18 first (gpu_check.log; the dealer's range checks now on its pool), then gpu_e2e.sh on
# bert-base seq 128, sigma and fusefss, 3 runs after 1 warm-up, taking turns with --gpu-wait auto,
# block and yield (plain-<mode>.md, plain-<mode>_runs.tgz), then under MPS with auto and block
# (mps-<mode>.md, ...). Call 1 found every part of fusefss's dealer host work twice as long taking
# turns as under MPS, the pure host loops too; CUDA's default (auto) spins a core while it waits.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call2 "$logs" build-gpu \
  test_cuda_equivalence secinfer || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 120 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL" "$out/gpu_check.log" | head -10
for run in "0 auto" "0 block" "0 yield" "1 auto" "1 block"; do
  read -r mps mode <<<"$run"
  name=$([ "$mps" = 1 ] && echo mps || echo plain)-$mode
  OUT="$logs/$name" MPS=$mps GPU_FLAGS="--gpu-wait $mode" SKIP_CHUNKS=1 SKIP_MICRO=1 \
    E2E_MODELS="bert-base" E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 \
    BUDGET_S=110 bash scripts/gpu_e2e.sh >"$logs/$name.stdout" 2>&1
  echo "gpu_e2e $name: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$name/gpu_e2e.md" "$out/$name.md" 2>/dev/null
  cp "$logs/$name/gpu_e2e_runs.tgz" "$out/${name}_runs.tgz" 2>/dev/null
done
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
for f in "$out"/*.md; do
  echo "== $(basename "$f")"
  grep -E "^\| bert-base" "$f"
done
