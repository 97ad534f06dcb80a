#!/usr/bin/env bash
# Session 35, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session35/call1/run.sh
# 1. builds secinfer;
# 2. under NVIDIA's Multi-Process Service, the dealers' wall-clock host profile of bert-base seq 128
#    fusefss (scripts/host_profile.sh MPS=1 WALL=1 STACKS=1 FOCUS=DealerOps; profile/: each party's
#    table and collapsed stacks, the run's logs);
# 3. under MPS, scripts/gpu_e2e.sh on bert-base seq 128 with sigma, fusefss and fusefss with SIGMA's
#    truncations (fusefss-sigmatrunc), 3 runs after 1 warm-up (mps.md, mps_runs.tgz).
# The summary is printed last.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out/profile"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TIMEOUT=260 device_build call1 "$logs" build-gpu secinfer ||
  { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
OUT="$out/profile" MPS=1 WALL=1 STACKS=1 FOCUS=DealerOps MODEL=bert-base SYSTEM=fusefss RUNS=1 \
  NODES=60 timeout 150 bash scripts/host_profile.sh >"$out/profile/host_profile.txt" 2>&1
echo "host_profile: rc $? ($(($(date +%s) - start)) s)"
OUT="$logs/mps" MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS=bert-base \
  E2E_SYSTEMS="sigma fusefss fusefss-sigmatrunc" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=80 \
  BUDGET_S=240 bash scripts/gpu_e2e.sh >"$logs/mps.stdout" 2>&1
echo "gpu_e2e mps: rc $? ($(($(date +%s) - start)) s)"
cp "$logs/mps/gpu_e2e.md" "$out/mps.md" 2>/dev/null
cp "$logs/mps/gpu_e2e_runs.tgz" "$out/mps_runs.tgz" 2>/dev/null
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
tail -5 "$out/profile/host_profile.txt"
cat "$out/mps.md" 2>/dev/null || tail -20 "$logs/mps.stdout"
