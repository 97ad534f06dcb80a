// The nonzero arcs of a lookup table (fss/lut_support.h) and SIGMA's LUT sums that leave out the
// leaves reading a zero entry (kLutSkipZeros, fss/dpf_et.h): on fresh random tables with zero
// runs (one arc, the arc through position 0, all zero, none zero, scattered zeros) and XOR fields
// of 0 to 3 bits, LutSupport::any never drops a range that reads a nonzero entry; the skipping
// sums keep the parties' differences sum_0 - sum_1 of the whole domain, and count_0 - count_1 is
// the whole domain's where the key's entry is nonzero (that or 0 where it is zero); with the table
// reads and with the bit planes.
#include "fss/lut_support.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/dpf_et.h"
#include "fss/prg.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::random_block;

namespace {

// A table of 2^k entries mod 2^m whose segments are, by kind: 0 one nonzero arc at a random
// place (wrapping or not), 1 all zero, 2 no zero, 3 scattered zeros. Nonzero entries are small
// (spread bits, signed) when spread > 0, so that the bit planes take the table.
std::vector<u64> zero_run_table(std::mt19937_64& g, int k, int xor_bits, int m, int spread) {
  const std::size_t circle = std::size_t{1} << (k - xor_bits);
  std::vector<u64> t(std::size_t{1} << k, 0);
  const auto entry = [&] {
    u64 v = 0;
    while (v == 0)
      v = spread == 0
              ? g() & ring_mask(m)
              : (u64{1} + g() % ((u64{1} << (spread - 1)) - 1)) * (g() % 2 ? u64{1} : ~u64{0}) &
                    ring_mask(m);
    return v;
  };
  for (std::size_t seg = 0; seg < (std::size_t{1} << xor_bits); ++seg) {
    const int kind = static_cast<int>(g() % 4);
    const std::size_t start = g() % circle, len = 1 + g() % circle;
    for (std::size_t q = 0; q < circle; ++q) {
      const bool nonzero = kind == 0   ? ((q - start) % circle) < len
                           : kind == 1 ? false
                           : kind == 2 ? true
                                       : g() % 3 == 0;
      if (nonzero) t[seg * circle + q] = entry();
    }
  }
  return t;
}

}  // namespace

TEST_CASE("lut_support: any() never drops a range that reads a nonzero entry",
          "[fss][lut_support]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int trial = 0; trial < 60; ++trial) {
    const int k = 7 + static_cast<int>(g() % 6), xor_bits = static_cast<int>(g() % 4);
    const int m = 1 + static_cast<int>(g() % 64);
    INFO("k " << k << " xor bits " << xor_bits << " m " << m);
    const auto table = zero_run_table(g, k, xor_bits, m, 0);
    const u64 xor_mask = ring_mask(k) & ~ring_mask(k - xor_bits);
    const LutSupport sup = make_lut_support(table, k, m, xor_mask | kLutSkipZeros);
    const u64 dmask = ring_mask(k);
    for (int q = 0; q < 40; ++q) {
      const u64 xhat = g() & dmask;
      for (int lg = 7; lg <= k; ++lg) {  // subtrees: 2^lg leaves
        const u64 span = u64{1} << lg, j_lo = (g() & dmask) & ~(span - 1);
        bool nonzero = false;
        for (u64 j = j_lo; j < j_lo + span && !nonzero; ++j)
          nonzero = table[lut_index(xhat, j, dmask, xor_mask)] != 0;
        if (nonzero) REQUIRE(sup.any(xhat, j_lo, span));
      }
    }
  }
}

TEST_CASE("lut_support: skipping zero entries keeps the LUT sums' differences",
          "[fss][lut_support][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int trial = 0; trial < 24; ++trial) {
    const int k = 7 + static_cast<int>(g() % 7), xor_bits = static_cast<int>(g() % 4);
    const int m = 37 + static_cast<int>(g() % 28), spread = trial % 2 == 0 ? 0 : 9;
    INFO("k " << k << " xor bits " << xor_bits << " m " << m << " spread " << spread);
    const auto table = zero_run_table(g, k, xor_bits, m, spread);
    const u64 xor_mask = ring_mask(k) & ~ring_mask(k - xor_bits), dmask = ring_mask(k);
    const std::size_t n = 300;
    std::vector<u64> alpha(n), xhat(n);
    for (std::size_t i = 0; i < n; ++i) {
      alpha[i] = g() & dmask;
      xhat[i] = g() & dmask;
    }
    alpha[0] = 0;
    alpha[1] = dmask;
    // Every leaf width the domain takes (the fused gates' wide leaves skip 128-bit blocks).
    const int w = static_cast<int>(g() % (kDpfEtMaxLeafLog2 + 1));
    const int leaf_log2 = dpf_et_shape_ok(k, w) ? w : 0;
    INFO("leaves of 2^" << leaf_log2 << " blocks");
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = dpf_et_gen(k, alpha, rng, {}, leaf_log2);
    std::vector<u64> s0(n), c0(n), s1(n), c1(n), z0(n), d0(n), z1(n), d1(n);
    dpf_et_lut_eval(k0, xhat, table, m, s0, c0, {}, xor_mask);
    dpf_et_lut_eval(k1, xhat, table, m, s1, c1, {}, xor_mask);
    dpf_et_lut_eval(k0, xhat, table, m, z0, d0, {}, xor_mask | kLutSkipZeros);
    dpf_et_lut_eval(k1, xhat, table, m, z1, d1, {}, xor_mask | kLutSkipZeros);
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < n; ++i) {
      INFO("element " << i);
      const bool zero = table[lut_index(xhat[i], alpha[i], dmask, xor_mask)] == 0;
      REQUIRE(((z0[i] - z1[i]) & ring_mask(m)) == ((s0[i] - s1[i]) & ring_mask(m)));
      // A zero entry's leaf may be left out (0) or kept (the whole domain's sign).
      const u64 dc = d0[i] - d1[i];
      if (zero)
        REQUIRE((dc == 0 || dc == c0[i] - c1[i]));
      else
        REQUIRE(dc == c0[i] - c1[i]);
      skipped += d0[i] < c0[i];
    }
    // Where a segment of at least one leaf block (128 positions) is all zero, leaves are left
    // out (the point of the flag).
    const std::size_t circle = std::size_t{1} << (k - xor_bits);
    bool zero_segment = false;
    for (std::size_t seg = 0; seg < (std::size_t{1} << xor_bits); ++seg) {
      bool all = true;
      for (std::size_t q = 0; q < circle; ++q) all &= table[seg * circle + q] == 0;
      zero_segment |= all;
    }
    if (zero_segment && circle >= 128) CHECK(skipped > 0);
  }
}
