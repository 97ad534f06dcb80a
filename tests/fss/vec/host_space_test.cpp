// The host vector Space (fss/vec/host_space.h): combine against a per-element reference written
// from the contract, over fresh random terms and every width; the openings' pack / unpack_add
// against the ring's packing; the checks. The CUDA Space is checked against this one on the
// device (scripts/gpu_check.sh, group `vec`).
#include "fss/vec/host_space.h"

#include <array>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf_et.h"
#include "fss/prg.h"
#include "fss/sigma_dcf.h"
#include "fss/thread_pool.h"

namespace secinfer::fss::vec {
namespace {

// The contract of Space::combine, element by element.
u64 reference(int bits, u64 c, const std::vector<Term>& terms, std::size_t i) {
  u64 acc = c;
  for (const Term& t : terms) {
    const std::size_t row = i / t.repeat;
    u64 x = (t.v->data()[row * static_cast<std::size_t>(t.stride) +
                         static_cast<std::size_t>(t.offset)] >>
             t.shr) &
            ring_mask(t.width);
    if (t.times) x *= t.times->data()[i];
    if (t.gate && (((t.gate->data()[i] >> t.gate_bit) & 1) == 1) != t.gate_when) x = 0;
    acc += t.coef * x;
  }
  return acc & ring_mask(bits);
}

std::vector<u64> random_words(std::mt19937_64& g, std::size_t n) {
  std::vector<u64> v(n);
  for (u64& x : v) x = g();
  return v;
}

}  // namespace

TEST_CASE("vec::HostSpace: combine equals its contract on random terms, every width", "[vec]") {
  ThreadPool pool(3);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 11);
  // Sizes below and above the threaded grain, so the ranges' split is covered too.
  for (std::size_t n : {std::size_t{1}, std::size_t{257}, std::size_t{3} << 16}) {
    std::vector<Vec> vs;
    for (int k = 0; k < 4; ++k) vs.push_back(sp.upload(random_words(g, n)));
    // Edge values: 0, all ones and the top bit.
    for (Vec& v : vs) {
      v.data()[0] = 0;
      if (n > 2) {
        v.data()[1] = ~u64{0};
        v.data()[2] = u64{1} << 63;
      }
    }
    for (int trial = 0; trial < 40; ++trial) {
      const int bits =
          trial < 3 ? std::array<int, 3>{1, 63, 64}[trial] : 1 + static_cast<int>(g() % 64);
      std::vector<Term> terms;
      const std::size_t count = g() % (kMaxTerms + 1);
      for (std::size_t k = 0; k < count; ++k) {
        Term t;
        t.v = &vs[g() % vs.size()];
        t.shr = static_cast<int>(g() % 64);
        t.width = 1 + static_cast<int>(g() % 64);
        t.coef = g() % 3 == 0 ? ~u64{0} : g();
        if (g() % 3 == 0) t.times = &vs[g() % vs.size()];
        if (g() % 3 == 0) {
          t.gate = &vs[g() % vs.size()];
          t.gate_bit = static_cast<int>(g() % 64);
          t.gate_when = g() % 2 == 0;
        }
        terms.push_back(t);
      }
      const u64 c = g();
      std::vector<u64> want(n);
      for (std::size_t i = 0; i < n; ++i) want[i] = reference(bits, c, terms, i);
      // Into a fresh vector, and in place over the first term's vector (aliasing).
      Vec out = sp.make(n);
      sp.combine(out, bits, c, terms);
      std::vector<u64> got(n);
      sp.download(out, got);
      REQUIRE(got == want);
      if (!terms.empty()) {
        Vec& alias = *const_cast<Vec*>(terms[0].v);
        sp.combine(alias, bits, c, terms);
        sp.download(alias, got);
        REQUIRE(got == want);
      }
    }
  }
}

