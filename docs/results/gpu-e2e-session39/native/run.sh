#!/usr/bin/env bash
# Session 39, a CPU trial on this VM (no device), from the repository root:
#   bash docs/results/gpu-e2e-session39/native/run.sh [COMMIT]   (default HEAD)
# The host code built for the build machine's CPU (-march=native -ffp-contract=off in place of
# CMakeLists.txt's -march=x86-64-v2 -maes -mpclmul) against the portable build of the same commit:
# two worktrees, CPU-only Release builds of `secinfer`, then bert-tiny seq 128 fusefss on the CPU,
# 3 runs after 1 warm-up, twice each, alternating. Prints the keygen, the dealer's host time, the
# online median and the outputs' check of every run.
set -euo pipefail
commit=${1:-HEAD}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/portable" >/dev/null 2>&1 || true;
      git worktree remove --force "$work/native" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for side in portable native; do
  git worktree add --detach "$work/$side" "$commit" >/dev/null
  if [ "$side" = native ]; then
    sed -i 's/-march=x86-64-v2 -maes -mpclmul/-march=native -ffp-contract=off/' \
      "$work/$side/CMakeLists.txt"
    grep -q -- "-march=native -ffp-contract=off" "$work/$side/CMakeLists.txt"
  fi
  cmake -S "$work/$side" -B "$work/$side/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSECINFER_CUDA=OFF -DSECINFER_BUILD_TESTS=OFF -DSECINFER_BUILD_BENCH=OFF >/dev/null
  ninja -C "$work/$side/build" secinfer >/dev/null
done
for rep in 1 2; do
  for side in portable native; do
    log="$work/$side-$rep.log"
    "$work/$side/build/bin/secinfer" local --model bert-tiny --seq 128 --system fusefss \
      --backend cpu --runs 3 --warmup 1 --out "$work/$side-$rep" >"$log" 2>&1
    echo "$side $rep: $(grep -h 'offline: keygen' "$log" | cut -d, -f1)" \
      "| $(grep -h 'dealer host time' "$log" | head -1 | sed 's/.*dealer host time per run: //' |
        cut -d';' -f1)" \
      "| online $(grep -h 'total wall ms' "$log" | sed 's/total wall ms: //' | cut -d, -f1)" \
      "| $(grep -h 'cleartext fixed-point' "$log" | head -1 | grep -o '"count":[0-9]*,"differing":[0-9]*')"
  done
done
