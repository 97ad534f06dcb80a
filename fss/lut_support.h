// Where a lookup table is not zero, per segment, so that SIGMA's LUT sums (fss/dpf_et.h
// dpf_et_lut_eval) may leave out the leaves that read a zero entry: the fused truncation +
// activation gates' tables are zero on the whole out-of-range half of their index and on most of
// the rest (docs/design/fused-trunc-act.md "Leaves that read zero").
//
// Why the sums stay correct: the parties' leaves agree everywhere but at the key's point alpha,
// so over any set S of leaves that both parties visit, sum_0 - sum_1 = +-T[idx(alpha)] [alpha in
// S] and count_0 - count_1 = +-[alpha in S], the same sign as over the whole domain. S here is a
// superset of the leaves whose entry is nonzero, fixed by the public index xhat alone: where
// alpha is outside S the entry it reads is 0 and the pair's sums are 0 too, which the protocol
// reconstructs as 0 whatever sign it derives (fss/gates/sigma/lut.h). So the output is the same
// and the work depends only on public values.
//
// A segment is a value of the index's XOR field (dpf_et_core.h lut_index; one segment when there
// is none); within it the subtracted low field walks a circle of 2^low_bits positions. The
// support of a segment is one arc of that circle that holds all its nonzero entries: the
// complement of its longest run of zeros (empty when the segment is all zero).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "fss/lut_planes.h"  // kLutMaxSegments
#include "fss/ring.h"

namespace secinfer::fss {

struct LutSupport {
  int low_bits = 0;  // bits of the subtracted field
  int xor_bits = 0;  // bits of the XOR field (segments = 2^xor_bits)
  std::uint32_t start[kLutMaxSegments] = {};
  std::uint32_t len[kLutMaxSegments] = {};  // 0: the segment is all zero; 2^low_bits: none is

  // Whether any leaf j in [j_lo, j_lo + span) reads a nonzero entry at the public index xhat
  // (span a power of two that divides j_lo, as a subtree's leaves are).
  SECINFER_HD bool any(u64 xhat, u64 j_lo, u64 span) const {
    const u64 circle = u64{1} << low_bits, lmask = circle - 1;
    const u64 x_low = xhat & lmask, x_high = xhat >> low_bits;
    if (span >= circle) {  // whole segments
      for (u64 h = j_lo >> low_bits; h < (j_lo + span) >> low_bits; ++h)
        if (len[(x_high ^ h) & ((u64{1} << xor_bits) - 1)] != 0) return true;
      return false;
    }
    const auto seg =
        static_cast<std::size_t>((x_high ^ (j_lo >> low_bits)) & ((u64{1} << xor_bits) - 1));
    const u64 l = len[seg];
    if (l == 0) return false;
    if (l == circle) return true;
    // Leaves j_lo .. j_lo + span - 1 read positions x_low - j: the arc from x_low - j_lo - span
    // + 1, span long. Two arcs of a circle meet iff either starts inside the other.
    const u64 a = (x_low - (j_lo & lmask) - span + 1) & lmask, b = start[seg];
    return ((a - b) & lmask) < l || ((b - a) & lmask) < span;
  }
};

// The support of `table` (2^k entries, read mod 2^out_bits) under an index whose top bits in
// xor_mask combine by XOR (the caller checked the mask; kLutSkipZeros may be set in it,
// lut_planes.h).
LutSupport make_lut_support(std::span<const u64> table, int k, int out_bits, u64 xor_mask);
// The same where index_xor_mask asks for it (kLutSkipZeros set), else nothing.
std::optional<LutSupport> lut_support_if_asked(std::span<const u64> table, int k, int out_bits,
                                               u64 index_xor_mask);

}  // namespace secinfer::fss
