// DPF properties (fss-core.md "DPF"): the two parties' outputs reconstruct f(x) = beta [x == alpha]
// for fresh random and edge (alpha, beta, x); both AES paths and every thread count give the same
// keys and outputs; the batch keys match a one-key reference written straight from the page;
// full-domain evaluation equals point evaluation; the LUT reconstructs table[x].
#include "fss/dpf.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::Cases;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::make_cases;
using secinfer::fss::test::random_block;

namespace {

// One party's keys for key k of a batch, replicated `times` times (to point-evaluate it at many x).
DpfKeys replicate(const DpfKeys& keys, std::size_t k, std::size_t times) {
  DpfKeys r;
  r.shape = keys.shape;
  r.party = keys.party;
  r.count = times;
  r.root.assign(times, keys.root[k]);
  r.cw_out.assign(times, keys.cw_out[k]);
  for (int i = 0; i < keys.shape.in_bits; ++i)
    for (std::size_t j = 0; j < times; ++j) {
      r.cw_seed.push_back(keys.cw_seed[i * keys.count + k]);
      r.cw_t.push_back(keys.cw_t[i * keys.count + k]);
    }
  return r;
}

// The first p keys of a batch, as a batch of p keys.
DpfKeys prefix(const DpfKeys& keys, std::size_t p) {
  DpfKeys r;
  r.shape = keys.shape;
  r.party = keys.party;
  r.count = p;
  r.root.assign(keys.root.begin(), keys.root.begin() + static_cast<long>(p));
  r.cw_out.assign(keys.cw_out.begin(), keys.cw_out.begin() + static_cast<long>(p));
  for (int i = 0; i < keys.shape.in_bits; ++i)
    for (std::size_t k = 0; k < p; ++k) {
      r.cw_seed.push_back(keys.cw_seed[i * keys.count + k]);
      r.cw_t.push_back(keys.cw_t[i * keys.count + k]);
    }
  return r;
}

bool same_keys(const DpfKeys& a, const DpfKeys& b) {
  return a.party == b.party && a.count == b.count && a.root == b.root && a.cw_seed == b.cw_seed &&
         a.cw_t == b.cw_t && a.cw_out == b.cw_out;
}

// fss-core.md "DPF" Gen for one key, written independently of dpf.cpp's batching.
struct RefKey {
  Block root[2];
  std::vector<Block> cw_seed;
  std::vector<std::uint8_t> cw_t;
  u64 cw_out = 0;
};

RefKey ref_gen(int n, int m, u64 alpha, u64 beta, Block s0, Block s1) {
  const FixedKeyPrg& prg = fixed_key_prg();
  RefKey key;
  Block s[2] = {s0.clear_lsb(), s1.clear_lsb()};
  int t[2] = {0, 1};
  key.root[0] = s[0];
  key.root[1] = s[1];
  for (int i = 0; i < n; ++i) {
    const int a = static_cast<int>((alpha >> (n - 1 - i)) & 1);
    Block cs[2][2];
    int ct[2][2];
    for (int b = 0; b < 2; ++b)
      for (int d = 0; d < 2; ++d) {
        const Block e = prg.g(d, s[b]);
        ct[b][d] = e.lsb();
        cs[b][d] = e.clear_lsb();
      }
    const Block cw = cs[0][1 - a] ^ cs[1][1 - a];
    const int cwl = ct[0][0] ^ ct[1][0] ^ a ^ 1, cwr = ct[0][1] ^ ct[1][1] ^ a;
    for (int b = 0; b < 2; ++b) {
      const int old_t = t[b];
      s[b] = old_t ? (cs[b][a] ^ cw) : cs[b][a];
      t[b] = ct[b][a] ^ (old_t & (a ? cwr : cwl));
    }
    key.cw_seed.push_back(cw);
    key.cw_t.push_back(static_cast<std::uint8_t>(cwl | (cwr << 1)));
  }
  const u64 mask = ring_mask(m);
  const u64 v = (beta - (s[0].hi & mask) + (s[1].hi & mask)) & mask;
  key.cw_out = t[1] ? (0 - v) & mask : v;
  return key;
}

}  // namespace

