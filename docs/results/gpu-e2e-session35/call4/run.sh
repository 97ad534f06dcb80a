#!/usr/bin/env bash
# Session 35, call 4 (device `run` on call 3's warm H100, carry [".deps"]; the command given
# inline, kept here): scripts/gate_ratio.sh under MPS, its default 3 interleaved rounds.
mkdir -p $OUT/g; OUT=$OUT/g MPS=1 timeout 300 bash scripts/gate_ratio.sh > $OUT/gate_ratio_mps.txt 2>&1; echo rc $?; tail -30 $OUT/gate_ratio_mps.txt
