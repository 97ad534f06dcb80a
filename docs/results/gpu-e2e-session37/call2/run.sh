#!/usr/bin/env bash
# Session 37, call 2 (device `run`, one GPU, carry [".deps"]), from the repository root, with
# ab.patch = the change of KernelConfig::gen_small_blocks_per_sm's default from 0 to 7 (untracked):
#   bash docs/results/gpu-e2e-session37/call2/run.sh
# At b0aaf52 (the key generators in 128-thread blocks, 6 or 7 an SM, as a knob): the [cuda] checks
# at 2^18 (gpu_check.log: the DCF and SIGMA DCF keys at every setting against the CPU's);
# gpu_bench --keygen --quick (bench_keygen.md); then, with AB=1 (not in the run that was made: the
# device time left after failed starts held no more), ab.patch applied and scripts/device_ab.sh
# under MPS, keygen a run of bert-base seq 128, fusefss and sigma (ab/).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call2 "$logs" build-gpu \
  test_cuda_equivalence gpu_bench || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL" "$out/gpu_check.log" | head -10
bench=$(find build-gpu -name gpu_bench -type f -perm -u+x | head -1)
timeout 150 "$bench" --keygen --quick --md "$out/bench_keygen.md" >"$out/bench_keygen.log" 2>&1
echo "gpu_bench --keygen: rc $? ($(($(date +%s) - start)) s)"
grep -E "^\| (DCF keygen|SIGMA DCF n=[0-9]+ keygen)" "$out/bench_keygen.md" | grep -v " N=[0-9]* "
[ "${AB:-0}" = 1 ] || exit 0
git apply ab.patch || { echo "ab.patch does not apply"; exit 2; }
OUT="$out/ab" MPS=1 PATCH=ab.patch METRIC=keygen SYSTEMS="fusefss sigma" ROUNDS=2 \
  AB_S=$((430 - ($(date +%s) - start))) bash scripts/device_ab.sh >"$out/ab.log" 2>&1
echo "device_ab: rc $? ($(($(date +%s) - start)) s)"
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
cat "$out/ab/ab.md" 2>/dev/null || tail -20 "$out/ab.log"
