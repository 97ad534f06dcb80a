// One key of the early-terminated 1-bit DPF (fss/dpf_et.h), generation and the lookup-table
// evaluation, written once for the host and the GPU over any PRG with `Block g(int j, Block s)`
// (G_j of docs/design/fss-core.md: the CPU's FixedKeyPrg, the kernels' cuda::FixedPrg).
// fss/dpf_et.cpp runs these on the CPU, fss/cuda/dpf_et_lut.cu one per GPU thread, so the two
// paths are the same code; scripts/gpu_check.sh checks them against each other on the device.
//
// The tree (docs/design/sigma-lut.md): L = max(k - 7 - w, 0) levels above leaves of 2^w 128-bit
// blocks (w = leaf_log2; 0 is SIGMA's key, 1 and 2 the fused suite's wider leaves,
// docs/design/fused-trunc-act.md "Wider leaves"). Levels 0 .. L-2 are Boyle-Gilboa-Ishai DPF
// levels (seed CW and two control-bit CWs, as fss/dpf.h); the last level expands a node of seed s
// into its two children, leaf dir being the blocks G_dir(s XOR sub), sub < 2^w (for w = 0 the
// block G_dir(s), SIGMA's), corrected by the leaf CWs where the control bit is set. Leaf j is bit
// (j mod 128) of block floor(j / 128) (bit i of a block: lo bit i for i < 64, else hi bit i - 64).
// The two parties' leaves XOR to the point function [j == alpha]. With L = 0 (k <= 7, w = 0) the
// roots are the leaf block itself: root_1 = root_0 XOR e_alpha.
//
// A node's "level" below counts 128-bit block levels (0 the root, k - 7 the blocks): the tree's
// nodes sit at levels 0 .. L, and a wide leaf's blocks at L + w.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "fss/bit_ops.h"
#include "fss/block.h"
#include "fss/lut_planes.h"
#include "fss/lut_support.h"

namespace secinfer::fss {

// Levels of the tree of a k-bit domain above its leaves of 2^leaf_log2 blocks.
SECINFER_HD constexpr int dpf_et_levels(int k, int leaf_log2 = 0) {
  return k > 7 + leaf_log2 ? k - 7 - leaf_log2 : 0;
}
// Widest leaf taken: 4 blocks (512 leaves).
inline constexpr int kDpfEtMaxLeafLog2 = 2;
// Whether a k-bit domain takes leaves of 2^leaf_log2 blocks: SIGMA's 128-bit leaves always, a
// wider leaf where the tree keeps at least one level above it.
SECINFER_HD constexpr bool dpf_et_shape_ok(int k, int leaf_log2) {
  return leaf_log2 == 0 ||
         (leaf_log2 > 0 && leaf_log2 <= kDpfEtMaxLeafLog2 && dpf_et_levels(k, leaf_log2) >= 1);
}
// Deepest tree the evaluation takes (k <= 7 + this).
inline constexpr int kDpfEtMaxLevels = 24;
// Walk depth (inner levels under the walk's root, dpf_et_levels - 1 less the levels a GPU lane
// skips) up to which the GPU instantiates the walks with their stack in registers: the fused
// lookups' trees (at most 6 levels) and the sigma suite's shallow ones. Deeper walks take the
// generic instantiation (kMaxDepth = kDpfEtMaxLevels), its stack in local memory.
inline constexpr int kDpfEtRegDepth = 5;
// The kMaxDepth of the walk instantiation for a walk of `depth` inner levels.
constexpr int dpf_et_walk_bound(int depth) {
  return depth <= kDpfEtRegDepth ? kDpfEtRegDepth : kDpfEtMaxLevels;
}

// A depth-first walk's pending seeds, one slot per inner level. Up to 8 slots every access is a
// chain of selects at compile-time indices, which lets the GPU keep the array in registers (an
// array indexed at run time lives in local memory); deeper, a plain array.
template <int N>
struct DpfEtSeedStack {
  Block v[N];
  SECINFER_HD Block get(int i) const {
    if constexpr (N <= 8) {
      Block r;
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((r = i == J ? v[J] : r), ...);
      }
      (std::make_integer_sequence<int, N>{});
      return r;
    } else {
      return v[i];
    }
  }
  SECINFER_HD void set(int i, Block b) {
    if constexpr (N <= 8) {
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((v[J] = i == J ? b : v[J]), ...);
      }
      (std::make_integer_sequence<int, N>{});
    } else {
      v[i] = b;
    }
  }
};

