// Arithmetic in the ring Z_{2^n}, n <= 64, held in uint64 with explicit masking, and signed fixed
// point with f fractional bits on top of it. Every FSS primitive, gate and model uses these; the
// CUDA backend mirrors them one to one (all functions are constexpr / host-device friendly).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#if defined(__CUDACC__)
#define SECINFER_HD __host__ __device__ __forceinline__
#else
#define SECINFER_HD inline
#endif

namespace secinfer::fss {

class ThreadPool;  // fss/thread_pool.h

using u64 = std::uint64_t;
using i64 = std::int64_t;

// Low n bits set; n in [1, 64].
SECINFER_HD constexpr u64 ring_mask(int n) {
  return n >= 64 ? ~u64{0} : ((u64{1} << n) - 1);
}

// The ring Z_{2^bits}. Values are always kept reduced (high bits zero).
struct Ring {
  int bits = 64;

  SECINFER_HD constexpr u64 mask() const { return ring_mask(bits); }
  SECINFER_HD constexpr u64 reduce(u64 x) const { return x & mask(); }
  SECINFER_HD constexpr u64 add(u64 a, u64 b) const { return (a + b) & mask(); }
  SECINFER_HD constexpr u64 sub(u64 a, u64 b) const { return (a - b) & mask(); }
  SECINFER_HD constexpr u64 neg(u64 a) const { return (u64{0} - a) & mask(); }
  SECINFER_HD constexpr u64 mul(u64 a, u64 b) const { return (a * b) & mask(); }
  // Two's-complement signed view of a reduced element: in [-2^(n-1), 2^(n-1)).
  SECINFER_HD constexpr i64 to_signed(u64 x) const {
    if (bits >= 64) return static_cast<i64>(x);
    const u64 sign = u64{1} << (bits - 1);
    return static_cast<i64>((x ^ sign) - sign);
  }
  SECINFER_HD constexpr u64 from_signed(i64 v) const { return static_cast<u64>(v) & mask(); }
  // Most significant bit (the sign bit of the signed view).
  SECINFER_HD constexpr u64 msb(u64 x) const { return (x >> (bits - 1)) & 1; }
};

// Throws std::invalid_argument unless 1 <= bits <= 64.
inline Ring make_ring(int bits) {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument("ring bit width " + std::to_string(bits) + " is outside [1, 64]");
  return Ring{bits};
}

// Signed fixed point: value v is encoded as round(v * 2^frac_bits) in the ring.
struct FixedPoint {
  Ring ring{64};
  int frac_bits = 12;

  u64 encode(double v) const;  // round to nearest; saturates at the ring's signed range
  double decode(u64 x) const;  // signed view / 2^frac_bits
  SECINFER_HD constexpr double scale() const { return static_cast<double>(u64{1} << frac_bits); }
};

// Batch (structure-of-arrays) helpers over spans of equal length; out may alias an input.
void ring_add(Ring r, std::span<const u64> a, std::span<const u64> b, std::span<u64> out);
void ring_sub(Ring r, std::span<const u64> a, std::span<const u64> b, std::span<u64> out);
void ring_reduce(Ring r, std::span<u64> a);

// Bit-packing of n-bit ring elements for the wire: ceil(count * bits / 8) bytes, little-endian
// bit order (element i occupies bits [i*bits, (i+1)*bits) of the byte string).
std::size_t packed_bytes(std::size_t count, int bits);
void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out);
void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out);
// The same bytes / values, split over up to `threads` threads (fss/parallel.h; 0 = all): ranges
// of a multiple of 64 elements start on a byte boundary of the packing, so each packs into its
// own bytes exactly as one call over the whole span would. Small spans run on the caller.
void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out, int threads);
void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out, int threads);
// The same on a pool's threads (fss/thread_pool.h).
void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out, ThreadPool& pool);
void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out, ThreadPool& pool);
// An opening's last step in one pass: out[i] = (add[i] + element i of `in`) mod 2^bits, on the
// pool's threads, without a buffer of the unpacked values. out may alias add; add.size() ==
// out.size() and `in` holds packed_bytes(out.size(), bits) bytes, else std::invalid_argument.
void unpack_add_bits(std::span<const std::uint8_t> in, int bits, std::span<const u64> add,
                     std::span<u64> out, ThreadPool& pool);

}  // namespace secinfer::fss