TEST_CASE("DPF: shares reconstruct f(x) for random and edge inputs", "[dpf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {8, 16, 24, 37, 50, 64})
    for (const int m : {1, 8, 37, 50, 64}) {
      INFO("n " << n << " m " << m);
      const Cases c = make_cases(g, n, m, 1, 10000);
      SeededPrg rng(random_block(g));
      const auto [k0, k1] = dpf_gen({n, m}, c.alpha, c.beta, rng);
      REQUIRE(k0.count == c.alpha.size());
      REQUIRE(k1.party == 1);
      std::vector<u64> y0(k0.count), y1(k1.count);
      dpf_eval(k0, c.x, y0);
      dpf_eval(k1, c.x, y1);
      std::size_t bad = 0, hits = 0;
      for (std::size_t k = 0; k < k0.count; ++k) {
        const u64 want = c.x[k] == c.alpha[k] ? c.beta[k] : 0;
        hits += c.x[k] == c.alpha[k];
        if (((y0[k] + y1[k]) & ring_mask(m)) != want || (y0[k] | y1[k]) > ring_mask(m)) {
          if (bad++ < 3)
            FAIL_CHECK("key " << k << " alpha " << c.alpha[k] << " x " << c.x[k] << " beta "
                              << c.beta[k] << " got " << ((y0[k] + y1[k]) & ring_mask(m)));
        }
      }
      CHECK(bad == 0);
      CHECK(hits > 1000);  // the x == alpha branch is exercised, not only zeros
    }
}

TEST_CASE("DPF: small domains n = 1..7, every x", "[dpf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n = 1; n <= 7; ++n) {
    const int m = 1 + static_cast<int>(g() % 64);
    INFO("n " << n << " m " << m);
    const std::size_t dom = std::size_t{1} << n;
    std::vector<u64> alpha, beta, x;
    for (std::size_t a = 0; a < dom; ++a)
      for (std::size_t v = 0; v < dom; ++v) {
        alpha.push_back(a);
        beta.push_back(g() & ring_mask(m));
        x.push_back(v);
      }
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = dpf_gen({n, m}, alpha, beta, rng);
    std::vector<u64> y0(x.size()), y1(x.size());
    dpf_eval(k0, x, y0);
    dpf_eval(k1, x, y1);
    for (std::size_t k = 0; k < x.size(); ++k)
      REQUIRE(((y0[k] + y1[k]) & ring_mask(m)) == (x[k] == alpha[k] ? beta[k] : 0));
  }
}

TEST_CASE("DPF: batch keys equal the one-key reference of the design page", "[dpf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 8, 37, 64})
    for (const int m : {1, 37, 64}) {
      const std::size_t count = 70;  // more than one chunk of 64 keys
      std::vector<u64> alpha(count), beta(count);
      for (auto& a : alpha) a = g() & ring_mask(n);
      for (auto& b : beta) b = g() & ring_mask(m);
      const Block s = random_block(g);
      SeededPrg rng(s), draws(s);
      const auto [k0, k1] = dpf_gen({n, m}, alpha, beta, rng);
      for (std::size_t k = 0; k < count; ++k) {
        const Block s0 = draws.next_block(), s1 = draws.next_block();
        const RefKey r = ref_gen(n, m, alpha[k], beta[k], s0, s1);
        REQUIRE(k0.root[k] == r.root[0]);
        REQUIRE(k1.root[k] == r.root[1]);
        REQUIRE(k0.cw_out[k] == r.cw_out);
        REQUIRE(k1.cw_out[k] == r.cw_out);
        for (int i = 0; i < n; ++i) {
          REQUIRE(k0.cw_seed[i * count + k] == r.cw_seed[i]);
          REQUIRE(k1.cw_seed[i * count + k] == r.cw_seed[i]);
          REQUIRE(k0.cw_t[i * count + k] == r.cw_t[i]);
          REQUIRE(k1.cw_t[i * count + k] == r.cw_t[i]);
        }
      }
      // The rng advanced by exactly two blocks per key.
      CHECK(rng.next_block() == draws.next_block());
    }
}