// Bit i of x set to b (0 or 1).
SECINFER_HD constexpr unsigned dpf_et_with_bit(unsigned x, int i, int b) {
  return (x & ~(1u << i)) | (static_cast<unsigned>(b) << i);
}

// The 128-bit block with only bit i (0..127) set.
SECINFER_HD constexpr Block dpf_et_unit(u64 i) {
  return i < 64 ? Block{u64{1} << i, 0} : Block{0, u64{1} << (i - 64)};
}

// Block `sub` of leaf `dir` under a last-level node of seed s: G_dir(s XOR sub). The seeds of the
// inner levels have their low bit cleared, so sub = 1 never repeats an inner node's input; the
// blocks of one leaf are the fixed-key PRG at distinct inputs of one secret seed.
template <class Prg>
SECINFER_HD Block dpf_et_leaf_block(const Prg& prg, int dir, u64 sub, Block s) {
  return prg.g(dir, s ^ Block{sub, 0});
}

// One key pair from the root seeds s0, s1 at alpha (< 2^k) with leaves of 2^w blocks (w =
// leaf_log2, dpf_et_shape_ok): writes both roots, the L - 1 inner levels' cw_seed / cw_t (bit 0 =
// tL, bit 1 = tR) at cw_seed[i * stride], and, when L >= 1, the leaf CWs: block sub of leaf dir's
// at leaf_cw[(dir 2^w + sub) stride] (w = 0: l_0 at leaf_cw[0], l_1 at leaf_cw[stride]).
template <class Prg>
SECINFER_HD void dpf_et_gen_one(const Prg& prg, int k, int leaf_log2, Block s0, Block s1, u64 alpha,
                                Block& root0, Block& root1, Block* cw_seed, std::uint8_t* cw_t,
                                Block* leaf_cw, std::size_t stride) {
  const int levels = dpf_et_levels(k, leaf_log2);
  if (levels == 0) {
    root0 = s0;
    root1 = s0 ^ dpf_et_unit(alpha & 127);
    return;
  }
  s0 = s0.clear_lsb();
  s1 = s1.clear_lsb();
  root0 = s0;
  root1 = s1;
  int t0 = 0, t1 = 1;
  for (int i = 0; i + 1 < levels; ++i) {
    const int a = static_cast<int>((alpha >> (k - 1 - i)) & 1);
    Block g[2][2];  // g[b][dir] = G_dir(s_b)
    for (int dir = 0; dir < 2; ++dir) {
      g[0][dir] = prg.g(dir, s0);
      g[1][dir] = prg.g(dir, s1);
    }
    // Keep = a, Lose = 1 - a (Boyle-Gilboa-Ishai, CCS 2016, Fig. 1).
    const Block cw = g[0][1 - a].clear_lsb() ^ g[1][1 - a].clear_lsb();
    const int cw_tl = g[0][0].lsb() ^ g[1][0].lsb() ^ a ^ 1;
    const int cw_tr = g[0][1].lsb() ^ g[1][1].lsb() ^ a;
    cw_seed[i * stride] = cw;
    cw_t[i * stride] = static_cast<std::uint8_t>(cw_tl | (cw_tr << 1));
    const int cw_tk = a ? cw_tr : cw_tl;
    const int k0 = g[0][a].lsb(), k1 = g[1][a].lsb();
    s0 = t0 ? g[0][a].clear_lsb() ^ cw : g[0][a].clear_lsb();
    s1 = t1 ? g[1][a].clear_lsb() ^ cw : g[1][a].clear_lsb();
    t0 = k0 ^ (t0 & cw_tk);
    t1 = k1 ^ (t1 & cw_tk);
  }
  // The last level: the children are the leaves. Off the path both parties' blocks agree; on it
  // exactly one control bit is set, so each block's CW, G(s0) ^ G(s1) ^ [alpha's block] e, makes
  // the XOR of the two parties' blocks e (at alpha's 7 low bits) in alpha's block and 0 in every
  // other.
  const int a = static_cast<int>((alpha >> (7 + leaf_log2)) & 1);
  const u64 blocks = u64{1} << leaf_log2;
  const u64 sub_a = (alpha >> 7) & (blocks - 1);
  for (int dir = 0; dir < 2; ++dir)
    for (u64 sub = 0; sub < blocks; ++sub) {
      Block l = dpf_et_leaf_block(prg, dir, sub, s0) ^ dpf_et_leaf_block(prg, dir, sub, s1);
      if (dir == a && sub == sub_a) l ^= dpf_et_unit(alpha & 127);
      leaf_cw[(static_cast<u64>(dir) * blocks + sub) * stride] = l;
    }
}

