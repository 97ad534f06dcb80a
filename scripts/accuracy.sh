#!/usr/bin/env bash
# Regenerates docs/accuracy.md: max ULP error per nonlinear function of both gate suites over their
# whole input domains, and the fusefss compiler's parameters (m, d, n, f, ...) per function.
# It builds test_gates and runs its hidden Catch2 test "[.accuracy]", which writes
# secinfer::fss::compile::accuracy_report() to $SECINFER_ACCURACY_OUT.
# Usage: scripts/accuracy.sh [output path, default docs/accuracy.md]   (BUILD_DIR: default build)
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-docs/accuracy.md}")"
build="${BUILD_DIR:-build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target test_gates -j "$(nproc 2>/dev/null || echo 2)"
mkdir -p "$(dirname "$out")"
SECINFER_ACCURACY_OUT="$out" "$build/tests/test_gates" "[.accuracy]"
echo "wrote $out"
