#!/usr/bin/env python3
"""Who calls a hot frame: reads google-pprof's collapsed stacks (scripts/host_profile.sh with
STACKS=1 writes host-stacks-<pid>.txt.gz) and counts, among the samples whose stack holds every
--within frame, those whose stack also holds the --leaf frame, by the nearest project frames
above it.

    python3 scripts/stack_callers.py host-stacks-123.txt.gz \\
        --within 'Transformer::layer' --within DealerOps --leaf __nss_database_lookup --depth 2

prints the leaf's share of the --within samples, then one row per caller chain (the --depth
nearest frames matching --caller, innermost first) with its samples and share. Frames are
regular expressions searched in each frame's name.
"""
import argparse
import collections
import gzip
import re
import sys


def read_stacks(path):
    """(frames root first, samples) per line of a collapsed-stacks file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            yield stack.split(";"), int(count)


def short_name(frame):
    """A frame without its argument lists, template addresses and clone suffixes."""
    f = frame.replace("(anonymous namespace)", "")
    f = re.sub(r"<[0-9a-f]{8,}>|\s*\[clone [^]]*\]", "", f)
    while True:
        g = re.sub(r"\([^()]*\)", "", f)
        if g == f:
            return f
        f = g


def caller_chain(frames, leaf_re, caller_re, depth):
    """The `depth` nearest frames above the innermost leaf match that match caller_re."""
    leaf_at = max(i for i, f in enumerate(frames) if leaf_re.search(f))
    chain = []
    for f in reversed(frames[:leaf_at]):
        if caller_re.search(f) and (not chain or chain[-1] != short_name(f)):
            chain.append(short_name(f))
            if len(chain) == depth:
                break
    return " <- ".join(chain) if chain else "(no caller frame)"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stacks", nargs="+", help="collapsed-stacks files (.gz or plain)")
    ap.add_argument("--within", action="append", default=[],
                    help="a frame every counted stack holds (repeatable)")
    ap.add_argument("--leaf", required=True, help="the frame whose callers are counted")
    ap.add_argument("--caller", default=r"^secinfer::",
                    help="frames that name a caller (default: the project's)")
    ap.add_argument("--depth", type=int, default=1, help="caller frames a row names")
    ap.add_argument("--top", type=int, default=25, help="rows printed")
    a = ap.parse_args(argv)
    within = [re.compile(w) for w in a.within]
    leaf_re, caller_re = re.compile(a.leaf), re.compile(a.caller)
    for path in a.stacks:
        total = hits = 0
        rows = collections.Counter()
        for frames, n in read_stacks(path):
            if not all(any(w.search(f) for f in frames) for w in within):
                continue
            total += n
            if any(leaf_re.search(f) for f in frames):
                hits += n
                rows[caller_chain(frames, leaf_re, caller_re, a.depth)] += n
        print(f"== {path}: {hits} of {total} samples within {a.within or 'all'} hold "
              f"{a.leaf} ({100.0 * hits / max(total, 1):.1f}%)")
        for chain, n in rows.most_common(a.top):
            print(f"{n:8d} {100.0 * n / max(total, 1):5.1f}%  {chain}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
