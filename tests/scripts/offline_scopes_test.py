#!/usr/bin/env python3
"""scripts/offline_scopes.py on a fixture merged breakdown (tests/fixtures/offline/): the scopes
ordered by the larger party's keygen time (ties by path), cut to --top, key bytes in GiB, each
party's keygen a run in the header, and a clear error and exit 2 for a file without
offline_scopes.

Run: python3 tests/scripts/offline_scopes_test.py   (ctest: scripts_offline_scopes)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import fixture, script

import offline_scopes

FIXTURE = fixture("offline", "breakdown_merged.json")
SCRIPT = script("offline_scopes.py")


class OfflineScopesTest(unittest.TestCase):
    def test_order_and_cut(self):
        with open(FIXTURE) as f:
            merged = json.load(f)
        keygen, rows = offline_scopes.top_scopes(merged, 3)
        self.assertEqual(keygen, (25.0, 30.0))
        # 12.5 (a tie, by path), 12.5, then 8.0; Misc (2.0) is cut.
        self.assertEqual([r[0] for r in rows], ["Linear/matmul", "Softmax/max", "TruncRescale"])
        self.assertEqual(rows[0][1:], (10.0, 12.5, 0.5, 0.5))
        self.assertEqual(rows[2][3:], (2.0, 2.0))

    def test_table(self):
        out = subprocess.run([sys.executable, SCRIPT, FIXTURE, "--top", "2"], check=True,
                             capture_output=True, text=True).stdout
        self.assertIn("keygen a run P0 25.0 ms, P1 30.0 ms", out)
        self.assertIn("| Linear/matmul | 10.0 | 12.5 | 0.50 | 0.50 |", out)
        self.assertIn("| Softmax/max | 3.0 | 12.5 | 0.00 | 0.00 |", out)
        self.assertNotIn("TruncRescale", out)
        self.assertNotIn("model input", out)  # the fixture's run predates it

    def test_model_input_line(self):
        with open(FIXTURE) as f:
            merged = json.load(f)
        merged["offline"]["model_input"] = {"ms": {"p0": 812.25, "p1": 400.0, "max": 812.25}}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "breakdown_merged.json")
            with open(path, "w") as f:
                json.dump(merged, f)
            out = subprocess.run([sys.executable, SCRIPT, path], check=True, capture_output=True,
                                 text=True).stdout
        self.assertIn("model input (once, before the runs): P0 812.2 ms, P1 400.0 ms", out)

    def test_not_a_merged_breakdown(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "p0.json")
            with open(bad, "w") as f:
                json.dump({"schema": "secinfer.party/1"}, f)
            r = subprocess.run([sys.executable, SCRIPT, bad], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("has no offline_scopes", r.stderr)
            r = subprocess.run([sys.executable, SCRIPT, FIXTURE, "--top", "0"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