TEST_CASE("vec::HostSpace: a term reads one field of interleaved records (stride, offset)",
          "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 15);
  for (int stride : {1, 2, 3, 6}) {
    const std::size_t n = 1000;
    const Vec rec = sp.upload(random_words(g, n * static_cast<std::size_t>(stride)));
    const Vec bit = sp.upload(random_words(g, n));
    for (int offset = 0; offset < stride; ++offset) {
      const std::vector<Term> terms = {
          {.v = &rec, .stride = stride, .offset = offset, .shr = 3, .width = 40, .coef = 5},
          {.v = &rec, .stride = stride, .offset = stride - 1 - offset, .gate = &bit}};
      std::vector<u64> want(n), got(n);
      for (std::size_t i = 0; i < n; ++i) want[i] = reference(50, 7, terms, i);
      Vec out = sp.make(n);
      sp.combine(out, 50, 7, terms);
      sp.download(out, got);
      REQUIRE(got == want);
    }
  }
  const Vec short_rec = sp.upload(random_words(g, 10));
  Vec out = sp.make(10);
  CHECK_THROWS_WITH(sp.combine(out, 8, 0, {{.v = &short_rec, .stride = 2}}),
                    Catch::Contains("10 elements where 20"));
  CHECK_THROWS_WITH(sp.combine(out, 8, 0, {{.v = &short_rec, .stride = 2, .offset = 2}}),
                    Catch::Contains("offset below it"));
}

TEST_CASE("vec::HostSpace: a term broadcasts each element over `repeat` outputs (rows)", "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 16);
  for (std::size_t cols : {1, 3, 64, 768}) {
    const std::size_t rows = 5, n = rows * cols;
    const Vec row_vals = sp.upload(random_words(g, rows)), x = sp.upload(random_words(g, n));
    const Vec rec = sp.upload(random_words(g, 2 * rows));
    const std::vector<Term> terms = {
        {.v = &row_vals, .repeat = cols, .coef = ~u64{0}, .times = &x},
        {.v = &rec, .stride = 2, .offset = 1, .repeat = cols, .shr = 2, .gate = &x},
        {.v = &x, .coef = 3}};
    std::vector<u64> want(n), got(n);
    for (std::size_t i = 0; i < n; ++i) want[i] = reference(64, 11, terms, i);
    Vec out = sp.make(n);
    sp.combine(out, 64, 11, terms);
    sp.download(out, got);
    REQUIRE(got == want);
  }
  const Vec rows = sp.upload(random_words(g, 4));
  Vec out = sp.make(10);
  CHECK_THROWS_WITH(sp.combine(out, 8, 0, {{.v = &rows, .repeat = 3}}),
                    Catch::Contains("divide the output's 10 elements"));
  CHECK_THROWS_WITH(sp.combine(out, 8, 0, {{.v = &rows, .repeat = 2}}),
                    Catch::Contains("4 elements where 5"));
}

TEST_CASE("vec::HostSpace: sigma_dcf_eval at several points is fss::sigma_dcf_eval", "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 16);
  for (const int in_bits : {6, 12, 37}) {
    const std::size_t n = 300, P = 3;
    std::vector<u64> alpha(n), x(n * P);
    for (std::size_t i = 0; i < n; ++i) alpha[i] = g() & ring_mask(in_bits);
    for (std::size_t i = 0; i < n * P; ++i)
      x[i] = i % 4 == 0 ? alpha[i / P] : g() & ring_mask(in_bits);
    SeededPrg rng(Block{g(), g()});
    const auto [k0, k1] = sigma_dcf_gen(in_bits, alpha, rng);
    for (const SigmaDcfKeys* k : {&k0, &k1}) {
      std::vector<std::uint8_t> want(n * P);
      fss::sigma_dcf_eval(*k, P, x, want);
      std::vector<Vec> pts, bits;
      for (std::size_t j = 0; j < P; ++j) {
        std::vector<u64> col(n);
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * P + j];
        pts.push_back(sp.upload(col));
        bits.push_back(sp.make(n));
      }
      const Vec* pp[3] = {&pts[0], &pts[1], &pts[2]};
      Vec* bp[3] = {&bits[0], &bits[1], &bits[2]};
      sp.sigma_dcf_eval(*k, pp, bp);
      for (std::size_t j = 0; j < P; ++j) {
        std::vector<u64> got(n);
        sp.download(bits[j], got);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(got[i] == want[i * P + j]);
      }
    }
  }
}

