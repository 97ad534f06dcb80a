#!/usr/bin/env python3
"""AES a key and key bytes of the fused gates' lookup for wider DPF leaves (a model, no keys made).

usage: lookup_leaf_width.py [--widths 128,256,512,1024]

The fused truncation + activation gates (docs/design/fused-trunc-act.md) look their table up with
SIGMA's early-terminated 1-bit DPF over a k-bit index (e, d, low p bits) and leave out the leaves
that read zero ("Leaves that read zero"): the nonzero entries are the two arcs e = 1, d = 1,
t in [0, last] and e = 1, d = 0, t in [-last, -1], the low field being t + rot mod 2^p for the
key's secret rotation rot (uniform). A walk keeps the tree nodes above a leaf it needs. With
128-bit leaves (SIGMA's key; --fusefss-act fused-leaf128) a kept node computes both children:
2 AES. With W-bit leaves (W / 128 blocks, each block one AES of its leaf's seed) the tree is
log2(W / 128) levels shorter, a kept node above the last level costs 2 AES and the last level's
kept nodes one AES per 128-bit block read. Key bytes: fss/dpf_et.cpp dpf_et_key_bytes,
16 + 17 (levels - 1) + 2 W / 8 (the two leaf correction words W bits wide).

Prints, per gate (GELU: k = 11, p = 9, last = 245; SiLU: k = 13, p = 11, last = 683, the entries
tests/fss/gates/fusefss/trunc_act_test.cpp prints) and leaf width, the mean AES a key over every
rotation and the key bytes. The 128-bit rows are the design note's counts (GELU about 16, SiLU
about 39 AES a key); the 512-bit rows are the gates' default since (7.8 and 20.7, the counts of
trunc_act_test's "512-bit leaves take fewer AES a lookup").
"""
import argparse
import sys

GATES = (("trunc-gelu", 11, 9, 245), ("trunc-silu", 13, 11, 683))


def support(p, last, rot):
    """The k-bit indices whose table entry is nonzero, for rotation rot."""
    low = (1 << p) - 1
    pos = {(1 << (p + 1)) | (1 << p) | ((t + rot) & low) for t in range(0, last + 1)}
    neg = {(1 << (p + 1)) | ((t + rot) & low) for t in range(-last, 0)}
    return pos | neg


def aes_per_key(k, p, last, width, rot):
    """AES calls of one key's walk at leaf width `width` (bits, a power of two >= 128)."""
    lw = width.bit_length() - 1
    levels = k - lw
    sup = support(p, last, rot)
    leaves = {i >> lw for i in sup}
    kept = {(lev, leaf >> (levels - lev)) for leaf in leaves for lev in range(levels)}
    if width == 128:
        return 2 * len(kept)
    blocks = {i >> 7 for i in sup}
    return 2 * sum(1 for lev, _ in kept if lev < levels - 1) + len(blocks)


def key_bytes(k, width):
    levels = k - (width.bit_length() - 1)
    return 16 + 17 * (levels - 1) + 2 * width // 8


def table(widths):
    rows = []
    for name, k, p, last in GATES:
        for w in widths:
            aes = sum(aes_per_key(k, p, last, w, rot) for rot in range(1 << p)) / (1 << p)
            rows.append((name, w, k - (w.bit_length() - 1), aes, key_bytes(k, w)))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--widths", default="128,256,512,1024")
    args = ap.parse_args(argv)
    try:
        widths = [int(w) for w in args.widths.split(",")]
    except ValueError:
        print(f"lookup_leaf_width.py: --widths takes bit widths separated by commas, got "
              f"'{args.widths}'", file=sys.stderr)
        return 2
    bad = [w for w in widths if w < 128 or w & (w - 1)]
    if bad:
        print(f"lookup_leaf_width.py: leaf widths must be powers of two from 128, got {bad}",
              file=sys.stderr)
        return 2
    print("| gate | leaf bits | tree levels | AES a key (mean over rotations) | DPF key bytes |")
    print("|---|---:|---:|---:|---:|")
    for name, w, levels, aes, kb in table(widths):
        print(f"| {name} | {w} | {levels} | {aes:.1f} | {kb} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