TEST_CASE("DPF: AES-NI and portable paths and every thread count agree", "[dpf][aes]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {5, 37, 64}) {
    INFO("n " << n);
    const int m = n;
    // Enough keys that the batch is split over threads (the grain is ~2^14 AES calls).
    const Cases c = make_cases(g, n, m, 1, 4000);
    const Block s = random_block(g);
    std::vector<DpfKeys> k0s, k1s;
    std::vector<std::vector<u64>> outs;
    for (const int threads : {1, 2, 3, 7}) {
      SeededPrg rng(s);
      auto [k0, k1] = dpf_gen({n, m}, c.alpha, c.beta, rng, {AesImpl::kAuto, threads});
      std::vector<u64> y(k0.count);
      dpf_eval(k1, c.x, y, {AesImpl::kAuto, threads});
      k0s.push_back(std::move(k0));
      k1s.push_back(std::move(k1));
      outs.push_back(std::move(y));
    }
    for (std::size_t i = 1; i < k0s.size(); ++i) {
      CHECK(same_keys(k0s[i], k0s[0]));
      CHECK(same_keys(k1s[i], k1s[0]));
      CHECK(outs[i] == outs[0]);
    }
    // The portable path on a prefix of the batch (seeds are drawn in key order, so its keys are
    // the batch's first keys) gives the same keys and outputs.
    const std::size_t p = 150;
    SeededPrg rng(s, AesImpl::kPortable);
    const auto [q0, q1] = dpf_gen({n, m}, std::span(c.alpha).first(p), std::span(c.beta).first(p),
                                  rng, {AesImpl::kPortable, 2});
    CHECK(same_keys(q0, prefix(k0s[0], p)));
    CHECK(same_keys(q1, prefix(k1s[0], p)));
    std::vector<u64> y(p);
    dpf_eval(q1, std::span(c.x).first(p), y, {AesImpl::kPortable, 1});
    CHECK(y == std::vector<u64>(outs[0].begin(), outs[0].begin() + static_cast<long>(p)));
  }
}

TEST_CASE("DPF: full-domain evaluation equals point evaluation", "[dpf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 2, 8, 10, 11, 13, 16}) {
    const int m = n == 16 ? 64 : 1 + static_cast<int>(g() % 64);
    INFO("n " << n << " m " << m);
    const std::size_t dom = std::size_t{1} << n;
    std::vector<u64> alpha{0, ring_mask(n), g() & ring_mask(n)};
    std::vector<u64> beta{g() & ring_mask(m), ring_mask(m), g() & ring_mask(m)};
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = dpf_gen({n, m}, alpha, beta, rng);
    std::vector<u64> x(dom);
    for (std::size_t j = 0; j < dom; ++j) x[j] = j;
    for (std::size_t k = 0; k < alpha.size(); ++k) {
      std::vector<u64> f0(dom), f1(dom), p0(dom), p1(dom);
      dpf_eval_full_domain(k0, k, f0);
      dpf_eval_full_domain(k1, k, f1, {AesImpl::kAuto, 3});
      dpf_eval(replicate(k0, k, dom), x, p0);
      dpf_eval(replicate(k1, k, dom), x, p1);
      REQUIRE(f0 == p0);
      REQUIRE(f1 == p1);
      if (n <= 11) {  // the portable path's full-domain kernel gives the same outputs
        std::vector<u64> q0(dom);
        dpf_eval_full_domain(k0, k, q0, {AesImpl::kPortable, 2});
        REQUIRE(q0 == f0);
      }
      for (std::size_t j = 0; j < dom; ++j)
        REQUIRE(((f0[j] + f1[j]) & ring_mask(m)) == (j == alpha[k] ? beta[k] : 0));
    }
  }
}

