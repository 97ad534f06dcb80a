// The host vector Space (fss/vec/host_space.h): combine against a per-element reference written
// from the contract, over fresh random terms and every width; row_sums and swap_axes against
// naive loops; the openings' pack / unpack_add against the ring's packing; the checks. The CUDA
// Space is checked against this one on the device (scripts/gpu_check.sh, group `vec`).
#include "fss/vec/host_space.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <random>
#include <string>
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
    const std::size_t row = (t.cycle > 0 ? i % t.cycle : i) / t.repeat;
    u64 x = ((t.v->data()[row * static_cast<std::size_t>(t.stride) +
                          static_cast<std::size_t>(t.offset)] +
              t.add) >>
             t.shr) &
            ring_mask(t.width);
    if (t.times) x *= t.times->data()[i];
    if (t.gate && (((t.gate->data()[i] >> t.gate_bit) & 1) == 1) != t.gate_when) x = 0;
    acc += t.coef * x;
  }
  return acc & ring_mask(bits);
}

// "" when equal, else the sizes or the first difference: a failure stays readable (Catch would
// print the whole vectors).
std::string mismatch(const std::vector<u64>& got, const std::vector<u64>& want) {
  if (got.size() != want.size())
    return "size " + std::to_string(got.size()) + ", want " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i])
      return "at " + std::to_string(i) + ": got " + std::to_string(got[i]) + ", want " +
             std::to_string(want[i]);
  return "";
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
        t.add = g() % 2 == 0 ? 0 : g();  // across the wrap too
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

TEST_CASE("vec::HostSpace: a term with a cycle reads one row of values over every row (a bias)",
          "[vec]") {
  ThreadPool pool(3);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 17);
  // Above the threaded grain too, where a range starts inside a cycle.
  for (const std::size_t cols : {1, 3, 128, 768}) {
    for (const std::size_t rows : {std::size_t{1}, std::size_t{5}, (std::size_t{3} << 16) / cols}) {
      const std::size_t n = rows * cols;
      const Vec x = sp.upload(random_words(g, n)), bias = sp.upload(random_words(g, cols));
      // The plain bias add, written without the contract's reference.
      const std::vector<Term> add = {{.v = &x}, {.v = &bias, .cycle = cols}};
      std::vector<u64> want(n), got(n);
      for (std::size_t i = 0; i < n; ++i) want[i] = x.data()[i] + bias.data()[i % cols];
      Vec out = sp.make(n);
      sp.combine(out, 64, 0, add);
      sp.download(out, got);
      REQUIRE(mismatch(got, want) == "");
      // With repeat > 1 and stride > 1 inside the cycle, and with a factor and a gate.
      const std::size_t repeat = cols % 3 == 0 ? 3 : 1;
      const Vec rec = sp.upload(random_words(g, cols / repeat * 3));
      for (int trial = 0; trial < 6; ++trial) {
        const int bits = trial == 0 ? 1 : trial == 1 ? 64 : 1 + static_cast<int>(g() % 64);
        const std::vector<Term> terms = {{.v = &rec,
                                          .stride = 3,
                                          .offset = static_cast<int>(g() % 3),
                                          .repeat = repeat,
                                          .cycle = cols,
                                          .shr = static_cast<int>(g() % 64),
                                          .width = 1 + static_cast<int>(g() % 64),
                                          .coef = g(),
                                          .times = trial % 2 == 0 ? &x : nullptr,
                                          .gate = trial % 3 == 0 ? &x : nullptr,
                                          .gate_bit = static_cast<int>(g() % 64)},
                                         {.v = &bias, .cycle = cols, .coef = ~u64{0}},
                                         {.v = &x, .shr = 5}};
        const u64 c = g();
        for (std::size_t i = 0; i < n; ++i) want[i] = reference(bits, c, terms, i);
        sp.combine(out, bits, c, terms);
        sp.download(out, got);
        REQUIRE(mismatch(got, want) == "");
      }
    }
  }
  // A cycle of a whole output is the term without one.
  const Vec x = sp.upload(random_words(g, 12));
  Vec a = sp.make(12), b = sp.make(12);
  sp.combine(a, 64, 0, {{.v = &x, .cycle = 12}});
  sp.combine(b, 64, 0, {{.v = &x}});
  std::vector<u64> va(12), vb(12);
  sp.download(a, va);
  sp.download(b, vb);
  CHECK(mismatch(va, vb) == "");
  // The checks: a cycle not dividing the output, a repeat not dividing the cycle, the term's
  // vector sized by the cycle.
  const Vec four = sp.upload(random_words(g, 4));
  CHECK_THROWS_WITH(sp.combine(a, 8, 0, {{.v = &four, .cycle = 5}}),
                    Catch::Contains("cycle must divide the output's 12 elements (got cycle 5)"));
  CHECK_THROWS_WITH(sp.combine(a, 8, 0, {{.v = &four, .repeat = 3, .cycle = 4}}),
                    Catch::Contains("repeat must divide its cycle"));
  CHECK_THROWS_WITH(sp.combine(a, 8, 0, {{.v = &four, .cycle = 6}}),
                    Catch::Contains("4 elements where 6"));
  CHECK_THROWS_WITH(sp.combine(a, 8, 0, {{.v = &four, .stride = 2, .repeat = 2, .cycle = 6}}),
                    Catch::Contains("4 elements where 6"));
  CHECK_NOTHROW(sp.combine(a, 8, 0, {{.v = &four, .stride = 2, .repeat = 3, .cycle = 6}}));
}

