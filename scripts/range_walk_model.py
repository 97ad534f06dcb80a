#!/usr/bin/env python3
"""AES a key of the fused gates' range test on a GPU warp (a model, no keys made).

usage: range_walk_model.py [--warps 400] [--seed 1]

The fused truncation + activation gates (docs/design/fused-trunc-act.md "One walk for the three
points") evaluate one SIGMA DCF on m - 1 = 37 bits (30 levels above its 128-bit leaves, one AES a
level and point) at x, x - c_hi and x + c_hi, and the GPU walks the three points in one thread: a
point whose path through a level agrees with an earlier point's takes that point's node. A warp
runs a point's AES at a level if any of its 32 lanes needs it, so it pays the union of its lanes'
parted levels. Printed per gate (GELU: c_hi = 255 * 2^6, SiLU: 1023 * 2^6), for uniform public
points (x is masked):
  three walks   - a walk a point (SIGMA's), 3 x 30;
  one lane      - the shared walk's own AES, the mean over keys;
  warp          - what a warp of 32 keys in their order pays, per key;
  warp, sorted  - the same with the keys sorted by the levels where their points part (a public
                  order, as the lookup's sort by index: fss/cuda/dpf_et_lut.cu);
  warp, one loop - one loop over each lane's own AES (point 0's levels, then each parted point's),
                  so that a warp pays its busiest lane's count.
"""
import argparse
import random
import sys

BITS, LEAF = 37, 7
GATES = (("trunc-gelu", 255 << 6), ("trunc-silu", 1023 << 6))


def needs(x, c):
    """Per level, whether points 1 (x - c) and 2 (x + c) compute their own node there."""
    pts = [x, (x - c) % (1 << BITS), (x + c) % (1 << BITS)]
    rows = []
    for i in range(BITS - LEAF):
        sh = BITS - 1 - i
        rows.append(tuple(all((pts[e] >> sh) != (pts[j] >> sh) for e in range(j)) for j in (1, 2)))
    return rows


def lane_aes(rows):
    return sum(1 + a + b for a, b in rows)


def warp_aes(lanes):
    return sum(1 + any(r[i][0] for r in lanes) + any(r[i][1] for r in lanes)
               for i in range(len(lanes[0])))


def parting(rows):
    """The levels where points 1 and 2 first compute their own node (30: never)."""
    first = [next((i for i, r in enumerate(rows) if r[j]), len(rows)) for j in (0, 1)]
    return tuple(first)


def model(c, warps, seed):
    g = random.Random(seed)
    keys = [needs(g.getrandbits(BITS), c) for _ in range(32 * warps)]
    # A warp's lanes all wait for its AES: the warp's count is each of its keys' time.
    per_warp = lambda ks: sum(warp_aes(ks[i:i + 32]) for i in range(0, len(ks), 32)) / warps
    lanes = [lane_aes(r) for r in keys]
    ordered = sorted(keys, key=parting)
    one_loop = sum(max(lanes[i:i + 32]) for i in range(0, len(lanes), 32)) / warps
    return {"three walks": 3 * (BITS - LEAF), "one lane": sum(lanes) / len(lanes),
            "warp": per_warp(keys), "warp, sorted": per_warp(ordered), "warp, one loop": one_loop}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.warps < 1:
        print(f"range_walk_model.py: --warps must be at least 1, got {args.warps}", file=sys.stderr)
        return 2
    cols = ("three walks", "one lane", "warp", "warp, sorted", "warp, one loop")
    print("| gate | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for name, c in GATES:
        m = model(c, args.warps, args.seed)
        print(f"| {name} | " + " | ".join(f"{m[k]:.1f}" for k in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
