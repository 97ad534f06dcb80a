#!/usr/bin/env bash
# A/B of a change on one device machine, interleaved so that the spread between fresh machines
# (5-8% on bert-base, docs/perf.md session 14) does not decide it. Run ON THE GPU MACHINE (device
# `run`, carry [".deps"]), with the change as a patch in the working tree:
#   git diff OLD HEAD > ab.patch          # here: the change to weigh (ab.patch is carried as an
#                                         # untracked file)
#   PATCH=ab.patch bash scripts/device_ab.sh          # there
# Builds `secinfer` as the tree is (B), then with the patch reversed (A, an incremental build),
# and runs A, B, A, B, ... ROUNDS times (default 3): `secinfer local --model MODEL --system SYSTEM
# --backend cuda --runs RUNS --warmup 1` (defaults bert-base, fusefss, 3), each printing its online
# median; then the median of each side's medians and B / A. The tree is left as it was. $OUT (or
# out/device-ab) gets ab.md (the table) and the two sides' logs of the last round.
# Exit status: 2 when the patch or a build fails, 1 when a run fails, else 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
patch=${PATCH:?PATCH=file: the change to weigh, as git diff OLD NEW}
[ -f "$patch" ] || { echo "device_ab.sh: no patch file $patch" >&2; exit 2; }
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
out="${OUT:-$PWD/out/device-ab}"
build="${SECINFER_GPU_BUILD:-build-gpu}"
bins=$(mktemp -d)
mkdir -p "$out"
device_build device_ab.sh "$out" "$build" secinfer || exit 2
cp "$build/bin/secinfer" "$bins/B"
git apply -R "$patch" || { echo "device_ab.sh: $patch does not reverse-apply here" >&2; exit 2; }
restore() { git apply "$patch" || echo "device_ab.sh: could not re-apply $patch: the tree is at A" >&2; }
if ! device_build device_ab.sh "$out" "$build" secinfer; then
  restore
  exit 2
fi
cp "$build/bin/secinfer" "$bins/A"
restore

rc=0
declare -A med
for r in $(seq 1 "${ROUNDS:-3}"); do
  for side in A B; do
    log="$out/$side.log"
    if ! "$bins/$side" local --model "${MODEL:-bert-base}" --system "${SYSTEM:-fusefss}" \
        --backend cuda --runs "${RUNS:-3}" --warmup 1 --out "$bins/run-$side" >"$log" 2>&1; then
      echo "device_ab.sh: side $side failed in round $r (log: $log)" >&2
      rc=1
      continue
    fi
    m=$(sed -n 's/^total wall ms: median \([0-9.]*\),.*/\1/p' "$log")
    echo "round $r $side: $m ms"
    med[$side]="${med[$side]:-} $m"
  done
done
python3 - "${med[A]:-}" "${med[B]:-}" >"$out/ab.md" <<'EOF'
import statistics, sys
a = [float(v) for v in sys.argv[1].split()]
b = [float(v) for v in sys.argv[2].split()]
print("| side | online medians of the rounds (ms) | median |")
print("|---|---|---:|")
for name, v in (("A (patch reversed)", a), ("B (the tree)", b)):
    print(f"| {name} | {', '.join(f'{x:.1f}' for x in v)} | {statistics.median(v):.1f} |" if v else f"| {name} | - | - |")
if a and b:
    print(f"\nB / A = {statistics.median(b) / statistics.median(a):.3f}")
EOF
cat "$out/ab.md"
rm -rf "$bins"
exit "$rc"
