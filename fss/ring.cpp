// Fixed-point encoding, batch ring helpers and wire bit-packing (contracts in ring.h).
#include "fss/ring.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>

#include "fss/bit_pack_blocks.h"
#include "fss/parallel.h"
#include "fss/thread_pool.h"

namespace secinfer::fss {
namespace {

static_assert(std::endian::native == std::endian::little,
              "bit-packing and key serialisation assume a little-endian host");

void check_bits(int bits, const char* what) {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument(std::string(what) + ": bit width " + std::to_string(bits) +
                                " is outside [1, 64]");
}

void check_fixed_point(const FixedPoint& fp) {
  check_bits(fp.ring.bits, "FixedPoint");
  if (fp.frac_bits < 0 || fp.frac_bits >= 64)
    throw std::invalid_argument("FixedPoint: frac_bits " + std::to_string(fp.frac_bits) +
                                " is outside [0, 63]");
}

void check_sizes(const char* what, std::size_t a, std::size_t b, std::size_t out) {
  if (a != b || a != out)
    throw std::invalid_argument(std::string(what) + ": span sizes differ (a " + std::to_string(a) +
                                ", b " + std::to_string(b) + ", out " + std::to_string(out) + ")");
}

}  // namespace

u64 FixedPoint::encode(double v) const {
  check_fixed_point(*this);
  if (std::isnan(v)) throw std::invalid_argument("FixedPoint::encode: cannot encode NaN");
  // Scaling by a power of two is exact (or overflows to inf, which saturates below).
  const double scaled = std::round(std::ldexp(v, frac_bits));  // ties away from zero
  const double top = std::ldexp(1.0, ring.bits - 1);           // 2^(n-1), exact in a double
  i64 s;
  if (scaled >= top) {
    s = ring.bits >= 64 ? INT64_MAX : static_cast<i64>((u64{1} << (ring.bits - 1)) - 1);
  } else if (scaled < -top) {
    s = ring.bits >= 64 ? INT64_MIN : -static_cast<i64>(u64{1} << (ring.bits - 1));
  } else {
    s = static_cast<i64>(scaled);  // |scaled| <= 2^63: in range
  }
  return ring.from_signed(s);
}

double FixedPoint::decode(u64 x) const {
  check_fixed_point(*this);
  return std::ldexp(static_cast<double>(ring.to_signed(ring.reduce(x))), -frac_bits);
}

void ring_add(Ring r, std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  check_sizes("ring_add", a.size(), b.size(), out.size());
  const u64 m = r.mask();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = (a[i] + b[i]) & m;
}

void ring_sub(Ring r, std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  check_sizes("ring_sub", a.size(), b.size(), out.size());
  const u64 m = r.mask();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = (a[i] - b[i]) & m;
}

void ring_reduce(Ring r, std::span<u64> a) {
  const u64 m = r.mask();
  for (auto& v : a) v &= m;
}

std::size_t packed_bytes(std::size_t count, int bits) {
  check_bits(bits, "packed_bytes");
  const auto b = static_cast<std::size_t>(bits);
  // (count / 8) * bits whole bytes, then the rest; avoids overflowing count * bits.
  return (count / 8) * b + ((count % 8) * b + 7) / 8;
}

namespace {
// packed_bytes(count, bits), after checking that a byte span of `have` bytes holds that many:
// throws std::invalid_argument naming the function and the span ("input" / "output") otherwise.
std::size_t require_packed_bytes(const char* what, const char* side, std::size_t have,
                                 std::size_t count, int bits) {
  const std::size_t need = packed_bytes(count, bits);
  if (have < need)
    throw std::invalid_argument(std::string(what) + ": " + side + " holds " + std::to_string(have) +
                                " bytes, " + std::to_string(need) + " needed for " +
                                std::to_string(count) + " elements of " + std::to_string(bits) +
                                " bits");
  return need;
}
}  // namespace

namespace {

// The generic loops: any count, bits in [1, 63]; `out` / `in` start on the elements' first byte.
void pack_generic(std::span<const u64> in, int bits, std::uint8_t* o) {
  const u64 mask = ring_mask(bits);
  unsigned __int128 acc = 0;  // holds < 64 + 64 pending bits
  int have = 0;
  for (const u64 v : in) {
    acc |= static_cast<unsigned __int128>(v & mask) << have;
    have += bits;
    if (have >= 64) {
      const u64 w = static_cast<u64>(acc);
      std::memcpy(o, &w, 8);
      o += 8;
      acc >>= 64;
      have -= 64;
    }
  }
  const u64 w = static_cast<u64>(acc);
  std::memcpy(o, &w, static_cast<std::size_t>((have + 7) / 8));  // last partial word, zero padded
}

void unpack_generic(std::span<const std::uint8_t> in, int bits, std::span<u64> out) {
  const u64 mask = ring_mask(bits);
  const std::uint8_t* p = in.data();
  if (bits <= 57) {
    // Element i starts at bit o = i bits: its bits lie in the 8 bytes from byte o / 8 (a shift of
    // at most 7 leaves 57 bits), so one unaligned load and a shift, no carried state. Loads that
    // would pass the end of `in` (the last few elements) read only the bytes that are there.
    const std::size_t n = out.size();
    const auto b = static_cast<std::size_t>(bits);
    std::size_t i = 0, o = 0;
    for (; i < n && (o >> 3) + 8 <= in.size(); ++i, o += b) {
      u64 w;
      std::memcpy(&w, p + (o >> 3), 8);
      out[i] = (w >> (o & 7)) & mask;
    }
    for (; i < n; ++i, o += b) {
      u64 w = 0;
      std::memcpy(&w, p + (o >> 3), in.size() - (o >> 3));
      out[i] = (w >> (o & 7)) & mask;
    }
    return;
  }
  std::size_t left = packed_bytes(out.size(), bits);  // bytes not yet loaded
  unsigned __int128 acc = 0;
  int have = 0;
  for (auto& v : out) {
    if (have < bits) {
      u64 w = 0;
      const std::size_t take = left < 8 ? left : 8;
      std::memcpy(&w, p, take);
      p += take;
      left -= take;
      acc |= static_cast<unsigned __int128>(w) << have;
      have += static_cast<int>(8 * take);
    }
    v = static_cast<u64>(acc) & mask;
    acc >>= bits;
    have -= bits;
  }
}

}  // namespace

void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out) {
  const std::size_t need = require_packed_bytes("pack_bits", "output", out.size(), in.size(), bits);
  std::uint8_t* o = out.data();
  if (bits == 64) {
    if (!in.empty()) std::memcpy(o, in.data(), need);
    return;
  }
  // Whole blocks of 64 elements (8 * bits bytes each) unrolled for the width, then the rest.
  const std::size_t blocks = in.size() / detail::kPackBlock;
  const std::size_t block_bytes = 8 * static_cast<std::size_t>(bits);
  const detail::PackBlockFn block = detail::kPackBlockFns[static_cast<std::size_t>(bits)];
  for (std::size_t k = 0; k < blocks; ++k)
    block(in.data() + k * detail::kPackBlock, o + k * block_bytes);
  pack_generic(in.subspan(blocks * detail::kPackBlock), bits, o + blocks * block_bytes);
}

