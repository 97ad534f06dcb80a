#!/usr/bin/env bash
# Registers, stack frame and spills of each kernel of one CUDA file, as ptxas reports them for the
# build's own compile command (sm_90, the project's flags) with -Xptxas -v added. Needs nvcc, not
# a GPU:
#   bash scripts/ptxas_report.sh fss/cuda/sigma_dcf.cu [BUILD_DIR] [FILTER]
# BUILD_DIR (default build-cuda) is configured with CUDA (cmake -S . -B build-cuda -G Ninja
# -DCMAKE_BUILD_TYPE=Release -DSECINFER_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90); FILTER (a grep
# pattern, default all) picks kernels by their mangled names. Prints a Markdown table: kernel,
# registers, stack frame bytes, spill store / load bytes. Exit 2 on a bad argument or when the
# file has no compile command in BUILD_DIR, 1 when nvcc fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
src=${1:?usage: ptxas_report.sh FILE.cu [BUILD_DIR] [FILTER]}
build=${2:-build-cuda}
filter=${3:-.}
[ -f "$src" ] || { echo "ptxas_report.sh: no file $src" >&2; exit 2; }
[ -f "$build/build.ninja" ] || { echo "ptxas_report.sh: $build is not a configured Ninja build" >&2; exit 2; }
cmd=$(ninja -C "$build" -t commands | grep -F -- "-c $PWD/$src " | grep nvcc | head -1)
[ -n "$cmd" ] || { echo "ptxas_report.sh: no nvcc command for $src in $build" >&2; exit 2; }
obj=$(mktemp --suffix=.o)
trap 'rm -f "$obj"' EXIT
# The build's command, its object and depfile replaced by a scratch object.
cmd=$(echo "$cmd" | sed -E 's/ -MD -MT [^ ]+ -MF [^ ]+//; s/ -o [^ ]+/ -o '"${obj//\//\\/}"'/')
log=$(cd "$build" && eval "$cmd -Xptxas -v" 2>&1) || { echo "$log" >&2; exit 1; }
echo "| kernel | registers | stack frame B | spill stores / loads B |"
echo "|---|---:|---:|---:|"
echo "$log" | awk -v filter="$filter" '
  /Function properties for/ { name = $NF; getline; stack = $1; st = $5; ld = $9; next }
  /Used [0-9]+ registers/ && name != "" {
    for (i = 1; i <= NF; ++i) if ($(i + 1) == "registers,") regs = $i
    if (name ~ filter) printf "| %s | %s | %s | %s / %s |\n", name, regs, stack, st, ld
    name = ""
  }'
