#!/usr/bin/env bash
# Session 40, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session40/call1/run.sh
# scripts/device_round.sh on the tree: the [cuda] checks at 2^18 (the DCF's Delta now one
# function for the CPU's and the GPU's generators, the GPU entry points' range check the CPU's),
# then gpu_e2e.sh on bert-base seq 128, sigma and fusefss, 3 runs after 1 warm-up, under MPS (the
# layout of the dealer issue's keygen bar), no microbenchmarks, no profile.
set -uo pipefail
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread" || true
OUT="${OUT:-$PWD/out/call1}" MPS=1 SKIP_MICRO=1 SKIP_PROFILE=1 MODEL_RUNS=3 E2E_S=120 \
  bash scripts/device_round.sh