// Every leaf block of one key: leaf(block index, block). Depth-first over the L - 1 inner levels
// (2 AES per inner node), 2^(w+1) AES per last-level node; L = 0: the root itself. The last-level
// nodes come in the order q = 0, 1, .. of node index q XOR flip (flip < 2^(L-1); 0: in order): keys
// walked side by side with different flips can then meet the same part of a table at the same
// step (the bit-plane sums, below). leaf_cw: the key's leaf CWs at leaf_cw[(dir 2^w + sub)
// stride] (dpf_et_gen_one; unread when L = 0). kMaxDepth >= L - 1 bounds the walk's stack
// (DpfEtSeedStack; dpf_et_walk_bound).
template <int kMaxDepth = kDpfEtMaxLevels, class Prg, class Leaf>
SECINFER_HD void dpf_et_leaf_blocks(const Prg& prg, int k, int leaf_log2, int party, Block root,
                                    const Block* cw_seed, const std::uint8_t* cw_t,
                                    const Block* leaf_cw, std::size_t stride, u64 flip,
                                    Leaf&& leaf) {
  static_assert(kMaxDepth >= 1 && kMaxDepth <= 32, "the control bits wait in one 32-bit word");
  const int levels = dpf_et_levels(k, leaf_log2);
  if (levels == 0) {
    leaf(u64{0}, root);
    return;
  }
  const int depth = levels - 1;  // inner levels
  const u64 blocks = u64{1} << leaf_log2;
  DpfEtSeedStack<kMaxDepth> stack_s;  // the other child of the path's level-d node at d
  unsigned stack_t = 0;               // its control bit at bit d
  Block s = root;
  int t = party;
  int d = 0;
  const u64 nodes = u64{1} << depth;
  for (u64 j = 0;;) {
    for (; d < depth; ++d) {  // descend to the first child, remember the other
      const Block cw = cw_seed[d * stride];
      const int cwt = cw_t[d * stride];
      Block gl = prg.g(0, s), gr = prg.g(1, s);
      int tl = gl.lsb(), tr = gr.lsb();
      gl = gl.clear_lsb();
      gr = gr.clear_lsb();
      if (t) {
        gl ^= cw;
        gr ^= cw;
        tl ^= cwt & 1;
        tr ^= (cwt >> 1) & 1;
      }
      const bool right_first = ((flip >> (depth - 1 - d)) & 1) != 0;
      stack_s.set(d, right_first ? gl : gr);
      stack_t = dpf_et_with_bit(stack_t, d, right_first ? tl : tr);
      s = right_first ? gr : gl;
      t = right_first ? tr : tl;
    }
    for (int dir = 0; dir < 2; ++dir)
      for (u64 sub = 0; sub < blocks; ++sub) {
        Block blk = dpf_et_leaf_block(prg, dir, sub, s);
        if (t) blk ^= leaf_cw[(static_cast<u64>(dir) * blocks + sub) * stride];
        leaf(((2 * (j ^ flip) + static_cast<u64>(dir)) << leaf_log2) | sub, blk);
      }
    if (++j == nodes) break;
    // The next node's path leaves this one at the lowest set bit of j.
    d = depth - 1 - ctz64(j);
    s = stack_s.get(d);
    t = static_cast<int>((stack_t >> d) & 1);
    ++d;
  }
}

