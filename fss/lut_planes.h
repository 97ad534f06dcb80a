// A lookup table as bit planes, for SIGMA's LUT sums (fss/dpf_et.h dpf_et_lut_eval): the sum
// over a key's set leaves of T[lut_index(xhat, j)] becomes, per 64 leaves and per plane, one AND
// and one popcount against a 64-bit window of the plane, instead of a table read per set leaf.
//
// Why it is exact: write every entry, read as a signed out_bits-bit value, as base + D[i] with
// 0 <= D[i] < 2^P (base the smallest entry of the entry's segment, below). Then
//   sum_j y(j) T[idx(j)] = sum_words base * popc(y) + sum_p 2^p popc(y AND plane_p(idx))
// mod 2^out_bits,
// the same residue the table reads give (the entries agree with base + D mod 2^out_bits).
//
// Why a window: a 64-leaf word j0 .. j0 + 63 (j0 a multiple of 64) reads, by lut_index, the
// entries T[seg, (x_low - j0_low - t) mod 2^L] for t = 0 .. 63 with seg = x_high XOR j0_high and L
// the subtracted low bits of the index. Stored reversed, Q_seg[q] = D[seg, -q mod 2^L], those are
// the bits u .. u + 63 of Q_seg with u = (j0_low - x_low) mod 2^L, and 64 bits of padding
// (Q_seg[2^L + r] = Q_seg[r]) make the window one funnel shift of two words.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "fss/bit_ops.h"
#include "fss/ring.h"

namespace secinfer::fss {

// A bit of the `index_xor_mask` argument of the LUT sums (fss/dpf_et.h, fss/vec/vec.h,
// fss/cuda/dpf_et_cuda.h), above any index width they take: the sums may leave out leaves whose
// table entry is 0 (fss/lut_support.h). Off by default: SIGMA's own LUT evaluates the whole
// domain. The functions that read the index's XOR field take the argument as given and read it
// through lut_xor_field.
inline constexpr u64 kLutSkipZeros = u64{1} << 63;
SECINFER_HD constexpr u64 lut_xor_field(u64 index_xor_mask) {
  return index_xor_mask & ~kLutSkipZeros;
}

// Segments a table may have (index bits combined by XOR: at most 4).
inline constexpr int kLutMaxSegments = 16;

// The planes of a table in one array of words, headed by the segment table: words[2 seg] = the
// segment's base (its smallest entry, signed, as a ring element), words[2 seg + 1] = the offset
// of its first plane word | P_seg << 48; plane p of segment seg at offset + p seg_words, 2^(L -
// 6) + 1 words a plane (the last repeats the first: the padding). With a base per segment, a
// segment whose entries are all equal (the fused gates' out-of-range half) has no planes at all.
// One array, so that a kernel copies all of it to shared memory and reads nothing else.
struct LutPlanesView {
  int low_bits = 0;           // L, at least 6
  std::size_t seg_words = 0;  // 2^(L - 6) + 1
  std::size_t words = 0;      // the array's length
  const u64* data = nullptr;

  static constexpr int kPlanesShift = 48;

  // The sum over one 64-leaf word `leaves` whose first leaf is j0 (a multiple of 64), for the
  // public index xhat (low field x_low, XOR field x_high): base * popc(leaves) + sum_p 2^p
  // popc(leaves AND window_p). `word(i)` reads data[i] (from wherever the caller keeps it).
  template <class Word>
  SECINFER_HD u64 word_sum(u64 leaves, u64 j0, u64 x_low, u64 x_high, const Word& word) const {
    const u64 lmask = (u64{1} << low_bits) - 1;
    const auto seg = static_cast<std::size_t>(x_high ^ (j0 >> low_bits));
    const u64 u = ((j0 & lmask) - x_low) & lmask;
    const int sh = static_cast<int>(u & 63);
    const u64 at_planes = word(2 * seg + 1);
    const int planes = static_cast<int>(at_planes >> kPlanesShift);
    std::size_t at = static_cast<std::size_t>(at_planes & ((u64{1} << kPlanesShift) - 1)) +
                     static_cast<std::size_t>(u >> 6);
    u64 s = word(2 * seg) * static_cast<u64>(popc64(leaves));
    for (int p = 0; p < planes; ++p, at += seg_words) {
      // (b << 1) << (63 - sh): b << (64 - sh) without the undefined shift by 64 when sh = 0.
      const u64 window = (word(at) >> sh) | ((word(at + 1) << 1) << (63 - sh));
      s += static_cast<u64>(popc64(leaves & window)) << p;
    }
    return s;
  }
};

// Tables whose entries spread over more bits than this keep the table reads (a plane costs about
// as much as two set leaves' reads per 64 leaves).
inline constexpr int kLutMaxPlanes = 32;

// The host's copy of a table's planes.
struct LutPlanes {
  int low_bits = 0;
  std::size_t seg_words = 0;
  std::vector<u64> words;  // the segment table, then the planes

  LutPlanesView view() const { return {low_bits, seg_words, words.size(), words.data()}; }
  // Segment seg's plane count (tests and logs).
  int planes(std::size_t seg) const {
    return static_cast<int>(words[2 * seg + 1] >> LutPlanesView::kPlanesShift);
  }
};

// The planes of `table` (2^k entries, read mod 2^out_bits) for an index whose top bits in
// xor_mask combine by XOR (dpf_et_core.h lut_index; the caller checked the mask), or nothing
// where they do not pay or do not apply: k < 7, fewer than 6 subtracted low bits, more than
// kLutMaxSegments segments, or a segment whose entries spread over more than kLutMaxPlanes bits.
std::optional<LutPlanes> make_lut_planes(std::span<const u64> table, int k, int out_bits,
                                         u64 xor_mask);

}  // namespace secinfer::fss
