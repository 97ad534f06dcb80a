#!/usr/bin/env python3
"""scripts/stack_callers.py on a hand-written collapsed-stacks file: only stacks holding every
--within frame count, a leaf's samples go to its nearest caller frames, frames lose their argument
lists and addresses, and gzip input reads as plain.

Run: python3 tests/scripts/stack_callers_test.py   (ctest: scripts_stack_callers)
"""
import contextlib
import gzip
import io
import os
import tempfile
import unittest

from script_paths import script  # noqa: F401 (puts scripts/ on sys.path)

import stack_callers

STACKS = """\
main;secinfer::Layer::run();secinfer::DealerOps::unary(int);secinfer::split(std::span<int>)<0000000000abcdef>;memset 7
main;secinfer::Layer::run();secinfer::DealerOps::unary(int);secinfer::(anonymous namespace)::pack(int) [clone .isra.0];memset 3
main;secinfer::Layer::run();secinfer::DealerOps::unary(int);secinfer::aes(int) 10
main;secinfer::Load::weights();secinfer::DealerOps::input(int);memset 50
main;secinfer::Layer::run();secinfer::PartyOps::gelu(int);memset 20
"""


class StackCallersTest(unittest.TestCase):
    def run_tool(self, path, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(stack_callers.main([path, *args]), 0)
        return out.getvalue()

    def test_callers_within(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "stacks.txt.gz")
            with gzip.open(path, "wt") as f:
                f.write(STACKS)
            got = self.run_tool(path, "--within", "Layer::run", "--within", "DealerOps",
                                "--leaf", "memset", "--depth", "2")
        lines = got.splitlines()
        self.assertIn("10 of 20 samples", lines[0])
        self.assertIn("(50.0%)", lines[0])
        self.assertEqual(lines[1].split(), ["7", "35.0%", "secinfer::split", "<-",
                                            "secinfer::DealerOps::unary"])
        self.assertEqual(lines[2].split(), ["3", "15.0%", "secinfer::::pack", "<-",
                                            "secinfer::DealerOps::unary"])
        self.assertEqual(len(lines), 3)

    def test_short_name(self):
        self.assertEqual(
            stack_callers.short_name("ns::f(std::span<int>)::{lambda(int)#2}::operator()(int) "
                                     "const<00000000002864d0>"),
            "ns::f::{lambda#2}::operator const")


if __name__ == "__main__":
    unittest.main()
