#!/usr/bin/env bash
# The main job on an embedded default: builds secinfer (installing what it needs), then runs the
# dealer and both parties on this machine over loopback on a small model, merges the two parties'
# logs and prints the scoped breakdown. CPU backend unless a GPU is present.
# Usage: scripts/demo.sh [extra `secinfer local` flags, e.g. --model bert-base --seq 128]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DSECINFER_BUILD_TESTS=OFF -DSECINFER_BUILD_BENCH=OFF
backend=cpu
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && [ -x build/bin/secinfer ] \
   && build/bin/secinfer --help 2>/dev/null | grep -q cuda; then backend=cuda; fi
exec build/bin/secinfer local --model bert-tiny --seq 32 --batch 1 --system sigma \
  --backend "$backend" --runs 3 --warmup 1 --out results/demo "$@"
