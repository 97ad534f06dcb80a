#!/usr/bin/env bash
# Next session, call 1 (device `run`, one GPU, carry [".deps"]; about 400 s on a fresh machine),
# from the repository root:
#   [CALL_S=560] bash docs/results/gpu-e2e-session46/call1/run.sh
# Session 45's last code change (the causal softmax's ragged rows through vec::Space::gather, the
# reduced-ring ReLU on the party's vectors) has run on the CPU only. In one call:
# 1. scripts/gpu_check.sh --no-long --no-bench: the [cuda] checks, "vec gather" among them;
# 2. gpu_e2e.sh on gpt2 (seq 128, 3 runs after 1 warm-up) with sigma, fusefss `sigma2` and
#    fusefss, under MPS then taking turns, against session 45's 609.2 / 509.1 / 570.1 ms (MPS);
# 3. the gates taking turns (gate_ratio.sh, 5 rounds), if time is left.
# Each step's output is packed into one archive under $OUT so that it comes back (8 files a call).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
left() { echo $((${CALL_S:-560} - ($(date +%s) - start))); }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/check" timeout 300 bash scripts/gpu_check.sh --no-long --no-bench >"$out/check.log" 2>&1
echo "gpu_check: rc $? ($(($(date +%s) - start)) s)"
grep -E "passed, .* failed" "$out/check.log" | tail -3
grep -E "FAIL" "$out/check.log" | head -20 || true
tar czf "$out/check.tgz" -C "$out/check" . 2>/dev/null && rm -rf "$out/check"
for mps in 1 0; do
  [ "$(left)" -gt 120 ] || break
  OUT="$out/e2e-mps$mps" MPS=$mps SKIP_MICRO=1 SKIP_CHUNKS=0 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS=gpt2 E2E_SYSTEMS="sigma fusefss-sigma2trunc fusefss" BUDGET_S="$(($(left) - 60))" \
    bash scripts/gpu_e2e.sh >"$out/e2e-mps$mps.log" 2>&1
  echo "gpu_e2e gpt2 MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  tail -12 "$out/e2e-mps$mps.log"
  tar czf "$out/e2e-mps${mps}_runs.tgz" -C "$out/e2e-mps$mps" . 2>/dev/null &&
    rm -rf "$out/e2e-mps$mps"
done
if [ "$(left)" -gt 60 ]; then
  OUT="$out/gates-mps0" MPS=0 ROUNDS=5 timeout "$(($(left) - 10))" bash scripts/gate_ratio.sh \
    >"$out/gates-mps0.log" 2>&1
  echo "gate_ratio MPS=0: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/gates-mps0/gate_ratio.md" 2>/dev/null || tail -12 "$out/gates-mps0.log"
  tar czf "$out/gates-mps0.tgz" -C "$out" gates-mps0 && rm -rf "$out/gates-mps0"
fi
