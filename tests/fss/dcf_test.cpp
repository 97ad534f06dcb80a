// DCF properties (fss-core.md "DCF"): the two parties' outputs reconstruct f(x) = beta [x < alpha]
// (vector payloads, L elements) for fresh random and edge inputs; both AES paths and every thread
// count give identical keys and outputs; the batch keys match a one-key reference written
// straight from the page (including ConvertVec).
#include "fss/dcf.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/batch_options.h"
#include "fss/thread_pool.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::Cases;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::make_cases;
using secinfer::fss::test::random_block;

namespace {

// The first p keys of a batch, as a batch of p keys.
DcfKeys prefix(const DcfKeys& keys, std::size_t p) {
  const auto len = static_cast<std::size_t>(keys.shape.payload_len);
  DcfKeys r;
  r.shape = keys.shape;
  r.party = keys.party;
  r.count = p;
  r.root.assign(keys.root.begin(), keys.root.begin() + static_cast<long>(p));
  r.cw_final.assign(keys.cw_final.begin(), keys.cw_final.begin() + static_cast<long>(p * len));
  for (int i = 0; i < keys.shape.in_bits; ++i)
    for (std::size_t k = 0; k < p; ++k) {
      const std::size_t at = static_cast<std::size_t>(i) * keys.count + k;
      r.cw_seed.push_back(keys.cw_seed[at]);
      for (std::size_t e = 0; e < len; ++e) r.cw_v.push_back(keys.cw_v[at * len + e]);
    }
  return r;
}

bool same_keys(const DcfKeys& a, const DcfKeys& b) {
  return a.party == b.party && a.count == b.count && a.root == b.root && a.cw_seed == b.cw_seed &&
         a.cw_v == b.cw_v && a.cw_final == b.cw_final;
}

// Checks y0 + y1 == beta [x < alpha] for every key and element; returns the number of failures.
std::size_t count_bad(const Cases& c, int m, int L, const std::vector<u64>& y0,
                      const std::vector<u64>& y1) {
  std::size_t bad = 0;
  const auto len = static_cast<std::size_t>(L);
  for (std::size_t k = 0; k < c.alpha.size(); ++k)
    for (std::size_t e = 0; e < len; ++e) {
      const u64 want = c.x[k] < c.alpha[k] ? c.beta[k * len + e] : 0;
      const u64 got = (y0[k * len + e] + y1[k * len + e]) & ring_mask(m);
      if (got != want || (y0[k * len + e] | y1[k * len + e]) > ring_mask(m)) {
        if (bad++ < 3)
          FAIL_CHECK("key " << k << " element " << e << " alpha " << c.alpha[k] << " x " << c.x[k]
                            << " want " << want << " got " << got);
      }
    }
  return bad;
}

// ---- One-key reference, fss-core.md "DCF" read literally. ----
std::vector<u64> ref_convert_vec(Block blk, int m, int L) {
  const FixedKeyPrg& prg = fixed_key_prg();
  std::vector<u64> v(static_cast<std::size_t>(L));
  v[0] = blk.hi & ring_mask(m);
  for (int j = 1; j < L; ++j) {
    const u64 k = static_cast<u64>((j + 1) / 2);
    const Block c = prg.g(4, blk ^ Block{k, 0});
    v[static_cast<std::size_t>(j)] = ((j % 2 == 1) ? c.lo : c.hi) & ring_mask(m);
  }
  return v;
}

struct RefKey {
  Block root[2];
  std::vector<Block> cw_seed;
  std::vector<std::vector<u64>> cw_v;
  std::vector<u64> cw_final;
};

// The value block of child d (fss-core.md "DCF"): G_{2+d}, or one G_2 for both children where
// L = 1, its halves swapped for the right child.
std::vector<u64> ref_value(Block s, int d, int m, int L) {
  const FixedKeyPrg& prg = fixed_key_prg();
  const Block vb = L == 1 ? prg.g(2, s) : prg.g(2 + d, s);
  return ref_convert_vec(L == 1 && d == 1 ? vb.swapped() : vb, m, L);
}

// H(s) = G_0(sigma(s)), sigma(x) = (lo: x.hi, hi: x.lo ^ x.hi), written out.
Block ref_hash(Block s) {
  return fixed_key_prg().g(0, Block{s.hi, s.lo ^ s.hi});
}

RefKey ref_gen(int n, int m, int L, u64 alpha, const u64* beta, Block a_draw, Block b_draw) {
  const u64 mask = ring_mask(m);
  const auto sgn = [&](int t, u64 v) { return (t ? 0 - v : v) & mask; };
  RefKey key;
  const Block delta{b_draw.lo | 1, b_draw.hi};
  Block s[2] = {a_draw, a_draw ^ delta};
  key.root[0] = s[0];
  key.root[1] = s[1];
  std::vector<u64> valpha(static_cast<std::size_t>(L), 0);
  for (int i = 0; i < n; ++i) {
    const int a = static_cast<int>((alpha >> (n - 1 - i)) & 1);
    const int t[2] = {s[0].lsb(), s[1].lsb()};
    REQUIRE((t[0] ^ t[1]) == 1);
    REQUIRE((s[0] ^ s[1]) == delta);
    const Block h[2] = {ref_hash(s[0]), ref_hash(s[1])};
    std::vector<u64> v[2][2];
    for (int b = 0; b < 2; ++b)
      for (int d = 0; d < 2; ++d) v[b][d] = ref_value(s[b], d, m, L);
    const int keep = a, lose = 1 - a;
    // Children d: H(s) ^ d s ^ t cw. Lose's must agree, Keep's differ by Delta.
    const Block cw = h[0] ^ h[1] ^ (lose == 1 ? delta : Block{});
    std::vector<u64> cwv(static_cast<std::size_t>(L));
    for (std::size_t j = 0; j < cwv.size(); ++j) {
      cwv[j] = sgn(t[1], v[1][lose][j] - v[0][lose][j] - valpha[j]);
      if (lose == 0) cwv[j] = (cwv[j] + sgn(t[1], beta[j])) & mask;
      valpha[j] = (valpha[j] - v[1][keep][j] + v[0][keep][j] + sgn(t[1], cwv[j])) & mask;
    }
    Block child[2][2];
    for (int b = 0; b < 2; ++b)
      for (int d = 0; d < 2; ++d) child[b][d] = h[b] ^ (d ? s[b] : Block{}) ^ (t[b] ? cw : Block{});
    REQUIRE(child[0][lose] == child[1][lose]);
    for (int b = 0; b < 2; ++b) s[b] = child[b][keep];
    key.cw_seed.push_back(cw);
    key.cw_v.push_back(cwv);
  }
  const auto c0 = ref_value(s[0], 0, m, L), c1 = ref_value(s[1], 0, m, L);
  for (int j = 0; j < L; ++j) {
    const auto u = static_cast<std::size_t>(j);
    key.cw_final.push_back(sgn(s[1].lsb(), c1[u] - c0[u] - valpha[u]));
  }
  return key;
}

}  // namespace

