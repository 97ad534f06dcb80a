#!/usr/bin/env bash
# Session 41, call 2 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session41/call2/run.sh
# scripts/device_round.sh on the tree: the [cuda] checks at 2^18, then gpu_e2e.sh on bert-base
# seq 128 (and bert-tiny, gpt2-2l with row chunks), sigma and fusefss, 3 runs after 1 warm-up,
# under MPS; no microbenchmarks, no profile.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call2}"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
OUT="$out" MPS=1 SKIP_MICRO=1 SKIP_PROFILE=1 MODEL_RUNS=3 E2E_S=120 bash scripts/device_round.sh
echo "device_round: rc $? ($(($(date +%s) - start)) s)"
