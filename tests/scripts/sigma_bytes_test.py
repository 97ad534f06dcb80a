#!/usr/bin/env python3
"""scripts/sigma_bytes.py on a real run: bert-tiny under --system sigma on the CPU, whose online
bytes per category must match SIGMA's own figures (GELU exactly, LayerNorm and the total within
1% after our listed deviations, softmax too since its max runs in SIGMA's reduced ring).

usage: sigma_bytes_test.py --secinfer PATH
"""
import argparse
import os
import subprocess
import sys
import tempfile

from sigma_run import run_bert_tiny_sigma

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "sigma_bytes.py")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secinfer", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "run")
        if not run_bert_tiny_sigma(a.secinfer, out):
            return 1
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
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
