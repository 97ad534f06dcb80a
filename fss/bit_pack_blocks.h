// Bit-packing (fss/ring.h's wire format) of whole blocks of 64 elements: 64 elements of B bits are
// exactly B little-endian 64-bit words, so with B a compile-time constant every word index and
// shift is a constant and the 64 steps unroll into shifts and ORs, with no carried 128-bit state
// and no per-element branch. ring.cpp's pack_bits / unpack_bits run the whole blocks of a span
// through these (one instance per width, picked from a table) and its last count % 64 elements
// through the generic loop; the bytes are the same either way (tests/fss/ring_test.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "fss/ring.h"

namespace secinfer::fss::detail {

inline constexpr std::size_t kPackBlock = 64;  // elements per block

template <int B, std::size_t J>
inline void pack_step(const u64* in, u64* words, u64& acc) {
  constexpr u64 kMask = (u64{1} << B) - 1;
  constexpr std::size_t kBit = J * B, kWord = kBit / 64;
  constexpr int kShift = static_cast<int>(kBit % 64);
  const u64 v = in[J] & kMask;
  if constexpr (kShift == 0)
    acc = v;
  else
    acc |= v << kShift;
  if constexpr (kShift + B >= 64) {  // word kWord is complete
    words[kWord] = acc;
    if constexpr (kShift + B > 64)
      acc = v >> (64 - kShift);  // the element's bits that spill into the next word
    else
      acc = 0;
  }
}

// out: 8 B bytes.
template <int B>
void pack_block(const u64* in, std::uint8_t* out) {
  static_assert(B >= 1 && B <= 63, "64-bit elements are copied, not packed");
  u64 words[B];
  u64 acc = 0;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (pack_step<B, J>(in, words, acc), ...);
  }
  (std::make_index_sequence<kPackBlock>{});
  std::memcpy(out, words, sizeof words);
}

template <int B, std::size_t J>
inline void unpack_step(const u64* words, u64* out) {
  constexpr u64 kMask = (u64{1} << B) - 1;
  constexpr std::size_t kBit = J * B, kWord = kBit / 64;
  constexpr int kShift = static_cast<int>(kBit % 64);
  u64 v = words[kWord] >> kShift;
  if constexpr (kShift + B > 64) v |= words[kWord + 1] << (64 - kShift);
  out[J] = v & kMask;
}

// in: 8 B bytes.
template <int B>
void unpack_block(const std::uint8_t* in, u64* out) {
  static_assert(B >= 1 && B <= 63, "64-bit elements are copied, not unpacked");
  u64 words[B];
  std::memcpy(words, in, sizeof words);
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (unpack_step<B, J>(words, out), ...);
  }
  (std::make_index_sequence<kPackBlock>{});
}

using PackBlockFn = void (*)(const u64*, std::uint8_t*);
using UnpackBlockFn = void (*)(const std::uint8_t*, u64*);

// [bits] for bits in [1, 63]; entry 0 is null.
inline constexpr std::array<PackBlockFn, 64> kPackBlockFns =
    []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<PackBlockFn, 64>{nullptr, &pack_block<static_cast<int>(I) + 1>...};
}
(std::make_index_sequence<63>{});
inline constexpr std::array<UnpackBlockFn, 64> kUnpackBlockFns =
    []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<UnpackBlockFn, 64>{nullptr, &unpack_block<static_cast<int>(I) + 1>...};
}
(std::make_index_sequence<63>{});

}  // namespace secinfer::fss::detail
