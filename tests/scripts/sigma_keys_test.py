#!/usr/bin/env python3
"""scripts/sigma_keys.py on a real run: bert-tiny under --system sigma on the CPU. The script's model
of SIGMA's key bytes must reproduce GPU-MPC's measured key file (exit 0), from the merged breakdown
and from party 1's log alike, and print the per-scope table and the total lines; with the default
--sigma-shares words our keys are within 5% of SIGMA's measured ones.

usage: sigma_keys_test.py --secinfer PATH
"""
import os
import subprocess
import sys

from sigma_run import main_on_run

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "sigma_keys.py")
LINES = ["total ours (party 1):", "total SIGMA measured:", "total SIGMA model:",
         "shares stored in SIGMA's words (--sigma-shares words)", "within 5% of SIGMA's measured: yes",
         "model explains SIGMA's measured key bytes (within 1 %): yes"]


def check(out):
    totals = []
    for log in ("breakdown_merged.json", "p1.json"):
        cmp = subprocess.run([sys.executable, SCRIPT, os.path.join(out, log)],
                             capture_output=True, text=True)
        print(cmp.stdout, cmp.stderr)
        if cmp.returncode != 0:
            print(f"FAIL: sigma_keys.py {log} exited {cmp.returncode}")
            return 1
        missing = [l for l in LINES if l not in cmp.stdout]
        if missing:
            print(f"FAIL: sigma_keys.py {log} printed no line {missing}")
            return 1
        groups = [l for l in cmp.stdout.splitlines() if l.split(" ")[0] in
                  ("Linear/matmul", "TruncRescale", "Softmax/max", "Softmax/nexp", "Softmax/inv",
                   "Softmax/normalise", "LayerNorm", "Activation::GELU", "Misc")]
        if len(groups) != 9:
            print(f"FAIL: sigma_keys.py {log}: {len(groups)} scope rows, want 9")
            return 1
        totals.append([l for l in cmp.stdout.splitlines() if l.startswith("total ours")][0])
    if totals[0] != totals[1]:
        print(f"FAIL: the merged breakdown and p1.json give different totals: {totals}")
        return 1
    bad = subprocess.run([sys.executable, SCRIPT, os.path.join(out, "p1.json.missing")],
                         capture_output=True, text=True)
    if bad.returncode != 2:
        print(f"FAIL: a missing file gave exit {bad.returncode}, want 2")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_on_run(check))