TEST_CASE("vec::HostSpace: row_sums are the rows' sums mod 2^bits, whatever the threads", "[vec]") {
  ThreadPool one(1), four(4);
  const HostSpace sp(four, {}), sp1(one, {});
  std::mt19937_64 g(Catch::rngSeed() + 18);
  for (const std::size_t cols : {1, 2, 3, 128, 768, 3072}) {
    // Rows enough for the threaded ranges at every width, and a single row.
    for (const std::size_t rows : {std::size_t{1}, std::size_t{7}, (std::size_t{5} << 16) / cols}) {
      const std::size_t n = rows * cols;
      std::vector<u64> in = random_words(g, n);
      // All ones somewhere: the sums wrap mod 2^64.
      for (std::size_t j = 0; j < std::min<std::size_t>(cols, 4); ++j) in[j] = ~u64{0};
      for (const int bits : {1, 64, 1 + static_cast<int>(g() % 64)}) {
        std::vector<u64> want(rows), got(rows), got1(rows);
        for (std::size_t r = 0; r < rows; ++r) {
          u64 acc = 0;
          for (std::size_t j = 0; j < cols; ++j) acc += in[r * cols + j];
          want[r] = acc & ring_mask(bits);
        }
        const Vec v = sp.upload(in), v1 = sp1.upload(in);
        Vec out = sp.make(rows), out1 = sp1.make(rows);
        sp.row_sums(v, cols, bits, out);
        sp1.row_sums(v1, cols, bits, out1);
        sp.download(out, got);
        sp1.download(out1, got1);
        REQUIRE(mismatch(got, want) == "");
        REQUIRE(mismatch(got1, want) == "");
      }
    }
  }
  // The wrap-around spelt out: three all-ones words sum to -3.
  const Vec ones = sp.upload(std::vector<u64>(3, ~u64{0}));
  Vec s = sp.make(1);
  std::vector<u64> got(1);
  sp.row_sums(ones, 3, 64, s);
  sp.download(s, got);
  CHECK(got[0] == ~u64{0} - 2);
  sp.row_sums(ones, 3, 1, s);
  sp.download(s, got);
  CHECK(got[0] == 1);
  // cols == 1 in place: the values reduced mod 2^bits.
  Vec w = sp.upload(std::vector<u64>{~u64{0}, 5, 6});
  sp.row_sums(w, 1, 2, w);
  std::vector<u64> wv(3);
  sp.download(w, wv);
  CHECK(wv == std::vector<u64>{3, 1, 2});
  // An empty matrix.
  const Vec none = sp.make(0);
  Vec none_out = sp.make(0);
  CHECK_NOTHROW(sp.row_sums(none, 4, 64, none_out));
  // The checks.
  const Vec six = sp.upload(random_words(g, 6));
  Vec two = sp.make(2), three = sp.make(3);
  CHECK_THROWS_WITH(sp.row_sums(six, 0, 64, two), Catch::Contains("vec::row_sums"));
  CHECK_THROWS_WITH(sp.row_sums(six, 2, 64, two),
                    Catch::Contains("vec::row_sums: 6 elements are not 2 rows of 2 columns"));
  CHECK_THROWS_WITH(sp.row_sums(six, 4, 64, two), Catch::Contains("not 2 rows of 4 columns"));
  CHECK_THROWS_WITH(sp.row_sums(six, 2, 0, three), Catch::Contains("bits must be in [1, 64]"));
  CHECK_THROWS_WITH(sp.row_sums(six, 2, 65, three), Catch::Contains("bits must be in [1, 64]"));
  Vec other = sp1.make(3);
  CHECK_THROWS_WITH(sp.row_sums(six, 2, 64, other), Catch::Contains("another space"));
  CHECK_NOTHROW(sp.row_sums(six, 2, 64, three));
}

