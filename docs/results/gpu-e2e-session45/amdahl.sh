#!/usr/bin/env bash
# Session 45: docs/perf.md's Amdahl table from device call 2's archives (gpu_e2e.sh, sigma,
# fusefss `dcf` and fusefss `sigma2` in one call, under MPS and taking turns). For each layout,
# model and fusefss variant, the pair with the sigma run of the same call through
# scripts/report.py; prints each pair's last amdahl_table.md row. From the repository root:
#   bash docs/results/gpu-e2e-session45/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session45/device/call2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for layout in mps1 mps0; do
  d="$work/$layout"
  mkdir -p "$d/outer" "$d/runs"
  tar xzf "$here/e2e-${layout}_runs.tgz" -C "$d/outer"
  tar xzf "$d/outer/gpu_e2e_runs.tgz" -C "$d/runs"
  for variant in fusefss fusefss-sigma2trunc; do
    for model in bert-base gpt2; do
      pair="$d/pair-$model-$variant"
      mkdir -p "$pair"
      for sys in sigma "$variant"; do cp -r "$d/runs/runs/$model-s128-b1-$sys-cuda" "$pair/"; done
      python3 scripts/report.py "$pair" --out "$pair/report" >/dev/null
      echo "$model $layout $variant: $(tail -1 "$pair/report/amdahl_table.md")"
    done
  done
done