// dpf_et_leaf_blocks over the part of the tree that `need` keeps: need(level, q) says whether node
// q of that block level (0 the root, k - 7 the 128-bit blocks; it covers blocks q 2^(k - 7 -
// level) .. (q + 1) 2^(k - 7 - level) - 1) holds a leaf to visit. Nothing below a node it drops
// costs AES; a kept inner node costs its two children's, a kept block of a wide leaf its own one.
// Where need keeps everything: the same blocks, in the same order, for the same AES. kMaxDepth as
// dpf_et_leaf_blocks.
template <int kMaxDepth = kDpfEtMaxLevels, class Prg, class Need, class Leaf>
SECINFER_HD void dpf_et_leaf_blocks_where(const Prg& prg, int k, int leaf_log2, int party,
                                          Block root, const Block* cw_seed,
                                          const std::uint8_t* cw_t, const Block* leaf_cw,
                                          std::size_t stride, u64 flip, const Need& need,
                                          Leaf&& leaf) {
  static_assert(kMaxDepth >= 1 && kMaxDepth <= 32, "the pending slots fit one 32-bit word");
  const int levels = dpf_et_levels(k, leaf_log2);
  if (!need(0, u64{0})) return;
  if (levels == 0) {
    leaf(u64{0}, root);
    return;
  }
  const int depth = levels - 1;  // inner levels
  const u64 blocks = u64{1} << leaf_log2;
  // Depth first, a node (s, t, q at block level `level`) at a time. Where both children are kept
  // the walk goes down the first and the second waits in the slot of their parent's level l; the
  // deepest waiting one comes next, q from the last node's (it lies under the first child).
  DpfEtSeedStack<kMaxDepth> stack_s;
  unsigned stack_t = 0, pending = 0;  // bit l: slot l's control bit, whether it waits
  Block s = root;
  int t = party, level = 0;
  u64 q = 0;
  for (;;) {
    if (level == depth && leaf_log2 > 0) {  // the children are wide leaves: a block an AES
      for (int dir = 0; dir < 2; ++dir) {
        const u64 c = 2 * q + static_cast<u64>(dir);
        if (!need(levels, c)) continue;
        for (u64 sub = 0; sub < blocks; ++sub) {
          const u64 b = (c << leaf_log2) | sub;
          if (!need(levels + leaf_log2, b)) continue;
          Block blk = dpf_et_leaf_block(prg, dir, sub, s);
          if (t) blk ^= leaf_cw[(static_cast<u64>(dir) * blocks + sub) * stride];
          leaf(b, blk);
        }
      }
    } else {
      // Both children, whichever are kept: every lane of a GPU warp then runs the same two AES
      // per step, whether its node is a last-level one or not (AES in the branches below would
      // run once per branch a warp's lanes take).
      const Block gl = prg.g(0, s), gr = prg.g(1, s);
      if (level == depth) {  // the children are 128-bit leaf blocks
        for (int dir = 0; dir < 2; ++dir) {
          const u64 b = 2 * q + static_cast<u64>(dir);
          if (!need(levels, b)) continue;
          Block blk = dir == 0 ? gl : gr;
          if (t) blk ^= leaf_cw[static_cast<std::size_t>(dir) * stride];
          leaf(b, blk);
        }
      } else {
        const int first = static_cast<int>((flip >> (depth - 1 - level)) & 1);
        const bool keep_first = need(level + 1, 2 * q + static_cast<u64>(first));
        const bool keep_second = need(level + 1, 2 * q + static_cast<u64>(1 - first));
        const Block cw = cw_seed[level * stride];
        const int cwt = cw_t[level * stride];
        const auto child = [&](int dir, int& tc) {  // child dir's seed; its control bit to tc
          Block g = dir == 0 ? gl : gr;
          tc = g.lsb();
          g = g.clear_lsb();
          if (t) {
            g ^= cw;
            tc ^= (cwt >> dir) & 1;
          }
          return g;
        };
        if (keep_first && keep_second) {
          int tc = 0;
          stack_s.set(level, child(1 - first, tc));
          stack_t = dpf_et_with_bit(stack_t, level, tc);
          pending |= 1u << level;
        }
        if (keep_first || keep_second) {
          const int dir = keep_first ? first : 1 - first;
          int tc = 0;
          s = child(dir, tc);
          t = tc;
          q = 2 * q + static_cast<u64>(dir);
          ++level;
          continue;
        }
      }
    }
    if (pending == 0) break;
    const int l = msb64(pending);
    pending &= ~(1u << l);
    s = stack_s.get(l);
    t = static_cast<int>((stack_t >> l) & 1);
    q = (q >> (level - l - 1)) ^ 1;
    level = l + 1;
  }
}

