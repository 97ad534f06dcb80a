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

# CMake < 3.26 does not know nvcc's C++20 flag; naming it is harmless on newer ones.
if ! cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSECINFER_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES=90 -DSECINFER_BUILD_BENCH=OFF -DSECINFER_BUILD_TESTS=OFF \
    -DCMAKE_CUDA20_STANDARD_COMPILE_OPTION=-std=c++20 \
    -DCMAKE_CUDA20_EXTENSION_COMPILE_OPTION=-std=c++20 >"$out/configure.log" 2>&1; then
  tail -40 "$out/configure.log"
  echo "gpu_check.sh: configure failed (log: $out/configure.log)"
  exit 2
fi
if ! cmake --build "$build" --target gpu_check gpu_bench -j "$(nproc)" >"$out/build.log" 2>&1; then
  grep -E "error|Error" "$out/build.log" | head -40
  echo "gpu_check.sh: build failed (log: $out/build.log)"
  exit 2
fi
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
