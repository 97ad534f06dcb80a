// Ring arithmetic, signed views, fixed point and wire bit-packing (fss/ring.h) for every bit
// width 1..64 on fresh random values and the edges.
#include "fss/ring.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fss/thread_pool.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;

TEST_CASE("Ring ops and the signed view for every bit width", "[ring]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n = 1; n <= 64; ++n) {
    INFO("bits " << n);
    const Ring r = make_ring(n);
    const u64 mask = n == 64 ? ~u64{0} : (u64{1} << n) - 1;
    REQUIRE(ring_mask(n) == mask);
    REQUIRE(r.mask() == mask);
    // Signed-view edges: 0, -1, the most negative and the most positive element.
    const u64 half = u64{1} << (n - 1);
    CHECK(r.to_signed(0) == 0);
    CHECK(r.to_signed(mask) == -1);
    CHECK(r.to_signed(half) ==
          (n == 64 ? std::numeric_limits<i64>::min() : -static_cast<i64>(half)));
    CHECK(r.to_signed(half - 1) == static_cast<i64>(half - 1));
    CHECK(r.msb(half) == 1);
    CHECK(r.msb(half - 1) == 0);
    CHECK(r.from_signed(-1) == mask);
    CHECK(r.from_signed(r.to_signed(half)) == half);
    for (int i = 0; i < 200; ++i) {
      const u64 a = g() & mask, b = g() & mask;
      CHECK(r.add(a, b) == ((a + b) & mask));
      CHECK(r.sub(r.add(a, b), b) == a);
      CHECK(r.add(a, r.neg(a)) == 0);
      CHECK(r.mul(a, b) == ((a * b) & mask));
      CHECK(r.from_signed(r.to_signed(a)) == a);
      const i64 s = r.to_signed(a);
      CHECK((s >= 0) == (r.msb(a) == 0));
      if (n < 64) CHECK((s >= -static_cast<i64>(half) && s < static_cast<i64>(half)));
    }
  }
  CHECK_THROWS_AS(make_ring(0), std::invalid_argument);
  CHECK_THROWS_AS(make_ring(65), std::invalid_argument);
}

TEST_CASE("Batch ring ops match the scalar ones, in place too", "[ring]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 7, 37, 63, 64}) {
    const Ring r = make_ring(n);
    std::vector<u64> a(101), b(101), out(101);
    for (auto& v : a) v = g() & r.mask();
    for (auto& v : b) v = g() & r.mask();
    ring_add(r, a, b, out);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(out[i] == r.add(a[i], b[i]));
    ring_sub(r, a, b, out);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(out[i] == r.sub(a[i], b[i]));
    auto c = a;
    ring_add(r, c, b, c);  // out aliases a
    ring_sub(r, c, b, c);
    CHECK(c == a);
    std::vector<u64> wide{~u64{0}, u64{1} << 63, 5};
    ring_reduce(r, wide);
    CHECK(wide == std::vector<u64>{r.mask(), r.reduce(u64{1} << 63), r.reduce(5)});
  }
  std::vector<u64> a(3), b(2), out(3);
  CHECK_THROWS_AS(ring_add(Ring{8}, a, b, out), std::invalid_argument);
  CHECK_THROWS_AS(ring_sub(Ring{8}, a, a, b), std::invalid_argument);
}

TEST_CASE("Fixed point encodes, rounds, saturates and decodes", "[ring][fixed]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {16, 37, 50, 64})
    for (const int f : {0, 8, 12}) {
      INFO("bits " << n << " frac " << f);
      const FixedPoint fp{make_ring(n), f};
      CHECK(fp.scale() == std::ldexp(1.0, f));
      // Exact multiples of 2^-f round trip.
      const int kb = n - 2 < 52 ? n - 2 : 52;  // |k| < 2^51: exact in a double
      for (int i = 0; i < 500; ++i) {
        const i64 k = static_cast<i64>(g() % (u64{1} << kb)) - static_cast<i64>(u64{1} << (kb - 1));
        const double v = std::ldexp(static_cast<double>(k), -f);
        CHECK(fp.encode(v) == fp.ring.from_signed(k));
        CHECK(fp.decode(fp.encode(v)) == v);
      }
      // Round to nearest, halves away from zero.
      const double ulp = std::ldexp(1.0, -f);
      CHECK(fp.encode(0.4 * ulp) == 0);
      CHECK(fp.encode(0.6 * ulp) == 1);
      CHECK(fp.encode(0.5 * ulp) == 1);
      CHECK(fp.encode(-0.5 * ulp) == fp.ring.from_signed(-1));
      CHECK(fp.encode(-0.4 * ulp) == 0);
      // Saturation at the signed range of the ring.
      const u64 top = (u64{1} << (n - 1)) - 1;  // n <= 64: for 64 this is INT64_MAX
      CHECK(fp.encode(1e300) == top);
      CHECK(fp.encode(std::numeric_limits<double>::infinity()) == top);
      CHECK(fp.encode(-1e300) == top + 1);  // -2^(n-1)
      CHECK(fp.decode(fp.encode(-1e300)) == -std::ldexp(1.0, n - 1 - f));
      CHECK(fp.decode(fp.ring.mask()) == -ulp);
      CHECK_THROWS_AS(fp.encode(std::nan("")), std::invalid_argument);
    }
  CHECK(FixedPoint{make_ring(64), 12}.decode(FixedPoint{make_ring(64), 12}.encode(-3.25)) == -3.25);
  CHECK_THROWS_AS((FixedPoint{make_ring(16), 64}.encode(1.0)), std::invalid_argument);
  CHECK_THROWS_AS((FixedPoint{make_ring(16), -1}.decode(1)), std::invalid_argument);
}

