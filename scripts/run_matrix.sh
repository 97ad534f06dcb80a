#!/usr/bin/env bash
# Loops over an experiment matrix (configs/matrix-*.json), running each setting as a local
# two-party run (`secinfer local`), then builds the report (figures and tables) from the merged
# breakdowns. A setting that fails or runs out of memory is recorded (its logs say status
# failed / oom and why) and the loop goes on with the next one. The optional key "net" (a profile
# or a list of them: none, lan, wan, rate=RATE,delay=DELAY; apps/netem.h) runs each setting over
# that emulated link (`secinfer local --net`, root needed, else loopback with a warning).
# Usage: scripts/run_matrix.sh CONFIG.json [OUT_DIR] [-- extra secinfer flags, e.g. --backend cuda]
# Resumable: a setting whose folder holds a merged breakdown with status ok or oom is finished
# and skipped when the same command runs again (a killed runner, or a device call that ran out of
# time, continues where it stopped); any other setting (never run, failed, cut short) is run
# afresh. BUDGET_S=N: start no setting after N seconds and cut the one running at N seconds (it is
# run again next time); the runner then exits 3 with the settings left. REPORT=0 skips the report.
# Exit status: 0 every setting finished, 1 some failed, 2 bad usage, 3 the budget ran out first.
set -uo pipefail
cd "$(dirname "$0")/.."
config=${1:?usage: scripts/run_matrix.sh CONFIG.json [OUT_DIR] [-- extra flags]}
shift
out="results/$(basename "$config" .json)"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then out=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bin=${SECINFER_BIN:-build/bin/secinfer}
[ -x "$bin" ] || { echo "run_matrix: $bin not found: build first (bash scripts/build.sh)" >&2; exit 2; }
# The settings first: a config that cannot be read leaves no empty results folder behind.
settings=$(python3 - "$config" <<'PY'
import itertools, json, sys
try:
    c = json.load(open(sys.argv[1]))
    lists = [c[k] for k in ("models", "seq", "batch", "system", "padding")]
except (OSError, ValueError) as e:
    sys.exit(f"run_matrix: cannot read {sys.argv[1]}: {e}")
except KeyError as e:
    sys.exit(f"run_matrix: {sys.argv[1]} has no key {e}: it needs models, seq, batch, system, padding")
net = c.get("net", "none")
for m, s, b, sy, p, n in itertools.product(*lists, net if isinstance(net, list) else [net]):
    print(m, s, b, sy, p, c.get("runs", 5), c.get("warmup", 1), n, sep="\t")
PY
) || exit 2
mkdir -p "$out"
printf '%s\n' "$settings" > "$out/settings.tsv"
ok=0; bad=0; skipped=0; left=0
start=$(date +%s)
budget=${BUDGET_S:-0}
# The status a setting's folder records (its merged breakdown's: ok, oom, failed), or "none".
status_of() {
  python3 - "$1/breakdown_merged.json" <<'PY'
import json, sys
try:
    print(json.load(open(sys.argv[1])).get("status", "none"))
except (OSError, ValueError):
    print("none")
PY
}
# Finished: ok, or oom (the breakdown records what it needs and what was available).
finished() { case $(status_of "$1") in ok | oom) return 0 ;; *) return 1 ;; esac; }
while IFS=$'\t' read -r model seq batch system padding runs warmup net; do
  dir="$out/$model-s$seq-b$batch-$system-pad$padding"
  netflag=()  # only when emulated: a binary without --net still runs the other matrices
  [ "$net" = none ] || { dir="$dir-net$(printf '%s' "$net" | tr ',=/' '_-_')"; netflag=(--net "$net"); }
  echo "== $model seq=$seq batch=$batch system=$system padding=$padding net=$net"
  if finished "$dir"; then
    skipped=$((skipped + 1)); ok=$((ok + 1))
    echo "   finished before: skipped"
    continue
  fi
  cap=()
  if [ "$budget" -gt 0 ]; then
    remaining=$((budget - ($(date +%s) - start)))
    if [ "$remaining" -le 0 ]; then
      left=$((left + 1))
      echo "   not started: the ${budget} s budget is spent (run the same command again)"
      continue
    fi
    cap=(timeout -k 5 "$remaining")
  fi
  rm -rf "$dir" "$dir.stdout.txt" "$dir.stderr.txt"  # a failed or cut run starts afresh
  if "${cap[@]}" "$bin" local --model "$model" --seq "$seq" --batch "$batch" --system "$system" \
       --padding "$padding" --runs "$runs" --warmup "$warmup" "${netflag[@]}" --out "$dir" "$@" \
       > "$dir.stdout.txt" 2> "$dir.stderr.txt"; then
    ok=$((ok + 1)); tail -n 3 "$dir.stdout.txt"
  else
    rc=$?  # before anything else resets $?
    if [ "$budget" -gt 0 ] && { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; }; then
      left=$((left + 1))
      echo "   cut at the ${budget} s budget (exit $rc): run the same command again to redo it"
      continue
    fi
    # The reason: the first error line (a refused flag prints "secinfer: ..."), else the last line.
    reason=$(grep -m 1 -E '\[(error|critical)\]|^secinfer: ' "$dir.stderr.txt" || tail -n 1 "$dir.stderr.txt")
    st=$(status_of "$dir")
    if [ "$st" = ok ] || [ "$st" = oom ]; then  # finished: its breakdown says what happened
      ok=$((ok + 1))
      echo "   recorded as $st (exit $rc): $reason"
    else
      bad=$((bad + 1))
      echo "   failed (exit $rc): $reason"
    fi
  fi
done < "$out/settings.tsv"
echo "run_matrix: $ok settings finished ($skipped before this call; oom ones included), $bad failed," \
  "$left left for the next call"
if [ "${REPORT:-1}" != 0 ]; then
  py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3  # Debian's python3-matplotlib lives there
  "$py" scripts/report.py "$out" ${MICROBENCH:+--microbench "$MICROBENCH"}
fi
[ "$left" -gt 0 ] && exit 3
[ "$bad" -gt 0 ] && exit 1
exit 0
