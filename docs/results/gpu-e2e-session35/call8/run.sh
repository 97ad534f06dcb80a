#!/usr/bin/env bash
# Session 35, call 8 (device `run` on the same warm H200, carry [".deps"]; the command given
# inline, kept here): scripts/gate_ratio.sh with 5 interleaved rounds, under MPS (m) then taking
# turns (p).
for r in m p; do M=1; [ $r = p ] && M=0; mkdir -p $OUT/$r; OUT=$OUT/$r MPS=$M ROUNDS=5 timeout 120 bash scripts/gate_ratio.sh > $OUT/gate_ratio_$r.txt 2>&1; echo "$r rc $?"; done; grep -A12 "^# fusefss" $OUT/gate_ratio_m.txt $OUT/gate_ratio_p.txt | grep "|"
