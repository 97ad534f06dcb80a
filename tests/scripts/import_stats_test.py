#!/usr/bin/env python3
"""scripts/import_stats.py on the fixture stats files of tests/fixtures/import/ (the format of
GPU-MPC's experiments/sigma), and report.py --import showing them beside our breakdowns.

Run: python3 tests/scripts/import_stats_test.py   (ctest: scripts_import_stats)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from script_paths import fixture, script

import import_stats

FIXTURES = fixture("import")


def read(path):
    with open(path) as f:
        return f.read()


def write_breakdown(folder, system, seq, linear_ms, softmax_ms, gelu_ms):
    """A merged breakdown with the fields report.py reads."""
    def scope(path, ms):
        return {"path": path, "exclusive_wall_ms": {"median": ms}, "bytes": 1000, "rounds": 2}
    merged = {"schema": "secinfer.breakdown/1", "status": "ok",
              "config": {"model": "bert-base", "seq": seq, "batch": 1, "system": system,
                         "padding": "on", "backend": "cuda"},
              "total": {"wall_ms": {"median": linear_ms + softmax_ms + gelu_ms}, "bytes": 3000, "rounds": 6},
              "offline": {"key_bytes": {"p0": 2**30, "p1": 2**30}},
              "scopes": [scope("Linear", linear_ms), scope("Softmax", softmax_ms),
                         scope("Activation::GELU", gelu_ms)]}
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "breakdown_merged.json"), "w") as f:
        json.dump(merged, f)


class ImportStats(unittest.TestCase):
    def test_sigma_fixture_values_per_party(self):
        rec = import_stats.import_dir(os.path.join(FIXTURES, "sigma"))
        self.assertEqual(rec["schema"], "secinfer.imported/1")
        self.assertEqual(rec["label"], "SIGMA")
        self.assertFalse(rec["counters_add_up"])
        self.assertIn("do not add up", rec["note"])
        self.assertEqual(len(rec["settings"]), 1)
        s = rec["settings"][0]
        self.assertEqual((s["model"], s["seq"], s["batch"]), ("bert-base", 128, 1))
        # "Total time=1252331 us" (P0) and 1248907 us (P1): milliseconds, the max is the latency.
        self.assertAlmostEqual(s["total"]["wall_ms"]["p0"], 1252.331)
        self.assertAlmostEqual(s["total"]["wall_ms"]["p1"], 1248.907)
        self.assertAlmostEqual(s["total"]["wall_ms"]["max"], 1252.331)
        # Byte counts are the exact "<n> B", not the rounded GB.
        self.assertEqual(s["total"]["bytes"]["p0"], 1057814528)
        self.assertEqual(s["offline"]["key_bytes"]["p1"], 12671877120)
        self.assertAlmostEqual(s["offline"]["keygen_ms"]["p0"], 1934.512)
        c = {x["name"]: x for x in s["counters"]}
        self.assertAlmostEqual(c["Softmax time"]["value"]["p0"], 168.342)
        self.assertEqual(c["Gelu Comm"]["value"]["p0"], 213909504)
        self.assertEqual(c["Softmax time"]["like"], "Softmax")
        # The counters overlap: their sum exceeds the total (the reason they are labelled so).
        times = sum(x["value"]["p0"] for x in s["counters"] if x["unit"] == "ms")
        self.assertGreater(times, s["total"]["wall_ms"]["p0"])
        self.assertLess(c["Softmax time"]["value"]["p0"], c["MHA time"]["value"]["p0"])
        self.assertEqual(len(s["files"]), 4)

    def test_suf_is_named_by_its_folder(self):
        rec = import_stats.import_dir(os.path.join(FIXTURES, "suf"))
        self.assertEqual((rec["system"], rec["label"]), ("suf", "SUF"))
        self.assertAlmostEqual(rec["settings"][0]["total"]["wall_ms"]["max"], 1013.764)

    def test_offline_online_driver_values_are_microseconds(self):
        # "Time in ms" header, values without a unit: microseconds all the same (as the driver's
        # own run_experiment.py reads them); model from the file name, no seq.
        rec = import_stats.import_dir(os.path.join(FIXTURES, "sigma-offline-online"))
        s = rec["settings"][0]
        self.assertEqual((s["model"], s["seq"]), ("bert-base", None))
        self.assertEqual(set(s["total"]["wall_ms"]), {"p1", "max"})
        self.assertAlmostEqual(s["total"]["wall_ms"]["p1"], 1248.907)

    def test_malformed_and_empty_inputs_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(import_stats.FormatError, "no dealer.txt"):
                import_stats.import_dir(d)
            folder = os.path.join(d, "output", "P0", "models", "gpt2-64")
            os.makedirs(folder)
            path = os.path.join(folder, "evaluator.txt")
            with open(path, "w") as f:
                f.write("Total time=12 us\nGelu time=abc us\n")
            with self.assertRaisesRegex(import_stats.FormatError, r"evaluator.txt:2: .*not a number"):
                import_stats.import_dir(d)
            with open(path, "w") as f:
                f.write("Total time=12 hours\n")
            with self.assertRaisesRegex(import_stats.FormatError, "unknown time unit"):
                import_stats.import_dir(d)
            with open(path, "w") as f:
                f.write("Total time=12 us\nTotal Comm=5 GB\n")
            with self.assertRaisesRegex(import_stats.FormatError, "byte count"):
                import_stats.import_dir(d)
            r = subprocess.run([sys.executable, script("import_stats.py"), d],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("byte count", r.stderr)

    def test_cli_writes_json(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "sigma.json")
            r = subprocess.run([sys.executable, script("import_stats.py"),
                                os.path.join(FIXTURES, "sigma"), "--label", "SIGMA (H100)", "--out", out],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            rec = json.loads(read(out))
            self.assertEqual(rec["label"], "SIGMA (H100)")
            # The JSON is accepted by report.py's --import too, with a new label.
            self.assertEqual(import_stats.parse_import_arg(out + ":again")["label"], "again")


class ReportImport(unittest.TestCase):
    def run_report(self, results, *extra):
        return subprocess.run([sys.executable, script("report.py"), results,
                               *extra], capture_output=True, text=True)

    def test_report_shows_the_originals_beside_ours(self):
        with tempfile.TemporaryDirectory() as d:
            write_breakdown(os.path.join(d, "sigma"), "sigma", 128, 300.0, 200.0, 400.0)
            write_breakdown(os.path.join(d, "fusefss"), "fusefss", 128, 300.0, 100.0, 150.0)
            write_breakdown(os.path.join(d, "other-seq"), "sigma", 512, 1.0, 1.0, 1.0)
            r = self.run_report(d, "--import", os.path.join(FIXTURES, "sigma") + ":SIGMA (H100)",
                                "--import", os.path.join(FIXTURES, "suf"))
            self.assertEqual(r.returncode, 0, r.stderr)
            out = os.path.join(d, "report")
            beside = read(os.path.join(out, "beside_table.md"))
            self.assertIn("do not add up", beside.splitlines()[0])
            lines = [l for l in beside.splitlines() if l.startswith("| bert-base")]
            # Our sigma and fusefss at seq 128 (not 512), then each original's row.
            self.assertEqual(len(lines), 4)
            self.assertIn("ours: sigma", lines[0])
            self.assertIn("ours: fusefss", lines[1])
            self.assertIn("SIGMA (H100) (original code, own counters)", lines[2])
            self.assertIn("| 1252.3 |", lines[2])
            self.assertIn("overlap, do not add up", lines[2])
            self.assertIn("exclusive, add up", lines[0])
            self.assertIn("SUF (original code, own counters)", lines[3])
            # Total Comm 1057814528 B = 1008.81 MiB; keys 2 x 12671877120 B = 24169.69 MiB.
            self.assertIn("| 1008.81 | 24169.69 |", lines[2])
            counters = read(os.path.join(out, "original_table.md"))
            self.assertIn("| SIGMA (H100) (original code, own counters) | bert-base | 128 | MHA time | 401.877 | 400.216 | ms |",
                          counters)
            self.assertTrue(os.path.exists(os.path.join(out, "original_table.tex")))
            imported = json.loads(read(os.path.join(out, "imported.json")))
            self.assertEqual([i["label"] for i in imported["imports"]], ["SIGMA (H100)", "SUF"])
            try:
                import matplotlib  # noqa: F401
                self.assertTrue(os.path.exists(os.path.join(out, "beside_bert-base.png")))
            except ImportError:
                pass  # report.py says so and writes no figures
            # Our own summary is not mixed with the imported settings.
            summary = json.loads(read(os.path.join(out, "summary.json")))
            self.assertEqual(len(summary["settings"]), 3)

    def test_report_refuses_a_bad_import_in_one_line(self):
        with tempfile.TemporaryDirectory() as d:
            write_breakdown(os.path.join(d, "sigma"), "sigma", 128, 1.0, 1.0, 1.0)
            r = self.run_report(d, "--import", os.path.join(d, "nothing-here"))
            self.assertEqual(r.returncode, 2)
            self.assertIn("report: --import:", r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
