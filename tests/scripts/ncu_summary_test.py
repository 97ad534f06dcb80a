#!/usr/bin/env python3
"""scripts/ncu_summary.py on a fixture in Nsight Compute's per-kernel summary format
(tests/fixtures/ncu/per_kernel.txt, two party processes): launches and times summed per kernel
name across grid shapes, units converted, names stripped of namespaces, templates and parameters,
and the exit status when the two processes disagree.

Run: python3 tests/scripts/ncu_summary_test.py   (ctest: scripts_ncu_summary)
"""
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import fixture, script

import ncu_summary

FIXTURE = fixture("ncu", "per_kernel.txt")
SCRIPT = script("ncu_summary.py")


class NcuSummaryTest(unittest.TestCase):
    def test_names(self):
        self.assertEqual(ncu_summary.short_name(
            "secinfer::<unnamed>::combine_kernel(vec::CombineParams, unsigned long *)"),
            "combine_kernel")
        self.assertEqual(ncu_summary.short_name(
            "void secinfer::<unnamed>::dpf_et_lut_planes_kernel<secinfer::RepTe0Tab, 1, 1>"
            "(secinfer::DpfEtKeysView)"), "dpf_et_lut_planes_kernel")
        self.assertEqual(ncu_summary.short_name(
            "void cub::DeviceRadixSortOnesweepKernel<cub::policy_hub<unsigned long>::Policy1000, "
            "0>(T7 *)"), "DeviceRadixSortOnesweepKernel")

    def test_sums_per_process(self):
        with open(FIXTURE) as f:
            procs = ncu_summary.parse(f.read())
        self.assertEqual(list(procs), ["101", "102"])
        first = procs["101"]
        # Two grid shapes of one kernel add up: 3 x 4 us + 2 x 10 us.
        self.assertEqual(first["combine_kernel"][0], 5)
        self.assertAlmostEqual(first["combine_kernel"][1], 32.0)
        self.assertAlmostEqual(first["dpf_et_lut_planes_kernel"][1], 1500.0)  # ms -> us
        self.assertAlmostEqual(first["DeviceRadixSortOnesweepKernel"][1], 1.0)  # ns -> us
        self.assertAlmostEqual(procs["102"]["combine_kernel"][1], 20.0)

    def test_table_and_exit_status(self):
        # The processes' totals are within 5% (1,533 against 1,550 us): exit 0, the first
        # process's table ordered by time.
        run = subprocess.run([sys.executable, SCRIPT, FIXTURE, "--title", "t"],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.splitlines()
        self.assertIn("### t", lines)
        rows = [l for l in lines if l.startswith("| ") and not l.startswith("| kernel |")]
        self.assertTrue(rows[0].startswith("| dpf_et_lut_planes_kernel | 1 | 1,500.0 |"), rows)
        self.assertIn("8 launches, 1.533 ms", run.stdout)
        self.assertIn("(1.533 ms evaluating, 0.000 ms the dealer's keys and shares)", run.stdout)
        self.assertTrue(ncu_summary.is_keygen("sigma_dcf_gen_kernel"))
        self.assertFalse(ncu_summary.is_keygen("sigma_dcf_eval_kernel"))
        self.assertTrue(ncu_summary.is_keygen("seeded_shares_kernel"))
        self.assertTrue(ncu_summary.is_keygen("live_entries_add_kernel"))
        self.assertFalse(ncu_summary.is_keygen("combine_kernel"))
        # A second process far off: exit 1.
        with open(FIXTURE) as f:
            text = f.read().replace("ms    1.53    1.53    1.53", "ms    3.00    3.00    3.00")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as t:
            t.write(text)
        try:
            run = subprocess.run([sys.executable, SCRIPT, t.name], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
        finally:
            os.unlink(t.name)
        # No summary at all: exit 1 with a message.
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as t:
            t.write("no kernels here\n")
        try:
            run = subprocess.run([sys.executable, SCRIPT, t.name], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
            self.assertIn("no per-kernel summary", run.stderr)
        finally:
            os.unlink(t.name)


if __name__ == "__main__":
    unittest.main()
