#!/usr/bin/env bash
# One device call's share of an experiment matrix on the GPU, resumable across calls. On the GPU
# machine (device `run`, carry [".deps", "results/NAME"]):
#   [CONFIG=configs/matrix-main.json] [NAME=matrix-main-gpu] [BUDGET_S=540] bash scripts/device_matrix.sh
# Builds secinfer for sm_90 (scripts/device_setup.sh), then runs scripts/run_matrix.sh CONFIG
# results/NAME -- --backend cuda with what is left of BUDGET_S seconds (counted from this
# script's start): settings that earlier calls finished (ok or oom) are skipped, since results/NAME
# travels with `carry`; a setting cut by the budget is run again by the next call. Then packs
# results/NAME into $OUT/NAME.tgz (with the report of what is finished so far); here, unpack it
# with `tar xzf FILES_AT/NAME.tgz -C results` before the next call. $OUT (or out/device-matrix)
# gets configure.log, build.log, run_matrix.log, device.txt and NAME.tgz.
# Exit status: run_matrix.sh's (0 every setting finished, 1 some failed, 3 settings left: call
# again), 2 when the build fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
config=${CONFIG:-configs/matrix-main.json}
name=${NAME:-$(basename "$config" .json)-gpu}
out="${OUT:-$PWD/out/device-matrix}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
budget=${BUDGET_S:-540}
start=$(date +%s)
mkdir -p "$out" "results/$name"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$out/device.txt" 2>&1
cp "$out/device.txt" "results/$name/device-$(date +%Y%m%d-%H%M%S).txt"
DEVICE_BUILD_TIMEOUT=300 device_build device_matrix.sh "$out" "$build" secinfer || exit 2
left=$((budget - ($(date +%s) - start)))
if [ "$left" -le 30 ]; then
  echo "device_matrix.sh: the build took the budget ($budget s): nothing run" | tee "$out/run_matrix.log"
  exit 3
fi
SECINFER_BIN="$build/bin/secinfer" BUDGET_S=$left bash scripts/run_matrix.sh "$config" \
  "results/$name" -- --backend cuda 2>&1 | tee "$out/run_matrix.log"
rc=${PIPESTATUS[0]}
tar czf "$out/$name.tgz" -C results "$name"
echo "device_matrix.sh: $(($(date +%s) - start)) s; results/$name packed into $out/$name.tgz (exit $rc)"
exit "$rc"
