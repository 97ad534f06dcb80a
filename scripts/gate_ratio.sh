#!/usr/bin/env bash
# The per-gate fusefss / sigma ratio on the device, over interleaved rounds (device `run`, carry
# [".deps"]):
#   bash scripts/gate_ratio.sh
# One microbenchmark's median of 5 runs moved by 10-15% from call to call on one H100 (both parties
# share the GPU), more than the margin the FuseFSS issue's 1.5x is judged by. So: ROUNDS rounds
# (default 3), each running every spec of SPECS ("gate n [flags]" separated by ';'; default
# trunc-gelu 393,216 and trunc-silu 1,409,024) under SYSTEMS (default "sigma fusefss") in turn,
# `secinfer microbench --backend cuda --runs RUNS --warmup 1` (RUNS default 10). A spec's flags go
# to fusefss only, so sigma runs once a round for each gate and n, its time standing for every
# spec of that gate and n (e.g. "trunc-gelu 393216" and "trunc-gelu 393216 --fusefss-act
# fused-flag"). BOTH_FLAGS go to both systems, e.g. BOTH_FLAGS="--gpu 0,1" on a two-GPU host:
# each party on its own GPU, as on two hosts (the default: both on GPU 0). MPS=1 runs them under
# NVIDIA's Multi-Process Service (scripts/device_setup.sh mps_start). $OUT (or
# out/gate-ratio) gets gate_ratio.md: the flags for both, each round's online medians and the
# ratio of the medians over the rounds (with the rounds' lowest and highest ratio;
# scripts/gate_ratio_table.py), printed last, and gate_ratio_logs.tgz. Exit 2 when the build
# fails, 1 when a run failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/gate-ratio}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
work=$(mktemp -d)
trap 'mps_stop; rm -rf "$work"' EXIT
mkdir -p "$out" "$work/logs"
DEVICE_BUILD_TIMEOUT=400 device_build gate_ratio.sh "$work" "$build" secinfer || exit 2
bin="$build/bin/secinfer"
mps_if_asked
rounds=${ROUNDS:-3}
IFS=';' read -r -a specs <<<"${SPECS:-trunc-gelu 393216;trunc-silu 1409024}"
rc=0
results="$work/results.tsv"  # round, spec, system, online ms
: >"$results"
for ((r = 1; r <= rounds; r++)); do
  declare -A sigma_ms=()  # "gate n" -> this round's sigma online ms
  for spec in "${specs[@]}"; do
    read -r gate n extra <<<"$spec"
    for sys in ${SYSTEMS:-sigma fusefss}; do
      if [ "$sys" = sigma ] && [ -n "${sigma_ms["$gate $n"]:-}" ]; then
        printf '%s\t%s\t%s\t%s\n' "$r" "$spec" "$sys" "${sigma_ms["$gate $n"]}" >>"$results"
        continue
      fi
      flags=()
      # shellcheck disable=SC2206 # the spec's flags, word-split on purpose
      [ "$sys" = fusefss ] && flags=($extra)
      name="r$r-$gate-$n-$sys$(echo "${flags[*]}" | tr -s ' -' '-')"
      # shellcheck disable=SC2206 # BOTH_FLAGS word-split on purpose
      flags+=(${BOTH_FLAGS:-})
      log="$work/logs/$name.txt"
      if "$bin" microbench --gate "$gate" --system "$sys" --n "$n" --backend cuda \
        --runs "${RUNS:-10}" --warmup 1 "${flags[@]}" --out "$work/logs/$name" >"$log" 2>&1; then
        ms=$(sed -n 's/^ *online \([0-9.]*\) ms.*/\1/p' "$log" | head -1)
        printf '%s\t%s\t%s\t%s\n' "$r" "$spec" "$sys" "${ms:-nan}" >>"$results"
        [ "$sys" = sigma ] && sigma_ms["$gate $n"]=${ms:-nan}
        grep -q "check vs cleartext reference: 0 of" "$log" ||
          { rc=1; echo "$spec $sys round $r: output differs" >&2; }
      else
        rc=1
        echo "$spec $sys round $r: failed ($(tail -1 "$log"))" >&2
      fi
    done
  done
done
{
  echo "flags for both systems: ${BOTH_FLAGS:-none} (devices: $(nvidia-smi --query-gpu=name \
    --format=csv,noheader 2>/dev/null | sort | uniq -c | xargs echo)); $gpu_sharing"
  echo
  python3 scripts/gate_ratio_table.py "$results" "$rounds"
} >"$out/gate_ratio.md" || rc=1
tar -C "$work" -czf "$out/gate_ratio_logs.tgz" logs 2>/dev/null
cat "$out/gate_ratio.md"
exit "$rc"