TEST_CASE("DCF: shares reconstruct beta [x < alpha] for random and edge inputs", "[dcf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {8, 16, 24, 37, 50, 64})
    for (const int m : {1, 8, 37, 50, 64})
      for (const int L : {1, 3}) {
        INFO("n " << n << " m " << m << " L " << L);
        const Cases c = make_cases(g, n, m, L, 10000);
        SeededPrg rng(random_block(g));
        const auto [k0, k1] = dcf_gen({n, m, L}, c.alpha, c.beta, rng);
        std::vector<u64> y0(c.beta.size()), y1(c.beta.size());
        dcf_eval(k0, c.x, y0);
        dcf_eval(k1, c.x, y1);
        CHECK(count_bad(c, m, L, y0, y1) == 0);
        std::size_t below = 0;
        for (std::size_t k = 0; k < c.x.size(); ++k) below += c.x[k] < c.alpha[k];
        CHECK(below > 1000);  // both branches are exercised
        CHECK(below < c.x.size() - 1000);
      }
}

TEST_CASE("DCF: small domains n = 1..6, every (alpha, x), and payload lengths 1..8", "[dcf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (int n = 1; n <= 6; ++n)
    for (int L = 1; L <= 8; ++L) {
      const int m = 1 + static_cast<int>(g() % 64);
      INFO("n " << n << " m " << m << " L " << L);
      const std::size_t dom = std::size_t{1} << n;
      Cases c;
      for (std::size_t a = 0; a < dom; ++a)
        for (std::size_t v = 0; v < dom; ++v) {
          c.alpha.push_back(a);
          c.x.push_back(v);
          for (int e = 0; e < L; ++e) c.beta.push_back(g() & ring_mask(m));
        }
      SeededPrg rng(random_block(g));
      const auto [k0, k1] = dcf_gen({n, m, L}, c.alpha, c.beta, rng);
      std::vector<u64> y0(c.beta.size()), y1(c.beta.size());
      dcf_eval(k0, c.x, y0);
      dcf_eval(k1, c.x, y1);
      REQUIRE(count_bad(c, m, L, y0, y1) == 0);
    }
}

