#!/usr/bin/env bash
# Session 44: docs/perf.md's Amdahl table from this session's archives. For each layout and model,
# the sigma run beside fusefss (`dcf`, call 2) and the sigma run beside fusefss `sigma2` (call 3),
# each pair through scripts/amdahl_pair.sh. From the repository root:
#   bash docs/results/gpu-e2e-session44/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session44
for entry in "call2 mps1 fusefss" "call2 mps0 fusefss" "call3 mps1 fusefss-sigma2trunc" \
  "call3 mps0 fusefss-sigma2trunc"; do
  read -r call layout variant <<<"$entry"
  for model in bert-base gpt2; do
    echo "$model $layout $variant: $(bash scripts/amdahl_pair.sh \
      "$here/$call/out/e2e-${layout}_runs.tgz" "$model" "$variant")"
  done
done
