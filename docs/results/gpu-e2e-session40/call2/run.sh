#!/usr/bin/env bash
# Session 40, call 2 (device `run`, one GPU, carry [".deps"], the machine of call 1, warm; it ran
# inside call 1 at f3d9c25: the kSpinPause it edits was dropped after it, in 267cf19), from
# the repository root:
#   bash docs/results/gpu-e2e-session40/call2/run.sh
# How the thread pools wait between loops, weighed on fusefss's keygen a run under MPS (bert-base
# seq 128, `secinfer local --runs 3 --warmup 1`): in session 39's host profile the pools' wake-ups
# (pthread_cond_broadcast) alone held 7.8% of the dealer's main thread (scripts/stack_callers.py
# --leaf pthread_cond_broadcast), besides its waits for the last part. Three builds of
# fss/thread_pool.cpp's two constants (edited here with sed, restored at the end): base (pause 200
# us, sleep after 200 us: the code as committed), yield (pause 200 us, then pause and yield until
# 2 ms) and spin1 (pause 1 ms); a fourth, cop4, is base with the accelerator's staging-copy pool
# at 4 threads instead of 8 (fss/cuda/accelerator_cuda.cpp, edited the same way: each process
# runs a party pool, a dealer pool and that one). Each at --threads 8 (local's default on 16
# threads), and base at 6 too. Rounds interleaved while the time holds one more (540 s from
# CALL_START, default this script's start); a line a run (keygen, online, party 0's dealer host
# parts), then each setting's medians. VARIANTS ("name pause spin copier;..." built in that
# order, base last) and CONFIGS ("name threads;...") narrow it.
set -uo pipefail
# shellcheck source=scripts/device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call2}"
bins=$(mktemp -d)
mkdir -p "$out" "$bins/logs"
start=${CALL_START:-$(date +%s)}  # the call's start, where another script ran first
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode --format=csv,noheader
src=fss/thread_pool.cpp acc=fss/cuda/accelerator_cuda.cpp
cp "$src" "$bins/pool.orig"
cp "$acc" "$bins/acc.orig"
restore() { cp "$bins/pool.orig" "$src"; cp "$bins/acc.orig" "$acc"; }
set_variant() {  # pause_us spin_us copier_threads
  restore
  sed -i "s/kSpinPause{200}/kSpinPause{$1}/; s/kSpin{200}/kSpin{$2}/" "$src"
  [ "$3" = 8 ] || sed -i "s/ThreadPool copier{std::min(8,/ThreadPool copier{std::min($3,/" "$acc"
  grep -hE "constexpr std::chrono::microseconds|ThreadPool copier" "$src" "$acc"
}
IFS=";" read -ra variants <<<"${VARIANTS:-yield 200 2000 8;spin1 1000 1000 8;cop4 200 200 4;base 200 200 8}"
for v in "${variants[@]}"; do
  read -r name pause spin copier <<<"$v"
  set_variant "$pause" "$spin" "$copier"
  DEVICE_BUILD_TESTS=ON DEVICE_BUILD_TIMEOUT=240 device_build "call2-$name" "$bins/logs" build-gpu \
    secinfer || { restore; exit 2; }
  cp build-gpu/bin/secinfer "$bins/$name"
  echo "build $name: $(($(date +%s) - start)) s"
done
restore
trap 'mps_stop' EXIT
mps_start || exit 2
rows="$out/runs.tsv"
printf 'round\tsetting\tkeygen_ms\tonline_ms\tp0_dealer_host\n' >"$rows"
IFS=";" read -ra configs <<<"${CONFIGS:-base 8;yield 8;spin1 8;cop4 8;base 6}"
round_s=$((30 * ${#configs[@]}))  # a first round's guess: a run about 25 s
for r in 1 2 3 4; do
  rs=$(date +%s)
  [ $((rs - start + round_s)) -gt 540 ] && { echo "round $r would pass 540 s: stopping"; break; }
  for cfg in "${configs[@]}"; do
    read -r name threads <<<"$cfg"
    log="$bins/logs/$name-t$threads.log"
    if ! "$bins/$name" local --model bert-base --system fusefss --backend cuda --runs 3 \
        --warmup 1 --threads "$threads" --out "$bins/run" >"$log" 2>&1; then
      echo "$name t$threads failed in round $r (log: $log)"
      continue
    fi
    k=$(sed -n 's/^offline: keygen \([0-9.]*\) ms.*/\1/p' "$log")
    o=$(sed -n 's/^total wall ms: median \([0-9.]*\),.*/\1/p' "$log")
    d=$(grep -o "party 0: host time per run.*" "$log" | grep -o "dealer host time per run: [^;]*")
    printf '%s\t%s-t%s\t%s\t%s\t%s\n' "$r" "$name" "$threads" "$k" "$o" "$d" | tee -a "$rows"
  done
  round_s=$(($(date +%s) - rs))
done
python3 - "$rows" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| setting | runs | keygen ms, median (each) | online ms, median |")
print("|---|---:|---|---:|")
for s in dict.fromkeys(r["setting"] for r in rows):
    k = [float(r["keygen_ms"]) for r in rows if r["setting"] == s and r["keygen_ms"]]
    o = [float(r["online_ms"]) for r in rows if r["setting"] == s and r["online_ms"]]
    if k:
        print(f"| {s} | {len(k)} | {statistics.median(k):.1f} ({', '.join(f'{x:.1f}' for x in k)}) "
              f"| {statistics.median(o):.1f} |")
PY
tar czf "$out/pool_logs.tgz" -C "$bins" logs
echo "call2: $(($(date +%s) - start)) s"
