#!/usr/bin/env bash
# Session 45: docs/perf.md's Amdahl table from device call 2's archives (gpu_e2e.sh, sigma,
# fusefss `dcf` and fusefss `sigma2` in one call, under MPS and taking turns): each layout, model
# and fusefss variant against the sigma run of the same call (scripts/amdahl_pair.sh). From the
# repository root:
#   bash docs/results/gpu-e2e-session45/amdahl.sh
set -euo pipefail
here=docs/results/gpu-e2e-session45/device/call2
for layout in mps1 mps0; do
  for variant in fusefss fusefss-sigma2trunc; do
    for model in bert-base gpt2; do
      echo "$model $layout $variant: $(bash scripts/amdahl_pair.sh \
        "$here/e2e-${layout}_runs.tgz" "$model" "$variant")"
    done
  done
done
