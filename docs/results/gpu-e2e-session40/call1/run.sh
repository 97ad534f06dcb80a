#!/usr/bin/env bash
# Session 40, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session40/call1/run.sh
# 1. scripts/device_round.sh on the tree: the [cuda] checks at 2^18 (the DCF's Delta now one
#    function for the CPU's and the GPU's generators, the GPU entry points' range check the
#    CPU's), then gpu_e2e.sh on bert-base seq 128, sigma and fusefss, 3 runs after 1 warm-up,
#    under MPS (the layout of the dealer issue's keygen bar), no microbenchmarks, no profile.
# 2. call2/run.sh in the time left (540 s from the start): the thread pools' waits weighed on
#    fusefss's keygen under MPS, base / yield / spin1 at --threads 8 (out/pool/).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
OUT="$out" MPS=1 SKIP_MICRO=1 SKIP_PROFILE=1 MODEL_RUNS=3 E2E_S=120 bash scripts/device_round.sh
echo "device_round: rc $? ($(($(date +%s) - start)) s)"
OUT="$out/pool" CALL_START=$start VARIANTS="yield 200 2000 8;spin1 1000 1000 8;base 200 200 8" \
  CONFIGS="base 8;yield 8;spin1 8" bash docs/results/gpu-e2e-session40/call2/run.sh
