#!/usr/bin/env bash
# Session 44: docs/perf.md's Amdahl table from this session's archives. For each layout and model,
# the sigma run beside fusefss (`dcf`, call 2) and the sigma run beside fusefss `sigma2` (call 3),
# each pair through scripts/report.py; prints each pair's last amdahl_table.md row. From the
# repository root:
#   bash docs/results/gpu-e2e-session44/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session44
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "call2 mps1 fusefss" "call2 mps0 fusefss" "call3 mps1 fusefss-sigma2trunc" \
  "call3 mps0 fusefss-sigma2trunc"; do
  read -r call layout variant <<<"$entry"
  d="$work/$call-$layout"
  mkdir -p "$d/outer" "$d/runs"
  tar xzf "$here/$call/out/e2e-${layout}_runs.tgz" -C "$d/outer"
  tar xzf "$d/outer/gpu_e2e_runs.tgz" -C "$d/runs"
  for model in bert-base gpt2; do
    pair="$d/pair-$model"
    mkdir -p "$pair"
    for sys in sigma "$variant"; do cp -r "$d/runs/runs/$model-s128-b1-$sys-cuda" "$pair/"; done
    python3 scripts/report.py "$pair" --out "$pair/report" >/dev/null
    echo "$model $layout $variant: $(tail -1 "$pair/report/amdahl_table.md")"
  done
done
