#!/usr/bin/env bash
# Where a gate's GPU time goes, on the device (device `run`, carry [".deps"]):
#   bash scripts/gpu_kernel_profile.sh
# For each spec of PROFILE_SPECS ("gate n system [flags...]" separated by ';'; default trunc-gelu
# 393,216 and trunc-silu 1,409,024 under sigma and fusefss; PROFILE_SPECS= empty: none):
#   1. `secinfer microbench` with 1 + 5 runs: the online time, and each party's host time per run
#      (packing, exchanges, unpacking of the openings; key reads), from its log;
#   2. the same microbenchmark, 1 run, under Nsight Compute (`ncu --target-processes all --metrics
#      gpu__time_duration.sum --print-summary per-kernel`): every kernel's time in isolation, summed
#      per kernel by scripts/ncu_summary.py (the dealer's keygen kernels are in it too).
# Then, for each model of DEALER_MODELS (default none; e.g. "gpt2-2l": two layers of GPT-2's
# shapes; a whole bert-base run under ncu did not finish in 240 s, and ncu prints its summary only
# at the end) and suite of DEALER_SYSTEMS (default "fusefss sigma"): one `secinfer local --model M
# --runs 1 --warmup 0` under ncu with only the dealer's kernels profiled (--kernel-name: the key
# generators, the share makers and the matmul correlation's gather; the other kernels run
# unprofiled at full speed): where a run's keygen spends its GPU time, each kernel in isolation.
# $OUT (or out/kernel-profile) gets kernels.md (the tables, printed last) and kernel_logs.tgz (the
# raw ncu and party logs). PROFILE_S bounds the whole (default 300 s). Exit 2 when the build fails,
# 1 when a step failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/kernel-profile}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/logs"
start=$(date +%s)
deadline=$((start + ${PROFILE_S:-300}))
DEVICE_BUILD_TIMEOUT=400 device_build gpu_kernel_profile.sh "$work" "$build" secinfer || exit 2
bin="$build/bin/secinfer"
ncu_bin=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || true)
md="$out/kernels.md"
{
  echo "# Kernel profile ($(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo
  echo "device: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | head -1)"
  echo
} >"$md"
rc=0
# ncu_run NAME LEFT [NCU FLAGS...] PROGRAM ARGS...: every kernel's time in isolation into
# $work/logs/NAME-ncu.txt, under LEFT seconds; a failed run is noted in kernels.md and sets rc.
ncu_run() {
  local name=$1 left=$2
  shift 2
  timeout -k 5 "$left" "$ncu_bin" --target-processes all --metrics gpu__time_duration.sum \
    --print-summary per-kernel "$@" >"$work/logs/$name-ncu.txt" 2>&1 ||
    { rc=1; echo "$name: the ncu run failed: $(tail -2 "$work/logs/$name-ncu.txt" | tr '\n' ' ')" >>"$md"; }
}
IFS=';' read -r -a specs <<<"${PROFILE_SPECS-trunc-gelu 393216 sigma;trunc-gelu 393216 fusefss;trunc-silu 1409024 sigma;trunc-silu 1409024 fusefss}"
for spec in "${specs[@]}"; do
  read -r gate n sys extra <<<"$spec"
  name="$gate-$sys-n$n$(echo "${extra:-}" | tr -s ' -' '-')"
  left=$((deadline - $(date +%s)))
  if [ "$left" -lt 20 ]; then
    echo "$name: skipped (PROFILE_S spent)" | tee -a "$md"
    rc=1
    continue
  fi
  # shellcheck disable=SC2086 # $extra: the spec's flags, word-split on purpose
  args=(microbench --gate "$gate" --system "$sys" --n "$n" --backend cuda $extra)
  timeout -k 5 "$left" "$bin" "${args[@]}" --runs 5 --warmup 1 --out "$work/logs/$name-runs" \
    >"$work/logs/$name-runs.txt" 2>&1 || { rc=1; echo "$name: the timed runs failed" >>"$md"; }
  {
    echo "## $name"
    echo
    grep -E "online [0-9.]+ ms|check vs cleartext" "$work/logs/$name-runs.txt" | sed 's/^ */    /'
    grep -E "party [01]: host time per run" "$work/logs/$name-runs.txt" | sed 's/^.*\] /    /'
    echo
  } >>"$md"
  left=$((deadline - $(date +%s)))
  if [ -z "$ncu_bin" ]; then
    echo "ncu not found: no kernel table" >>"$md"
  elif [ "$left" -ge 20 ]; then
    ncu_run "$name" "$left" "$bin" "${args[@]}" --runs 1 --warmup 0 --out "$work/logs/$name-ncu"
    python3 scripts/ncu_summary.py "$work/logs/$name-ncu.txt" >>"$md" 2>&1 || rc=1
  fi
  echo "$name: done ($(($(date +%s) - start)) s)"
done
# The dealer's kernels of whole models.
for model in ${DEALER_MODELS:-}; do
  for sys in ${DEALER_SYSTEMS:-fusefss sigma}; do
    name="dealer-$model-$sys"
    left=$((deadline - $(date +%s)))
    if [ -z "$ncu_bin" ] || [ "$left" -lt 30 ]; then
      echo "$name: skipped (no ncu, or PROFILE_S spent)" | tee -a "$md"
      rc=1
      continue
    fi
    ncu_run "$name" "$left" --kernel-name regex:"_gen_kernel|seeded_|convert_vec|live_entries" \
      "$bin" local --model "$model" --system "$sys" --backend cuda --runs 1 --warmup 0 \
      --out "$work/logs/$name-run"
    { echo "## $name (the dealer's kernels of one run, its model input included)"; echo; } >>"$md"
    # The two parties' dealers differ (party 0's makes the matmul correlation): ncu_summary.py's
    # 5% check is a note here, not a failure.
    python3 scripts/ncu_summary.py "$work/logs/$name-ncu.txt" >>"$md" 2>&1 ||
      echo "(the two processes' dealer kernels differ by more than 5%: the table is the first's)" >>"$md"
    echo "$name: done ($(($(date +%s) - start)) s)"
  done
done
tar -C "$work" -czf "$out/kernel_logs.tgz" logs 2>/dev/null
cat "$md"
exit "$rc"
