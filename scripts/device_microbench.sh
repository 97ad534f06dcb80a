#!/usr/bin/env bash
# Run ON THE GPU MACHINE (device `run`, carry [".deps"]): the per-gate CPU-backend microbenchmark
# matrix (scripts/microbench.sh) on the lent host's cores, where nothing else runs, so the medians
# are not disturbed by other builds. Builds `secinfer` in build-gpu (the folder gpu_check.sh uses),
# then writes $OUT/microbench-cpu.md / .json (copy them to docs/results/). Environment as
# microbench.sh (RUNS, WARMUP, GATES, SETTINGS_FILE, ...); extra arguments go to every
# `secinfer microbench` call (e.g. -- --lookup per-cut).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/gpu}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
mkdir -p "$out"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSECINFER_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DSECINFER_BUILD_BENCH=OFF -DSECINFER_BUILD_TESTS=OFF \
  -DCMAKE_CUDA20_STANDARD_COMPILE_OPTION=-std=c++20 \
  -DCMAKE_CUDA20_EXTENSION_COMPILE_OPTION=-std=c++20 >"$out/configure-secinfer.log" 2>&1 ||
  { tail -30 "$out/configure-secinfer.log"; exit 2; }
cmake --build "$build" --target secinfer -j "$(nproc)" >"$out/build-secinfer.log" 2>&1 ||
  { grep -E "error" "$out/build-secinfer.log" | head -30; exit 2; }
tag=${TAG:-microbench-cpu}
MACHINE_NOTE="${MACHINE_NOTE:-the lent GPU host, nothing else running}" \
  SECINFER_BIN="$build/bin/secinfer" MD="$out/$tag.md" JSON_COPY="$out/$tag.json" \
  bash scripts/microbench.sh "$out/$tag" "$@" > "$out/$tag.log" 2>&1
rc=$?
tail -3 "$out/$tag.log"
# The bulky per-setting folders stay on the device; the table and the JSON come back.
tar czf "$out/$tag-runs.tgz" -C "$out" "$tag" && rm -rf "${out:?}/$tag"
cat "$out/$tag.md"
exit $rc
