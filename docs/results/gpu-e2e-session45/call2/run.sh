#!/usr/bin/env bash
# Next session, call 2 (device `run`, one GPU, carry [".deps"], warm after call 1 or fresh), from
# the repository root:
#   [E2E_SYSTEMS=...] [E2E_MODELS=...] [CALL_S=580] bash docs/results/gpu-e2e-session45/call2/run.sh
# gpu_e2e.sh on bert-base and gpt2 at seq 128, 3 runs after 1 warm-up, under MPS and then taking
# turns, in the time left of CALL_S (over 150 s a layout): by default sigma, fusefss (`dcf`) and
# fusefss `sigma2` (since `4ad607e` with SIGMA's own TrWithSlack; session 44 measured 424.0 ms
# for bert-base under MPS before it).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call2}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
for mps in 1 0; do
  left=$((${CALL_S:-580} - ($(date +%s) - start)))
  [ "$left" -gt 150 ] || break
  OUT="$out/e2e-mps$mps" MPS=$mps SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS="${E2E_MODELS:-bert-base gpt2}" \
    E2E_SYSTEMS="${E2E_SYSTEMS:-sigma fusefss fusefss-sigma2trunc}" BUDGET_S="$left" \
    bash scripts/gpu_e2e.sh >"$out/e2e-mps$mps.log" 2>&1
  echo "gpu_e2e MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  tar czf "$out/e2e-mps${mps}_runs.tgz" -C "$out/e2e-mps$mps" . 2>/dev/null &&
    rm -rf "$out/e2e-mps$mps"
  tail -14 "$out/e2e-mps$mps.log"
done
