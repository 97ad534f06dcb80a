// Bit-packing per output word / per element (pack_cuda.cu runs one per thread), host and GPU.
// Layout of fss::pack_bits: element i occupies bits [i bits, (i + 1) bits) of a little-endian
// byte string of nbytes = fss::packed_bytes(count, bits) bytes, the tail zero-padded.
#pragma once

#include <cstdint>

#include "fss/ring.h"

namespace secinfer::fss::cuda {

// Bits [32 w, 32 w + 32) of the packed string of in[0..count).
SECINFER_HD std::uint32_t pack_word(const u64* in, std::size_t count, int bits, std::size_t w) {
  const u64 mask = ring_mask(bits);
  const u64 lo_bit = static_cast<u64>(w) * 32;
  u64 word = 0;
  for (std::size_t e = lo_bit / bits; e < count; ++e) {
    const u64 start = static_cast<u64>(e) * bits;  // element e's first bit
    if (start >= lo_bit + 32) break;
    const u64 v = in[e] & mask;
    // Bits past the word's 32 fall off in the cast below; start - lo_bit < 32 and
    // lo_bit - start < bits <= 64 keep the shifts defined.
    word |= start >= lo_bit ? (v << (start - lo_bit)) : (v >> (lo_bit - start));
  }
  return static_cast<std::uint32_t>(word);
}

// Element e of a packed string of nbytes bytes (up to 9 bytes read).
SECINFER_HD u64 unpack_element(const std::uint8_t* in, std::size_t nbytes, int bits,
                               std::size_t e) {
  const u64 start = static_cast<u64>(e) * bits;
  const std::size_t b = start / 8;
  const int shift = static_cast<int>(start % 8);
  u64 lo = 0;
  for (int i = 0; i < 8 && b + i < nbytes; ++i) lo |= static_cast<u64>(in[b + i]) << (8 * i);
  u64 v = lo >> shift;
  if (shift != 0 && b + 8 < nbytes) v |= static_cast<u64>(in[b + 8]) << (64 - shift);
  return v & ring_mask(bits);
}

}  // namespace secinfer::fss::cuda