// The leaves of a tree of `levels` block levels (k = levels + 7, whatever its leaf width) that may
// read a nonzero entry of a table with support `sup` at the public index xhat (lut_support.h), as
// dpf_et_leaf_blocks_where's need: node q of block level `level` under the node `sub` at depth a
// of the whole tree (a = 0: the tree).
struct DpfEtLutNeed {
  const LutSupport* sup;
  u64 xhat, sub;
  int levels;  // the walked tree's block levels (k - 7 - a)
  SECINFER_HD bool operator()(int level, u64 q) const {
    const int below = levels - level;  // levels under the node
    const u64 node = (sub << level) | q;
    return sup->any(xhat, (node << below) << 7, u64{128} << below);
  }
};

// Where a lookup table is read for leaf j at the public index xhat: T[(xhat - j) mod 2^k] in
// SIGMA's LUT; an index whose top fields are XOR-masked bits (the fused truncation + activation
// gates, docs/design/fused-trunc-act.md) combines those bits, the set bits of xor_mask, by XOR
// and the low bits below them by subtraction: the group Z_2^h x Z_2^(k-h) instead of Z_2^k.
SECINFER_HD u64 lut_index(u64 xhat, u64 j, u64 dmask, u64 xor_mask) {
  return ((xhat ^ j) & xor_mask) | ((xhat - j) & dmask & ~xor_mask);
}

// The lookup-table sums of one key (SIGMA's LUT, docs/design/sigma-lut.md): over this party's
// leaves y_b(j) in {0, 1}, j < 2^k, count = sum_j y_b(j) and
// sum = sum_j y_b(j) T[lut_index(xhat, j)] mod 2^64 (the caller reduces). table: 2^k entries;
// xor_mask: 0 (SIGMA's index) or the top bits of the index combined by XOR (lut_index).
// kMaxDepth >= L - 1: the walk's instantiation (dpf_et_walk_bound).
template <int kMaxDepth = kDpfEtMaxLevels, class Prg, class Table>
SECINFER_HD void dpf_et_lut_one(const Prg& prg, int k, int leaf_log2, int party, Block root,
                                const Block* cw_seed, const std::uint8_t* cw_t,
                                const Block* leaf_cw, std::size_t stride, u64 xhat, u64 xor_mask,
                                const Table& table, u64& sum, u64& count,
                                const LutSupport* support = nullptr) {
  const u64 dmask = (u64{1} << k) - 1;
  xor_mask &= dmask;  // the XOR field alone (lut_planes.h lut_xor_field)
  u64 s = 0, c = 0;
  const auto leaf = [&](u64 b, Block blk) {
    if (k < 7) {  // the block holds 2^k leaves
      if (k < 6) blk.lo &= (u64{1} << (1 << k)) - 1;
      blk.hi = 0;
    }
    c += static_cast<u64>(popc64(blk.lo) + popc64(blk.hi));
    const u64 base = b << 7;
    for (u64 w = blk.lo; w != 0; w &= w - 1)
      s += table(static_cast<std::size_t>(
          lut_index(xhat, base + static_cast<u64>(ctz64(w)), dmask, xor_mask)));
    for (u64 w = blk.hi; w != 0; w &= w - 1)
      s += table(static_cast<std::size_t>(
          lut_index(xhat, base + 64 + static_cast<u64>(ctz64(w)), dmask, xor_mask)));
  };
  if (support == nullptr)
    dpf_et_leaf_blocks<kMaxDepth>(prg, k, leaf_log2, party, root, cw_seed, cw_t, leaf_cw, stride, 0,
                                  leaf);
  else
    dpf_et_leaf_blocks_where<kMaxDepth>(prg, k, leaf_log2, party, root, cw_seed, cw_t, leaf_cw,
                                        stride, 0, DpfEtLutNeed{support, xhat, 0, dpf_et_levels(k)},
                                        leaf);
  sum = s;
  count = c;
}

