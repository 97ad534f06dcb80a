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
mkdir -p "$out/build-secinfer"
device_build device_microbench.sh "$out/build-secinfer" "$build" secinfer || exit 2
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
