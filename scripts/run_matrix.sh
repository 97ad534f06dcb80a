#!/usr/bin/env bash
# Loops over an experiment matrix (configs/matrix-*.json), running each setting as a local
# two-party run (`secinfer local`), then builds the report (figures and tables) from the merged
# breakdowns. A setting that fails or runs out of memory is recorded (its logs say status
# failed / oom and why) and the loop goes on with the next one.
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
mkdir -p "$out"
python3 - "$config" > "$out/settings.tsv" <<'PY' || { echo "run_matrix: cannot read $config" >&2; exit 2; }
import itertools, json, sys
c = json.load(open(sys.argv[1]))
for m, s, b, sy, p in itertools.product(c["models"], c["seq"], c["batch"], c["system"], c["padding"]):
    print(m, s, b, sy, p, c.get("runs", 5), c.get("warmup", 1), sep="\t")
PY
ok=0; bad=0
while IFS=$'\t' read -r model seq batch system padding runs warmup; do
  dir="$out/$model-s$seq-b$batch-$system-pad$padding"
  echo "== $model seq=$seq batch=$batch system=$system padding=$padding"
  if "$bin" local --model "$model" --seq "$seq" --batch "$batch" --system "$system" \
       --padding "$padding" --runs "$runs" --warmup "$warmup" --out "$dir" "$@" \
       > "$dir.stdout.txt" 2> "$dir.stderr.txt"; then
    ok=$((ok + 1)); tail -n 3 "$dir.stdout.txt"
  else
    bad=$((bad + 1)); echo "   failed (exit $?): $(tail -n 1 "$dir.stderr.txt")"
  fi
done < "$out/settings.tsv"
echo "run_matrix: $ok settings ok, $bad failed or oom (their logs say why)"
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3  # Debian's python3-matplotlib lives there
"$py" scripts/report.py "$out" ${MICROBENCH:+--microbench "$MICROBENCH"}
