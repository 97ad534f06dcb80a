"""The bert-tiny `--system sigma` CPU run that tests/scripts/sigma_{bytes,keys}_test.py check."""
import argparse
import os
import subprocess
import tempfile


def run_bert_tiny_sigma(secinfer, out):
    """Runs it into `out`; True when it exited 0 (else prints its stderr's tail and why)."""
    run = subprocess.run([secinfer, "local", "--model", "bert-tiny", "--seq", "128", "--batch", "1",
                          "--system", "sigma", "--backend", "cpu", "--runs", "1", "--warmup", "0",
                          "--out", out], capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        print(run.stderr[-3000:])
        print(f"FAIL: secinfer local exited {run.returncode}")
    return run.returncode == 0


def main_on_run(check):
    """A test's main: --secinfer PATH, the run in a temporary folder, then check(out), which returns
    the exit status (0: prints PASS)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--secinfer", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "run")
        rc = check(out) if run_bert_tiny_sigma(a.secinfer, out) else 1
    if rc == 0:
        print("PASS")
    return rc
