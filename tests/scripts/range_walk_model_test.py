#!/usr/bin/env python3
"""scripts/range_walk_model.py: three walks cost 3 x 30 AES; the shared walk's own count lies
below a warp's, which sorting the keys or one loop a lane brings down; a point that parts at the
root walks every level, one that never parts none; bad arguments exit 2 with a message.

Run: python3 tests/scripts/range_walk_model_test.py   (ctest: scripts_range_walk_model)
"""
import subprocess
import sys
import unittest

from script_paths import script

import range_walk_model as rwm

SCRIPT = script("range_walk_model.py")


class RangeWalkModelTest(unittest.TestCase):
    def test_order(self):
        for _, c in rwm.GATES:
            m = rwm.model(c, 50, 3)
            self.assertEqual(m["three walks"], 90)
            self.assertLess(m["one lane"], m["warp"])
            self.assertLessEqual(m["warp, sorted"], m["warp"])
            self.assertLessEqual(m["warp, one loop"], m["warp"])
            self.assertGreaterEqual(m["warp, sorted"], m["one lane"] - 0.5)
            self.assertLess(m["warp"], m["three walks"])

    def test_one_key(self):
        # x = 0, c = 64: x - c wraps to 2^37 - 64 and parts at the root (30 own levels); x + c = 64
        # differs below the leaf only (no level of its own).
        rows = rwm.needs(0, 64)
        self.assertEqual(rwm.lane_aes(rows), 60)
        self.assertEqual(rwm.parting(rows), (0, 30))

    def test_bad_warps(self):
        r = subprocess.run([sys.executable, SCRIPT, "--warps", "0"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("range_walk_model.py:", r.stderr)


if __name__ == "__main__":
    unittest.main()