// The same sums from the table's bit planes (lut_planes.h; planes.low_bits >= 6 and k >= 7, so
// every 64-leaf word lies in one segment of the index), over the part of the leaves that lane r
// of 2^a lanes sharing the key owns: the subtree under the depth-a node on r's path (a <= L - 1;
// a = 0, r = 0: the whole key). The lane walks to that node (a AES), then its subtree as above.
// count = its leaves' popcount, sum = their words' bases and windows' popcounts; the lanes' sums
// and counts add up (mod 2^out_bits, not mod 2^64) to dpf_et_lut_one's. kMaxDepth >= L - a - 1:
// the subtree walk's instantiation (dpf_et_walk_bound).
template <int kMaxDepth = kDpfEtMaxLevels, class Prg, class Word>
SECINFER_HD void dpf_et_lut_planes_part(const Prg& prg, int k, int leaf_log2, int party, Block root,
                                        const Block* cw_seed, const std::uint8_t* cw_t,
                                        const Block* leaf_cw, std::size_t stride, u64 xhat,
                                        const LutPlanesView& planes, const Word& word, int a,
                                        unsigned r, u64& sum, u64& count,
                                        const LutSupport* support = nullptr) {
  sum = 0;
  count = 0;
  const int levels = dpf_et_levels(k, leaf_log2);
  const int block_levels = dpf_et_levels(k);
  if (support != nullptr && !DpfEtLutNeed{support, xhat, 0, block_levels}(a, static_cast<u64>(r)))
    return;  // nothing under this lane's node reads a nonzero entry: not even its path's AES
  Block node = root;
  int t = party;
  for (int d = 0; d < a; ++d) {  // one child per level, as dpf_et_leaf_blocks expands both
    const int dir = static_cast<int>((r >> (a - 1 - d)) & 1);
    Block g = prg.g(dir, node);
    int tg = g.lsb();
    g = g.clear_lsb();
    if (t) {
      g ^= cw_seed[static_cast<std::size_t>(d) * stride];
      tg ^= (cw_t[static_cast<std::size_t>(d) * stride] >> dir) & 1;
    }
    node = g;
    t = tg;
  }
  const u64 first = static_cast<u64>(r) << (block_levels - a);  // the subtree's first block
  const std::size_t skip = static_cast<std::size_t>(a) * stride;
  const u64 x_low = xhat & ((u64{1} << planes.low_bits) - 1);
  const u64 x_high = xhat >> planes.low_bits;
  // Visit the subtree's last-level nodes so that the XOR field of the table index they read
  // (seg = x_high XOR the block's top bits) rises with the step, the same at every step for keys
  // walked side by side: their per-segment plane counts agree, a warp does not wait on its
  // slowest lane (the fused gates' constant segments then cost nothing). A last-level node's
  // number over the whole tree is the top depth + a bits of its leaves' indices.
  const int depth = levels - a - 1;  // the subtree's inner levels
  const int xor_bits = k - planes.low_bits;
  const u64 aligned =
      depth >= xor_bits + a ? x_high << (depth + a - xor_bits) : x_high >> (xor_bits - depth - a);
  const u64 flip = aligned & ((u64{1} << depth) - 1);
  u64 s = 0, c = 0;
  // The subtree is a key of k - a bits (L - a >= 1 levels) rooted at node with control bit t.
  const Block* sub_cw_seed = cw_seed != nullptr ? cw_seed + skip : nullptr;
  const std::uint8_t* sub_cw_t = cw_t != nullptr ? cw_t + skip : nullptr;
  const auto leaf = [&](u64 b, Block blk) {
    const u64 j0 = (first + b) << 7;
    c += static_cast<u64>(popc64(blk.lo) + popc64(blk.hi));
    s += planes.word_sum(blk.lo, j0, x_low, x_high, word);
    s += planes.word_sum(blk.hi, j0 + 64, x_low, x_high, word);
  };
  if (support == nullptr)
    dpf_et_leaf_blocks<kMaxDepth>(prg, k - a, leaf_log2, t, node, sub_cw_seed, sub_cw_t, leaf_cw,
                                  stride, flip, leaf);
  else
    dpf_et_leaf_blocks_where<kMaxDepth>(prg, k - a, leaf_log2, t, node, sub_cw_seed, sub_cw_t,
                                        leaf_cw, stride, flip,
                                        DpfEtLutNeed{support, xhat, r, block_levels - a}, leaf);
  sum = s;
  count = c;
}

// The whole key from the bit planes: dpf_et_lut_planes_part with one lane.
template <class Prg, class Word>
SECINFER_HD void dpf_et_lut_planes_one(const Prg& prg, int k, int leaf_log2, int party, Block root,
                                       const Block* cw_seed, const std::uint8_t* cw_t,
                                       const Block* leaf_cw, std::size_t stride, u64 xhat,
                                       const LutPlanesView& planes, const Word& word, u64& sum,
                                       u64& count, const LutSupport* support = nullptr) {
  dpf_et_lut_planes_part(prg, k, leaf_log2, party, root, cw_seed, cw_t, leaf_cw, stride, xhat,
                         planes, word, 0, 0u, sum, count, support);
}

}  // namespace secinfer::fss
