#!/usr/bin/env bash
# Session 36, call 3 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session36/call3/run.sh
# At plan_launch (the key-a-thread kernels' smaller blocks for calls of a mostly idle last wave):
# 1. scripts/gpu_e2e.sh on bert-base seq 128, 3 runs after 1 warm-up, every output against the
#    cleartext reference, the parties taking turns on the GPU (plain.md) and under MPS (mps.md),
#    sigma and fusefss;
# 2. scripts/gate_ratio.sh, 3 rounds, taking turns (gates_plain.md) and under MPS (gates_mps.md).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call3}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TIMEOUT=260 device_build call3 "$logs" build-gpu secinfer ||
  { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
e2e() {  # e2e NAME MPS BUDGET: one gpu_e2e.sh pass into $out/NAME.md, NAME_runs.tgz
  OUT="$logs/$1" MPS="$2" SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
    E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S="$3" \
    bash scripts/gpu_e2e.sh >"$logs/$1.stdout" 2>&1
  echo "gpu_e2e $1: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$1/gpu_e2e.md" "$out/$1.md" 2>/dev/null
  cp "$logs/$1/gpu_e2e_runs.tgz" "$out/$1_runs.tgz" 2>/dev/null
}
e2e plain 0 120
e2e mps 1 120
for mps in 0 1; do
  name=gates_plain
  [ "$mps" = 1 ] && name=gates_mps
  OUT="$logs/$name" MPS="$mps" ROUNDS=3 timeout 120 bash scripts/gate_ratio.sh \
    >"$logs/$name.stdout" 2>&1
  echo "gate_ratio $name: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$name/gate_ratio.md" "$out/$name.md" 2>/dev/null
done
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
for name in plain mps gates_plain gates_mps; do
  echo "== $name"
  cat "$out/$name.md" 2>/dev/null || tail -20 "$logs/$name.stdout"
done