void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out) {
  const std::size_t need =
      require_packed_bytes("unpack_bits", "input", in.size(), out.size(), bits);
  if (bits == 64) {
    if (!out.empty()) std::memcpy(out.data(), in.data(), need);
    return;
  }
  // Whole blocks where they beat unpack_generic's one load per element (fss_core_bench
  // BM_UnpackBlocks against BM_UnpackBits): up to 32 bits they run 2.8-4.5 G elements/s against
  // the loop's 1.1-1.2 G at any width; from 36 to 57 bits the two are within noise of each other;
  // from 58 bits the loop needs its 128-bit carry and the blocks take over.
  const bool use_blocks = bits <= 36 || bits >= 58;
  const std::size_t blocks = use_blocks ? out.size() / detail::kPackBlock : 0;
  const std::size_t block_bytes = 8 * static_cast<std::size_t>(bits);
  const detail::UnpackBlockFn block = detail::kUnpackBlockFns[static_cast<std::size_t>(bits)];
  for (std::size_t k = 0; k < blocks; ++k)
    block(in.data() + k * block_bytes, out.data() + k * detail::kPackBlock);
  unpack_generic(in.subspan(blocks * block_bytes), bits, out.subspan(blocks * detail::kPackBlock));
}

namespace {
constexpr std::size_t kPackGrain = std::size_t{1} << 16;  // elements; a multiple of 64

void run_ranges(int threads, std::size_t n,
                const std::function<void(std::size_t, std::size_t)>& fn) {
  parallel_for(n, 1, threads, fn);
}
void run_ranges(ThreadPool& pool, std::size_t n,
                const std::function<void(std::size_t, std::size_t)>& fn) {
  parallel_for(pool, n, 1, fn);
}

// fn(first element, element count, first byte) over ranges of kPackGrain elements.
template <class Exec, class F>
void for_pack_ranges(std::size_t count, int bits, Exec&& exec, F&& fn) {
  run_ranges(exec, (count + kPackGrain - 1) / kPackGrain, [&](std::size_t b, std::size_t e) {
    const std::size_t i0 = b * kPackGrain, i1 = std::min(count, e * kPackGrain);
    fn(i0, i1 - i0, i0 / 8 * static_cast<std::size_t>(bits));
  });
}

template <class Exec>
void pack_split(std::span<const u64> in, int bits, std::span<std::uint8_t> out, Exec&& exec) {
  const std::size_t need = packed_bytes(in.size(), bits);
  if (out.size() < need) {
    pack_bits(in, bits, out);  // throws, naming the sizes
    return;
  }
  for_pack_ranges(in.size(), bits, exec, [&](std::size_t i, std::size_t n, std::size_t at) {
    pack_bits(in.subspan(i, n), bits, out.subspan(at, packed_bytes(n, bits)));
  });
}

template <class Exec>
void unpack_split(std::span<const std::uint8_t> in, int bits, std::span<u64> out, Exec&& exec) {
  const std::size_t need = packed_bytes(out.size(), bits);
  if (in.size() < need) {
    unpack_bits(in, bits, out);  // throws, naming the sizes
    return;
  }
  for_pack_ranges(out.size(), bits, exec, [&](std::size_t i, std::size_t n, std::size_t at) {
    unpack_bits(in.subspan(at, packed_bytes(n, bits)), bits, out.subspan(i, n));
  });
}
}  // namespace

