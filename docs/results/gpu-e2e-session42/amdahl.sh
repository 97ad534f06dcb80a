#!/usr/bin/env bash
# Session 42: docs/perf.md's Amdahl table from this session's archives. For each layout and model,
# the sigma run beside fusefss (`dcf`) and beside fusefss `sigma2`, each pair through
# scripts/amdahl_pair.sh. From the repository root:
#   bash docs/results/gpu-e2e-session42/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session42
for entry in "bert-base mps call1/out/e2e_runs.tgz" "bert-base turns call3/out/e2e_runs.tgz" \
  "gpt2 mps call4/out/e2e-mps1_runs.tgz" "gpt2 turns call4/out/e2e-mps0_runs.tgz"; do
  read -r model layout archive <<<"$entry"
  for variant in fusefss fusefss-sigma2trunc; do
    echo "$model $layout $variant: $(bash scripts/amdahl_pair.sh "$here/$archive" "$model" \
      "$variant")"
  done
done
