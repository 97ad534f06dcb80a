#!/usr/bin/env bash
# Run ON THE GPU MACHINE from anywhere in the repo (device `run`, carry [".deps"]):
#   bash scripts/gpu_check.sh [gpu_check args]
# Unpacks the carried Debian packages (scripts/device_setup.sh), configures for sm_90, builds only
# gpu_check and gpu_bench, runs the CPU and GPU paths on the same seeds for every primitive
# (final line of that part: `P passed, F failed`), then the benchmark, whose table is printed
# last. Full logs and the benchmark table (markdown) go to $OUT (or out/gpu here).
# Exit status: non-zero when the build fails or any check fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/gpu}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
mkdir -p "$out"
start=$(date +%s)

{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw \
    --format=csv 2>&1 || true
  nvcc --version | tail -1
  cmake --version | head -1
} | tee "$out/device.txt"

device_build gpu_check.sh "$out" "$build" gpu_check gpu_bench || exit 2
echo "build: $(( $(date +%s) - start )) s"

"$build/bin/gpu_check" "$@" 2>&1 | tee "$out/gpu_check.log"
check_rc=${PIPESTATUS[0]}
echo "check: $(( $(date +%s) - start )) s"

"$build/bin/gpu_bench" --md "$out/gpu_bench.md" >"$out/gpu_bench.log" 2>&1
bench_rc=$?
echo "bench: $(( $(date +%s) - start )) s"
grep -v '^|' "$out/gpu_bench.log" | tail -5
tail -1 "$out/gpu_check.log"
cat "$out/gpu_bench.md" 2>/dev/null || tail -20 "$out/gpu_bench.log"
[ "$bench_rc" -eq 0 ] || echo "gpu_bench failed (rc $bench_rc, log: $out/gpu_bench.log)"
exit "$check_rc"
