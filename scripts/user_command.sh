#!/usr/bin/env bash
# The user's own command, as the user runs it: two party processes on this machine,
#   secinfer --party 0 --model bert --seq 512 --batch 8 [--system S] --runs R --warmup W
#   secinfer --party 1 --model bert --seq 512 --batch 8 [--system S] --runs R --warmup W
# (default backend: cuda where a GPU is present; default peer: loopback), each under
# `/usr/bin/time -v` (wall clock, peak resident memory), the GPU's memory sampled every 2 s with
# nvidia-smi where it exists, then `secinfer merge`. Run from anywhere in the repo after a build:
#   [BIN=build-gpu/bin/secinfer] [SYSTEM=sigma] [RUNS=1] [WARMUP=0] [CAP=570] [OUT=dir] \
#     bash scripts/user_command.sh [extra flags for both parties]
# Writes under OUT (default out/user-command): res/ (p0.json, p1.json, breakdown_merged.*),
# p0.time / p1.time, p0.out / p1.out, p0.err / p1.err, gpumem.txt, summary.txt (printed last).
# docs/results/user-command-h200/ holds the H200 runs. Exit status: 0 when both parties end with
# status 0, else 1.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
bin="${BIN:-build-gpu/bin/secinfer}"
[ -x "$bin" ] || bin=build/bin/secinfer
[ -x "$bin" ] || { echo "user_command.sh: no secinfer binary (set BIN=...)" >&2; exit 1; }
out="${OUT:-$PWD/out/user-command}"
mkdir -p "$out/res"
flags=(--model bert --seq 512 --batch 8 --runs "${RUNS:-1}" --warmup "${WARMUP:-0}" --out "$out/res")
[ -n "${SYSTEM:-}" ] && flags+=(--system "$SYSTEM")
flags+=("$@")
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o)
mon=""
if command -v nvidia-smi >/dev/null 2>&1; then
  (while true; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits; sleep 2; done) \
    >"$out/gpumem.txt" 2>&1 &
  mon=$!
fi
run_party() {
  local p=$1
  if [ ${#timer[@]} -gt 0 ]; then
    timeout -k 5 "${CAP:-570}" "${timer[@]}" "$out/p$p.time" "$bin" --party "$p" "${flags[@]}" \
      >"$out/p$p.out" 2>"$out/p$p.err"
  else
    timeout -k 5 "${CAP:-570}" "$bin" --party "$p" "${flags[@]}" >"$out/p$p.out" 2>"$out/p$p.err"
  fi
}
start=$(date +%s)
run_party 1 &
p1=$!
run_party 0
rc0=$?
wait "$p1"
rc1=$?
[ -n "$mon" ] && kill "$mon" 2>/dev/null
{
  echo "user command: secinfer --party 0|1 ${flags[*]}"
  echo "party 0 rc=$rc0, party 1 rc=$rc1, $(($(date +%s) - start)) s"
  for p in 0 1; do
    echo "== party $p"
    grep -hE "Elapsed|Maximum resident" "$out/p$p.time" 2>/dev/null
    cat "$out/p$p.out"
    grep -hE "warning|error|vs cleartext|vs double" "$out/p$p.err" | cut -c1-300
  done
  [ -s "$out/gpumem.txt" ] && echo "GPU memory used, peak: $(sort -n "$out/gpumem.txt" | tail -1) MiB"
  [ "$rc0" = 0 ] && [ "$rc1" = 0 ] && "$bin" merge "$out/res/p0.json" "$out/res/p1.json" | tail -4
} | tee "$out/summary.txt"
[ "$rc0" = 0 ] && [ "$rc1" = 0 ]
