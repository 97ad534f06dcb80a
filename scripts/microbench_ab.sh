#!/usr/bin/env bash
# Interleaved A/B of the CPU microbenchmarks between two secinfer binaries (old, new): for each
# gate, old / new / old / new, `secinfer microbench --gate G --system S --n N [--cols C] --runs 5
# --warmup 1`, printing each run's online line and key line (docs/perf.md "CPU backend after ...").
#   [GATES="gate n [cols];..."] bash scripts/microbench_ab.sh OLD_BIN NEW_BIN [SYSTEM, default sigma]
set -uo pipefail
old=${1:?usage: microbench_ab.sh OLD_BIN NEW_BIN [SYSTEM]} new=${2:?usage: microbench_ab.sh OLD_BIN NEW_BIN [SYSTEM]}
system=${3:-sigma}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# GATES (optional): the settings, "gate n [cols]" separated by ';' (default: the list below).
IFS=';' read -r -a specs <<<"${GATES:-gelu 16384;trunc 16384;relu 16384;nexp 8192;softmax 16384 128;layernorm 16384 128;silu 16384}"
for spec in "${specs[@]}"; do
  read -r gate n cols <<<"$spec"
  extra=()
  [ -n "${cols:-}" ] && extra=(--cols "$cols")
  for rep in 1 2; do
    for which in old new; do
      bin=$old
      [ "$which" = new ] && bin=$new
      line=$("$bin" microbench --gate "$gate" --system "$system" --n "$n" "${extra[@]}" --runs 5 \
        --warmup 1 --out "$out/$which" 2>&1 | grep -E "^  online|keys P0" | tr '\n' ' ')
      echo "$gate n=$n $which rep$rep: $line"
    done
  done
done
