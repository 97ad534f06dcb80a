#!/usr/bin/env bash
# Session 34, call 7 (device `run`, one GPU, carry [".deps"]; the session's last 260 s of device
# time): builds secinfer, runs bert-tiny seq 128 sigma once taking turns and once under MPS, and
# prints each party's gpu_sharing line (apps/gpu_sharing.h).
set -uo pipefail
source scripts/device_setup.sh
out="${OUT:-$PWD/out/call7}"
mkdir -p "$out"
start=$(date +%s)
DEVICE_BUILD_TIMEOUT=150 device_build call7 "$out" build-gpu secinfer || exit 2
rm -f "$out/configure.log" "$out/build.log"
echo "build: $(($(date +%s) - start)) s"
run() {
  timeout 40 build-gpu/bin/secinfer local --model bert-tiny --seq 128 --system sigma \
    --backend cuda --runs 1 --warmup 0 --out "$out/$1" >"$out/$1.txt" 2>&1
  echo "$1: rc $? ($(($(date +%s) - start)) s)"
  grep -h "FSS evaluations on" "$out/$1.txt" | sed 's/.*\] party/party/'
  grep -h "cleartext fixed-point" "$out/$1.txt" | head -1 | sed 's/.*\] //'
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["environment"]["gpu_sharing"])' \
    "$out/$1/p0.json"
}
run plain
mps_start && run mps
mps_stop
