#include "fss/compile/fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace secinfer::fss::compile {
namespace {

using ld = long double;
constexpr ld kLimit120 = 1.329227995784916e36L;  // 2^120

// Solves the (k x k) Vandermonde system sum_j b_j w_i^j = y_i by Gaussian elimination with
// partial pivoting (k <= 9, nodes in [-1, 1]: well conditioned enough in long double).
std::vector<ld> solve_vandermonde(const std::vector<ld>& w, const std::vector<ld>& y) {
  const std::size_t k = w.size();
  std::vector<std::vector<ld>> a(k, std::vector<ld>(k + 1));
  for (std::size_t i = 0; i < k; ++i) {
    ld p = 1;
    for (std::size_t j = 0; j < k; ++j) {
      a[i][j] = p;
      p *= w[i];
    }
    a[i][k] = y[i];
  }
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < k; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    std::swap(a[c], a[piv]);
    for (std::size_t r = 0; r < k; ++r) {
      if (r == c || a[c][c] == 0) continue;
      const ld f = a[r][c] / a[c][c];
      for (std::size_t j = c; j <= k; ++j) a[r][j] -= f * a[c][j];
    }
  }
  std::vector<ld> b(k);
  for (std::size_t i = 0; i < k; ++i) b[i] = a[i][i] != 0 ? a[i][k] / a[i][i] : 0;
  return b;
}

ld horner(const std::vector<ld>& b, ld w) {
  ld v = 0;
  for (std::size_t k = b.size(); k-- > 0;) v = v * w + b[k];
  return v;
}

}  // namespace

std::vector<i64> extremum_candidates(const std::vector<i64>& c, i64 tmin, i64 tmax) {
  std::vector<i64> out{tmin, tmax};
  std::vector<ld> roots;
  const std::size_t d = c.size() - 1;
  if (d == 2 && c[2] != 0) {
    roots.push_back(-static_cast<ld>(c[1]) / (2 * static_cast<ld>(c[2])));
  } else if (d == 3) {
    const ld A = 3 * static_cast<ld>(c[3]), B = 2 * static_cast<ld>(c[2]),
             C = static_cast<ld>(c[1]);
    if (A == 0) {
      if (B != 0) roots.push_back(-C / B);
    } else {
      const ld disc = B * B - 4 * A * C;
      if (disc >= 0) {
        const ld s = std::sqrt(disc);
        roots.push_back((-B + s) / (2 * A));
        roots.push_back((-B - s) / (2 * A));
      }
    }
  }
  for (ld r : roots) {
    if (!(r > static_cast<ld>(tmin) && r < static_cast<ld>(tmax))) continue;
    const i64 f = static_cast<i64>(std::floor(r));
    for (i64 t : {f - 1, f, f + 1, f + 2})
      if (t >= tmin && t <= tmax) out.push_back(t);
  }
  return out;
}

std::optional<__int128> eval_centered(const std::vector<i64>& centered, i64 t) {
  __int128 v = 0;
  const __int128 lim = static_cast<__int128>(1) << 120;
  for (std::size_t k = centered.size(); k-- > 0;) {
    // Guard the multiplication with a floating estimate before doing it exactly.
    const ld est = static_cast<ld>(v) * static_cast<ld>(t);
    if (std::fabs(est) > kLimit120) return std::nullopt;
    v = v * t + centered[k];
    if (v > lim || v < -lim) return std::nullopt;
  }
  return v;
}

std::optional<FittedPiece> fit_interval(const UnitFunction& g, i64 lo, i64 hi, const FitConfig& c) {
  if (hi < lo) return std::nullopt;
  const unsigned __int128 npts = static_cast<unsigned __int128>(hi - lo) + 1;
  const int dmax = static_cast<int>(
      std::min<unsigned __int128>(static_cast<unsigned __int128>(c.degree), npts - 1));
  // Highest degree first; a lower one wins on wide intervals where the rounding of the top
  // coefficients (0.5 |t|^k / 2^shift) would exceed the budget.
  for (int d = dmax; d >= 0; --d)
    if (auto p = fit_interval_degree(g, lo, hi, c, d)) return p;
  return std::nullopt;
}

