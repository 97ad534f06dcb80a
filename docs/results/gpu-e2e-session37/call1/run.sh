#!/usr/bin/env bash
# Session 37, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session37/call1/run.sh
# At session 36's last code (484e69b: sigma_dcf_gen's one accelerator branch; 3227df7:
# plan_launch's arithmetic in launch_shape.h, both CPU-tested only) plus the range test's walk with
# the points in turn (KernelConfig::shared_walk_chain_blocks, off by default): the [cuda] checks at
# 2^18 (gpu_check.log); gpu_bench --lut --quick (bench_lut.md: the range test's rows); Nsight
# Compute on one launch each of the fused range test's level-by-level walk, SIGMA's walk a point,
# the points-in-turn walk (ncu_walk_shared.txt, ncu_walk_point.txt, ncu_walk_chain.txt) and the
# dealer's DCF generator (gpu_bench --keygen --quick: ncu_dcf_gen.txt); gpu_e2e.sh under MPS on
# bert-base seq 128, sigma and fusefss, 3 runs after 1 warm-up (mps.md, mps_runs.tgz).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call1}"
logs=$(mktemp -d)
mkdir -p "$out"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=300 device_build call1 "$logs" build-gpu \
  test_cuda_equivalence gpu_bench secinfer || { cp "$logs"/*.log "$out/"; exit 2; }
echo "build: $(($(date +%s) - start)) s"
SECINFER_GPU_CHECK_LOG2N=18 timeout 110 bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ build-gpu "$out/gpu_check.log"
echo "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"
grep -E "FAIL" "$out/gpu_check.log" | head -10
bench=$(find build-gpu -name gpu_bench -type f -perm -u+x | head -1)
timeout 120 "$bench" --lut --quick --md "$out/bench_lut.md" >"$out/bench_lut.log" 2>&1
echo "gpu_bench --lut: rc $? ($(($(date +%s) - start)) s)"
ncu_bin=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
sections=(--section SpeedOfLight --section Occupancy --section LaunchStats
  --section WarpStateStats --section SchedulerStats --section ComputeWorkloadAnalysis
  --section MemoryWorkloadAnalysis --section InstructionStats)
prof() {  # prof NAME KERNEL_REGEX SKIP BENCH_FLAGS...: one launch's sections into $out/NAME.txt
  local name=$1 regex=$2 skip=$3
  shift 3
  timeout 80 "$ncu_bin" --kernel-name "regex:$regex" --launch-skip "$skip" --launch-count 1 \
    "${sections[@]}" "$bench" "$@" >"$out/$name.txt" 2>&1
  echo "$name: rc $? ($(($(date +%s) - start)) s)"
}
prof ncu_walk_shared 'sigma_dcf_eval_shared_kernel' 0 --lut --quick
prof ncu_walk_point 'sigma_dcf_eval_kernel' 0 --lut --quick
prof ncu_walk_chain 'sigma_dcf_eval_chain_kernel' 0 --lut --quick
prof ncu_dcf_gen 'dcf_gen_kernel' 0 --keygen --quick
OUT="$logs/mps" MPS=1 SKIP_CHUNKS=1 SKIP_MICRO=1 E2E_MODELS="bert-base" \
  E2E_SYSTEMS="sigma fusefss" MODEL_RUNS=3 MODEL_WARMUP=1 MODEL_CAP=60 \
  BUDGET_S=100 bash scripts/gpu_e2e.sh >"$logs/mps.stdout" 2>&1
echo "gpu_e2e mps: rc $? ($(($(date +%s) - start)) s)"
cp "$logs/mps/gpu_e2e.md" "$out/mps.md" 2>/dev/null
cp "$logs/mps/gpu_e2e_runs.tgz" "$out/mps_runs.tgz" 2>/dev/null
pgrep -fa nvidia-cuda-mps- || echo "no MPS daemon left"
grep -E "^\| (SIGMA DCF n=37 at x|kernel)" "$out/bench_lut.md"
for name in ncu_walk_shared ncu_walk_point ncu_walk_chain ncu_dcf_gen; do
  echo "== $name"
  grep -E "^  [a-z_]+.*\(|Duration|Registers Per|Achieved Occupancy|Theoretical Occupancy|Compute \(SM\) Throughput|Memory Throughput|L1/TEX Hit|Local|Block Size|Grid Size|Issue Slots Busy|No Eligible|Warp Cycles Per Issued|Shared Memory Configuration Size" \
    "$out/$name.txt" | head -30
done
cat "$out/mps.md" 2>/dev/null || tail -20 "$logs/mps.stdout"
