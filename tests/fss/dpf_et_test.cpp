// The early-terminated 1-bit DPF (fss/dpf_et.h): for fresh random alpha and the edges 0 and
// 2^k - 1, at every domain width from 1 to 13 bits (no tree, one level, several), the two
// parties' full domains XOR to [j == alpha]; the lookup-table sums obey the identities SIGMA's LUT
// relies on (count_0 - count_1 = +-1 and sum_0 - sum_1 = that sign times T[xhat - alpha]);
// serialisation round-trips; keys do not depend on the thread count.
#include "fss/dpf_et.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;

namespace {

std::vector<u64> alphas(std::mt19937_64& g, int k, std::size_t n) {
  std::vector<u64> a(n);
  for (auto& v : a) v = g() & ring_mask(k);
  a[0] = 0;
  if (n > 1) a[1] = ring_mask(k);
  return a;
}

Block seed_block(std::uint64_t s) {
  return Block{s, s ^ 0x9e3779b97f4a7c15ULL};
}

}  // namespace

TEST_CASE("dpf_et: full domains XOR to the point function", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int k = 1; k <= 13; ++k) {
    INFO("k = " << k);
    const std::vector<u64> alpha = alphas(g, k, 6);
    SeededPrg rng(seed_block(seed + static_cast<std::uint64_t>(k)));
    const auto [k0, k1] = dpf_et_gen(k, alpha, rng);
    std::vector<u64> y0(std::size_t{1} << k), y1(y0.size());
    for (std::size_t i = 0; i < alpha.size(); ++i) {
      dpf_et_eval_full_domain(k0, i, y0);
      dpf_et_eval_full_domain(k1, i, y1);
      for (std::size_t j = 0; j < y0.size(); ++j) {
        REQUIRE(y0[j] <= 1);
        REQUIRE((y0[j] ^ y1[j]) == (j == alpha[i] ? 1u : 0u));
      }
    }
  }
}

TEST_CASE("dpf_et: LUT sums give +-T[xhat - alpha] and a count of +-1", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const int out_bits = 50;
  const u64 m = ring_mask(out_bits);
  for (int k : {1, 6, 7, 8, 9, 10, 13}) {
    INFO("k = " << k);
    const std::size_t n = 300;
    const std::vector<u64> alpha = alphas(g, k, n);
    std::vector<u64> xhat(n), table(std::size_t{1} << k);
    for (auto& v : xhat) v = g() & ring_mask(k);
    xhat[2] = 0;
    xhat[3] = ring_mask(k);
    for (auto& v : table) v = g() & m;
    SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k)));
    const auto [k0, k1] = dpf_et_gen(k, alpha, rng);
    std::vector<u64> s0(n), c0(n), s1(n), c1(n);
    dpf_et_lut_eval(k0, xhat, table, out_bits, s0, c0);
    dpf_et_lut_eval(k1, xhat, table, out_bits, s1, c1);
    for (std::size_t i = 0; i < n; ++i) {
      const u64 dc = (c0[i] - c1[i]) & m;
      REQUIRE(c0[i] <= (u64{1} << k));
      REQUIRE((dc == 1 || dc == m));
      const u64 t = table[(xhat[i] - alpha[i]) & ring_mask(k)];
      const u64 want = dc == 1 ? t : (u64{0} - t) & m;
      REQUIRE(((s0[i] - s1[i]) & m) == want);
    }
  }
}

