#!/usr/bin/env bash
# Run ON THE GPU MACHINE from anywhere in the repo (device `run`, carry [".deps"]):
#   bash scripts/gpu_check.sh [--n LOG2N (default 18)] [--seed S] [--only GROUP]... [--no-long]
#                             [--no-bench]
# Unpacks the carried Debian packages (scripts/device_setup.sh), configures for sm_90 with the
# tests, builds only test_cuda_equivalence and gpu_bench, runs the CPU and GPU paths on the same
# seeds for every primitive, then the benchmark. The check is the Catch2 cases tagged [cuda]
# (tests/fss/cuda/gpu_equivalence_test.cpp, one a gpu_check group, and
# tests/models/gpu_dealer_run_test.cpp, a whole bert-tiny run's keys from the GPU dealer against
# the CPU's, tag dealer-run) at N = 2^LOG2N; --only GROUP picks groups, --seed fixes every case's seed (else each case prints its own).
# With them, unless --no-long, the long case (tagged [cuda] and [cuda-long]: a bert-base run's keys,
# seq 128, both suites, both parties, from the GPU dealer against the CPU's, step by step; minutes).
# From the check's log the script prints a line `P passed, F failed` (the [PASS] / [FAIL] checks; a case that
# fails outside them, e.g. no GPU or a crash, or no case run, counts as one failure), then the
# benchmark's table (--no-bench: no benchmark, e.g. `--only dealer-run-base --no-bench` for the
# bert-base key check alone, about 7 minutes after the build). Full logs and the benchmark table
# (markdown) go to $OUT (or out/gpu here).
# Exit status: non-zero when the build fails or any check fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
log2n=18
seed=
specs=()
long=1
bench=1
while [ $# -gt 0 ]; do
  case "$1" in
    --n | --seed | --only)
      [ $# -ge 2 ] || { echo "gpu_check.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --n) log2n=$2 ;;
        --seed) seed=$2 ;;
        --only) specs+=("[$2]") ;;
      esac
      shift 2
      ;;
    --no-long)
      long=0
      shift
      ;;
    --no-bench)
      bench=0
      shift
      ;;
    *)
      echo "usage: gpu_check.sh [--n LOG2N (default 18)] [--seed S] [--only GROUP]... [--no-long] [--no-bench]" >&2
      exit 2
      ;;
  esac
done
spec="[cuda]"
[ "$long" = 1 ] || spec="[cuda]~[cuda-long]"
[ ${#specs[@]} -gt 0 ] && spec=$(IFS=,; echo "${specs[*]}")

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

targets=(test_cuda_equivalence)
[ "$bench" = 1 ] && targets+=(gpu_bench)
DEVICE_BUILD_TESTS=ON device_build gpu_check.sh "$out" "$build" "${targets[@]}" || exit 2
echo "build: $(( $(date +%s) - start )) s"

export SECINFER_GPU_CHECK_LOG2N=$log2n
[ -z "$seed" ] || export SECINFER_GPU_CHECK_SEED=$seed
run_cuda_checks "$build" "$out/gpu_check.log" "$spec"
check_rc=$?
cat "$out/gpu_check.log"
echo "check: $(( $(date +%s) - start )) s"

if [ "$bench" = 0 ]; then
  tail -1 "$out/gpu_check.log"
  exit "$check_rc"
fi
"$build/bin/gpu_bench" --md "$out/gpu_bench.md" >"$out/gpu_bench.log" 2>&1
bench_rc=$?
echo "bench: $(( $(date +%s) - start )) s"
grep -v '^|' "$out/gpu_bench.log" | tail -5
tail -1 "$out/gpu_check.log"
cat "$out/gpu_bench.md" 2>/dev/null || tail -20 "$out/gpu_bench.log"
[ "$bench_rc" -eq 0 ] || echo "gpu_bench failed (rc $bench_rc, log: $out/gpu_bench.log)"
exit "$check_rc"
