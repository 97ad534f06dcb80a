// The fixed-key PRG G_j, expand_j and ConvertVec of docs/design/fss-core.md, written once for the
// host and the GPU over a table policy (aes_core.h). `rk` points at the five fixed schedules,
// rk[11 j + r] (shared memory in the kernels, kFixedSchedules on the host).
#pragma once

#include "fss/cuda/aes_core.h"

namespace secinfer::fss::cuda {

template <class Tab>
struct FixedPrg {
  Tab tab;
  const RoundKey* rk;

  // G_j(s) = AES_{K_j}(s) XOR s (fixed-key Davies-Meyer / MMO).
  SECINFER_HD Block g(int j, Block s) const { return aes_encrypt(tab, rk + 11 * j, s) ^ s; }
  // G_j of two blocks (aes_encrypt2).
  SECINFER_HD BlockPair g2(int j, BlockPair s) const {
    const BlockPair e = aes_encrypt2(tab, rk + 11 * j, s);
    return BlockPair{e.a ^ s.a, e.b ^ s.b};
  }

  // expand_j(s): B = G_j(s); control bit t = B.lo & 1; next seed B with bit 0 cleared.
  SECINFER_HD Block expand(int j, Block s, int& t) const {
    const Block b = g(j, s);
    t = b.lsb();
    return b.clear_lsb();
  }

  // ConvertVec's elements 2k - 1 (C.lo) and 2k (C.hi), k >= 1: C = G_4(blk XOR Block{k, 0}).
  SECINFER_HD Block convert_pair(Block blk, u64 k) const { return g(4, blk ^ Block{k, 0}); }

  // ConvertVec_{m,L}(blk): calls f(j, element j) for j = 0..L-1 in order (ceil((L-1)/2) AES).
  template <class F>
  SECINFER_HD void convert_vec(Block blk, int L, u64 mask, F&& f) const {
    f(0, blk.hi & mask);
    SECINFER_UNROLL
    for (int j = 1; j < L; j += 2) {
      const Block c = convert_pair(blk, static_cast<u64>((j + 1) / 2));
      f(j, c.lo & mask);
      if (j + 1 < L) f(j + 1, c.hi & mask);
    }
  }
};

// expand_j of two seeds, for any PRG with g2 (FixedPrg, OutlinedPrg): key generation expands
// both parties' seeds of a level with the same j.
template <class Prg>
SECINFER_HD BlockPair expand2(const Prg& prg, int j, Block s0, Block s1, int& t0, int& t1) {
  const BlockPair b = prg.g2(j, BlockPair{s0, s1});
  t0 = b.a.lsb();
  t1 = b.b.lsb();
  return BlockPair{b.a.clear_lsb(), b.b.clear_lsb()};
}

// ConvertVec's pair k of two blocks (FixedPrg::convert_pair of each).
template <class Prg>
SECINFER_HD BlockPair convert_pair2(const Prg& prg, Block a, Block b, u64 k) {
  return prg.g2(4, BlockPair{a ^ Block{k, 0}, b ^ Block{k, 0}});
}

// The DCF's value blocks (fss-core.md "DCF") for any PRG with g(j, s) (FixedPrg, OutlinedPrg):
// child c's is G_{2+c}(s); with a one-element payload (L = 1) both children's come from one AES,
// G_2(s) for c = 0 and G_2(s) with its halves swapped for c = 1 (ConvertVec reads element 0 from
// .hi). dcf_value gives one child's of one seed (evaluation walks one), dcf_values2 both children's
// of two seeds (generation; scalars, not arrays indexed by a bit, so that they stay in registers).
template <class Prg>
SECINFER_HD Block dcf_value(const Prg& prg, int L, int c, Block s) {
  if (L != 1) return prg.g(2 + c, s);
  const Block b = prg.g(2, s);
  return c ? b.swapped() : b;
}
template <class Prg>
SECINFER_HD void dcf_values2(const Prg& prg, int L, Block s0, Block s1, Block& v0l, Block& v0r,
                             Block& v1l, Block& v1r) {
  const BlockPair l = prg.g2(2, BlockPair{s0, s1});
  v0l = l.a;
  v1l = l.b;
  if (L == 1) {
    v0r = l.a.swapped();
    v1r = l.b.swapped();
  } else {
    const BlockPair r = prg.g2(3, BlockPair{s0, s1});
    v0r = r.a;
    v1r = r.b;
  }
}

// Convert_m(blk) = blk.hi & mask(m) (never uses bit 0 of lo).
SECINFER_HD constexpr u64 convert_one(Block blk, u64 mask) {
  return blk.hi & mask;
}

// (-1)^b * v mod 2^64.
SECINFER_HD constexpr u64 signed_by(int b, u64 v) {
  return b ? u64{0} - v : v;
}

// AES calls of ConvertVec_{m,L} beyond the block itself.
SECINFER_HD constexpr int convert_vec_aes(int L) {
  return L / 2;
}

}  // namespace secinfer::fss::cuda