TEST_CASE("dpf_et: LUT sums with XOR-combined top index bits", "[fss][dpf_et]") {
  // The fused gates' index (dpf_et_core.h lut_index): the top h bits combine by XOR, the low
  // k - h by subtraction; at the point alpha the entry read is (xhat ^ a_hi, xhat - a_lo).
  const std::uint64_t seed = fresh_seed();
  INFO("seed = " << seed);
  std::mt19937_64 g(seed);
  const int out_bits = 50;
  const u64 m = ring_mask(out_bits);
  for (const auto& [k, h] :
       {std::pair{12, 3}, std::pair{9, 1}, std::pair{14, 3}, std::pair{8, 8}}) {
    INFO("k = " << k << ", xor bits = " << h);
    const std::size_t n = 200;
    const u64 xm = ring_mask(k) & ~ring_mask(k - h), lo = ring_mask(k - h);
    const std::vector<u64> alpha = alphas(g, k, n);
    std::vector<u64> xhat(n), table(std::size_t{1} << k);
    for (auto& v : xhat) v = g() & ring_mask(k);
    xhat[0] = 0;
    xhat[1] = ring_mask(k);
    for (auto& v : table) v = g() & m;
    SeededPrg rng(seed_block(seed ^ static_cast<std::uint64_t>(k * 64 + h)));
    const auto [k0, k1] = dpf_et_gen(k, alpha, rng);
    std::vector<u64> s0(n), c0(n), s1(n), c1(n);
    dpf_et_lut_eval(k0, xhat, table, out_bits, s0, c0, {}, xm);
    dpf_et_lut_eval(k1, xhat, table, out_bits, s1, c1, {}, xm);
    for (std::size_t i = 0; i < n; ++i) {
      const u64 dc = (c0[i] - c1[i]) & m;
      REQUIRE((dc == 1 || dc == m));
      const u64 idx = ((xhat[i] ^ alpha[i]) & xm) | ((xhat[i] - alpha[i]) & lo);
      const u64 want = dc == 1 ? table[idx] : (u64{0} - table[idx]) & m;
      REQUIRE(((s0[i] - s1[i]) & m) == want);
    }
  }
  SeededPrg rng(seed_block(seed));
  const auto keys = dpf_et_gen(8, std::vector<u64>{1}, rng);
  std::vector<u64> x{0}, t(256), s(1), c(1);
  CHECK_THROWS_WITH(dpf_et_lut_eval(keys.first, x, t, 50, s, c, {}, 0x0F),
                    Catch::Contains("not a run of the top bits"));
}

TEST_CASE("dpf_et: serialisation round-trips and threads do not change keys", "[fss][dpf_et]") {
  const std::uint64_t seed = fresh_seed();
  std::mt19937_64 g(seed);
  for (int k : {5, 8, 12}) {
    const std::vector<u64> alpha = alphas(g, k, 1000);
    SeededPrg r1(seed_block(seed)), r2(seed_block(seed));
    BatchOptions one;
    one.threads = 1;
    const auto a = dpf_et_gen(k, alpha, r1, one);
    const auto b = dpf_et_gen(k, alpha, r2);
    REQUIRE(a.first.root == b.first.root);
    REQUIRE(a.second.root == b.second.root);
    REQUIRE(a.first.cw_seed == b.first.cw_seed);
    REQUIRE(a.first.cw_t == b.first.cw_t);
    REQUIRE(a.first.leaf_cw == b.first.leaf_cw);
    std::vector<std::uint8_t> bytes(dpf_et_key_bytes(k, alpha.size()));
    dpf_et_serialize(a.second, bytes);
    const DpfEtKeys back = dpf_et_deserialize(bytes, k, alpha.size(), 1);
    REQUIRE(back.root == a.second.root);
    REQUIRE(back.cw_seed == a.second.cw_seed);
    REQUIRE(back.cw_t == a.second.cw_t);
    REQUIRE(back.leaf_cw == a.second.leaf_cw);
  }
  // 16 bytes of root, 17 per inner level, 32 of leaf CWs (SIGMA's k = 8 key: 16 + 32 + tR).
  REQUIRE(dpf_et_key_bytes(7, 1) == 16);
  REQUIRE(dpf_et_key_bytes(8, 1) == 48);
  REQUIRE(dpf_et_key_bytes(13, 2) == 2 * (16 + 17 * 5 + 32));
  REQUIRE_THROWS_AS(dpf_et_key_bytes(0, 1), std::invalid_argument);
  std::vector<u64> bad{256};
  SeededPrg rng(seed_block(seed));
  REQUIRE_THROWS_AS(dpf_et_gen(8, bad, rng), std::invalid_argument);
}
