// A 128-bit block: AES state, PRG seed. Layout and byte order: docs/design/fss-core.md.
#pragma once

#include <cstdint>

#include "fss/ring.h"

namespace secinfer::fss {

struct alignas(16) Block {
  u64 lo = 0;
  u64 hi = 0;

  SECINFER_HD constexpr Block operator^(const Block& o) const { return {lo ^ o.lo, hi ^ o.hi}; }
  SECINFER_HD constexpr Block& operator^=(const Block& o) {
    lo ^= o.lo;
    hi ^= o.hi;
    return *this;
  }
  SECINFER_HD constexpr bool operator==(const Block& o) const { return lo == o.lo && hi == o.hi; }
  SECINFER_HD constexpr int lsb() const { return static_cast<int>(lo & 1); }
  SECINFER_HD constexpr Block clear_lsb() const { return {lo & ~u64{1}, hi}; }
  SECINFER_HD constexpr Block swapped() const { return {hi, lo}; }  // the halves exchanged
};

// sigma(x) = (lo: x.hi, hi: x.lo ^ x.hi), a linear orthomorphism of the 128-bit blocks (sigma and
// sigma + id are both permutations): G_0(sigma(s)) is the circular-correlation-robust hash of
// the half-tree DCF (fss-core.md "DCF").
SECINFER_HD constexpr Block ccr_sigma(Block x) {
  return {x.hi, x.lo ^ x.hi};
}

// t ? b : 0 for t in {0, 1}, without a branch.
SECINFER_HD constexpr Block block_if(Block b, u64 t) {
  const u64 m = u64{0} - t;
  return {b.lo & m, b.hi & m};
}

// The half-tree's child c in {0, 1} of node s, from h = H(s) = G_0(ccr_sigma(s)) and the level's
// correction cw: h ^ (c ? s : 0) ^ (t ? cw : 0), t = bit 0 of s (fss-core.md "DCF"). One rule for
// the CPU's and the GPU's generators and evaluators.
SECINFER_HD constexpr Block half_tree_child(Block h, Block s, u64 c, Block cw) {
  return h ^ block_if(s, c) ^ block_if(cw, static_cast<u64>(s.lsb()));
}

// The half-tree DCF's root offset Delta = s0 ^ s1 from its stream draw (the block after the root
// s0, fss-core.md "Randomness"): the draw with bit 0 set, so that on alpha's path exactly one
// party's control bit is set. One rule for the CPU's and the GPU's generators.
SECINFER_HD constexpr Block half_tree_delta(Block draw) {
  return {draw.lo | 1, draw.hi};
}

// The fixed public PRG keys K_j, j = 0..4 (fss-core.md "Blocks and AES").
SECINFER_HD constexpr Block prg_fixed_key(int j) {
  return {0x9E3779B97F4A7C15ull * static_cast<u64>(j + 1), 0x7365636966657221ull};
}
inline constexpr int kPrgFixedKeys = 5;

}  // namespace secinfer::fss
