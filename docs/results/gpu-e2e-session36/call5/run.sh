#!/usr/bin/env bash
# Session 36, call 5 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session36/call5/run.sh
# At plan_launch, under NVIDIA's Multi-Process Service: the dealers' wall-clock host profile of
# bert-base seq 128 fusefss (scripts/host_profile.sh MPS=1 WALL=1 STACKS=1 FOCUS=DealerOps;
# profile/: each party's table and collapsed stacks, the run's logs), as session 35's call 1.
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call5}"
logs=$(mktemp -d)
mkdir -p "$out/profile"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TIMEOUT=260 device_build call5 "$logs" build-gpu secinfer ||
  { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
OUT="$out/profile" MPS=1 WALL=1 STACKS=1 FOCUS=DealerOps MODEL=bert-base SYSTEM=fusefss RUNS=1 \
  NODES=60 timeout 150 bash scripts/host_profile.sh >"$out/profile/host_profile.txt" 2>&1
echo "host_profile: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
tail -5 "$out/profile/host_profile.txt"