std::optional<FittedPiece> fit_interval_degree(const UnitFunction& g, i64 lo, i64 hi,
                                               const FitConfig& c, int d) {
  if (hi < lo || d < 0 || d > c.degree) return std::nullopt;
  const unsigned __int128 npts = static_cast<unsigned __int128>(hi - lo) + 1;
  if (npts < static_cast<unsigned __int128>(d + 1)) return std::nullopt;
  const i64 center = lo + (hi - lo) / 2;
  const i64 tmin = lo - center, tmax = hi - center;
  const ld scale =
      std::max<ld>(1, std::max(std::fabs(static_cast<ld>(tmin)), std::fabs(static_cast<ld>(tmax))));

  // Interpolation nodes: Chebyshev points of [tmin, tmax] (the integer points themselves when the
  // interval has no more than d + 1 of them), in the normalised variable w = t / scale.
  std::vector<ld> w(static_cast<std::size_t>(d + 1)), y(static_cast<std::size_t>(d + 1));
  const ld mid = (static_cast<ld>(tmin) + static_cast<ld>(tmax)) / 2;
  const ld rad = (static_cast<ld>(tmax) - static_cast<ld>(tmin)) / 2;
  for (int i = 0; i <= d; ++i) {
    ld t;
    if (npts <= static_cast<unsigned __int128>(d + 1))
      t = static_cast<ld>(tmin + i);
    else
      t = mid + rad * std::cos(std::numbers::pi_v<ld> * (2 * i + 1) / (2 * (d + 1)));
    w[static_cast<std::size_t>(i)] = t / scale;
    y[static_cast<std::size_t>(i)] = g(static_cast<ld>(center) + t);
  }
  const std::vector<ld> b = solve_vandermonde(w, y);

  // Integer coefficients at output scale f_out + shift.
  FittedPiece p{lo, hi, center, std::vector<i64>(static_cast<std::size_t>(c.degree + 1), 0), 0};
  const ld two_s = std::ldexp(ld{1}, c.shift);
  if (c.direct_const) {
    if (std::fabs(b[0]) > 4e18L) return std::nullopt;
    p.konst = static_cast<i64>(std::llround(b[0]));
  }
  for (int k = 0; k <= d; ++k) {
    const ld ak = b[static_cast<std::size_t>(k)] / std::pow(scale, static_cast<ld>(k));
    ld v = (k == 0 ? ak - static_cast<ld>(p.konst) : ak) * two_s;
    if (k == 0 && c.shift > 0) v += two_s / 2;  // the ARS then rounds to nearest
    if (!(std::fabs(v) < 4e18L)) return std::nullopt;
    p.centered[static_cast<std::size_t>(k)] = static_cast<i64>(std::llround(v));
  }

  // Coefficient rounding bound (output ULPs).
  const ld tmax_abs = scale;
  ld q = 0.5;
  for (int k = 1; k <= d; ++k) q += 0.5 * std::pow(tmax_abs, static_cast<ld>(k));
  q /= two_s;
  if (!(q < 1e6L)) return std::nullopt;

  // Samples.
  std::vector<i64> xs;
  if (npts <= 256) {
    for (i64 x = lo; x <= hi; ++x) xs.push_back(x);
  } else {
    const ld span = static_cast<ld>(hi - lo);
    for (int i = 0; i <= 160; ++i) xs.push_back(lo + static_cast<i64>(std::floor(span * i / 160)));
    for (int i = 0; i <= d + 1; ++i) {
      const ld t = mid + rad * std::cos(std::numbers::pi_v<ld> * i / (d + 1));
      xs.push_back(std::clamp(center + static_cast<i64>(std::llround(t)), lo, hi));
    }
  }
  for (i64 x : xs) {
    const ld gx = g(static_cast<ld>(x));
    const ld px = horner(b, static_cast<ld>(x - center) / scale);
    ld budget = std::max(c.abs_ulp, c.rel * std::fabs(gx));
    if (c.cap_ulp > 0) budget = std::min(budget, c.cap_ulp);
    if (!(std::fabs(px - gx) * 1.05L + q + 0.5L <= budget)) return std::nullopt;
  }

  // Range guarantee |P(t)| < 2^(H-2), exactly at every candidate extremum.
  const __int128 lim = static_cast<__int128>(1) << (c.poly_bits - 2);
  const bool exact = c.degree <= 3;
  std::vector<i64> cand = exact ? extremum_candidates(p.centered, tmin, tmax) : std::vector<i64>{};
  if (!exact)
    for (i64 x : xs) cand.push_back(x - center);
  for (i64 t : cand) {
    const auto v = eval_centered(p.centered, t);
    if (!v || *v >= lim || *v < -lim) return std::nullopt;
  }
  return p;
}

std::vector<FittedPiece> fit_range(const UnitFunction& g, i64 lo, i64 hi, const FitConfig& c) {
  if (hi < lo) throw std::invalid_argument("fit_range: empty range");
  std::vector<FittedPiece> out;
  i64 a = lo;
  i64 guess = 1;
  while (true) {
    auto first = fit_interval(g, a, a, c);
    if (!first)
      throw std::runtime_error("fit_range: the single input " + std::to_string(a) +
                               " cannot be fitted (budget or range too tight)");
    i64 good = a;
    FittedPiece best = *first;
    // Doubling from the previous width, then bisection between the last success and failure.
    i64 step = std::max<i64>(guess, 2);
    i64 bad = hi + 1;
    while (true) {
      const i64 b = (hi - a < step - 1) ? hi : a + step - 1;
      if (b <= good) break;
      auto p = fit_interval(g, a, b, c);
      if (!p) {
        bad = b;
        break;
      }
      good = b;
      best = *p;
      if (b == hi) break;
      step = step > (i64{1} << 61) ? step : step * 2;
    }
    while (bad - good > 1) {
      // Stop refining once within 1/256 of the interval: saves evaluations on huge intervals.
      if (bad - good <= (good - a + 1) / 256) break;
      const i64 mid = good + (bad - good) / 2;
      auto p = fit_interval(g, a, mid, c);
      if (p) {
        good = mid;
        best = *p;
      } else {
        bad = mid;
      }
    }
    out.push_back(best);
    if (out.size() > c.max_intervals)
      throw std::runtime_error("fit_range: more than " + std::to_string(c.max_intervals) +
                               " intervals needed; relax the budget or raise the degree");
    if (good >= hi) break;
    guess = good - a + 1;
    a = good + 1;
  }
  return out;
}

}  // namespace secinfer::fss::compile
