// The host's construction of a table's nonzero arcs (contract in lut_support.h).
#include "fss/lut_support.h"

#include <bit>

namespace secinfer::fss {

LutSupport make_lut_support(std::span<const u64> table, int k, int out_bits, u64 xor_mask) {
  LutSupport out;
  out.xor_bits = std::popcount(lut_xor_field(xor_mask));
  out.low_bits = k - out.xor_bits;
  const std::size_t circle = std::size_t{1} << out.low_bits;
  const u64 m = ring_mask(out_bits);
  for (std::size_t seg = 0; seg < (std::size_t{1} << out.xor_bits); ++seg) {
    const std::span<const u64> entries = table.subspan(seg * circle, circle);
    // The longest run of zeros on the circle: scan twice around so that a run through position 0
    // is seen whole.
    std::size_t best = 0, best_end = 0, run = 0;
    for (std::size_t i = 0; i < 2 * circle; ++i) {
      run = (entries[i % circle] & m) == 0 ? run + 1 : 0;
      if (run > best) {
        best = run;
        best_end = i;
      }
    }
    if (best >= circle) continue;  // all zero: len 0
    // The support starts after the run and covers the rest of the circle.
    out.start[seg] = static_cast<std::uint32_t>((best_end + 1) % circle);
    out.len[seg] = static_cast<std::uint32_t>(circle - best);
  }
  return out;
}

std::optional<LutSupport> lut_support_if_asked(std::span<const u64> table, int k, int out_bits,
                                               u64 index_xor_mask) {
  if ((index_xor_mask & kLutSkipZeros) == 0) return std::nullopt;
  return make_lut_support(table, k, out_bits, index_xor_mask);
}

}  // namespace secinfer::fss