TEST_CASE("DPF: SIGMA's LUT reconstructs table[x]", "[dpf][lut]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 4, 8, 11, 13})
    for (const int m : {1, 8, 37, 64}) {
      INFO("n " << n << " m " << m);
      const std::size_t dom = std::size_t{1} << n, count = n >= 11 ? 6 : 40;
      std::vector<u64> table(dom);
      for (auto& v : table) v = g();  // entries above 2^m are reduced by the LUT
      std::vector<u64> r(count), x(count), xhat(count), one(count, 1);
      for (std::size_t k = 0; k < count; ++k) {
        r[k] = g() & ring_mask(n);
        x[k] = k == 0 ? 0 : k == 1 ? ring_mask(n) : g() & ring_mask(n);
        xhat[k] = (x[k] + r[k]) & ring_mask(n);
      }
      SeededPrg rng(random_block(g));
      const auto [k0, k1] = dpf_gen({n, m}, r, one, rng);
      std::vector<u64> y0(count), y1(count);
      dpf_lut_eval(k0, xhat, table, y0);
      dpf_lut_eval(k1, xhat, table, y1, {AesImpl::kAuto, 1});
      for (std::size_t k = 0; k < count; ++k)
        REQUIRE(((y0[k] + y1[k]) & ring_mask(m)) == (table[x[k]] & ring_mask(m)));
      if (n <= 8) {
        std::vector<u64> z1(count);
        dpf_lut_eval(k1, xhat, table, z1, {AesImpl::kPortable, 2});
        REQUIRE(z1 == y1);
      }
    }
}

TEST_CASE("DPF: key size formula and key shapes", "[dpf]") {
  for (const int n : {1, 8, 16, 37, 64})
    for (const int m : {1, 8, 64}) {
      // fss-core.md "Key sizes": 128 + n * (128 + 2) + m bits.
      CHECK(dpf_key_bits({n, m}) == static_cast<std::size_t>(128 + n * 130 + m));
      std::vector<u64> alpha(3, 1), beta(3, 1);
      SeededPrg rng(Block{1, 2});
      const auto [k0, k1] = dpf_gen({n, m}, alpha, beta, rng);
      for (const DpfKeys* k : {&k0, &k1}) {
        CHECK(k->root.size() == 3);
        CHECK(k->cw_seed.size() == static_cast<std::size_t>(n) * 3);
        CHECK(k->cw_t.size() == static_cast<std::size_t>(n) * 3);
        CHECK(k->cw_out.size() == 3);
        for (const Block& b : k->root) CHECK(b.lsb() == 0);
        for (const Block& b : k->cw_seed) CHECK(b.lsb() == 0);
      }
      CHECK(k0.cw_seed == k1.cw_seed);
      CHECK(k0.root != k1.root);
    }
  CHECK(dpf_key_bits({64, 64}) == 128 + 64 * 130 + 64);
}

TEST_CASE("DPF: bad input is a clear std::invalid_argument", "[dpf]") {
  SeededPrg rng(Block{3, 4});
  std::vector<u64> one{1}, two{1, 2};
  CHECK_THROWS_AS(dpf_gen({0, 8}, one, one, rng), std::invalid_argument);
  CHECK_THROWS_AS(dpf_gen({8, 65}, one, one, rng), std::invalid_argument);
  CHECK_THROWS_AS(dpf_gen({8, 8}, one, two, rng), std::invalid_argument);
  std::vector<u64> big{256};
  CHECK_THROWS_WITH(dpf_gen({8, 8}, big, one, rng), Catch::Contains("alpha[0]"));
  CHECK_THROWS_AS(dpf_gen({8, 8}, one, big, rng), std::invalid_argument);
  auto [k0, k1] = dpf_gen({8, 8}, one, one, rng);
  std::vector<u64> y(1);
  CHECK_THROWS_AS(dpf_eval(k0, big, y), std::invalid_argument);
  CHECK_THROWS_AS(dpf_eval(k0, two, y), std::invalid_argument);
  std::vector<u64> dom(256), small(255);
  CHECK_THROWS_AS(dpf_eval_full_domain(k0, 1, dom), std::invalid_argument);
  CHECK_THROWS_AS(dpf_eval_full_domain(k0, 0, small), std::invalid_argument);
  CHECK_THROWS_AS(dpf_lut_eval(k0, one, small, y), std::invalid_argument);
  k0.cw_seed.pop_back();
  CHECK_THROWS_AS(dpf_eval(k0, one, y), std::invalid_argument);
  k1.party = 2;
  CHECK_THROWS_AS(dpf_eval(k1, one, y), std::invalid_argument);
  std::vector<u64> a25{0}, b25{1};
  auto [w0, w1] = dpf_gen({25, 8}, a25, b25, rng);
  CHECK_THROWS_WITH(dpf_eval_full_domain(w0, 0, dom), Catch::Contains("above 24"));
}
