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

// The DCF's value blocks (fss-core.md "DCF") for any PRG with g(j, s) (FixedPrg, OutlinedPrg):
// child c's is G_{2+c}(s); with a one-element payload (L = 1) both children's come from one AES,
// G_2(s) for c = 0 and G_2(s) with its halves swapped for c = 1 (ConvertVec reads element 0 from
// .hi). dcf_value gives one child's (evaluation walks one), dcf_values both (generation).
template <class Prg>
SECINFER_HD Block dcf_value(const Prg& prg, int L, int c, Block s) {
  if (L != 1) return prg.g(2 + c, s);
  const Block b = prg.g(2, s);
  return c ? b.swapped() : b;
}
template <class Prg>
SECINFER_HD void dcf_values(const Prg& prg, int L, Block s, Block& v0, Block& v1) {
  v0 = prg.g(2, s);
  v1 = L == 1 ? v0.swapped() : prg.g(3, s);
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
