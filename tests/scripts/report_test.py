#!/usr/bin/env python3
"""scripts/report.py's arithmetic on fixture breakdowns with round numbers: the share table
(nonlinear and linear shares of the online time per suite), the Amdahl table (f, s from the scopes
or from microbenchmark files, predicted 1 / ((1 - f) + f / s), measured, their difference), the
padding table (fusefss padding off against on), the reconciliation sentence, and the summary's
per-run keygen and model input. A setting that ran out of memory is listed but never paired.

Run: python3 tests/scripts/report_test.py   (ctest: scripts_report)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import script

SCRIPT = script("report.py")


def merged(system, padding, scopes, bytes_total, status="ok", seq=128):
    """A merged breakdown with the fields report.py reads: scopes {path: (ms, bytes, rounds)}."""
    return {
        "schema": "secinfer.breakdown/1", "status": status,
        "config": {"model": "bert-base", "seq": seq, "batch": 1, "system": system,
                   "padding": padding, "backend": "cuda"},
        "total": {"wall_ms": {"median": sum(v[0] for v in scopes.values())},
                  "bytes": bytes_total, "rounds": sum(v[2] for v in scopes.values())},
        "offline": {"keygen_ms": 2000.0, "key_bytes": {"p0": 10, "p1": 12}, "bytes": 0,
                    "model_input": {"ms": {"p0": 500.0, "p1": 300.0, "max": 500.0},
                                    "bytes_sent": {"p0": 4000, "p1": 0}}},
        "wire": {"total_bytes": 9000},
        "scopes": [{"path": p, "exclusive_wall_ms": {"median": ms}, "bytes": b, "rounds": r}
                   for p, (ms, b, r) in scopes.items()],
    }


# sigma: 1000 ms, nonlinear 600 (Softmax 200 + GELU 300 + LayerNorm 100), Linear 300, Misc 100.
SIGMA = {"Linear": (300.0, 1000, 10), "Softmax": (150.0, 500, 20), "Softmax/nexp": (50.0, 0, 0),
         "Activation::GELU": (300.0, 800, 12), "LayerNorm": (100.0, 100, 6), "Misc": (100.0, 0, 0)}
# fusefss padding on: 800 ms, nonlinear 400; padding off: 700 ms, nonlinear 300.
FUSE_ON = {"Linear": (300.0, 1000, 10), "Softmax": (150.0, 400, 12),
           "Activation::GELU": (150.0, 600, 6), "LayerNorm": (100.0, 100, 6), "Misc": (100.0, 0, 0)}
FUSE_OFF = {"Linear": (300.0, 1000, 10), "Softmax": (100.0, 300, 12),
            "Activation::GELU": (100.0, 500, 6), "LayerNorm": (100.0, 100, 6), "Misc": (100.0, 0, 0)}


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.tmp.name, "results")
        for name, m in (("sigma", merged("sigma", "on", SIGMA, 2_400_000)),
                        ("fuse-on", merged("fusefss", "on", FUSE_ON, 2_100_000)),
                        ("fuse-off", merged("fusefss", "off", FUSE_OFF, 1_900_000)),
                        ("huge", merged("sigma", "on", {}, 0, status="oom", seq=512))):
            os.makedirs(os.path.join(self.results, name))
            with open(os.path.join(self.results, name, "breakdown_merged.json"), "w") as f:
                json.dump(m, f)
        self.out = os.path.join(self.tmp.name, "report")

    def tearDown(self):
        self.tmp.cleanup()

    def report(self, *extra):
        r = subprocess.run([sys.executable, SCRIPT, self.results, "--out", self.out, *extra],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def read(self, name):
        with open(os.path.join(self.out, name)) as f:
            return f.read()

    def test_share_table(self):
        self.report()
        t = self.read("share_table.md")
        self.assertIn("| bert-base | 128 | 1 | sigma | 60.0% | 30.0% |", t)
        self.assertIn("| bert-base | 128 | 1 | fusefss | 50.0% | 37.5% |", t)
        self.assertEqual(t.count("\n"), 4)  # header, rule, one pair: the oom setting is not paired

    def test_amdahl_from_the_scopes(self):
        self.report()
        # f = 0.6, s = 600 / 400 = 1.5, predicted 1 / (0.4 + 0.4) = 1.25, measured 1000 / 800.
        self.assertIn("| bert-base | 128 | 1 | 0.600 | 1.50 | scopes | 1.25x | 1.25x | +0.00 |",
                      self.read("amdahl_table.md"))
        self.assertIn(r"0.600 & 1.50 & scopes & 1.25x & 1.25x & +0.00 \\",
                      self.read("amdahl_table.tex"))

    def test_amdahl_from_microbenchmarks(self):
        micro = []
        for system, ms in (("sigma", 30.0), ("fusefss", 15.0)):
            path = os.path.join(self.tmp.name, f"{system}.json")
            with open(path, "w") as f:
                json.dump({"system": system, "status": "ok", "online_ms": ms}, f)
            micro.append(path)
        self.report("--microbench", *micro)
        # s = 2: predicted 1 / (0.4 + 0.3) = 1.43, measured 1.25, difference -0.18.
        self.assertIn("| 0.600 | 2.00 | microbench | 1.43x | 1.25x | -0.18 |",
                      self.read("amdahl_table.md"))

    def test_padding_table(self):
        self.report()
        # off 700 ms, on 800 ms: 1.143x; 1.90 / 2.10 MB; nonlinear 300 / 400 ms.
        self.assertIn("| bert-base | 128 | 1 | 700.0 | 800.0 | 1.143x | 1.90 | 2.10 | 300.0 | 400.0 |",
                      self.read("padding_table.md"))

    def test_reconciliation_sentence(self):
        self.report()
        self.assertEqual(self.read("reconciliation.txt").strip(),
                         "Nonlinear kernels account for 60% of Sigma's online runtime, reduced to "
                         "50% in FuseFSS; hence a per-gate 1.50x speedup (Sigma time / FuseFSS "
                         "time) translates to an end-to-end 1.25x speedup.")

    def test_runs_under_mps_are_their_own_setting(self):
        # The same model's runs under MPS (environment.p0.gpu_sharing) pair with each other only.
        for name, system, scopes in (("sigma-mps", "sigma", SIGMA), ("fuse-mps", "fusefss", FUSE_OFF)):
            m = merged(system, "on", scopes, 1_000_000)
            m["environment"] = {"p0": {"gpu_sharing": "MPS: a daemon runs"}, "p1": {}}
            os.makedirs(os.path.join(self.results, name))
            with open(os.path.join(self.results, name, "breakdown_merged.json"), "w") as f:
                json.dump(m, f)
        self.report()
        table = self.read("amdahl_table.md")
        self.assertIn("| bert-base | 128 | 1 | 0.600 | 1.50 | scopes | 1.25x | 1.25x | +0.00 |", table)
        # Under MPS: sigma 1000 ms against fusefss 700 (nonlinear 600 against 300): s = 2.
        self.assertIn("| bert-base@mps | 128 | 1 | 0.600 | 2.00 | scopes | 1.43x | 1.43x | +0.00 |",
                      table)

    def test_summary_rows(self):
        self.report()
        with open(os.path.join(self.out, "summary.json")) as f:
            rows = json.load(f)["settings"]
        self.assertEqual(len(rows), 4)
        sigma = next(r for r in rows if r["system"] == "sigma" and r["status"] == "ok")
        self.assertEqual(sigma["nonlinear_ms"], 600.0)
        self.assertEqual(sigma["linear_ms"], 300.0)
        self.assertEqual(sigma["ms:Softmax"], 200.0)  # Softmax/nexp counted in its category
        self.assertEqual(sigma["keygen_ms"], 2000.0)
        self.assertEqual(sigma["model_input_ms"], 500.0)
        self.assertEqual(sigma["model_input_bytes"], 4000)
        self.assertEqual(sigma["key_bytes"], 22)
        self.assertEqual((sigma["micro_batch"], sigma["chunk_rows"]), (0, 0))  # no memory_plan
        self.assertTrue(any(r["status"] == "oom" for r in rows))


if __name__ == "__main__":
    unittest.main()
