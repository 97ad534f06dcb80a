#!/usr/bin/env python3
"""The offline phase's largest scopes of a run, per party, from its merged breakdown.

usage: offline_scopes.py MERGED [MERGED ...] [--top N]

MERGED is a breakdown_merged.json (`secinfer local` / `secinfer merge` write it; gpu_e2e.sh keeps
them in gpu_e2e_runs.tgz, host_profile.sh in run.tgz). Its `offline_scopes` hold each party's
keygen wall time (ms a run) and key bytes per scope. Prints, per file, the whole phase's keygen
per party and a Markdown table of the N scopes (default 10) with the most keygen time on either
party: scope, P0 ms, P1 ms, P0 key GiB, P1 key GiB. Where the run masked its weights once, before
the runs (the model input, not part of a run's keygen), a line gives that phase's time per party.
"""
import argparse
import json
import sys


def top_scopes(merged, top):
    """(keygen ms per party, rows) of a merged breakdown: rows are (path, p0 ms, p1 ms, p0 GiB,
    p1 GiB), the `top` largest by the larger party's keygen time, ties by path."""
    off = merged.get("offline", {})
    keygen = off.get("keygen_ms_party", {"p0": off.get("keygen_ms", 0.0), "p1": 0.0})
    rows = []
    for s in merged.get("offline_scopes", []):
        k, b = s["keygen_ms"], s["key_bytes"]
        rows.append((s["path"], k["p0"], k["p1"], b["p0"] / 2**30, b["p1"] / 2**30))
    rows.sort(key=lambda r: (-max(r[1], r[2]), r[0]))
    return (keygen.get("p0", 0.0), keygen.get("p1", 0.0)), rows[:top]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("merged", nargs="+")
    ap.add_argument("--top", type=int, default=10)
    a = ap.parse_args(argv)
    if a.top < 1:
        ap.error(f"--top {a.top}: pass 1 or more")
    for path in a.merged:
        try:
            with open(path) as f:
                merged = json.load(f)
        except (OSError, ValueError) as e:
            print(f"offline_scopes.py: cannot read {path}: {e}", file=sys.stderr)
            return 2
        if "offline_scopes" not in merged:
            print(f"offline_scopes.py: {path} has no offline_scopes: pass a breakdown_merged.json "
                  "of a run with an offline phase", file=sys.stderr)
            return 2
        (k0, k1), rows = top_scopes(merged, a.top)
        print(f"\n{path}: keygen a run P0 {k0:.1f} ms, P1 {k1:.1f} ms\n")
        mi = merged["offline"].get("model_input") if "offline" in merged else None
        if mi:
            ms = mi.get("ms", {})
            print(f"model input (once, before the runs): P0 {ms.get('p0', 0.0):.1f} ms, "
                  f"P1 {ms.get('p1', 0.0):.1f} ms\n")
        print("| scope | P0 ms | P1 ms | P0 key GiB | P1 key GiB |")
        print("|---|---:|---:|---:|---:|")
        for name, m0, m1, g0, g1 in rows:
            print(f"| {name} | {m0:.1f} | {m1:.1f} | {g0:.2f} | {g1:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
