#!/usr/bin/env bash
# Next session, call 1 (device `run`, one GPU, carry [".deps"]; about 520 s on a fresh machine),
# from the repository root:
#   [SYSTEMS="fusefss sigma"] [CAP=280] bash docs/results/gpu-e2e-session45/call1/run.sh
# Session 44 ran the user's command on an H100 and fusefss took 65.2 s online against sigma's
# 26.0 (29.9 against 31.6 on session 23's H200), with 16 GB of peak RSS a party against 5.6; its
# breakdown files did not come back (8 files a call). Since `5bf5071` the plan keeps a step's
# keys within the GPU's key budget (by the estimate: chunks of 256 rows on an H100, one sequence
# at a time on an H200), which this call measures. It builds secinfer, runs
# scripts/user_command.sh for each suite of SYSTEMS (CAP seconds a suite) and packs each suite's
# whole output (res/ with p0.json, p1.json and breakdown_merged.*, the p*.err logs that say which
# key mode ran, gpumem.txt) into one archive, user-SUITE.tgz, so that it comes back.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
# shellcheck source=device_setup.sh
source scripts/device_setup.sh
DEVICE_BUILD_TIMEOUT=300 device_build call1 "$out" build-gpu secinfer || exit 2
echo "build: $(($(date +%s) - start)) s"
for sys in ${SYSTEMS-fusefss sigma}; do
  OUT="$out/user-$sys" SYSTEM=$sys CAP="${CAP:-280}" bash scripts/user_command.sh \
    >"$out/user-$sys.log" 2>&1
  echo "user_command $sys: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/user-$sys/summary.txt" 2>/dev/null || tail -20 "$out/user-$sys.log"
  grep -h -i "key" "$out/user-$sys"/p0.err 2>/dev/null | head -20
  tar czf "$out/user-$sys.tgz" -C "$out" "user-$sys" && rm -rf "${out:?}/user-$sys"
done
