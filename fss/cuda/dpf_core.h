// One DPF key's generation and evaluation (Boyle, Gilboa, Ishai, CCS 2016, Fig. 1) exactly as
// docs/design/fss-core.md fixes them, for the host and the GPU: the kernels in dpf_*.cu run one
// of these per thread, and tests/fss/cuda checks them against fss/dpf.cpp on the CPU.
// Correction words are read and written through a level stride (the batch layout's `count`):
// cw_seed[i * stride] is level i of this key.
#pragma once

#include <cstdint>

#include "fss/bit_ops.h"
#include "fss/cuda/prg_core.h"

namespace secinfer::fss::cuda {

// Bit i (MSB first) of an n-bit x.
SECINFER_HD constexpr int path_bit(u64 x, int n, int i) {
  return static_cast<int>((x >> (n - 1 - i)) & 1);
}

// Gen for one key from its two root seeds (bit 0 already cleared): writes the n levels' cw_seed
// and cw_t (bit 0 = tL, bit 1 = tR) and returns cw_out.
template <class Prg>
SECINFER_HD u64 dpf_gen_one(const Prg& prg, int n, u64 out_mask, Block s0, Block s1, u64 alpha,
                            u64 beta, Block* cw_seed, std::uint8_t* cw_t, std::size_t stride) {
  int t0 = 0, t1 = 1;
  for (int i = 0; i < n; ++i) {
    const int a = path_bit(alpha, n, i);
    int tl0, tl1, tr0, tr1;
    const Block sl0 = prg.expand(0, s0, tl0), sl1 = prg.expand(0, s1, tl1);
    const Block sr0 = prg.expand(1, s0, tr0), sr1 = prg.expand(1, s1, tr1);
    // Keep = a, Lose = 1 - a.
    const Block cw = a ? (sl0 ^ sl1) : (sr0 ^ sr1);
    const int cw_tl = tl0 ^ tl1 ^ a ^ 1;
    const int cw_tr = tr0 ^ tr1 ^ a;
    cw_seed[i * stride] = cw;
    cw_t[i * stride] = static_cast<std::uint8_t>(cw_tl | (cw_tr << 1));
    const Block keep0 = a ? sr0 : sl0, keep1 = a ? sr1 : sl1;
    const int tk0 = a ? tr0 : tl0, tk1 = a ? tr1 : tl1;
    const int cw_tk = a ? cw_tr : cw_tl;
    s0 = t0 ? keep0 ^ cw : keep0;
    s1 = t1 ? keep1 ^ cw : keep1;
    t0 = tk0 ^ (t0 & cw_tk);
    t1 = tk1 ^ (t1 & cw_tk);
  }
  // cw_out = (-1)^{t1} (beta - Convert(s0) + Convert(s1)) mod 2^m.
  const u64 v = beta - convert_one(s0, out_mask) + convert_one(s1, out_mask);
  return signed_by(t1, v) & out_mask;
}

// One tree step from (s, t) towards child c: expand_c, then the correction if t.
template <class Prg>
SECINFER_HD Block dpf_step(const Prg& prg, Block s, int& t, int c, Block cw, int cwt) {
  int tn;
  Block sn = prg.expand(c, s, tn);
  if (t) {
    sn ^= cw;
    tn ^= (cwt >> c) & 1;
  }
  t = tn;
  return sn;
}

// Eval(b, x) for one key: one AES per level.
template <class Prg>
SECINFER_HD u64 dpf_eval_one(const Prg& prg, int n, u64 out_mask, int party, Block root,
                             const Block* cw_seed, const std::uint8_t* cw_t, std::size_t stride,
                             u64 cw_out, u64 x) {
  Block s = root;
  int t = party;
  for (int i = 0; i < n; ++i)
    s = dpf_step(prg, s, t, path_bit(x, n, i), cw_seed[i * stride], cw_t[i * stride]);
  return signed_by(party, convert_one(s, out_mask) + (t ? cw_out : 0)) & out_mask;
}

// Deepest subtree a thread walks (full domain: n <= 24 on the CPU API; LUTs <= 16).
inline constexpr int kMaxSubtreeDepth = 24;

// Full-domain walk of the subtree under node (s, t) at `level` (the first `level` bits of its
// leaves are `prefix`), depth-first with both children per inner node (2 AES per inner node):
// calls leaf(j, y_b(j)) for its 2^(n - level) leaves j in increasing order, y_b unmasked
// (reduce mod 2^m after summing). The pending right children live in a small stack.
template <class Prg, class Leaf>
SECINFER_HD void dpf_subtree(const Prg& prg, int n, int party, int level, u64 prefix, Block s,
                             int t, const Block* cw_seed, const std::uint8_t* cw_t,
                             std::size_t stride, u64 cw_out, u64 out_mask, Leaf&& leaf) {
  const int depth = n - level;
  Block stack_s[kMaxSubtreeDepth];
  std::uint8_t stack_t[kMaxSubtreeDepth];
  const u64 base = depth >= 64 ? 0 : (prefix << depth);
  const u64 leaves = u64{1} << depth;
  int d = 0;  // depth below `level` of the current node
  for (u64 j = 0;;) {
    for (; d < depth; ++d) {  // descend left, remember the right child
      const int lv = level + d;
      const Block cw = cw_seed[lv * stride];
      const int cwt = cw_t[lv * stride];
      int tl, tr;
      Block sl = prg.expand(0, s, tl);
      Block sr = prg.expand(1, s, tr);
      if (t) {
        sl ^= cw;
        sr ^= cw;
        tl ^= cwt & 1;
        tr ^= (cwt >> 1) & 1;
      }
      stack_s[d] = sr;
      stack_t[d] = static_cast<std::uint8_t>(tr);
      s = sl;
      t = tl;
    }
    leaf(base + j, signed_by(party, convert_one(s, out_mask) + (t ? cw_out : 0)));
    if (++j == leaves) break;
    // The next leaf's path leaves the current one at the lowest set bit of j: resume at the right
    // child pushed at that depth.
    d = depth - 1 - ctz64(j);
    s = stack_s[d];
    t = stack_t[d];
    ++d;
  }
}

}  // namespace secinfer::fss::cuda
