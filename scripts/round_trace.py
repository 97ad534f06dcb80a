#!/usr/bin/env python3
"""A microbenchmark's openings one by one, both parties side by side.

usage: round_trace.py DIR [--run K | --all]

DIR is a `secinfer microbench` output folder (gpu_e2e.sh keeps them in gpu_e2e_runs.tgz as
runs/micro-*): each party process writes openings-p0.json / openings-p1.json, every run's
openings with the steady-clock times at which the party started packing (its kernels launched,
the copy down to come), had packed (the kernels and the copy waited for), had the peer's message
and had added it back (Party::trace_openings). Both parties read one clock only where they share
a host (local runs, a loopback --peer).

Prints, for the measured run with party 0's median run time (or run K of the measured runs,
1-based, or every measured run), a Markdown table: per opening, its bytes a party and, per party,
the time since its previous opening ended (the local work in between: key reads, kernel launches,
host loops; for the first opening, since the run began), packing, exchange and unpacking in ms,
and the exchange's end on party 1 minus party 0's (which party's bytes came last); then the sums.
"""
import argparse
import json
import os
import statistics
import sys

PHASES = ("gap", "pack", "exchange", "unpack")


def load(folder):
    """The two parties' traces of `folder`: [p0, p1], each a dict with `runs`."""
    traces = []
    for party in (0, 1):
        path = os.path.join(folder, f"openings-p{party}.json")
        with open(path) as f:
            traces.append(json.load(f))
    return traces


def measured(trace):
    """The runs of a party's trace that are not warm-ups."""
    return [r for r in trace["runs"] if not r.get("warmup", False)]


def median_run(p0_runs):
    """Index of the run whose length (end - begin) is party 0's median: the lower of the two
    middle ones for an even count."""
    lengths = [r["end_ns"] - r["begin_ns"] for r in p0_runs]
    target = statistics.median_low(lengths)
    return lengths.index(target)


def phases(run):
    """Per opening of one party's run: (gap, pack, exchange, unpack) in ms."""
    out = []
    prev = run["begin_ns"]
    for o in run["openings"]:
        out.append(((o["start_ns"] - prev) / 1e6, (o["packed_ns"] - o["start_ns"]) / 1e6,
                    (o["exchanged_ns"] - o["packed_ns"]) / 1e6,
                    (o["unpacked_ns"] - o["exchanged_ns"]) / 1e6))
        prev = o["unpacked_ns"]
    return out


def table(r0, r1):
    """The Markdown lines of one run: r0, r1 the two parties' records of it."""
    if len(r0["openings"]) != len(r1["openings"]):
        raise ValueError(f"party 0 traced {len(r0['openings'])} openings, party 1 "
                         f"{len(r1['openings'])}: not the same run")
    ph0, ph1 = phases(r0), phases(r1)
    head = ["opening", "bytes a party"] + [f"P{p} {x} ms" for p in (0, 1) for x in PHASES]
    lines = ["| " + " | ".join(head + ["P1 - P0 exchange end ms"]) + " |",
             "|" + "---|" * 2 + "---:|" * (2 * len(PHASES) + 1)]
    sums = [0.0] * (2 * len(PHASES))
    for k, (o0, o1) in enumerate(zip(r0["openings"], r1["openings"])):
        vals = list(ph0[k]) + list(ph1[k])
        sums = [s + v for s, v in zip(sums, vals)]
        skew = (o1["exchanged_ns"] - o0["exchanged_ns"]) / 1e6
        lines.append("| " + " | ".join([str(k + 1), f"{o0['bytes']:,}"] +
                                       [f"{v:.3f}" for v in vals] + [f"{skew:+.3f}"]) + " |")
    lines.append("| sum | | " + " | ".join(f"{s:.3f}" for s in sums) + " | |")
    run_ms = [(r["end_ns"] - r["begin_ns"]) / 1e6 for r in (r0, r1)]
    tail = [(r["end_ns"] - (r["openings"][-1]["unpacked_ns"] if r["openings"] else r["begin_ns"]))
            / 1e6 for r in (r0, r1)]
    lines.append("")
    lines.append(f"run: P0 {run_ms[0]:.3f} ms, P1 {run_ms[1]:.3f} ms; after the last opening "
                 f"P0 {tail[0]:.3f} ms, P1 {tail[1]:.3f} ms")
    return lines


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    pick = ap.add_mutually_exclusive_group()
    pick.add_argument("--run", type=int, help="the K-th measured run (1-based)")
    pick.add_argument("--all", action="store_true", help="every measured run")
    a = ap.parse_args(argv)
    try:
        p0, p1 = load(a.dir)
    except (OSError, ValueError) as e:
        print(f"round_trace.py: cannot read the traces in {a.dir}: {e} (pass the output folder of "
              "a `secinfer microbench` run)", file=sys.stderr)
        return 2
    m0, m1 = measured(p0), measured(p1)
    if not m0 or len(m0) != len(m1):
        print(f"round_trace.py: {a.dir}: party 0 traced {len(m0)} measured runs, party 1 "
              f"{len(m1)}: pass a complete microbenchmark's folder", file=sys.stderr)
        return 2
    if a.run is not None and not 1 <= a.run <= len(m0):
        ap.error(f"--run {a.run}: the trace has measured runs 1 to {len(m0)}")
    picks = (range(len(m0)) if a.all else [a.run - 1] if a.run is not None else [median_run(m0)])
    print(f"{p0.get('gate', '?')} {p0.get('system', '?')} n={p0.get('n', '?')}")
    try:
        for i in picks:
            print(f"\nmeasured run {i + 1} of {len(m0)}"
                  + (" (party 0's median run time)" if a.run is None and not a.all else "") + "\n")
            print("\n".join(table(m0[i], m1[i])))
    except ValueError as e:
        print(f"round_trace.py: {a.dir}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
