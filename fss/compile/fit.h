// The spline fitter of the SUF compiler: covers a range of fixed-point inputs with as few
// intervals as it can, each carrying an integer polynomial whose exact evaluation, after the
// gate's ARS by `shift`, stays within the error budget everywhere on the interval.
//
//   FitConfig c{.poly_bits = 50, .degree = 2, .shift = 30, .direct_const = false, .abs_ulp = 1};
//   auto pieces = fit_range([](long double x) { return g(x); }, -16384, 16383, c);
//
// Units: the input is the fixed-point integer x (signed); g returns the ideal output in ULPs of
// the output scale (g(x) = f(x / 2^f_in) * 2^f_out). Per interval [lo, hi] with center c the
// polynomial is P(x) = sum_k C_k (x - c)^k with integer C_k at output scale f_out + shift, the
// gate outputs y = K + floor(P(x) / 2^shift), and the budget is |y - g(x)| <= min(cap_ulp,
// max(abs_ulp, rel * |g(x)|)) for every integer x in [lo, hi].
//
// How an interval is accepted (fit_interval): Chebyshev interpolation of g at d + 1 nodes, then
// rounding to integers (C_0 also gets the rounding offset 2^(shift-1), so the ARS rounds to
// nearest); the error bound is  e_smooth(x) * 1.05 + q + 0.5 <= budget(x)  at every sample x,
// with e_smooth the interpolation error |p(x) - g(x)| and q the coefficient rounding bound
// (0.5 + sum_k 0.5 |x - c|^k) / 2^shift; the samples are every point for intervals of at most
// 256 points, else 160 evenly spaced points plus the Chebyshev extrema and both ends. The range
// guarantee |P(x)| < 2^(H-2) (suf.h) is checked exactly (endpoints and critical points). The final
// exhaustive verification of the whole gate is verify.h's job; the compiler does not depend on it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss::compile {

using UnitFunction = std::function<long double(long double)>;

struct FitConfig {
  int poly_bits = 50;         // H: |P(x)| must stay below 2^(H-2)
  int degree = 2;             // d
  int shift = 0;              // s
  bool direct_const = false;  // K may be nonzero (else folded into C_0)
  long double abs_ulp = 1.0;  // budget: max(abs_ulp, rel * |g|)
  long double rel = 0.0;
  long double cap_ulp = 0;  // > 0: the budget never exceeds this (keeps rel from growing unbounded)
  std::size_t max_intervals = 4096;  // give up beyond this many (throws)
};

struct FittedPiece {
  i64 lo = 0, hi = 0;  // inclusive signed input range
  i64 center = 0;
  std::vector<i64> centered;  // degree + 1 integers (fewer points than d + 1: lower degree, padded)
  i64 konst = 0;              // K
};

// Fits one interval with the highest degree <= c.degree that meets the budget and the range
// guarantee; nullopt if none does. fit_interval_degree tries exactly degree d (<= c.degree; the
// coefficients above d are zero).
std::optional<FittedPiece> fit_interval(const UnitFunction& g, i64 lo, i64 hi, const FitConfig& c);
std::optional<FittedPiece> fit_interval_degree(const UnitFunction& g, i64 lo, i64 hi,
                                               const FitConfig& c, int d);

// Greedy cover of [lo, hi] (left to right, each interval as long as fit_interval accepts, found by
// doubling then bisection). Throws std::runtime_error if a single point cannot be fitted or more
// than max_intervals are needed.
std::vector<FittedPiece> fit_range(const UnitFunction& g, i64 lo, i64 hi, const FitConfig& c);

// The integers t in [tmin, tmax] where sum_k C_k t^k can attain its max or min: both ends and the
// integers around the real roots of the derivative. Exact for degree <= 3 (the compiler's limit).
std::vector<i64> extremum_candidates(const std::vector<i64>& centered, i64 tmin, i64 tmax);

// Exact integer value of sum_k C_k t^k; nullopt when an intermediate leaves +-2^120.
std::optional<__int128> eval_centered(const std::vector<i64>& centered, i64 t);

}  // namespace secinfer::fss::compile
