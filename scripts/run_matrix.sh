#!/usr/bin/env bash
# Loops over an experiment matrix (configs/matrix-*.json), running each setting as a local
# two-party run (`secinfer local`), then builds the report (figures and tables) from the merged
# breakdowns. A setting that fails or runs out of memory is recorded (its logs say status
# failed / oom and why) and the loop goes on with the next one. The optional key "net" (a profile
# or a list of them: none, lan, wan, rate=RATE,delay=DELAY; apps/netem.h) runs each setting over
# that emulated link (`secinfer local --net`, root needed, else loopback with a warning).
# Usage: scripts/run_matrix.sh CONFIG.json [OUT_DIR] [-- extra secinfer flags, e.g. --backend cuda]
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
ok=0; bad=0
while IFS=$'\t' read -r model seq batch system padding runs warmup net; do
  dir="$out/$model-s$seq-b$batch-$system-pad$padding"
  netflag=()  # only when emulated: a binary without --net still runs the other matrices
  [ "$net" = none ] || { dir="$dir-net$(printf '%s' "$net" | tr ',=/' '_-_')"; netflag=(--net "$net"); }
  echo "== $model seq=$seq batch=$batch system=$system padding=$padding net=$net"
  if "$bin" local --model "$model" --seq "$seq" --batch "$batch" --system "$system" \
       --padding "$padding" --runs "$runs" --warmup "$warmup" "${netflag[@]}" --out "$dir" "$@" \
       > "$dir.stdout.txt" 2> "$dir.stderr.txt"; then
    ok=$((ok + 1)); tail -n 3 "$dir.stdout.txt"
  else
    rc=$?  # before anything else resets $?
    bad=$((bad + 1))
    # The reason: the first error line (a refused flag prints "secinfer: ..."), else the last line.
    reason=$(grep -m 1 -E '\[(error|critical)\]|^secinfer: ' "$dir.stderr.txt" || tail -n 1 "$dir.stderr.txt")
    echo "   failed (exit $rc): $reason"
  fi
done < "$out/settings.tsv"
echo "run_matrix: $ok settings ok, $bad failed or oom (their logs say why)"
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3  # Debian's python3-matplotlib lives there
"$py" scripts/report.py "$out" ${MICROBENCH:+--microbench "$MICROBENCH"}
