#!/usr/bin/env python3
"""Session 35, call 1 (ad hoc, kept as the record of perf.md's numbers): of the main thread's
samples whose stack holds Transformer::layer and DealerOps (the layers' keygen), how many lie
outside ThreadPool::run, by leaf frame and by the three nearest project frames.

    python3 docs/results/gpu-e2e-session35/call1/serial_samples.py \
        docs/results/gpu-e2e-session35/call1/profile/host-stacks-1625.txt.gz
"""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "scripts"))
from stack_callers import read_stacks, short_name  # noqa: E402

path = sys.argv[1]
leaf = collections.Counter(); parent = collections.Counter(); tot = 0; ser = 0
for frames, n in read_stacks(path):
    if not (any('Transformer::layer' in f for f in frames) and any('DealerOps' in f for f in frames)): continue
    tot += n
    if any('ThreadPool::run' in f for f in frames): continue
    ser += n
    sf = [short_name(f) for f in frames]
    # nearest project frame above the leaf
    proj = [f for f in sf if f.startswith('secinfer::')]
    leaf[(sf[-1][:60], proj[-1][:70] if proj else '')] += n
    parent[' <- '.join(reversed(proj[-3:]))[:200]] += n
print('total', tot, 'serial (not under ThreadPool::run)', ser)
for (l, p), n in leaf.most_common(40): print('%5d %-60s %s' % (n, l, p))
print('--- by project chain')
for k, n in parent.most_common(40): print('%5d %s' % (n, k))
