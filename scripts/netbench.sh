#!/usr/bin/env bash
# Bandwidth and round-trip time of the link between the two parties, for a range of message sizes
# (`secinfer netbench`: ROUNDS exchanges of SIZE bytes each way per run; results and merged
# breakdowns under results/netbench-<size>B-r<rounds>/).
#
#   scripts/netbench.sh                                    # both parties on this machine
#   scripts/netbench.sh --party 0 --peer 0.0.0.0:7000      # two machines: on P0's machine ...
#   scripts/netbench.sh --party 1 --peer P0_HOST:7000      # ... and on P1's (same SIZES/ROUNDS)
#
# Env: BIN (default build/bin/secinfer), SIZES (bytes, default "8 1024 65536 1048576 16777216"),
# ROUNDS (default 20). Extra flags are passed to every `secinfer netbench` call.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin/secinfer}
SIZES=${SIZES:-"8 1024 65536 1048576 16777216"}
ROUNDS=${ROUNDS:-20}
if [ ! -x "$BIN" ]; then
  echo "netbench.sh: $BIN not found: build it first (scripts/build.sh) or set BIN=path" >&2
  exit 2
fi
for size in $SIZES; do
  echo "== $size bytes each way, $ROUNDS rounds per run"
  "$BIN" netbench --bytes "$size" --rounds "$ROUNDS" "$@"
done
