#!/usr/bin/env bash
# Session 34, call 1 (device `run`, kind nvidia-h100-x2, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session34/call1/run.sh
# 1. builds secinfer and the tests; the [cuda] checks at 2^18 on GPU 0 (gpu_check.log);
# 2. scripts/gate_ratio.sh with both parties on GPU 0 (one_gpu.md, one_gpu_logs.tgz);
# 3. the same with each party on its own GPU, BOTH_FLAGS="--gpu 0,1" (two_gpus.md,
#    two_gpus_logs.tgz).
# The summary is printed last.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=260 device_build call1 "$logs" build-gpu secinfer \
  test_cuda_equivalence || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
for layout in one_gpu two_gpus; do
  flags=""
  [ "$layout" = two_gpus ] && flags="--gpu 0,1"
  mkdir -p "$logs/$layout"
  OUT="$logs/$layout" BOTH_FLAGS="$flags" timeout 200 bash scripts/gate_ratio.sh \
    >"$logs/$layout.stdout" 2>&1
  echo "gate_ratio $layout: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$layout/gate_ratio.md" "$out/$layout.md" 2>/dev/null
  cp "$logs/$layout/gate_ratio_logs.tgz" "$out/${layout}_logs.tgz" 2>/dev/null
done
for layout in one_gpu two_gpus; do
  echo "== $layout"
  cat "$out/$layout.md" 2>/dev/null || tail -20 "$logs/$layout.stdout"
done
