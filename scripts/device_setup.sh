#!/usr/bin/env bash
# Run ON THE GPU MACHINE (source it): unpacks the carried .deps/debs into /opt/secinfer-deps and
# exports the paths CMake and the loader need. Then `scripts/build.sh` works there as here.
#   source scripts/device_setup.sh
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d /opt/secinfer-deps/usr ]; then
  mkdir -p /opt/secinfer-deps
  for f in "$_root"/.deps/debs/*.deb; do dpkg -x "$f" /opt/secinfer-deps; done
fi
export SECINFER_DEPS=/opt/secinfer-deps/usr
export CMAKE_PREFIX_PATH="$SECINFER_DEPS:$SECINFER_DEPS/lib/x86_64-linux-gnu/cmake:${CMAKE_PREFIX_PATH:-}"
export LD_LIBRARY_PATH="$SECINFER_DEPS/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
export BOOST_ROOT="$SECINFER_DEPS"
export SECINFER_SKIP_APT=1
export PATH=/usr/local/cuda/bin:$PATH

# device_build NAME OUT BUILD TARGET...: configures BUILD for sm_90 (Release, CUDA on, no
# benchmarks, no tests unless DEVICE_BUILD_TESTS=ON; CMake < 3.26 does not know nvcc's C++20 flag,
# naming it is harmless on newer ones) and builds TARGETs, logs in OUT/configure.log and
# OUT/build.log. On failure prints the errors naming NAME and returns 2. DEVICE_BUILD_TIMEOUT
# (seconds) bounds the build (default: none).
device_build() {
  local name=$1 out=$2 build=$3
  shift 3
  if ! cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSECINFER_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES=90 -DSECINFER_BUILD_BENCH=OFF \
      -DSECINFER_BUILD_TESTS="${DEVICE_BUILD_TESTS:-OFF}" \
      -DCMAKE_CUDA20_STANDARD_COMPILE_OPTION=-std=c++20 \
      -DCMAKE_CUDA20_EXTENSION_COMPILE_OPTION=-std=c++20 >"$out/configure.log" 2>&1; then
    tail -40 "$out/configure.log"
    echo "$name: configure failed (log: $out/configure.log)"
    return 2
  fi
  local limit=()
  [ -n "${DEVICE_BUILD_TIMEOUT:-}" ] && limit=(timeout "$DEVICE_BUILD_TIMEOUT")
  if ! "${limit[@]}" cmake --build "$build" --target "$@" -j "$(nproc)" >"$out/build.log" 2>&1; then
    grep -E "error|Error" "$out/build.log" | head -40
    echo "$name: build failed${DEVICE_BUILD_TIMEOUT:+ or took over $DEVICE_BUILD_TIMEOUT s} (log: $out/build.log)"
    return 2
  fi
}

# run_cuda_checks BUILD LOG [SPEC]: runs the GPU equivalence checks, the Catch2 cases tagged [cuda]
# of BUILD/tests/test_cuda_equivalence (tests/fss/cuda/gpu_equivalence_test.cpp,
# tests/models/gpu_dealer_run_test.cpp; SPEC, default "[cuda]~[cuda-long]": all but the minutes-long
# bert-base key check, picks cases; N and the seed from SECINFER_GPU_CHECK_LOG2N / _SEED) into
# LOG, and ends
# LOG with `P passed, F failed` (the [PASS] / [FAIL] checks; a case that fails outside them, e.g. no
# GPU or a crash, or no case run, counts as one failure). Returns 0 when nothing failed, else 1.
run_cuda_checks() {
  local build=$1 log=$2 spec=${3:-[cuda]~[cuda-long]} rc passed failed
  # -w NoTests: a SPEC that names no case fails; -d yes: each case's seconds.
  "$build/tests/test_cuda_equivalence" "$spec" -w NoTests -d yes --use-colour no >"$log" 2>&1
  rc=$?
  passed=$(grep -c '^\[PASS\]' "$log")
  failed=$(grep -c '^\[FAIL\]' "$log")
  if [ "$failed" -eq 0 ] && { [ "$rc" -ne 0 ] || [ "$passed" -eq 0 ]; }; then
    failed=1
  fi
  echo "$passed passed, $failed failed" >>"$log"
  [ "$failed" -eq 0 ]
}

# mps_start / mps_stop: NVIDIA's Multi-Process Service for the party processes of this machine
# (MPS=1 in gpu_e2e.sh, gate_ratio.sh, device_ab.sh and host_profile.sh). Without it the two
# parties' processes take turns on the one GPU (time slices: one context's kernels at a time);
# under it their kernels share the GPU at the same time. A control daemon of this machine only:
# the card's compute mode, clocks and other settings are not touched. mps_start starts the daemon
# unless one answers already (then mps_stop leaves it running) and prints what it did; mps_stop
# quits the daemon it started.
mps_started=0
mps_start() {
  if ! command -v nvidia-cuda-mps-control >/dev/null; then
    echo "MPS: nvidia-cuda-mps-control not found; the parties take turns on the GPU"
    return 1
  fi
  if echo get_server_list | nvidia-cuda-mps-control >/dev/null 2>&1; then
    echo "MPS: a control daemon is already running (left as it is)"
    return 0
  fi
  nvidia-cuda-mps-control -d || { echo "MPS: the control daemon did not start"; return 1; }
  mps_started=1
  echo "MPS: control daemon started"
}
# mps_if_asked: mps_start where MPS=1; either way sets gpu_sharing to what the tables print (the
# parties took turns on the GPU, or ran under MPS). Call it outside a pipeline, so that mps_stop
# (a no-op where nothing was started: a script's EXIT trap may call it always) sees what it did.
# shellcheck disable=SC2034 # gpu_sharing: read by the scripts that source this file
mps_if_asked() {
  gpu_sharing="the parties' processes take turns on the GPU (no MPS)"
  [ "${MPS:-0}" = 1 ] || return 0
  mps_start && gpu_sharing="under MPS (the parties' kernels share the GPU)"
}
mps_stop() {
  [ "$mps_started" = 1 ] || return 0
  mps_started=0
  echo quit | nvidia-cuda-mps-control || return 1
  # quit returns before the daemon and its server have exited: wait for them (at most 10 s).
  local i
  for ((i = 0; i < 100; i++)); do
    pgrep -f nvidia-cuda-mps- >/dev/null || { echo "MPS: control daemon stopped"; return 0; }
    sleep 0.1
  done
  echo "MPS: the control daemon is still running 10 s after quit"
  return 1
}