TEST_CASE("DCF: batch keys equal the one-key reference of the design page", "[dcf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {1, 8, 37, 64})
    for (const int m : {1, 37, 64})
      for (const int L : {1, 2, 3, 6}) {
        INFO("n " << n << " m " << m << " L " << L);
        const std::size_t count = 67;  // more than one chunk of 64 keys
        const auto len = static_cast<std::size_t>(L);
        std::vector<u64> alpha(count), beta(count * len);
        for (auto& a : alpha) a = g() & ring_mask(n);
        for (auto& b : beta) b = g() & ring_mask(m);
        const Block s = random_block(g);
        SeededPrg rng(s), draws(s);
        const auto [k0, k1] = dcf_gen({n, m, L}, alpha, beta, rng);
        for (std::size_t k = 0; k < count; ++k) {
          const Block s0 = draws.next_block(), s1 = draws.next_block();
          const RefKey r = ref_gen(n, m, L, alpha[k], &beta[k * len], s0, s1);
          REQUIRE(k0.root[k] == r.root[0]);
          REQUIRE(k1.root[k] == r.root[1]);
          for (std::size_t e = 0; e < len; ++e) {
            REQUIRE(k0.cw_final[k * len + e] == r.cw_final[e]);
            REQUIRE(k1.cw_final[k * len + e] == r.cw_final[e]);
          }
          for (int i = 0; i < n; ++i) {
            const std::size_t at = static_cast<std::size_t>(i) * count + k;
            REQUIRE(k0.cw_seed[at] == r.cw_seed[i]);
            REQUIRE(k1.cw_seed[at] == r.cw_seed[i]);
            for (std::size_t e = 0; e < len; ++e) {
              REQUIRE(k0.cw_v[at * len + e] == r.cw_v[i][e]);
              REQUIRE(k1.cw_v[at * len + e] == r.cw_v[i][e]);
            }
          }
        }
        CHECK(rng.next_block() == draws.next_block());
      }
}

