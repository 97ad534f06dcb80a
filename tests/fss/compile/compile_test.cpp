// The SUF compiler (fss/compile): IR semantics, the fitter, the five functions on the whole ring.
//  * expand_centered: the monomial form the gate evaluates equals the centered integer form.
//  * Every compiled gate: valid, meets the ARS range guarantee, and eval_clear (monomials mod 2^H,
//    ARS, konst, helper terms) equals an independent evaluation of the centered form at the cuts,
//    the predicate bounds, 0, the extremes and random inputs, at n = 50 and 37.
//  * The achieved error over the whole domain (verify.h) meets the budget: 1 ULP for GELU, SiLU,
//    nExp and inverse; for rsqrt 2^13 ULPs and max(1, 2^-10 |y|) + rounding elsewhere.
//  * The fitter meets its budget exhaustively on a plain function; bad parameters are refused.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "fss/compile/fit.h"
#include "fss/compile/functions.h"
#include "fss/compile/verify.h"
#include "fss/gates/fusefss/fusefss_test_util.h"

namespace secinfer::fss::fusefss::test {
namespace {

using compile::eval_centered;

// y from the centered integer form of the interval (fits), independent of the monomial path.
u64 eval_via_fits(const SufGate& g, u64 x) {
  const Ring rn{g.n};
  const std::size_t j = compile::find_interval(g, x);
  const auto& f = g.fits.at(j);
  const i64 xs = rn.to_signed(rn.reduce(x));
  const auto v = eval_centered(f.centered, xs - f.center);
  REQUIRE(v.has_value());
  const __int128 p = g.shift > 0 ? (*v >> g.shift) : *v;
  u64 y = rn.add(static_cast<u64>(static_cast<std::uint64_t>(p)) & rn.mask(), g.konst[j]);
  for (const auto& h : g.helpers) {
    const u64 bit = rn.from_signed(compile::helper_bit(g, h, x));
    y = rn.add(y, rn.mul(rn.add(h.alpha, rn.mul(h.beta, x)), bit));
  }
  return y;
}

}  // namespace

TEST_CASE("expand_centered equals the centered polynomial mod 2^H", "[fusefss][compile]") {
  std::mt19937_64 gen(fresh_seed());
  for (int trial = 0; trial < 2000; ++trial) {
    const int bits = 20 + static_cast<int>(gen() % 45);
    const Ring r{bits};
    std::vector<i64> c(1 + gen() % 4);
    for (auto& v : c) v = static_cast<i64>(gen() >> 20) - (i64{1} << 43);
    const i64 center = static_cast<i64>(gen() >> 30) - (i64{1} << 33);
    const auto mono = compile::expand_centered(c, center, bits);
    const i64 x = static_cast<i64>(gen() >> 30) - (i64{1} << 33);
    u64 want = 0, got = 0, xp = 1, tp = 1;
    for (std::size_t k = 0; k < c.size(); ++k) {
      want = r.add(want, r.mul(r.from_signed(c[k]), tp));
      got = r.add(got, r.mul(mono[k], xp));
      tp = r.mul(tp, r.from_signed(x - center));
      xp = r.mul(xp, r.from_signed(x));
    }
    REQUIRE(got == want);
  }
}

TEST_CASE("compiled gates: valid, range guarantee, monomial path == centered path",
          "[fusefss][compile]") {
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                          FunctionId::kInverse, FunctionId::kRsqrt}) {
      const SufGate& g = gates->get(params(id, n));
      INFO(g.name << " " << compile::describe(g));
      REQUIRE_NOTHROW(compile::validate(g));
      CHECK(compile::check_ranges(g));
      CHECK(g.rounds() == 2);
      CHECK(g.degree <= 3);
      const auto x = edge_and_random_inputs(g, 20000, fresh_seed(), -(i64{1} << 20), i64{1} << 20);
      std::size_t bad = 0;
      for (u64 v : x) bad += compile::eval_clear(g, v) != eval_via_fits(g, v);
      CHECK(bad == 0);
    }
}

TEST_CASE("compiled gates meet their error budget on the whole domain", "[fusefss][compile]") {
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                          FunctionId::kInverse, FunctionId::kRsqrt}) {
      const FunctionParams p = params(id, n);
      const SufGate& g = gates->get(p);
      const auto e = compile::suf_error(g, compile::function_spec(p), std::uint64_t{1} << 16);
      INFO(g.name << " n=" << n << " " << compile::describe(g) << " error "
                  << static_cast<double>(e.max_ulp) << " at " << e.argmax);
      CHECK(e.range_ok);
      if (id == FunctionId::kRsqrt)
        CHECK(e.max_ulp <= 8192.5L);
      else
        CHECK(e.max_ulp <= 1.0L);
    }
}

TEST_CASE("the fitter meets its budget exhaustively", "[fusefss][compile]") {
  // g(x) = x^2 / 2^14 + sin(x / 2^10) * 50 on a few thousand inputs, several degrees and shifts.
  const compile::UnitFunction g = [](long double x) {
    return x * x / 16384.0L + 50 * std::sin(x / 1024.0L);
  };
  for (int d = 1; d <= 3; ++d)
    for (int s : {12, 20, 28}) {
      compile::FitConfig c;
      c.poly_bits = 50;
      c.degree = d;
      c.shift = s;
      c.direct_const = d == 2;
      c.abs_ulp = 1.0;
      const auto pieces = compile::fit_range(g, -3000, 5000, c);
      i64 next = -3000;
      for (const auto& pc : pieces) {
        REQUIRE(pc.lo == next);
        next = pc.hi + 1;
        for (i64 x = pc.lo; x <= pc.hi; ++x) {
          const auto v = eval_centered(pc.centered, x - pc.center);
          REQUIRE(v.has_value());
          const long double y = static_cast<long double>(pc.konst + static_cast<i64>(*v >> s));
          REQUIRE(std::fabs(y - g(static_cast<long double>(x))) <= 1.0L);
        }
      }
      CHECK(next == 5001);
    }
}

TEST_CASE("compile refuses bad parameters with a clear message", "[fusefss][compile]") {
  CHECK_THROWS_WITH(compile::compile_function(params(FunctionId::kGelu, 8)),
                    Catch::Contains("ring width"));
  FunctionParams p = params(FunctionId::kInverse, 50);
  p.cols = 0;
  p.id = FunctionId::kInverse;
  CHECK_THROWS_WITH(compile::function_spec(p), Catch::Contains("cols"));
  SufGate g = compile::compile_function(params(FunctionId::kNexp, 50));
  g.cuts[1] = g.cuts[0];
  CHECK_THROWS_WITH(compile::validate(g), Catch::Contains("strictly increasing"));
}

}  // namespace secinfer::fss::fusefss::test
