#!/usr/bin/env bash
# One device call that checks and measures the tree as it is (device `run`, carry [".deps"];
# scripts/fetch_device_debs.sh fills .deps here first):
#   bash scripts/device_round.sh
# 1. the GPU equivalence checks at N = 2^18 (test_cuda_equivalence "[cuda]": every CUDA primitive
#    against the CPU on the same seeds; P passed, F failed);
# 2. scripts/gpu_e2e.sh with the FuseFSS issue's microbenchmarks on the GPU (MICRO_SPECS, default
#    trunc-gelu 393,216, trunc-silu 1,409,024, trunc 393,216, and the two fused gates again with
#    --fusefss-act fused-leaf128, their lookups on SIGMA's 128-bit DPF leaves; sigma and fusefss,
#    5 runs after 1 warm-up, with the gates' vectors on the device, the default: MICRO_VECTORS)
#    and bert-base at seq 128 (E2E_MODELS; E2E_SYSTEMS, default sigma and fusefss; a -hostvec
#    suffix runs one with --gate-vectors host; 1 + MODEL_RUNS runs, default 5), every output
#    compared with the cleartext reference; MPS=1 runs them under NVIDIA's Multi-Process Service
#    (gpu_e2e.sh); SKIP_MICRO=1 leaves the microbenchmarks out;
# 2b. with LUT_BENCH=1, `gpu_bench --lut` (the lookup kernels on the fused tables and the fused
#    range test's DCF, fss/cuda/tools/gpu_bench.cpp) into lut.md, under LUT_BENCH_S (120 s); with
#    KEYGEN_BENCH=1, `gpu_bench --keygen --quick` (the DCF and SIGMA-DCF key generation at the
#    dealer's shapes, 1 and 2 blocks an SM) into keygen.md, under KEYGEN_BENCH_S (90 s), first;
#    with DEALER_ALONE=1, the "[dealer-alone]" probe (tests/models/gpu_dealer_run_test.cpp: one
#    party's inline dealer of bert-base seq 128 with the GPU to itself, both suites, 1 + 3 runs
#    timed, the keygen clock's totals) into dealer_alone.log and the summary, under DEALER_ALONE_S;
# 3. scripts/host_profile.sh on bert-base fusefss (where the party's host time goes, online and in
#    the inline dealer), unless SKIP_PROFILE=1; PROFILE_SYSTEM and PROFILE_FOCUS (pprof frames,
#    e.g. "Transformer::layer" for the layers alone: the weight input is left out) change it.
# Each part under its own budget (CHECK_S, E2E_S, PROFILE_S seconds; defaults fit one 600 s call
# on a warm build, about 300 s of it the end-to-end runs). $OUT (or out/device-round) gets at most
# 8 files, what the device hands back: device.txt, gpu_check.log, gpu_e2e.md, gpu_e2e.log,
# gpu_e2e_runs.tgz, the two parties' host-profile-<pid>.txt (or lut.md / keygen.md /
# dealer_alone.log: LUT_BENCH=1, KEYGEN_BENCH=1 or DEALER_ALONE=1 wants SKIP_PROFILE=1 to stay at
# 8, and two of them at most) and summary.txt, printed last.
# Exit status: 2 when a build fails, 1 when a check or a step failed, else 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/device-round}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
start=$(date +%s)
rc=0
summary="$out/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$out/device.txt" 2>&1
note "device: $(tail -1 "$out/device.txt")"
bench_target=()
{ [ "${LUT_BENCH:-0}" = 1 ] || [ "${KEYGEN_BENCH:-0}" = 1 ]; } && bench_target=(gpu_bench)
DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=400 device_build device_round.sh "$work" "$build" \
  secinfer test_cuda_equivalence "${bench_target[@]}" || exit 2
note "build: $(($(date +%s) - start)) s"

if [ "${KEYGEN_BENCH:-0}" = 1 ]; then
  timeout "${KEYGEN_BENCH_S:-90}" "$build/bin/gpu_bench" --keygen --quick --md "$out/keygen.md" \
    >"$work/gpu_bench_keygen.log" 2>&1 ||
    note "gpu_bench --keygen failed: $(tail -2 "$work/gpu_bench_keygen.log" | tr '\n' ' ')"
  note "gpu_bench --keygen: $(grep -c '^| ' "$out/keygen.md" 2>/dev/null || echo 0) rows ($(($(date +%s) - start)) s)"
