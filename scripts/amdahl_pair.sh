#!/usr/bin/env bash
# The Amdahl row of one pair of gpu_e2e.sh runs, sigma beside a fusefss setting (docs/perf.md's
# Amdahl tables), from a device call's archive:
#   bash scripts/amdahl_pair.sh ARCHIVE MODEL VARIANT
# ARCHIVE: gpu_e2e.sh's output folder packed (it holds gpu_e2e_runs.tgz), e.g.
# docs/results/gpu-e2e-session45/device/call2/e2e-mps1_runs.tgz; MODEL: bert-base, gpt2, ...;
# VARIANT: the fusefss setting's name in the run folders (fusefss, fusefss-sigma2trunc). Prints
# the last row of scripts/report.py's amdahl_table.md for the two seq-128 batch-1 CUDA runs.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: bash scripts/amdahl_pair.sh ARCHIVE MODEL VARIANT" >&2
  exit 2
fi
archive=$1 model=$2 variant=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/outer" "$work/runs" "$work/pair"
tar xzf "$archive" -C "$work/outer"
tar xzf "$work/outer/gpu_e2e_runs.tgz" -C "$work/runs"
for sys in sigma "$variant"; do cp -r "$work/runs/runs/$model-s128-b1-$sys-cuda" "$work/pair/"; done
python3 scripts/report.py "$work/pair" --out "$work/pair/report" >/dev/null 2>&1
tail -1 "$work/pair/report/amdahl_table.md"
