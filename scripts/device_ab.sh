#!/usr/bin/env bash
# A/B of a change on one device machine, interleaved so that the spread between fresh machines
# (5-8% on bert-base, docs/perf.md session 14) does not decide it. Run ON THE GPU MACHINE (device
# `run`, carry [".deps"]), with the change as a patch in the working tree:
#   git diff OLD HEAD > ab.patch          # here: the change to weigh (ab.patch is carried as an
#                                         # untracked file)
#   PATCH=ab.patch bash scripts/device_ab.sh          # there
# Builds `secinfer` with the patch reversed (A), then as the tree is (B, an incremental build),
# and runs A, B, A, B, ... ROUNDS times (default 3): `secinfer local --model MODEL --system SYSTEM
# --backend cuda --runs RUNS --warmup 1` (defaults bert-base, fusefss, 3) for each suite of
# SYSTEMS (default: SYSTEM alone; SYSTEMS="fusefss sigma" alternates the suites within a round),
# each printing its online median (METRIC=keygen: the offline phase's keygen ms per run, the
# larger party's, each party's beside it; METRIC=both: the two); then, per suite and metric, the
# median of each side's medians and B / A. GATE="gate n" (e.g. GATE="trunc-gelu 393216") runs
# `secinfer microbench --gate gate --n n --system SYSTEM --backend cuda --runs RUNS --warmup 1`
# (RUNS default 10 there) instead of the model, online only; the last round's output folders
# (openings-p*.json for scripts/round_trace.py) go to $OUT/A-SYSTEM-gate and B-SYSTEM-gate.
# The tree and the build directory are left at B. $OUT (or out/device-ab) gets ab.md (the tables)
# and the two sides' logs of the last round (A-SYSTEM.log, B-SYSTEM.log). AB_S (seconds from the
# script's start):
# a round starts only while the time left holds another round as long as the last, so that the
# tables are written and no run is left behind when a call's time runs out (an outer `timeout`
# that kills the script mid-run leaves its `secinfer` processes running beside the next command).
# MPS=1 runs every side under NVIDIA's Multi-Process Service (scripts/device_setup.sh mps_start),
# as gpu_e2e.sh's MPS=1 does; the table says which.
# Exit status: 2 when the patch or a build fails, 1 when a run fails, else 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
started=$(date +%s)
patch=${PATCH:?PATCH=file: the change to weigh, as git diff OLD NEW}
[ -f "$patch" ] || { echo "device_ab.sh: no patch file $patch" >&2; exit 2; }
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/device-ab}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
bins=$(mktemp -d)
mkdir -p "$out"
git apply -R "$patch" || { echo "device_ab.sh: $patch does not reverse-apply here" >&2; exit 2; }
restore() { git apply "$patch" || echo "device_ab.sh: could not re-apply $patch: the tree is at A" >&2; }
if ! device_build device_ab.sh "$out" "$build" secinfer; then
  restore
  exit 2
fi
cp "$build/bin/secinfer" "$bins/A"
restore
# B last (an incremental build), so that the build directory holds B when the script ends: the
# device copies the working tree anew on its next call with the files' own (older) times, so a
# later build would not see them as changed and would keep A's objects (session 29's fourth call
# ran A so).
device_build device_ab.sh "$out" "$build" secinfer || exit 2
cp "$build/bin/secinfer" "$bins/B"
trap 'mps_stop' EXIT
mps_if_asked
echo "device_ab.sh: $gpu_sharing"

rc=0
declare -A med
round_s=0
for r in $(seq 1 "${ROUNDS:-3}"); do
  round_start=$(date +%s)
  if [ -n "${AB_S:-}" ] && [ $((round_start - started + round_s)) -gt "$AB_S" ]; then
    echo "device_ab.sh: round $r would end past AB_S=$AB_S s (a round took $round_s s): stopping"
    break
  fi
  for sys in ${SYSTEMS:-${SYSTEM:-fusefss}}; do
    for side in A B; do
      log="$out/$side-$sys.log"
      if [ -n "${GATE:-}" ]; then
        read -r gate n <<<"$GATE"
        rm -rf "$out/$side-$sys-gate"
        cmd=(microbench --gate "$gate" --n "$n" --runs "${RUNS:-10}" --out "$out/$side-$sys-gate")
      else
        cmd=(local --model "${MODEL:-bert-base}" --runs "${RUNS:-3}" --out "$bins/run-$side")
      fi
      if ! "$bins/$side" "${cmd[@]}" --system "$sys" --backend cuda --warmup 1 >"$log" 2>&1; then
        echo "device_ab.sh: side $side ($sys) failed in round $r (log: $log)" >&2
        rc=1
        continue
      fi
      parties=""
      keygen=$(sed -n 's/^offline: keygen \([0-9.]*\) ms.*/\1/p' "$log")
      online=$(sed -n 's/^total wall ms: median \([0-9.]*\),.*/\1/p' "$log")
      [ -n "${GATE:-}" ] && online=$(sed -n 's/^ *online \([0-9.]*\) ms.*/\1/p' "$log" | head -1)
      if [ "${METRIC:-online}" != online ]; then
        # Each party's (the figure is the larger): the balance of the two inline dealers.
        parties=$(python3 -c 'import json, sys
k = json.load(open(sys.argv[1]))["offline"]["keygen_ms_party"]
print(" (P0 %.1f / P1 %.1f)" % (k["p0"], k["p1"]))' "$bins/run-$side/breakdown_merged.json" 2>/dev/null)
      fi
      case "${METRIC:-online}" in
        keygen) echo "round $r $sys $side: $keygen ms$parties" ;;
        both) echo "round $r $sys $side: online $online ms, keygen $keygen ms$parties" ;;
        *) echo "round $r $sys $side: $online ms" ;;
      esac
      med[online-$side-$sys]="${med[online-$side-$sys]:-} $online"
      med[keygen-$side-$sys]="${med[keygen-$side-$sys]:-} $keygen"
    done
  done
  round_s=$(($(date +%s) - round_start))
done
echo "both sides $gpu_sharing" >"$out/ab.md"
metrics=${METRIC:-online}
[ "$metrics" = both ] && metrics="online keygen"
for sys in ${SYSTEMS:-${SYSTEM:-fusefss}}; do
  for metric in $metrics; do
    python3 - "$sys" "${med[$metric-A-$sys]:-}" "${med[$metric-B-$sys]:-}" "$metric" >>"$out/ab.md" <<'EOF'
import statistics, sys
name = sys.argv[1]
a = [float(v) for v in sys.argv[2].split()]
b = [float(v) for v in sys.argv[3].split()]
print(f"\n{name}:\n")
print(f"| side | {sys.argv[4]} medians of the rounds (ms) | median |")
print("|---|---|---:|")
for side, v in (("A (patch reversed)", a), ("B (the tree)", b)):
    print(f"| {side} | {', '.join(f'{x:.1f}' for x in v)} | {statistics.median(v):.1f} |" if v else f"| {side} | - | - |")
if a and b:
    print(f"\nB / A = {statistics.median(b) / statistics.median(a):.3f}")
EOF
  done
done
cat "$out/ab.md"
rm -rf "$bins"
exit "$rc"
