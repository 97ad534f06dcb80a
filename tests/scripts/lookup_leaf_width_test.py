#!/usr/bin/env python3
"""scripts/lookup_leaf_width.py: its 128-bit rows are the fused lookups on SIGMA's leaves (the AES a key
that the kept-node counts of tests/fss/gates/fusefss/trunc_act_test.cpp give, GELU 2 (1 + 12.7 -
5.8), SiLU 2 (1 + 31.0 - 12.7); fss/dpf_et.cpp's key bytes at k = 11 and 13); a wider leaf needs
fewer AES and more key bytes; bad widths exit 2 with a message.

Run: python3 tests/scripts/lookup_leaf_width_test.py   (ctest: scripts_lookup_leaf_width)
"""
import subprocess
import sys
import unittest

from script_paths import script

import lookup_leaf_width as llw

SCRIPT = script("lookup_leaf_width.py")


class LookupLeafWidthTest(unittest.TestCase):
    def test_today(self):
        rows = {(r[0], r[1]): r for r in llw.table([128, 512])}
        # The gates' 512-bit leaves: the counts trunc_act_test makes on real keys.
        self.assertAlmostEqual(rows[("trunc-gelu", 512)][3], 7.8, delta=0.15)
        self.assertAlmostEqual(rows[("trunc-silu", 512)][3], 20.7, delta=0.15)
        self.assertEqual(rows[("trunc-silu", 512)][4], 195)
        self.assertAlmostEqual(rows[("trunc-gelu", 128)][3], 15.8, delta=0.15)
        self.assertAlmostEqual(rows[("trunc-silu", 128)][3], 38.6, delta=0.15)
        self.assertEqual(rows[("trunc-gelu", 128)][4], 99)
        self.assertEqual(rows[("trunc-silu", 128)][4], 133)
        self.assertEqual(rows[("trunc-silu", 128)][2], 6)
        for gate in ("trunc-gelu", "trunc-silu"):
            self.assertLess(rows[(gate, 512)][3], rows[(gate, 128)][3])
            self.assertGreater(rows[(gate, 512)][4], rows[(gate, 128)][4])

    def test_one_rotation(self):
        # Rotation 0 (k = 13, 128-bit leaves, 64 of them): the positive arc is leaves 0-5 of the
        # e = 1, d = 1 quarter, the negative one leaves 10-15 of the e = 1, d = 0 quarter. Kept:
        # the root, the e = 1 half, both quarters, one eighth each, pairs of four (0-3, 4-7 and
        # 8-11, 12-15), three pairs each.
        self.assertEqual(llw.aes_per_key(13, 11, 683, 128, 0), 2 * (1 + 1 + 2 + 2 + 4 + 6))

    def test_bad_widths(self):
        for bad in ("100", "128,x"):
            r = subprocess.run([sys.executable, SCRIPT, "--widths", bad], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("lookup_leaf_width.py:", r.stderr)


if __name__ == "__main__":
    unittest.main()
