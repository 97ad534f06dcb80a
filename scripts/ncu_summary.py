#!/usr/bin/env python3
"""Per-kernel GPU time of one party process from an Nsight Compute per-kernel summary.

usage: ncu_summary.py NCU_LOG [--title T]

NCU_LOG is the output of `ncu --target-processes all --metrics gpu__time_duration.sum
--print-summary per-kernel secinfer microbench ...` (scripts/gpu_kernel_profile.sh runs it). ncu
replays every kernel alone, so these are the kernels' times in isolation, without the other
party's kernels sharing the GPU. Prints a Markdown table for the first process that launched
kernels (both parties run the same kernels; the second process is checked to total within 5%):
kernel, launches, total us, share, ordered by total.
"""
import argparse
import re
import sys

UNIT_US = {"ns": 1e-3, "us": 1.0, "usecond": 1.0, "ms": 1e3, "msecond": 1e3, "s": 1e6}
PROC = re.compile(r"^\[(\d+)\] \S+")
KERNEL = re.compile(r"^  (.+?) \(\d+, \d+, \d+\)x\(\d+, \d+, \d+\), .*Invocations (\d+)\s*$")
METRIC = re.compile(r"^\s+gpu__time_duration\.sum\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)")


def short_name(name):
    """The kernel's function name without its namespaces, template arguments and parameters."""
    name = name.replace("(anonymous namespace)::", "").replace("<unnamed>::", "")
    name = re.sub(r"^void ", "", name.split("(")[0])
    while True:  # template arguments, innermost first
        stripped = re.sub(r"<[^<>]*>", "", name)
        if stripped == name:
            break
        name = stripped
    return name.split("::")[-1].strip()


# The inline dealer's kernels that are not generators: its share split (fss/cuda/prg_cuda.cu) and
# the matmul correlation's live entries (fss/cuda/ring_vec.cu); the online phase runs neither.
DEALER_KERNELS = {"seeded_shares_kernel", "live_entries_add_kernel"}


def is_keygen(name):
    """Whether a kernel is the inline dealer's work: key generation (fss/cuda/*_gen*.cu), the
    share split or the matmul correlation (the correlation's product runs on the ring matmul's
    kernels, which the online phase shares, and counts as evaluating)."""
    return name.endswith("_gen_kernel") or name in DEALER_KERNELS


def parse(text):
    """{pid: {kernel: [launches, total_us]}} in the order the processes appear."""
    procs, pid, kernel, launches = {}, None, None, 0
    for line in text.splitlines():
        m = PROC.match(line)
        if m:
            pid = m.group(1)
            procs.setdefault(pid, {})
            continue
        m = KERNEL.match(line)
        if m and pid is not None:
            kernel, launches = short_name(m.group(1)), int(m.group(2))
            continue
        m = METRIC.match(line)
        if m and kernel is not None:
            unit, avg = m.group(1), float(m.group(4).replace(",", ""))
            entry = procs[pid].setdefault(kernel, [0, 0.0])
            entry[0] += launches
            entry[1] += launches * avg * UNIT_US.get(unit, 1.0)
            kernel = None
    return {p: k for p, k in procs.items() if k}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    with open(a.log, encoding="utf-8", errors="replace") as f:
        procs = parse(f.read())
    if not procs:
        print(f"{a.log}: no per-kernel summary found", file=sys.stderr)
        return 1
    totals = {p: sum(v[1] for v in k.values()) for p, k in procs.items()}
    pid = next(iter(procs))
    kernels = procs[pid]
    total = totals[pid]
    if a.title:
        print(f"### {a.title}\n")
    keygen = sum(us for name, (_, us) in kernels.items() if is_keygen(name))
    print(f"party process {pid}: {sum(v[0] for v in kernels.values())} launches, "
          f"{total / 1e3:.3f} ms of kernels in isolation ({(total - keygen) / 1e3:.3f} ms "
          f"evaluating, {keygen / 1e3:.3f} ms the dealer's keys and shares)"
          + "".join(f"; process {p}: {t / 1e3:.3f} ms" for p, t in totals.items() if p != pid) + "\n")
    print("| kernel | launches | total us | share |")
    print("|---|---:|---:|---:|")
    for name, (n, us) in sorted(kernels.items(), key=lambda kv: -kv[1][1]):
        print(f"| {name} | {n} | {us:,.1f} | {100 * us / total:.1f}% |")
    print()
    others = [t for p, t in totals.items() if p != pid]
    return 0 if all(abs(t - total) <= 0.05 * total for t in others) else 1


if __name__ == "__main__":
    sys.exit(main())
