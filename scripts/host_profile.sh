#!/usr/bin/env bash
# Where a party's host time goes: gperftools' CPU profiler around one `secinfer local` run, then
# google-pprof's cumulative table of each party process's online phase (the main thread's samples
# under PartyOps; the dealer runs under DealerOps). Run ON THE GPU MACHINE with .deps carried
# (scripts/fetch_device_debs.sh puts the profiler in .deps/pt), or here with BACKEND=cpu.
#   [MODEL=bert-base] [SYSTEM=fusefss] [BACKEND=cuda] [RUNS=1] [FOCUS=PartyOps] [NODES=45] \
#     bash scripts/host_profile.sh [extra secinfer local flags]
# FOCUS: one or more frames, space-separated ("PartyOps DealerOps": the online phase, then the
# dealer), one table each. Writes $OUT/host-profile-<pid>.txt per party process (OUT defaults to
# out/host-profile) and prints the first lines of each, and keeps the run's folder (the party logs
# with the offline phase's scopes) as $OUT/run.tgz. The profiler samples CPU time: time blocked on
# the peer, the GPU or a worker thread does not show (compare with the breakdown's wall and wait
# columns). WALL=1 samples wall-clock time instead (gperftools' CPUPROFILE_REALTIME): the main
# thread's blocked time then shows under the call that blocks.
# MPS=1 (cuda only) runs the parties under NVIDIA's Multi-Process Service (scripts/device_setup.sh
# mps_start), as gpu_e2e.sh's MPS=1 does.
# CONTRIBUTING.md "The GPU machine" says how to read glibc's and libcuda's mis-named symbols.
# STACKS=1 also keeps each party's collapsed stacks as $OUT/host-stacks-<pid>.txt.gz, which
# scripts/stack_callers.py reads (e.g. who calls memset under Transformer::layer and DealerOps).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
pt="$PWD/.deps/pt/usr"
if [ ! -e "$pt/lib/x86_64-linux-gnu/libprofiler.so.0" ]; then
  echo "host_profile.sh: no profiler in .deps/pt: run scripts/fetch_device_debs.sh on a machine" \
    "with apt first, and carry .deps" >&2
  exit 2
fi
out="${OUT:-$PWD/out/host-profile}"
mkdir -p "$out"
backend=${BACKEND:-cuda}
if [ "$backend" = cuda ]; then
  # shellcheck source=device_setup.sh
  source scripts/device_setup.sh
  build=${SECINFER_GPU_BUILD:-build-gpu}
  [ -x "$build/bin/secinfer" ] || device_build host_profile.sh "$out" "$build" secinfer || exit 2
  mps_if_asked
  echo "host_profile.sh: $gpu_sharing"
else
  build=${BUILD_DIR:-build-cpu}
  [ -x "$build/bin/secinfer" ] || { echo "host_profile.sh: build $build/bin/secinfer first" >&2; exit 2; }
fi
prof_dir=$(mktemp -d)
trap 'declare -F mps_stop >/dev/null && mps_stop; rm -rf "$prof_dir"' EXIT
# Every process of the run (the launcher and both parties) writes <prefix>_<pid>.
realtime=()
[ "${WALL:-0}" = 1 ] && realtime=(CPUPROFILE_REALTIME=1)
env "${realtime[@]}" CPUPROFILE="$prof_dir/cpu.prof" CPUPROFILE_FREQUENCY="${FREQ:-1000}" \
  LD_PRELOAD="$pt/lib/x86_64-linux-gnu/libprofiler.so.0" \
  LD_LIBRARY_PATH="$pt/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}" \
  "$build/bin/secinfer" local --model "${MODEL:-bert-base}" --system "${SYSTEM:-fusefss}" \
  --backend "$backend" --runs "${RUNS:-1}" --warmup 1 --out "$prof_dir/run" "$@" \
  >"$out/stdout.txt" 2>"$out/stderr.txt"
rc=$?
[ "$rc" -eq 0 ] || { echo "host_profile.sh: secinfer local exited $rc (log: $out/stderr.txt)"; tail -5 "$out/stderr.txt"; exit "$rc"; }
tar -czf "$out/run.tgz" -C "$prof_dir" run
# One table per FOCUS entry (space-separated, e.g. "PartyOps DealerOps"), one after the other in
# each party's file.
read -r -a focuses <<<"${FOCUS:-PartyOps}"
found=0
for f in "$prof_dir"/cpu.prof_*; do
  [ -s "$f" ] || continue
  pid=${f##*_}
  table="$out/host-profile-$pid.txt"
  : >"$table"
  for focus in "${focuses[@]}"; do
    tmp="$table.$focus"
    "$pt/bin/google-pprof" --text --cum --focus="$focus" --nodecount="${NODES:-45}" \
      "$build/bin/secinfer" "$f" >"$tmp" 2>/dev/null
    # The launcher has no samples under the focus: keep only the parties' tables.
    if grep -q "$focus" "$tmp"; then
      { echo "== focus $focus"; cat "$tmp"; echo; } >>"$table"
    fi
    rm -f "$tmp"
  done
  if [ "${STACKS:-0}" = 1 ] && [ -s "$table" ]; then
    "$pt/bin/google-pprof" --collapsed "$build/bin/secinfer" "$f" 2>/dev/null |
      gzip >"$out/host-stacks-$pid.txt.gz"
  fi
  if [ -s "$table" ]; then
    found=$((found + 1))
    echo "== party process $pid ($table)"
    head -20 "$table"
  else
    rm -f "$table"
  fi
done
grep -E "^total  |^total wall" "$out/stdout.txt"
[ "$found" -gt 0 ] || { echo "host_profile.sh: no party profile with ${FOCUS:-PartyOps} samples"; exit 1; }