TEST_CASE("Bit-packing round trips for every width and matches the bit-order spec",
          "[ring][pack]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int bits = 1; bits <= 64; ++bits)
    // 64, 65, 197: whole blocks of 64 (fss/bit_pack_blocks.h) with and without a generic tail.
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8},
                                    std::size_t{9}, std::size_t{63}, std::size_t{64},
                                    std::size_t{65}, std::size_t{197}, std::size_t{g() % 300}}) {
      INFO("bits " << bits << " count " << count);
      const std::size_t bytes = (count * static_cast<std::size_t>(bits) + 7) / 8;
      REQUIRE(packed_bytes(count, bits) == bytes);
      std::vector<u64> in(count);
      for (auto& v : in) v = g();  // high bits set on purpose: only the low `bits` are packed
      std::vector<std::uint8_t> out(bytes + 3, 0xAB);
      pack_bits(in, bits, out);
      CHECK(out[bytes] == 0xAB);  // nothing written past packed_bytes
      // Element i occupies bits [i * bits, (i + 1) * bits), little-endian bit order.
      std::vector<std::uint8_t> ref(bytes, 0);
      for (std::size_t i = 0; i < count; ++i)
        for (int j = 0; j < bits; ++j) {
          const std::size_t pos = i * static_cast<std::size_t>(bits) + static_cast<std::size_t>(j);
          if ((in[i] >> j) & 1) ref[pos / 8] |= static_cast<std::uint8_t>(1u << (pos % 8));
        }
      CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<long>(bytes)) == ref);
      std::vector<u64> back(count);
      unpack_bits(out, bits, back);
      for (std::size_t i = 0; i < count; ++i) REQUIRE(back[i] == (in[i] & ring_mask(bits)));
    }
  // Split over threads: the same bytes and values as one call, for counts around the 2^16-element
  // ranges and every width (ranges start on byte boundaries of the packing).
  for (const int bits : {1, 7, 13, 37, 50, 63, 64})
    for (const std::size_t count : {std::size_t{65535}, std::size_t{65536}, std::size_t{200003}}) {
      INFO("threaded, bits " << bits << " count " << count);
      std::vector<u64> in(count);
      for (auto& x : in) x = g();
      std::vector<std::uint8_t> one(packed_bytes(count, bits)), split(one.size());
      pack_bits(in, bits, one);
      pack_bits(in, bits, split, 4);
      REQUIRE(split == one);
      std::vector<u64> a(count), b(count);
      unpack_bits(one, bits, a);
      unpack_bits(one, bits, b, 3);
      REQUIRE(a == b);
    }
  std::vector<u64> v(10);
  std::vector<std::uint8_t> small(packed_bytes(10, 13) - 1);
  CHECK_THROWS_AS(pack_bits(v, 13, small, 2), std::invalid_argument);
  CHECK_THROWS_AS(unpack_bits(small, 13, v, 2), std::invalid_argument);
  CHECK_THROWS_AS(pack_bits(v, 13, small), std::invalid_argument);
  CHECK_THROWS_AS(unpack_bits(small, 13, v), std::invalid_argument);
  CHECK_THROWS_AS(packed_bytes(1, 0), std::invalid_argument);
  CHECK_THROWS_AS(packed_bytes(1, 65), std::invalid_argument);
  // count * bits = 2^65 would overflow; the byte count 2^62 does not.
  CHECK(packed_bytes(std::size_t{1} << 60, 32) == std::size_t{1} << 62);
}

TEST_CASE("unpack_add_bits equals unpack then add, in place too, on any pool", "[ring][pack]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  ThreadPool pool(3);
  for (int bits : {1, 7, 13, 37, 50, 63, 64}) {
    // Sizes across the block (2048) and range (2^16) boundaries, odd tails included.
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2049}, std::size_t{70001}}) {
      INFO("bits " << bits << ", n " << n);
      const u64 mask = ring_mask(bits);
      std::vector<u64> theirs(n), mine(n);
      for (auto& v : theirs) v = g() & mask;
      for (auto& v : mine) v = g();     // unreduced: the sum is reduced
      if (n > 0) theirs[n - 1] = mask;  // the top value and the wrap-around of the sum
      if (n > 0) mine[n - 1] = mask;
      std::vector<std::uint8_t> packed(packed_bytes(n, bits));
      pack_bits(theirs, bits, packed);
      std::vector<u64> want(n), out(n);
      for (std::size_t i = 0; i < n; ++i) want[i] = (mine[i] + theirs[i]) & mask;
      unpack_add_bits(packed, bits, mine, out, pool);
      REQUIRE(out == want);
      unpack_add_bits(packed, bits, mine, mine, pool);  // out aliases add
      REQUIRE(mine == want);
    }
  }
  std::vector<std::uint8_t> short_in(3);
  std::vector<u64> a(8), o(8);
  REQUIRE_THROWS_AS(unpack_add_bits(short_in, 8, a, o, pool), std::invalid_argument);
}