TEST_CASE("DCF: AES-NI and portable paths and every thread count agree", "[dcf][aes]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const int n : {5, 37, 64})
    for (const int L : {1, 3}) {
      INFO("n " << n << " L " << L);
      const int m = n;
      const auto len = static_cast<std::size_t>(L);
      // Enough keys that the batch is split over threads (the grain is ~2^14 AES calls).
      const Cases c = make_cases(g, n, m, L, 2000);
      const Block s = random_block(g);
      std::vector<DcfKeys> k0s, k1s;
      std::vector<std::vector<u64>> outs;
      for (const int threads : {1, 2, 3, 7}) {
        SeededPrg rng(s);
        auto [k0, k1] = dcf_gen({n, m, L}, c.alpha, c.beta, rng, {AesImpl::kAuto, threads});
        std::vector<u64> y(c.beta.size());
        dcf_eval(k0, c.x, y, {AesImpl::kAuto, threads});
        k0s.push_back(std::move(k0));
        k1s.push_back(std::move(k1));
        outs.push_back(std::move(y));
      }
      for (std::size_t i = 1; i < k0s.size(); ++i) {
        CHECK(same_keys(k0s[i], k0s[0]));
        CHECK(same_keys(k1s[i], k1s[0]));
        CHECK(outs[i] == outs[0]);
      }
      // The portable path on a prefix of the batch gives the batch's first keys and outputs.
      const std::size_t p = 60;
      SeededPrg rng(s, AesImpl::kPortable);
      const auto [q0, q1] = dcf_gen({n, m, L}, std::span(c.alpha).first(p),
                                    std::span(c.beta).first(p * len), rng, {AesImpl::kPortable, 2});
      CHECK(same_keys(q0, prefix(k0s[0], p)));
      CHECK(same_keys(q1, prefix(k1s[0], p)));
      std::vector<u64> y(p * len);
      dcf_eval(q0, std::span(c.x).first(p), y, {AesImpl::kPortable, 1});
      CHECK(y == std::vector<u64>(outs[0].begin(), outs[0].begin() + static_cast<long>(p * len)));
    }
}

TEST_CASE("DCF: one payload for every key gives the keys of that payload repeated", "[dcf]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  for (const DcfShape shape : {DcfShape{50, 12, 1}, DcfShape{12, 50, 1}, DcfShape{9, 64, 3}}) {
    INFO("n " << shape.in_bits << " m " << shape.out_bits << " L " << shape.payload_len);
    const auto len = static_cast<std::size_t>(shape.payload_len);
    // Edge payloads (0, 1, 2^m - 1) and a random one; alphas with 0 and 2^n - 1 among them.
    const u64 top = ring_mask(shape.out_bits);
    for (const u64 b : {u64{0}, u64{1}, top, g() & top}) {
      const Cases c = make_cases(g, shape.in_bits, shape.out_bits, shape.payload_len, 3000);
      std::vector<u64> one(len), repeated(c.alpha.size() * len);
      for (std::size_t e = 0; e < len; ++e) one[e] = (b + e) & top;
      for (std::size_t k = 0; k < c.alpha.size(); ++k)
        for (std::size_t e = 0; e < len; ++e) repeated[k * len + e] = one[e];
      const Block s = random_block(g);
      SeededPrg r1(s), r2(s);
      const auto [a0, a1] = dcf_gen(shape, c.alpha, one, r1, {AesImpl::kAuto, 3});
      const auto [b0, b1] = dcf_gen(shape, c.alpha, repeated, r2, {AesImpl::kAuto, 3});
      CHECK(same_keys(a0, b0));
      CHECK(same_keys(a1, b1));
      CHECK(r1.next_counter() == r2.next_counter());
    }
  }
  // One key: the two readings of a beta of L elements coincide.
  SeededPrg rng(Block{7, 8});
  const std::vector<u64> alpha{5}, beta{9, 10};
  const auto [k0, k1] = dcf_gen({8, 8, 2}, alpha, beta, rng);
  std::vector<u64> y0(2), y1(2);
  dcf_eval(k0, std::vector<u64>{4}, y0);
  dcf_eval(k1, std::vector<u64>{4}, y1);
  CHECK(((y0[0] + y1[0]) & 255) == 9);
  CHECK(((y0[1] + y1[1]) & 255) == 10);
}

