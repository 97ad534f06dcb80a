// SIGMA nExp, inverse and rsqrt leaf gates (fss/gates/sigma/nexp.h, inverse.h, rsqrt.h): secure
// output == cleartext reference bit for bit over fresh random inputs and the edges, online cost ==
// the paper count, key bytes per element and float accuracy printed.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fss/gates/sigma/inverse.h"
#include "fss/gates/sigma/nexp.h"
#include "fss/gates/sigma/rsqrt.h"
#include "fss/gates/sigma/sigma_nonlinear_util.h"

namespace secinfer::fss::sigma::test {
namespace {

void report(const char* name, int n, std::size_t N, const UnaryRun& run) {
  std::printf(
      "[sigma %s] n=%d N=%zu: online %llu B/party, %llu msgs/party, %llu rounds; key %.1f "
      "B/element\n",
      name, n, N, static_cast<unsigned long long>(run.comm[0].bytes_sent),
      static_cast<unsigned long long>(run.comm[0].messages),
      static_cast<unsigned long long>(run.comm[0].rounds),
      double(run.comm[0].key_bytes) / double(N));
}

void check_run(const char* name, const UnaryGate& gate, int n, int f, const GateArgs& args,
               const std::vector<u64>& x, const std::vector<Opening>& opens, std::uint64_t seed) {
  const auto want = run_clear(gate, n, f, args, x);
  const auto run = run_unary(gate, options(n, f, seed), args, x, 64);
  CHECK(mismatches(x, run.y[0], want, name) == 0);
  CHECK(run.y[0] == run.y[1]);
  const Expected e = expected_cost(opens);
  check_cost(run.comm[0], e);
  check_cost(run.comm[1], e);
  report(name, n, x.size(), run);
}

}  // namespace

// nExp paper count (nexp.h): clip bit (1), clipped value (16), low-byte LUT (n), TrWithSlack
// 16 -> 8 (1, then 8), high-byte LUT (n), product (n), TrWithSlack by f (1, then n): 9 rounds.
TEST_CASE("sigma nExp: secure == cleartext, cost == paper count", "[gates][sigma][nexp]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::size_t total = 0;
  for (int n : {37, 50, 48, 51}) {
    const int f = 12;
    INFO("n = " << n);
    const Ring r = make_ring(n);
    // Softmax gives max - x in [0, 2^(n-f)); half the inputs in the table's [0, 2^16), then the
    // rest of that range, then anything, then the edges.
    auto x = uniform(r, g, 1400, 0, (1 << 16) + 256);
    for (u64 v : uniform(r, g, 700, 0, (std::int64_t{1} << (n - f)) - 1)) x.push_back(v);
    for (int i = 0; i < 700; ++i) x.push_back(r.reduce(g()));
    for (std::int64_t v :
         {0, 1, 2, 255, 256, 257, 65279, 65280, 65533, 65534, 65535, 65536, 65537, -1, -65535})
      x.push_back(r.from_signed(v));
    x.push_back(u64{1} << (n - 1));
    x.push_back(r.mask() >> 1);
    const std::size_t N = x.size();
    check_run("nexp", suite().nexp, n, f, GateArgs{}, x, nexp_openings(N, n), g());
    total += N;
  }
  CHECK(total >= 10000);
}

// Inverse paper count (inverse.h): TrWithSlack f+L -> k bits (1, then k), LUT (n): 3 rounds.
TEST_CASE("sigma inverse: secure == cleartext, cost == paper count", "[gates][sigma][inverse]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::size_t total = 0;
  for (auto [n, cols] : {std::pair{37, std::size_t{128}}, std::pair{50, std::size_t{100}},
                         std::pair{48, std::size_t{512}}, std::pair{51, std::size_t{7}}}) {
    const int f = 12;
    INFO("n = " << n << ", cols = " << cols);
    const Ring r = make_ring(n);
    GateArgs args;
    args.cols = cols;
    const std::int64_t one = std::int64_t{1} << f;
    // Softmax row sums lie in [2^f, cols 2^f]; then anything; then the edges.
    auto x = uniform(r, g, 2000, one, static_cast<std::int64_t>(cols) * one);
    for (int i = 0; i < 600; ++i) x.push_back(r.reduce(g()));
    for (std::int64_t v :
         {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, one, one + 1,
          static_cast<std::int64_t>(cols) * one, static_cast<std::int64_t>(cols) * one - 1})
      x.push_back(r.from_signed(v));
    x.push_back(u64{1} << (n - 1));
    x.push_back(r.mask() >> 1);
    const std::size_t N = x.size();
    check_run("inverse", suite().inverse, n, f, args, x, inverse_openings(N, n, cols), g());
    total += N;
  }
  CHECK(total >= 10000);
}

// rsqrt paper count (rsqrt.h): k and m (2N elements of n bits), v m (n), the 13-bit code (13),
// LUT (n): 4 rounds.
TEST_CASE("sigma rsqrt: secure == cleartext, cost == paper count", "[gates][sigma][rsqrt]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::size_t total = 0;
  for (auto [n, cols] : {std::pair{37, std::size_t{128}}, std::pair{50, std::size_t{768}},
                         std::pair{48, std::size_t{4096}}, std::pair{51, std::size_t{2048}}}) {
    const int f = 12;
    INFO("n = " << n << ", cols = " << cols);
    const Ring r = make_ring(n);
    GateArgs args;
    args.cols = cols;
    // Sums of squares at scale 2f: log-uniform over [1, 2^(n-1)), then anything, then the edges.
    std::vector<u64> x;
    std::uniform_int_distribution<int> e(0, n - 2);
    for (int i = 0; i < 2000; ++i) {
      const int b = e(g);
      x.push_back((u64{1} << b) | (g() & ((u64{1} << b) - 1)));
    }
    for (int i = 0; i < 600; ++i) x.push_back(r.reduce(g()));
    for (int b = 0; b < n; ++b) {
      x.push_back(u64{1} << b);
      x.push_back((u64{1} << b) - 1);
      x.push_back(r.reduce((u64{1} << b) + 1));
    }
    x.push_back(r.mask());
    x.push_back(r.mask() >> 1);
    const std::size_t N = x.size();
    check_run("rsqrt", suite().rsqrt, n, f, args, x, rsqrt_openings(N, n), g());
    total += N;
  }
  CHECK(total >= 10000);
}

TEST_CASE("sigma rsqrt: the 13-bit code", "[gates][sigma][rsqrt]") {
  // code = (mantissa7 << 6) | floor(log2 v); v < 2 and v >= 2^(n-1) give code 0.
  const int n = 50;
  CHECK(rsqrt_code(0, n) == 0);
  CHECK(rsqrt_code(1, n) == 0);
  CHECK(rsqrt_code(2, n) == 1);
  CHECK(rsqrt_code(3, n) == ((64u << 6) | 1u));  // 3 = 1.1b * 2^1
  CHECK(rsqrt_code(u64{1} << 40, n) == 40);
  CHECK(rsqrt_code((u64{1} << 40) * 3 / 2, n) == ((64u << 6) | 40u));
  CHECK(rsqrt_code(u64{1} << 49, n) == 0);
  for (u64 v = 2; v < 100000; v = v * 3 + 1) {
    const u64 c = rsqrt_code(v, n);
    const double val = double((c >> 6) + 128) * std::ldexp(1.0, int(c & 63) - 7);
    CHECK(val <= double(v));
    CHECK(double(v) < val * (1.0 + 1.0 / 128.0) + 1e-9);
  }
}

TEST_CASE("sigma nExp / inverse / rsqrt: float accuracy (ULPs at scale 12)",
          "[gates][sigma][accuracy]") {
  const int n = 50, f = 12;
  const Ring r = make_ring(n);
  const ClearCtx ctx{r, f};
  // nExp over every x at scale 12 in [0, 20].
  {
    std::vector<u64> x;
    for (std::int64_t v = 0; v <= 20 * 4096; ++v) x.push_back(u64(v));
    std::vector<u64> y(x.size());
    suite().nexp.clear(ctx, GateArgs{}, x, y);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      worst = std::max(worst, std::fabs(dec(r, y[i], f) - std::exp(-dec(r, x[i], f))) * 4096.0);
    std::printf("[sigma accuracy] nExp max error %.2f ULP (x in [0, 20])\n", worst);
    CHECK(worst <= 3.0);  // two floored table entries and a floored product
  }
  // Inverse over every row sum at scale 12 in [1, cols] for cols = 128: relative to 1 / s.
  {
    const std::size_t cols = 128;
    GateArgs args;
    args.cols = cols;
    std::vector<u64> x;
    for (std::int64_t v = 4096; v <= std::int64_t(cols) * 4096; ++v) x.push_back(u64(v));
    std::vector<u64> y(x.size());
    suite().inverse.clear(ctx, args, x, y);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      worst = std::max(worst, std::fabs(dec(r, y[i], f) - 1.0 / dec(r, x[i], f)) * 4096.0);
    std::printf("[sigma accuracy] inverse max error %.2f ULP (s in [1, 128], output 1/s)\n", worst);
    CHECK(worst <= 65.0);  // s is truncated to scale 6: |d(1/s)| <= 2^-6 at s = 1, i.e. 64 ULP
  }
  // rsqrt: variance v in [2^-12, 2^12] (log grid), input = cols * v at scale 2f.
  {
    const std::size_t cols = 768;
    GateArgs args;
    args.cols = cols;
    std::vector<u64> x;
    std::vector<double> var;
    for (double lv = -12; lv <= 12; lv += 1.0 / 512) {
      const double v = std::exp2(lv);
      const u64 s = u64(std::llround(v * double(cols) * std::exp2(2 * f)));
      x.push_back(s);
      var.push_back(double(s) / double(cols) / std::exp2(2 * f));
    }
    std::vector<u64> y(x.size());
    suite().rsqrt.clear(ctx, args, x, y);
    double worst_rel = 0, worst_ulp = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double t = 1.0 / std::sqrt(var[i]), got = dec(r, y[i], f);
      if (t >= 1.0) worst_rel = std::max(worst_rel, std::fabs(got - t) / t);
      if (t <= 8.0) worst_ulp = std::max(worst_ulp, std::fabs(got - t) * 4096.0);
    }
    std::printf(
        "[sigma accuracy] rsqrt max relative error %.4f where 1/sqrt(var) >= 1 (13-bit "
        "float code), max error %.2f ULP where 1/sqrt(var) <= 8\n",
        worst_rel, worst_ulp);
    // Mantissa truncated to 7 bits: sqrt(1 + 2^-7) - 1 < 0.4%, plus the floored entry (2^-12).
    CHECK(worst_rel < 1.0 / 200.0);
  }
}

}  // namespace secinfer::fss::sigma::test