fi

SECINFER_GPU_CHECK_LOG2N=18 timeout "${CHECK_S:-120}" bash -c \
  'source scripts/device_setup.sh && run_cuda_checks "$1" "$2"' _ "$build" "$out/gpu_check.log" ||
  rc=1
note "gpu_check: $(tail -1 "$out/gpu_check.log") ($(($(date +%s) - start)) s)"

if [ "${DEALER_ALONE:-0}" = 1 ]; then
  timeout "${DEALER_ALONE_S:-150}" "$build/tests/test_cuda_equivalence" "[dealer-alone]" \
    --use-colour no >"$out/dealer_alone.log" 2>&1 ||
    note "dealer alone failed: $(tail -2 "$out/dealer_alone.log" | tr '\n' ' ')"
  grep -E '^dealer alone|^  accelerator' "$out/dealer_alone.log" | tee -a "$summary"
  note "dealer alone: ($(($(date +%s) - start)) s)"
fi

if [ "${LUT_BENCH:-0}" = 1 ]; then
  timeout "${LUT_BENCH_S:-120}" "$build/bin/gpu_bench" --lut --md "$out/lut.md" >"$work/gpu_bench.log" 2>&1 ||
    note "gpu_bench --lut failed: $(tail -2 "$work/gpu_bench.log" | tr '\n' ' ')"
  note "gpu_bench --lut: $(grep -c '^| ' "$out/lut.md" 2>/dev/null || echo 0) rows ($(($(date +%s) - start)) s)"
fi

OUT="$work/e2e" SKIP_MICRO="${SKIP_MICRO:-0}" MICRO_BACKENDS=cuda RUNS=5 WARMUP=1 \
  MICRO_SPECS="${MICRO_SPECS:-trunc-gelu 393216;trunc-silu 1409024;trunc 393216;trunc-gelu 393216 --fusefss-act fused-leaf128;trunc-silu 1409024 --fusefss-act fused-leaf128}" \
  MICRO_VECTORS="${MICRO_VECTORS:-device}" E2E_MODELS="${E2E_MODELS:-bert-base}" \
  E2E_SYSTEMS="${E2E_SYSTEMS:-sigma fusefss}" \
  MODEL_RUNS="${MODEL_RUNS:-5}" MODEL_WARMUP=1 MODEL_CAP="${MODEL_CAP:-85}" BUDGET_S="${E2E_S:-330}" \
  bash scripts/gpu_e2e.sh >"$work/gpu_e2e.stdout" 2>&1 || rc=1
for f in gpu_e2e.md gpu_e2e.log gpu_e2e_runs.tgz; do cp "$work/e2e/$f" "$out/" 2>/dev/null; done
note "gpu_e2e: $(grep -c '| ok |' "$out/gpu_e2e.md" 2>/dev/null || echo 0) settings ok ($(($(date +%s) - start)) s)"

if [ "${SKIP_PROFILE:-0}" != 1 ]; then
  OUT="$work/profile" FOCUS="${PROFILE_FOCUS:-PartyOps DealerOps}" \
    SYSTEM="${PROFILE_SYSTEM:-fusefss}" timeout "${PROFILE_S:-90}" \
    bash scripts/host_profile.sh >"$work/profile.stdout" 2>&1 ||
    note "host_profile.sh failed: $(tail -2 "$work/profile.stdout" | tr '\n' ' ')"
  cp "$work"/profile/host-profile-*.txt "$out/" 2>/dev/null
  note "host profiles: $(find "$out" -maxdepth 1 -name 'host-profile-*.txt' | wc -l) ($(($(date +%s) - start)) s)"
fi
[ -f "$out/gpu_e2e.md" ] && cat "$out/gpu_e2e.md" >>"$summary"
cat "$out/gpu_e2e.md" 2>/dev/null
exit "$rc"