TEST_CASE("DCF: key size formula and key shapes", "[dcf]") {
  for (const int n : {1, 8, 37, 64})
    for (const int m : {1, 8, 64})
      for (const int L : {1, 3, 5}) {
        // fss-core.md "Key sizes": 128 + n * (128 + L * m) + L * m bits.
        CHECK(dcf_key_bits({n, m, L}) == static_cast<std::size_t>(128 + n * (128 + L * m) + L * m));
        const std::size_t count = 3, len = static_cast<std::size_t>(L);
        std::vector<u64> alpha(count, 1), beta(count * len, 1);
        SeededPrg rng(Block{5, 6});
        const auto [k0, k1] = dcf_gen({n, m, L}, alpha, beta, rng);
        for (const DcfKeys* k : {&k0, &k1}) {
          CHECK(k->cw_seed.size() == static_cast<std::size_t>(n) * count);
          CHECK(k->cw_v.size() == static_cast<std::size_t>(n) * count * len);
          CHECK(k->cw_final.size() == count * len);
        }
      }
  CHECK(dcf_key_bits({64, 64, 1}) == 128 + 64 * (128 + 64) + 64);
}

TEST_CASE("DCF: bad input is a clear std::invalid_argument", "[dcf]") {
  SeededPrg rng(Block{3, 4});
  std::vector<u64> one{1}, two{1, 2}, big{256};
  CHECK_THROWS_AS(dcf_gen({0, 8, 1}, one, one, rng), std::invalid_argument);
  CHECK_THROWS_AS(dcf_gen({8, 0, 1}, one, one, rng), std::invalid_argument);
  CHECK_THROWS_WITH(dcf_gen({8, 8, 0}, one, one, rng), Catch::Contains("payload_len"));
  CHECK_THROWS_AS(dcf_gen({8, 8, 2}, one, one, rng), std::invalid_argument);  // beta needs 2
  const std::vector<u64> three_keys{1, 2, 3};
  CHECK_THROWS_WITH(dcf_gen({8, 8, 2}, three_keys, std::vector<u64>{1, 2, 3}, rng),
                    Catch::Contains("one payload for every key"));  // neither 6 nor 2
  CHECK_THROWS_AS(dcf_gen({8, 8, 1}, big, one, rng), std::invalid_argument);
  CHECK_THROWS_AS(dcf_gen({8, 8, 1}, one, big, rng), std::invalid_argument);
  auto [k0, k1] = dcf_gen({8, 8, 2}, one, two, rng);
  std::vector<u64> y(2), y1(1);
  CHECK_THROWS_AS(dcf_eval(k0, big, y), std::invalid_argument);
  CHECK_THROWS_AS(dcf_eval(k0, one, y1), std::invalid_argument);
  k0.cw_v.pop_back();
  CHECK_THROWS_AS(dcf_eval(k0, one, y), std::invalid_argument);
}

TEST_CASE("DCF: the range check on the caller's pool names the first value that does not fit",
          "[dcf]") {
  // Two grains of the check and more, so that the pool's threads share the OR: fresh in-range
  // alphas, then two out-of-range values at fresh positions; the message names the first.
  const std::uint64_t s = fresh_seed();
  std::mt19937_64 gen(s);
  const Block seed{s, 1};
  constexpr std::size_t kCount = 150'000;
  std::vector<u64> alpha(kCount);
  for (u64& a : alpha) a = gen() & 0xff;
  const std::vector<u64> beta{7};
  ThreadPool pool(3);
  const BatchOptions pooled{AesImpl::kAuto, 1, nullptr, &pool};
  SeededPrg a_rng(seed), b_rng(seed);
  const auto plain = dcf_gen({8, 8, 1}, alpha, beta, a_rng, BatchOptions{AesImpl::kAuto, 1});
  const auto with_pool = dcf_gen({8, 8, 1}, alpha, beta, b_rng, pooled);
  CHECK(plain.first.root == with_pool.first.root);
  CHECK(plain.second.cw_seed == with_pool.second.cw_seed);
  const std::size_t i = gen() % (kCount / 2), j = kCount / 2 + gen() % (kCount / 2);
  alpha[j] = 256 + (gen() & 0xff);
  alpha[i] = 256;
  SeededPrg rng(seed);
  CHECK_THROWS_WITH(dcf_gen({8, 8, 1}, alpha, beta, rng, pooled),
                    Catch::Contains("alpha[" + std::to_string(i) + "] = 256"));
}
