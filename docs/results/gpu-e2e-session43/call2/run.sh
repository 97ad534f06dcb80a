#!/usr/bin/env bash
# Session 43, call 2 (device `run`, one GPU, carry [".deps"], after call 1 on the same machine or
# a fresh one), from the repository root:
#   [SYSTEMS="sigma"] bash docs/results/gpu-e2e-session43/call2/run.sh
# 1. The user's command for each suite of SYSTEMS (default "sigma"; call 1 ran fusefss when it had
#    the time): scripts/user_command.sh, seq 512, batch 8, taking turns, CAP (default 250 s) a
#    suite, after building secinfer in build-gpu (nothing to do on call 1's machine).
# 2. In the time left of CALL_S (default 580 s), over 150 s: gpu_e2e.sh on bert-base and gpt2 at
#    seq 128 under MPS, then taking turns, sigma and fusefss, 3 runs after 1 warm-up (E2E_MODELS,
#    E2E_SYSTEMS override).
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call2}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
DEVICE_BUILD_TIMEOUT=300 device_build call2 "$out" build-gpu secinfer || exit 2
echo "build: $(($(date +%s) - start)) s"
for sys in ${SYSTEMS:-sigma}; do
  OUT="$out/user-$sys" SYSTEM=$sys CAP="${CAP:-250}" bash scripts/user_command.sh \
    >"$out/user-$sys.log" 2>&1
  echo "user_command $sys: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/user-$sys/summary.txt" 2>/dev/null || tail -20 "$out/user-$sys.log"
done
for mps in 1 0; do
  left=$((${CALL_S:-580} - ($(date +%s) - start)))
  [ "$left" -gt 150 ] || break
  OUT="$out/e2e-mps$mps" MPS=$mps SKIP_MICRO=1 SKIP_CHUNKS=1 MODEL_RUNS=3 MODEL_WARMUP=1 \
    E2E_MODELS="${E2E_MODELS:-bert-base gpt2}" E2E_SYSTEMS="${E2E_SYSTEMS:-sigma fusefss}" BUDGET_S="$left" \
    bash scripts/gpu_e2e.sh >"$out/e2e-mps$mps.log" 2>&1
  echo "gpu_e2e MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  tar czf "$out/e2e-mps${mps}_runs.tgz" -C "$out/e2e-mps$mps" . 2>/dev/null &&
    rm -rf "$out/e2e-mps$mps"
  tail -12 "$out/e2e-mps$mps.log"
done
