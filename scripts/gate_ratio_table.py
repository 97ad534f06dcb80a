#!/usr/bin/env python3
"""The per-gate fusefss / sigma table of scripts/gate_ratio.sh.

usage: gate_ratio_table.py RESULTS ROUNDS

RESULTS is gate_ratio.sh's results file: a line per run, tab-separated: round, spec ("gate n
[flags]"), system, online ms. Prints Markdown: each spec's online medians by round under each
system with the median over the rounds, then for each spec run under both suites the fusefss
speed-up, sigma's median over fusefss's, with the lowest and highest ratio of one round's pair.
"""
import statistics
import sys
from collections import defaultdict


def read(path):
    """{spec: {system: {round: ms}}} from a results file."""
    ms = defaultdict(dict)
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r, spec, system, v = line.rstrip("\n").split("\t")
            ms[spec].setdefault(system, {})[int(r)] = float(v)
    return ms


def table(ms, rounds):
    out = [f"# fusefss against sigma online, {rounds} interleaved rounds", "",
           "| gate | system | online ms by round | median |", "|---|---|---|---:|"]
    for spec, by in ms.items():
        for system, v in by.items():
            vals = [v[k] for k in sorted(v)]
            out.append(f"| {spec} | {system} | {', '.join(f'{x:.1f}' for x in vals)} | "
                       f"{statistics.median(vals):.1f} |")
    out += ["", "| gate | fusefss speed-up: sigma / fusefss of the medians | lowest round | "
            "highest round |", "|---|---:|---:|---:|"]
    for spec, by in ms.items():
        if "sigma" not in by or "fusefss" not in by:
            continue
        common = sorted(set(by["sigma"]) & set(by["fusefss"]))
        per = [by["sigma"][k] / by["fusefss"][k] for k in common]
        med = statistics.median(by["sigma"].values()) / statistics.median(by["fusefss"].values())
        out.append(f"| {spec} | **{med:.2f}x** | {min(per):.2f}x | {max(per):.2f}x |")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    sys.stdout.write(table(read(argv[1]), argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
