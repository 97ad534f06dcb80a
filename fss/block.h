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

// The fixed public PRG keys K_j, j = 0..4 (fss-core.md "Blocks and AES").
SECINFER_HD constexpr Block prg_fixed_key(int j) {
  return {0x9E3779B97F4A7C15ull * static_cast<u64>(j + 1), 0x7365636966657221ull};
}
inline constexpr int kPrgFixedKeys = 5;

}  // namespace secinfer::fss
