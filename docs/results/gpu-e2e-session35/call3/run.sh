#!/usr/bin/env bash
# Session 35, call 3 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session35/call3/run.sh
# At the code after 9f91b37 (the dealer's host loops on its threads): scripts/gpu_e2e.sh on
# bert-base and gpt2 seq 128, 3 runs after 1 warm-up, every output against the cleartext
# reference,
# 1. under MPS with sigma, fusefss and fusefss-sigmatrunc (mps.md, mps_runs.tgz);
# 2. the parties taking turns on the GPU (no MPS), sigma and fusefss (plain.md, plain_runs.tgz).
# The summary is printed last.
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
e2e() {  # e2e NAME MPS SYSTEMS BUDGET: one gpu_e2e.sh pass into $out/NAME.md, NAME_runs.tgz
  OUT="$logs/$1" MPS="$2" SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base gpt2" \
    E2E_SYSTEMS="$3" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=80 BUDGET_S="$4" \
    bash scripts/gpu_e2e.sh >"$logs/$1.stdout" 2>&1
  echo "gpu_e2e $1: rc $? ($(($(date +%s) - start)) s)"
  cp "$logs/$1/gpu_e2e.md" "$out/$1.md" 2>/dev/null
  cp "$logs/$1/gpu_e2e_runs.tgz" "$out/$1_runs.tgz" 2>/dev/null
}
e2e mps 1 "sigma fusefss fusefss-sigmatrunc" 200
e2e plain 0 "sigma fusefss" 150
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
for name in mps plain; do
  echo "== $name"
  cat "$out/$name.md" 2>/dev/null || tail -20 "$logs/$name.stdout"
done