void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out, int threads) {
  pack_split(in, bits, out, threads);
}

void unpack_add_bits(std::span<const std::uint8_t> in, int bits, std::span<const u64> add,
                     std::span<u64> out, ThreadPool& pool) {
  check_sizes("unpack_add_bits", add.size(), out.size(), out.size());
  require_packed_bytes("unpack_add_bits", "input", in.size(), out.size(), bits);
  const u64 mask = ring_mask(bits);
  // Blocks of a multiple of 8 elements start on a byte boundary; 2048 unpacked values (16 KiB)
  // stay in L1 between the unpack and the add.
  constexpr std::size_t kBlock = 2048;
  for_pack_ranges(out.size(), bits, pool, [&](std::size_t i0, std::size_t n, std::size_t) {
    u64 tmp[kBlock];
    for (std::size_t b = 0; b < n; b += kBlock) {
      const std::size_t i = i0 + b, m = std::min(kBlock, n - b);
      const std::size_t at = i / 8 * static_cast<std::size_t>(bits);
      unpack_bits(in.subspan(at, packed_bytes(m, bits)), bits, std::span<u64>(tmp, m));
      for (std::size_t j = 0; j < m; ++j) out[i + j] = (add[i + j] + tmp[j]) & mask;
    }
  });
}
void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out, int threads) {
  unpack_split(in, bits, out, threads);
}
void pack_bits(std::span<const u64> in, int bits, std::span<std::uint8_t> out, ThreadPool& pool) {
  pack_split(in, bits, out, pool);
}
void unpack_bits(std::span<const std::uint8_t> in, int bits, std::span<u64> out, ThreadPool& pool) {
  unpack_split(in, bits, out, pool);
}

}  // namespace secinfer::fss
