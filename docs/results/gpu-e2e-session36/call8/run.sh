#!/usr/bin/env bash
# Session 36, call 8 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session36/call8/run.sh
# At the session's last code: gpu_e2e.sh on bert-base seq 128, 3 runs after 1 warm-up, every
# output against the cleartext reference: fusefss with SIGMA's truncations (fusefss-sigmatrunc,
# whose dealer's GPU work is smaller) beside fusefss, under MPS (mps.md) and taking turns
# (plain.md); bert-tiny with sigma and fusefss first in each pass, as gpu_e2e.sh always runs it.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call8}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TIMEOUT=200 device_build call8 "$logs" build-gpu secinfer ||
  { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
e2e() {  # e2e NAME MPS BUDGET: one gpu_e2e.sh pass into $out/NAME.md, NAME_runs.tgz
  OUT="$logs/$1" MPS="$2" SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
    E2E_SYSTEMS="fusefss-sigmatrunc fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 \
    BUDGET_S="$3" bash scripts/gpu_e2e.sh >"$logs/$1.stdout" 2>&1
  echo "gpu_e2e $1: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$1/gpu_e2e.md" "$out/$1.md" 2>/dev/null
  cp "$logs/$1/gpu_e2e_runs.tgz" "$out/$1_runs.tgz" 2>/dev/null
}
e2e mps 1 70
e2e plain 0 70
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
for name in mps plain; do
  echo "== $name"
  cat "$out/$name.md" 2>/dev/null || tail -20 "$logs/$name.stdout"
done
