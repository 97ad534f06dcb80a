#!/usr/bin/env python3
"""scripts/sigma_bytes.py on a real run: bert-tiny under --system sigma on the CPU, whose online
bytes per category must match SIGMA's own figures (GELU exactly, LayerNorm and the total within
1% after our listed deviations, softmax too since its max runs in SIGMA's reduced ring).

usage: sigma_bytes_test.py --secinfer PATH
"""
import os
import subprocess
import sys

from sigma_run import main_on_run

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "sigma_bytes.py")


def check(out):
    cmp = subprocess.run([sys.executable, SCRIPT, os.path.join(out, "breakdown_merged.json")],
                         capture_output=True, text=True)
    print(cmp.stdout, cmp.stderr)
    if cmp.returncode != 0:
        print(f"FAIL: sigma_bytes.py exited {cmp.returncode}")
        return 1
    gelu = [l for l in cmp.stdout.splitlines() if l.startswith("Activation::GELU")]
    if not gelu or "+0.00%" not in gelu[0]:
        print("FAIL: GELU bytes differ from SIGMA's")
        return 1
    soft = [l for l in cmp.stdout.splitlines() if l.startswith("Softmax")]
    if not soft or not soft[0].rstrip().endswith("ok"):
        print("FAIL: softmax bytes are not within the tolerance of SIGMA's")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_on_run(check))
