#!/usr/bin/env bash
# Session 42, call 5 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session42/call5/run.sh
# The user's own command at this code, both suites, through scripts/user_command.sh
# (`secinfer --party 0|1 --model bert --seq 512 --batch 8 --runs 1 --warmup 0`, default backend
# cuda, taking turns on the one GPU), after building secinfer in build-gpu, for each suite of
# SYSTEMS (default "fusefss sigma"). CAP (default 250 s) bounds each suite's two processes.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call5}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
free -g | head -2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
DEVICE_BUILD_TIMEOUT=300 device_build call5 "$out" build-gpu secinfer || exit 2
echo "build: $(($(date +%s) - start)) s"
for sys in ${SYSTEMS:-fusefss sigma}; do
  OUT="$out/$sys" SYSTEM=$sys CAP="${CAP:-250}" bash scripts/user_command.sh >"$out/$sys.log" 2>&1
  echo "user_command $sys: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/$sys/summary.txt" 2>/dev/null || tail -20 "$out/$sys.log"
done
