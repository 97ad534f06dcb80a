#!/usr/bin/env python3
"""scripts/gate_ratio_table.py on session 26's device results (tests/fixtures/gate_ratio/: the
online medians of call 3's four rounds, read from its party logs, and the table the device printed
from them): the same table, the ratio of the medians rather than the median of the ratios, a spec
under one suite alone left out of the ratios, and the usage error.

Run: python3 tests/scripts/gate_ratio_table_test.py   (ctest: scripts_gate_ratio_table)
"""
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import fixture, script

import gate_ratio_table

RESULTS = fixture("gate_ratio", "results.tsv")
SCRIPT = script("gate_ratio_table.py")


class GateRatioTableTest(unittest.TestCase):
    def test_device_table(self):
        with open(fixture("gate_ratio", "gate_ratio.md")) as f:
            want = f.read()
        got = subprocess.run([sys.executable, SCRIPT, RESULTS, "4"], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual(got, want)

    def test_ratio_of_medians(self):
        # sigma 10, 30, 20 (median 20) against fusefss 10, 10, 20 (median 10): 2.00x, while the
        # rounds' own ratios are 1.0, 3.0 and 1.0.
        ms = {"g 8": {"sigma": {1: 10.0, 2: 30.0, 3: 20.0}, "fusefss": {1: 10.0, 2: 10.0, 3: 20.0}}}
        table = gate_ratio_table.table(ms, 3)
        self.assertIn("| g 8 | **2.00x** | 1.00x | 3.00x |", table)
        self.assertIn("| g 8 | sigma | 10.0, 30.0, 20.0 | 20.0 |", table)

    def test_one_suite_alone(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.tsv")
            with open(path, "w") as f:
                f.write("1\tg 8 --fusefss-act fused-leaf128\tfusefss\t5.0\n")
            table = gate_ratio_table.table(gate_ratio_table.read(path), 1)
        self.assertIn("| g 8 --fusefss-act fused-leaf128 | fusefss | 5.0 | 5.0 |", table)
        self.assertNotIn("**", table)

    def test_usage(self):
        r = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: gate_ratio_table.py RESULTS ROUNDS", r.stderr)


if __name__ == "__main__":
    unittest.main()
