// A lookup table as bit planes, for SIGMA's LUT sums (fss/dpf_et.h dpf_et_lut_eval): the sum
// over a key's set leaves of T[lut_index(xhat, j)] becomes, per 64 leaves and per plane, one AND
// and one popcount against a 64-bit window of the plane, instead of a table read per set leaf.
//
// Why it is exact: write every entry, read as a signed out_bits-bit value, as base + D[i] with
// 0 <= D[i] < 2^P (base the smallest entry). Then
//   sum_j y(j) T[idx(j)] = base * count + sum_p 2^p popc(y AND plane_p(idx)) mod 2^out_bits,
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

// The planes of a table in one array, words[(seg * planes + p) * seg_words + w]: seg < 2^(k - L),
// p < planes, w <= 2^(L - 6) (the last word repeats the first: the padding).
struct LutPlanesView {
  int planes = 0;             // P (0: every entry equals base)
  int low_bits = 0;           // L, at least 6
  u64 base = 0;               // the smallest entry, signed, as a ring element mod 2^64
  std::size_t seg_words = 0;  // 2^(L - 6) + 1
  const u64* words = nullptr;

  // The D-part of the sum over one 64-leaf word `leaves` whose first leaf is j0 (a multiple of
  // 64), for the public index xhat (low field x_low, XOR field x_high): sum_p 2^p popc(leaves AND
  // window_p). `word(i)` reads words[i] (from wherever the caller keeps them).
  template <class Word>
  SECINFER_HD u64 word_sum(u64 leaves, u64 j0, u64 x_low, u64 x_high, const Word& word) const {
    const u64 lmask = (u64{1} << low_bits) - 1;
    const u64 seg = x_high ^ (j0 >> low_bits);
    const u64 u = ((j0 & lmask) - x_low) & lmask;
    const int sh = static_cast<int>(u & 63);
    std::size_t at = static_cast<std::size_t>(seg) * static_cast<std::size_t>(planes) * seg_words +
                     static_cast<std::size_t>(u >> 6);
    u64 s = 0;
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
  int planes = 0;
  int low_bits = 0;
  u64 base = 0;
  std::size_t seg_words = 0;
  std::vector<u64> words;

  LutPlanesView view() const { return {planes, low_bits, base, seg_words, words.data()}; }
  std::size_t bytes() const { return words.size() * sizeof(u64); }
};

// The planes of `table` (2^k entries, read mod 2^out_bits) for an index whose top bits in
// xor_mask combine by XOR (dpf_et_core.h lut_index; the caller checked the mask), or nothing
// where they do not pay or do not apply: k < 7, fewer than 6 subtracted low bits, or entries
// spread over more than kLutMaxPlanes bits.
std::optional<LutPlanes> make_lut_planes(std::span<const u64> table, int k, int out_bits,
                                         u64 xor_mask);

}  // namespace secinfer::fss
