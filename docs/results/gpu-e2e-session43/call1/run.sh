#!/usr/bin/env bash
# Session 43, call 1 (device `run`, one GPU, carry [".deps"]), from the repository root:
#   bash docs/results/gpu-e2e-session43/call1/run.sh
# The fused truncation + activation gates with the lookup opened in w bits
# (fss/gates/fusefss/narrow_lookup.h):
# 1. scripts/gpu_check.sh --no-long --no-bench: the [cuda] checks at 2^18 (the fused gates' GPU
#    outputs equal to the CPU's and to the cleartext face).
# 2. scripts/gate_ratio.sh under MPS, then taking turns (MPS=0), trunc-gelu 393,216 and trunc-silu
#    1,409,024 (SPECS: gate_ratio.sh's default unless set), ROUNDS rounds (default 3).
# 3. If USER_S (default 230) seconds of CALL_S (default 580) are left: the user's command under
#    fusefss (scripts/user_command.sh, seq 512, batch 8, taking turns), capped to what is left.
set -uo pipefail
start=$(date +%s)
out="${OUT:-$PWD/out/call1}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
OUT="$out/check" timeout 300 bash scripts/gpu_check.sh --no-long --no-bench >"$out/check.log" 2>&1
echo "gpu_check: rc $? ($(($(date +%s) - start)) s)"
tail -4 "$out/check.log"
grep -E "FAILED|failed" "$out/check.log" | head -20 || true
tar czf "$out/check.tgz" -C "$out/check" . 2>/dev/null && rm -rf "$out/check"
for mps in 1 0; do
  left=$((${CALL_S:-580} - ($(date +%s) - start)))
  [ "$left" -gt 90 ] || break
  OUT="$out/gates-mps$mps" MPS=$mps ROUNDS="${ROUNDS:-3}" timeout "$left" \
    bash scripts/gate_ratio.sh >"$out/gates-mps$mps.log" 2>&1
  echo "gate_ratio MPS=$mps: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/gates-mps$mps/gate_ratio.md" 2>/dev/null || tail -20 "$out/gates-mps$mps.log"
done
left=$((${CALL_S:-580} - ($(date +%s) - start)))
if [ "$left" -gt "${USER_S:-230}" ]; then
  OUT="$out/user-fusefss" SYSTEM=fusefss CAP=$((left - 15)) bash scripts/user_command.sh \
    >"$out/user-fusefss.log" 2>&1
  echo "user_command fusefss: rc $? ($(($(date +%s) - start)) s)"
  cat "$out/user-fusefss/summary.txt" 2>/dev/null || tail -20 "$out/user-fusefss.log"
else
  echo "user_command fusefss: skipped, $left s left"
fi