TEST_CASE("vec::HostSpace: pack and unpack_add are the ring's packing and an addition mod 2^bits",
          "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 12);
  for (int bits : {1, 7, 37, 50, 63, 64}) {
    for (std::size_t n : {std::size_t{1}, std::size_t{65}, std::size_t{1} << 17}) {
      const std::vector<u64> mine = random_words(g, n), theirs = random_words(g, n);
      Vec v = sp.upload(mine);
      std::vector<std::uint8_t> bytes(packed_bytes(n, bits)), want_bytes(bytes.size());
      sp.pack(v, bits, bytes);
      pack_bits(mine, bits, want_bytes);
      REQUIRE(bytes == want_bytes);
      std::vector<std::uint8_t> peer(bytes.size());
      pack_bits(theirs, bits, peer);
      sp.unpack_add(peer, bits, v);
      std::vector<u64> got(n);
      sp.download(v, got);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(got[i] == ((mine[i] + theirs[i]) & ring_mask(bits)));
    }
  }
}

TEST_CASE("vec::HostSpace: dcf_eval is fss::dcf_eval", "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 13);
  const std::size_t n = 300;
  std::vector<u64> alpha(n), beta(n), x(n);
  for (std::size_t i = 0; i < n; ++i) {
    alpha[i] = g() & ring_mask(12);
    beta[i] = g() & ring_mask(40);
    x[i] = i % 3 == 0 ? alpha[i] : g() & ring_mask(12);
  }
  x[0] = 0;
  x[1] = ring_mask(12);
  SeededPrg rng(Block{g(), g()});
  const auto [k0, k1] = dcf_gen(DcfShape{12, 40, 1}, alpha, beta, rng);
  for (const DcfKeys* k : {&k0, &k1}) {
    std::vector<u64> want(n), got(n);
    fss::dcf_eval(*k, x, want);
    const Vec xv = sp.upload(x);
    Vec out = sp.make(n);
    sp.dcf_eval(*k, xv, out);
    sp.download(out, got);
    REQUIRE(got == want);
  }
}

TEST_CASE("vec::HostSpace: dpf_et_lut_eval is fss::dpf_et_lut_eval", "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 14);
  for (const u64 xor_mask : {u64{0}, u64{0xE00}}) {
    const int k = 12, out_bits = 50;
    const std::size_t n = 200;
    std::vector<u64> alpha(n), idx(n), table(std::size_t{1} << k);
    for (std::size_t i = 0; i < n; ++i) {
      alpha[i] = g() & ring_mask(k);
      idx[i] = i % 5 == 0 ? alpha[i] : g() & ring_mask(k);
    }
    for (u64& t : table) t = g() & ring_mask(out_bits);
    SeededPrg rng(Block{g(), g()});
    const auto [k0, k1] = dpf_et_gen(k, alpha, rng);
    for (const DpfEtKeys* keys : {&k0, &k1}) {
      std::vector<u64> want_sum(n), want_count(n), sum(n), count(n);
      fss::dpf_et_lut_eval(*keys, idx, table, out_bits, want_sum, want_count, {}, xor_mask);
      const Vec iv = sp.upload(idx);
      Vec sv = sp.make(n), cv = sp.make(n);
      sp.dpf_et_lut_eval(*keys, iv, table, out_bits, sv, cv, xor_mask);
      sp.download(sv, sum);
      sp.download(cv, count);
      REQUIRE(sum == want_sum);
      REQUIRE(count == want_count);
    }
  }
}

TEST_CASE("vec::HostSpace: vectors of another space, wrong sizes and bad terms are refused",
          "[vec]") {
  ThreadPool pool(1);
  const HostSpace a(pool, {}), b(pool, {});
  Vec x = a.make(4), y = b.make(4), z = a.make(5);
  CHECK_THROWS_WITH(a.combine(x, 8, 0, {{.v = &y}}), Catch::Contains("another space"));
  CHECK_THROWS_WITH(a.combine(x, 8, 0, {{.v = &z}}), Catch::Contains("5 elements where 4"));
  CHECK_THROWS_WITH(a.combine(x, 0, 0, {}), Catch::Contains("bits must be in [1, 64]"));
  CHECK_THROWS_WITH(a.combine(x, 8, 0, {{.v = &x, .shr = 64}}), Catch::Contains("shift"));
  CHECK_THROWS_WITH(a.combine(x, 8, 0, {{.v = &x, .width = 0}}), Catch::Contains("width"));
  const std::vector<Term> many(kMaxTerms + 1, Term{.v = &x});
  CHECK_THROWS_WITH(a.combine(x, 8, 0, many), Catch::Contains("at most"));
  std::vector<u64> out(3);
  CHECK_THROWS_WITH(a.download(x, out), Catch::Contains("4 elements where 3"));
}

}  // namespace secinfer::fss::vec
