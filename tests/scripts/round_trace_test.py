#!/usr/bin/env python3
"""scripts/round_trace.py on traces written here (the layout `secinfer microbench` writes:
openings-p0.json, openings-p1.json): the phases of each opening from its four times, the gap from
the run's start or the previous opening's end, the median run by party 0's run time (warm-ups
left out), --run and --all, and clear errors with exit 2 for a missing folder, traces of
different runs and a --run past the end.

Run: python3 tests/scripts/round_trace_test.py   (ctest: scripts_round_trace)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import script

import round_trace

SCRIPT = script("round_trace.py")
MS = 1_000_000


def opening(start, pack, xchg, unpack, nbytes):
    """An opening that starts at `start` ms and spends the given ms in each phase."""
    s = start * MS
    return {"start_ns": s, "packed_ns": s + pack * MS, "exchanged_ns": s + (pack + xchg) * MS,
            "unpacked_ns": s + (pack + xchg + unpack) * MS, "bytes": nbytes}


def run(begin, length, openings, warmup=False):
    return {"warmup": warmup, "begin_ns": begin * MS, "end_ns": (begin + length) * MS,
            "openings": openings}


def write_traces(folder, runs0, runs1):
    for party, runs in ((0, runs0), (1, runs1)):
        with open(os.path.join(folder, f"openings-p{party}.json"), "w") as f:
            json.dump({"party": party, "gate": "trunc-gelu", "system": "fusefss", "n": 4096,
                       "runs": runs}, f)


# Party 0: a warm-up, then measured runs of 10, 30 and 20 ms (median 20: the third).
P0 = [run(0, 50, [opening(1, 1, 1, 1, 8)], warmup=True),
      run(100, 10, [opening(102, 1, 2, 1, 8), opening(107, 1, 1, 1, 64)]),
      run(200, 30, [opening(203, 1, 2, 1, 8), opening(210, 1, 1, 1, 64)]),
      run(300, 20, [opening(304, 2, 3, 1, 8), opening(312, 1, 4, 1, 64)])]
P1 = [run(0, 50, [opening(1, 1, 1, 1, 8)], warmup=True),
      run(100, 10, [opening(101, 2, 2, 1, 8), opening(107, 1, 1, 1, 64)]),
      run(200, 30, [opening(202, 2, 2, 1, 8), opening(210, 1, 1, 1, 64)]),
      run(300, 20, [opening(303, 4, 1, 1, 8), opening(313, 2, 2, 1, 64)])]


class RoundTraceTest(unittest.TestCase):
    def test_phases_and_median(self):
        self.assertEqual(round_trace.phases(P0[3]), [(4.0, 2.0, 3.0, 1.0), (2.0, 1.0, 4.0, 1.0)])
        measured = round_trace.measured({"runs": P0})
        self.assertEqual(len(measured), 3)
        self.assertEqual(round_trace.median_run(measured), 2)  # the 20 ms run

    def test_table(self):
        with tempfile.TemporaryDirectory() as d:
            write_traces(d, P0, P1)
            out = subprocess.run([sys.executable, SCRIPT, d], check=True, capture_output=True,
                                 text=True).stdout
        self.assertIn("trunc-gelu fusefss n=4096", out)
        self.assertIn("measured run 3 of 3 (party 0's median run time)", out)
        # Opening 1: P0 gap 4, pack 2, exchange 3, unpack 1; P1 gap 3, 4, 1, 1; P1's exchange
        # ends at 308 ms, P0's at 309.
        self.assertIn("| 1 | 8 | 4.000 | 2.000 | 3.000 | 1.000 | 3.000 | 4.000 | 1.000 | 1.000 "
                      "| -1.000 |", out)
        self.assertIn("| sum | | 6.000 | 3.000 | 7.000 | 2.000 | 7.000 | 6.000 | 3.000 | 2.000 "
                      "| |", out)
        self.assertIn("run: P0 20.000 ms, P1 20.000 ms; after the last opening P0 2.000 ms, "
                      "P1 2.000 ms", out)

    def test_run_and_all(self):
        with tempfile.TemporaryDirectory() as d:
            write_traces(d, P0, P1)
            one = subprocess.run([sys.executable, SCRIPT, d, "--run", "1"], check=True,
                                 capture_output=True, text=True).stdout
            every = subprocess.run([sys.executable, SCRIPT, d, "--all"], check=True,
                                   capture_output=True, text=True).stdout
        self.assertIn("measured run 1 of 3\n", one)
        self.assertIn("| 2 | 64 |", one)
        self.assertEqual(every.count("measured run "), 3)

    def test_errors(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([sys.executable, SCRIPT, d], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("cannot read the traces", r.stderr)
            self.assertIn("secinfer microbench", r.stderr)
            short = P1[:3] + [dict(P1[3], openings=P1[3]["openings"][:1])]
            write_traces(d, P0, short)
            r = subprocess.run([sys.executable, SCRIPT, d], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("party 0 traced 2 openings, party 1 1: not the same run", r.stderr)
            write_traces(d, P0, P1[:2])
            r = subprocess.run([sys.executable, SCRIPT, d], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("party 0 traced 3 measured runs, party 1 1", r.stderr)
            write_traces(d, P0, P1)
            r = subprocess.run([sys.executable, SCRIPT, d, "--run", "4"], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--run 4: the trace has measured runs 1 to 3", r.stderr)


if __name__ == "__main__":
    unittest.main()
