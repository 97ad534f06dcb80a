#!/usr/bin/env bash
# Session 40: the old and new compile_instance compared (docs/perf.md "Session 40"), from the
# repository root after a CPU build of the libraries (BUILD, default build):
#   bash docs/results/gpu-e2e-session40/instance_compare/run.sh
# Cuts the old function out of 3936958~1's fss/compile/instance.cpp (renamed compile_instance_old,
# its padded_* helpers and the shared-mask functions left out), builds compare.cpp against the
# tree's libraries and runs it: "instances 62860, differing 0" at 3936958.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
build=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git show 3936958~1:fss/compile/instance.cpp >"$work/old.cpp"
python3 - "$work/old.cpp" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s[:s.index("std::size_t padded_thresholds")] + s[s.index("InstanceKey compile_instance("):]
s = s[:s.index("bool supports_shared_mask")] + "}  // namespace secinfer::fss::compile\n"
open(p, "w").write(s.replace("InstanceKey compile_instance(", "InstanceKey compile_instance_old("))
PY
g++ -O2 -std=c++20 -march=x86-64-v2 -maes -mpclmul -I. "$here/compare.cpp" "$work/old.cpp" \
  "$build/models/libsecinfer_gates.a" "$build/fss/libsecinfer_fss_core.a" -lpthread -o "$work/compare"
"$work/compare"
