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

// The fixed public PRG keys K_j, j = 0..4 (fss-core.md "Blocks and AES").
SECINFER_HD constexpr Block prg_fixed_key(int j) {
  return {0x9E3779B97F4A7C15ull * static_cast<u64>(j + 1), 0x7365636966657221ull};
}
inline constexpr int kPrgFixedKeys = 5;

}  // namespace secinfer::fss
