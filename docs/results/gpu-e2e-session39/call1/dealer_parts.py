#!/usr/bin/env python3
"""Session 39, call 1 (kept as the record of perf.md's numbers): the main thread's samples of the
layers' keygen (stacks holding Transformer::layer and DealerOps; party 0, two offline phases at
1,000 samples a second of wall time) split into the parts docs/perf.md "Session 39" names.

    python3 docs/results/gpu-e2e-session39/call1/dealer_parts.py \
        docs/results/gpu-e2e-session39/call1/profile/host-stacks-21273.txt.gz
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "scripts"))
from stack_callers import read_stacks, short_name  # noqa: E402

AES_LEAVES = ("fill_pairs", "same_key_passes_vaes", "encrypt_same_key")
parts = {name: 0 for name in ("layers' keygen", "outside the pool's loops", "Dealer::random",
                              "  of which AES leaves", "dcf_gen self", "sigma_dcf_gen self",
                              "copy_bytes", "rsqrt_keygen's suf_keygen")}
for frames, n in read_stacks(sys.argv[1]):
    if not (any("Transformer::layer" in f for f in frames) and any("DealerOps" in f for f in frames)):
        continue
    sf = [short_name(f) for f in frames]
    leaf = sf[-1]
    parts["layers' keygen"] += n
    if not any("ThreadPool::run" in f for f in sf):
        parts["outside the pool's loops"] += n
    if any("Dealer::random" in f for f in sf):
        parts["Dealer::random"] += n
        if any(a in leaf for a in AES_LEAVES):
            parts["  of which AES leaves"] += n
    if leaf.startswith("secinfer::fss::dcf_gen"):
        parts["dcf_gen self"] += n
    if leaf.startswith("secinfer::fss::sigma_dcf_gen"):
        parts["sigma_dcf_gen self"] += n
    if any("copy_bytes" in f for f in sf):
        parts["copy_bytes"] += n
    if any("rsqrt_keygen" in f for f in sf) and any("suf_keygen" in f for f in sf):
        parts["rsqrt_keygen's suf_keygen"] += n
for name, n in parts.items():
    print(f"{n:6d} samples ({n / 2:6.1f} ms a phase)  {name}")