TEST_CASE("vec::HostSpace: swap_axes swaps the two middle axes, whatever the threads", "[vec]") {
  ThreadPool one(1), four(4);
  const HostSpace sp(four, {}), sp1(one, {});
  std::mt19937_64 g(Catch::rngSeed() + 19);
  struct Shape {
    std::size_t outer, rows, cols, inner;
  };
  std::vector<Shape> shapes = {{1, 1, 1, 1},     {1, 5, 7, 1}, {3, 1, 4, 2},     {2, 6, 1, 3},
                               {1, 128, 12, 64}, {4, 3, 5, 1}, {2, 128, 12, 64}, {1, 2, 3, 70000},
                               {1, 300, 500, 1}, {0, 3, 4, 5}};
  for (int k = 0; k < 20; ++k)
    shapes.push_back({1 + g() % 4, 1 + g() % 40, 1 + g() % 40, 1 + g() % 70});
  for (const Shape& s : shapes) {
    const std::size_t n = s.outer * s.rows * s.cols * s.inner;
    const std::vector<u64> in = random_words(g, n);
    std::vector<u64> want(n), got(n), got1(n), back(n);
    for (std::size_t o = 0; o < s.outer; ++o)
      for (std::size_t r = 0; r < s.rows; ++r)
        for (std::size_t c = 0; c < s.cols; ++c)
          for (std::size_t i = 0; i < s.inner; ++i)
            want[((o * s.cols + c) * s.rows + r) * s.inner + i] =
                in[((o * s.rows + r) * s.cols + c) * s.inner + i];
    const Vec v = sp.upload(in), v1 = sp1.upload(in);
    Vec out = sp.make(n), out1 = sp1.make(n), again = sp.make(n);
    sp.swap_axes(v, s.outer, s.rows, s.cols, s.inner, out);
    sp1.swap_axes(v1, s.outer, s.rows, s.cols, s.inner, out1);
    // Swapped back with the axes' lengths exchanged: the input again.
    sp.swap_axes(out, s.outer, s.cols, s.rows, s.inner, again);
    sp.download(out, got);
    sp1.download(out1, got1);
    sp.download(again, back);
    INFO("shape [" << s.outer << ", " << s.rows << ", " << s.cols << ", " << s.inner << "]");
    REQUIRE(mismatch(got, want) == "");
    REQUIRE(mismatch(got1, want) == "");
    REQUIRE(mismatch(back, in) == "");
  }
  // The checks: sizes, one vector for both, overlapping views, another space's vector.
  Vec x = sp.upload(random_words(g, 24)), y = sp.make(24), z = sp.make(23);
  CHECK_THROWS_WITH(sp.swap_axes(x, 2, 3, 4, 1, z),
                    Catch::Contains("vec::swap_axes: the shape [2, 3, 4, 1] has 24 elements, the "
                                    "input 24 and the output 23"));
  CHECK_THROWS_WITH(sp.swap_axes(x, 2, 3, 4, 2, y), Catch::Contains("has 48 elements"));
  CHECK_THROWS_WITH(sp.swap_axes(x, 2, 3, 4, 1, x), Catch::Contains("distinct vectors"));
  Vec head = x.view(0, 12), tail = x.view(6, 12), back_half = x.view(12, 12);
  CHECK_THROWS_WITH(sp.swap_axes(head, 1, 3, 4, 1, tail), Catch::Contains("distinct vectors"));
  CHECK_NOTHROW(sp.swap_axes(head, 1, 3, 4, 1, back_half));
  const std::size_t big = std::size_t{1} << 32;
  CHECK_THROWS_WITH(sp.swap_axes(x, big, big, 2, 1, y), Catch::Contains("overflows"));
  Vec other = sp1.make(24);
  CHECK_THROWS_WITH(sp.swap_axes(x, 2, 3, 4, 1, other), Catch::Contains("another space"));
  CHECK_NOTHROW(sp.swap_axes(x, 2, 3, 4, 1, y));
}

