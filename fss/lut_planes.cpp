// The host's construction of a table's bit planes (contract and layout in lut_planes.h).
#include "fss/lut_planes.h"

#include <bit>
#include <cstdint>

namespace secinfer::fss {
namespace {

// Entry v mod 2^bits as a signed value (sign bit bits - 1), in 64 bits.
std::int64_t signed_entry(u64 v, int bits) {
  const u64 r = v & ring_mask(bits);
  if (bits >= 64 || ((r >> (bits - 1)) & 1) == 0) return static_cast<std::int64_t>(r);
  return static_cast<std::int64_t>(r | ~ring_mask(bits));
}

}  // namespace

std::optional<LutPlanes> make_lut_planes(std::span<const u64> table, int k, int out_bits,
                                         u64 xor_mask) {
  const int low = k - std::popcount(lut_xor_field(xor_mask));
  if (k < 7 || low < 6 || k - low > 4 || table.size() != (std::size_t{1} << k)) return std::nullopt;
  const std::size_t segs = std::size_t{1} << (k - low);
  const std::size_t seg_len = std::size_t{1} << low;
  LutPlanes out;
  out.low_bits = low;
  out.seg_words = (seg_len >> 6) + 1;
  std::vector<u64> base(segs);
  std::vector<int> planes(segs);
  std::size_t words = 2 * segs;  // the segment table first
  for (std::size_t seg = 0; seg < segs; ++seg) {
    const std::span<const u64> entries = table.subspan(seg * seg_len, seg_len);
    std::int64_t lo = signed_entry(entries[0], out_bits), hi = lo;
    for (const u64 e : entries) {
      const std::int64_t x = signed_entry(e, out_bits);
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    // hi - lo as an unsigned difference: exact even where the signed one would overflow.
    planes[seg] = static_cast<int>(std::bit_width(static_cast<u64>(hi) - static_cast<u64>(lo)));
    if (planes[seg] > kLutMaxPlanes) return std::nullopt;
    base[seg] = static_cast<u64>(lo);
    words += static_cast<std::size_t>(planes[seg]) * out.seg_words;
  }
  out.words.assign(words, 0);
  std::size_t offset = 2 * segs;
  for (std::size_t seg = 0; seg < segs; ++seg) {
    out.words[2 * seg] = base[seg];
    out.words[2 * seg + 1] =
        static_cast<u64>(offset) | (static_cast<u64>(planes[seg]) << LutPlanesView::kPlanesShift);
    u64* seg_planes = out.words.data() + offset;
    for (std::size_t q = 0; q < seg_len; ++q) {
      // Q_seg[q] = D[seg, -q mod 2^L], the reversed order the windows read.
      const std::size_t i = seg * seg_len + ((seg_len - q) & (seg_len - 1));
      const u64 d = static_cast<u64>(signed_entry(table[i], out_bits)) - base[seg];
      for (int p = 0; p < planes[seg]; ++p)
        seg_planes[static_cast<std::size_t>(p) * out.seg_words + (q >> 6)] |= ((d >> p) & 1)
                                                                              << (q & 63);
    }
    for (int p = 0; p < planes[seg]; ++p) {  // the padding word repeats the first
      u64* plane = seg_planes + static_cast<std::size_t>(p) * out.seg_words;
      plane[out.seg_words - 1] = plane[0];
    }
    offset += static_cast<std::size_t>(planes[seg]) * out.seg_words;
  }
  return out;
}

}  // namespace secinfer::fss
