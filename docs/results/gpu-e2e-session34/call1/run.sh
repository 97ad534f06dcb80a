#!/usr/bin/env bash
# Session 34, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session34/call1/run.sh
# 1. builds secinfer and the tests; the [cuda] checks at 2^18 (gpu_check.log);
# 2. scripts/gpu_e2e.sh (bert-tiny, trunc-gelu 393,216 and trunc-silu 1,409,024 on cuda, bert-base
#    seq 128, both suites) as every session runs it: both parties' processes take turns on the
#    GPU (plain.md, plain_runs.tgz);
# 3. the same under NVIDIA's Multi-Process Service, started here and stopped at the end (a daemon
#    of this machine's processes; the card's compute mode and clocks are not touched): the two
#    parties' kernels may then run at the same time (mps.md, mps_runs.tgz).
# The summary is printed last.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=260 device_build call1 "$logs" build-gpu secinfer \
  test_cuda_equivalence || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
e2e() {  # e2e NAME: one gpu_e2e.sh pass into $out/NAME.md and $out/NAME_runs.tgz
  OUT="$logs/$1" SKIP_CHUNKS=1 MICRO_BACKENDS=cuda RUNS=5 WARMUP=1 \
    MICRO_SPECS="trunc-gelu 393216;trunc-silu 1409024" E2E_MODELS=bert-base MODEL_RUNS=3 \
    MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S="$2" bash scripts/gpu_e2e.sh >"$logs/$1.stdout" 2>&1
  echo "gpu_e2e $1: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$1/gpu_e2e.md" "$out/$1.md" 2>/dev/null
  cp "$logs/$1/gpu_e2e_runs.tgz" "$out/$1_runs.tgz" 2>/dev/null
}
e2e plain 190
if command -v nvidia-cuda-mps-control >/dev/null; then
  nvidia-cuda-mps-control -d && echo "MPS daemon started"
  e2e mps 190
  echo quit | nvidia-cuda-mps-control && echo "MPS daemon stopped"
else
  echo "no nvidia-cuda-mps-control on this machine"
fi
nvidia-smi --query-gpu=compute_mode --format=csv,noheader
for name in plain mps; do
  echo "== $name"
  cat "$out/$name.md" 2>/dev/null || tail -20 "$logs/$name.stdout" 2>/dev/null
done
