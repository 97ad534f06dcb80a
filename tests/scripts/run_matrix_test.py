#!/usr/bin/env python3
"""scripts/run_matrix.sh resumes: a runner killed mid-matrix, started again, finishes without
redoing finished settings (ok or oom), and redoes the one it cut; BUDGET_S stops it with exit 3
and the settings left, which the next call runs. The runs are a stand-in for `secinfer local`
(a script that writes the merged breakdown's status and logs each call), so the test takes
seconds.

Run: python3 tests/scripts/run_matrix_test.py   (ctest: scripts_run_matrix)
"""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from script_paths import script

SCRIPT = script("run_matrix.sh")

# `secinfer local ... --out DIR`: logs "model seq batch system" to $CALLS, sleeps $SLEEP_<model>
# seconds, then writes DIR/breakdown_merged.json; model "huge" is recorded as oom (exit 5),
# model "broken" fails without a breakdown (exit 1).
FAKE = r"""#!/usr/bin/env bash
model= seq= batch= system= out=
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --seq) seq=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --system) system=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) shift ;;
  esac
done
echo "$model $seq $batch $system" >> "$CALLS"
var="SLEEP_${model//-/_}"
sleep "${!var:-0}"
mkdir -p "$out"
case "$model" in
  huge) echo '{"status": "oom", "reason": "needs 2 TiB"}' > "$out/breakdown_merged.json"
        echo "[error] needs 2 TiB" >&2; exit 5 ;;
  broken) echo "[error] broken on purpose" >&2; exit 1 ;;
esac
echo '{"status": "ok"}' > "$out/breakdown_merged.json"
echo "ok $model"
"""


class RunMatrixTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.fake = os.path.join(d, "secinfer")
        with open(self.fake, "w") as f:
            f.write(FAKE)
        os.chmod(self.fake, 0o755)
        self.calls = os.path.join(d, "calls.txt")
        self.out = os.path.join(d, "results")
        self.config = os.path.join(d, "matrix.json")

    def tearDown(self):
        self.tmp.cleanup()

    def write_config(self, models, seq=(32,), batch=(1, 2)):
        with open(self.config, "w") as f:
            json.dump({"models": list(models), "seq": list(seq), "batch": list(batch),
                       "system": ["sigma"], "padding": ["on"], "runs": 1, "warmup": 0}, f)

    def env(self, **extra):
        e = dict(os.environ, SECINFER_BIN=self.fake, CALLS=self.calls, REPORT="0")
        e.update({k: str(v) for k, v in extra.items()})
        return e

    def calls_of(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return [line.strip() for line in f if line.strip()]

    def run_matrix(self, **extra):
        return subprocess.run(["bash", SCRIPT, self.config, self.out], env=self.env(**extra),
                              capture_output=True, text=True, timeout=120)

    def test_killed_runner_resumes_without_redoing_finished_settings(self):
        # a (ok), huge (oom), slow (killed while it runs), b (never started), each at batch 1, 2.
        self.write_config(["a", "huge", "slow", "b"], batch=(1,))
        p = subprocess.Popen(["bash", SCRIPT, self.config, self.out],
                             env=self.env(SLEEP_slow=30), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.time() + 60
        while "slow 32 1 sigma" not in self.calls_of():
            self.assertLess(time.time(), deadline, "the runner never reached the slow setting")
            time.sleep(0.05)
        os.killpg(p.pid, signal.SIGKILL)  # the runner and its run, mid-setting
        p.communicate()
        self.assertEqual(self.calls_of(), ["a 32 1 sigma", "huge 32 1 sigma", "slow 32 1 sigma"])

        r = self.run_matrix(SLEEP_slow=0)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # a and huge (ok, oom) are not run again; slow is redone; b runs once.
        self.assertEqual(self.calls_of(), ["a 32 1 sigma", "huge 32 1 sigma", "slow 32 1 sigma",
                                           "slow 32 1 sigma", "b 32 1 sigma"])
        self.assertEqual(r.stdout.count("finished before: skipped"), 2)
        self.assertIn("4 settings finished (2 before this call", r.stdout)

        # A third call has nothing left to do.
        r = self.run_matrix()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(self.calls_of()), 5)
        self.assertIn("4 settings finished (4 before this call", r.stdout)

    def test_failed_settings_are_redone_and_reported(self):
        self.write_config(["broken", "a"], batch=(1,))
        r = self.run_matrix()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("failed (exit 1): [error] broken on purpose", r.stdout)
        r = self.run_matrix()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.calls_of(), ["broken 32 1 sigma", "a 32 1 sigma",
                                           "broken 32 1 sigma"])

    def test_budget_stops_and_the_next_call_goes_on(self):
        # Two settings of 8 s each under a 3 s budget: the first is cut, the second not started.
        self.write_config(["slow"], batch=(1, 2))
        r = self.run_matrix(SLEEP_slow=8, BUDGET_S=3)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("cut at the 3 s budget", r.stdout)
        self.assertIn("not started: the 3 s budget is spent", r.stdout)
        self.assertIn("2 left for the next call", r.stdout)
        r = self.run_matrix(SLEEP_slow=0, BUDGET_S=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.calls_of(), ["slow 32 1 sigma", "slow 32 1 sigma", "slow 32 2 sigma"])
        with open(os.path.join(self.out, "slow-s32-b2-sigma-padon", "breakdown_merged.json")) as f:
            self.assertEqual(json.load(f)["status"], "ok")


if __name__ == "__main__":
    unittest.main()