TEST_CASE(
    "vec::HostSpace: sigma_dcf_eval at several offset points is fss::sigma_dcf_eval at "
    "(x + add) mod 2^n",
    "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 16);
  for (const int in_bits : {6, 12, 37, 63}) {
    const std::size_t n = 300, P = 3;
    // The offsets of the gates' points: none, -c and +c, with c across the wrap.
    const u64 c = g(), add[3] = {0, u64{0} - c, c};
    std::vector<u64> alpha(n), x(n * P);
    for (std::size_t i = 0; i < n; ++i) alpha[i] = g() & ring_mask(in_bits);
    for (std::size_t i = 0; i < n * P; ++i)  // edges: alpha itself, 0 and 2^n - 1
      x[i] = i % 4 == 0   ? alpha[i / P]
             : i % 4 == 1 ? 0
             : i % 4 == 2 ? ring_mask(in_bits)
                          : g() & ring_mask(in_bits);
    SeededPrg rng(Block{g(), g()});
    const auto [k0, k1] = sigma_dcf_gen(in_bits, alpha, rng);
    for (const SigmaDcfKeys* k : {&k0, &k1}) {
      std::vector<std::uint8_t> want(n * P);
      fss::sigma_dcf_eval(*k, P, x, want);
      std::vector<Vec> pts, bits;
      for (std::size_t j = 0; j < P; ++j) {
        // The point as a gate passes it: whole words, x - add plus bits above 2^n.
        std::vector<u64> col(n);
        for (std::size_t i = 0; i < n; ++i) col[i] = x[i * P + j] - add[j] + (g() << in_bits);
        pts.push_back(sp.upload(col));
        bits.push_back(sp.make(n));
      }
      const Space::DcfPoint pp[3] = {{&pts[0], add[0]}, {&pts[1], add[1]}, {&pts[2], add[2]}};
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

TEST_CASE("vec::HostSpace: gather selects from two sources side by side, 0 past them", "[vec]") {
  ThreadPool pool(2);
  const HostSpace sp(pool, {});
  std::mt19937_64 g(Catch::rngSeed() + 17);
  // Sizes below and above the threaded grain; b empty and not.
  for (const std::size_t n : {std::size_t{5}, std::size_t{3} << 16}) {
    for (const std::size_t nb : {std::size_t{0}, std::size_t{9}}) {
      const std::vector<u64> a = random_words(g, 100), b = random_words(g, nb);
      std::vector<u64> idx(n);
      for (std::size_t i = 0; i < n; ++i)  // the edges: first, last of a, first past both, ~0
        idx[i] = i < 4 ? std::array<u64, 4>{0, 99, 100 + nb, ~u64{0}}[i] : g() % (100 + nb + 7);
      const Vec va = sp.upload(a), vb = sp.upload(b), vi = sp.upload(idx);
      Vec out = sp.make(n);
      sp.gather(va, vb, vi, out);
      std::vector<u64> got(n);
      sp.download(out, got);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(got[i] == (idx[i] < 100 ? a[idx[i]] : idx[i] - 100 < nb ? b[idx[i] - 100] : 0));
    }
  }
  const Vec a = sp.upload(random_words(g, 8)), none = sp.make(0), idx = sp.upload({0, 1, 2});
  Vec out = sp.make(3), wide = sp.make(4);
  CHECK_THROWS_WITH(sp.gather(a, none, idx, wide), Catch::Contains("vec::gather (index)"));
  Vec inside = a.view(0, 3);
  CHECK_THROWS_WITH(sp.gather(a, none, idx, inside), Catch::Contains("must not share memory"));
  CHECK_NOTHROW(sp.gather(a, none, idx, out));
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
