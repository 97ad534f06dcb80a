#!/usr/bin/env bash
# Session 42: docs/perf.md's Amdahl table from this session's archives. For each layout and model,
# the sigma run beside fusefss (`dcf`) and beside fusefss `sigma2`, each pair through
# scripts/report.py; prints each pair's last amdahl_table.md row. From the repository root:
#   bash docs/results/gpu-e2e-session42/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session42
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "bert-base mps call1/out/e2e_runs.tgz" "bert-base turns call3/out/e2e_runs.tgz" \
  "gpt2 mps call4/out/e2e-mps1_runs.tgz" "gpt2 turns call4/out/e2e-mps0_runs.tgz"; do
  read -r model layout archive <<<"$entry"
  d="$work/$model-$layout"
  mkdir -p "$d/outer" "$d/runs"
  tar xzf "$here/$archive" -C "$d/outer"
  tar xzf "$d/outer/gpu_e2e_runs.tgz" -C "$d/runs"
  for variant in fusefss fusefss-sigma2trunc; do
    pair="$d/pair-$variant"
    mkdir -p "$pair"
    for sys in sigma "$variant"; do cp -r "$d/runs/runs/$model-s128-b1-$sys-cuda" "$pair/"; done
    python3 scripts/report.py "$pair" --out "$pair/report" >/dev/null
    echo "$model $layout $variant: $(tail -1 "$pair/report/amdahl_table.md")"
  done
done
