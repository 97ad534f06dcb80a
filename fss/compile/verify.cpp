#include "fss/compile/verify.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "fss/compile/fit.h"

namespace secinfer::fss::compile {
namespace {

using ld = long double;

struct Tracker {
  ld best = -1;
  i64 arg = 0;
  void see(ld e, i64 x) {
    if (e > best) {
      best = e;
      arg = x;
    }
  }
};

// Signed pieces [u, w] of the domain on which the gate's interval and helper bits are constant.
std::vector<std::pair<i64, i64>> pieces_of(const SufGate& g, i64 dlo, i64 dhi) {
  const Ring rn{g.n};
  const u64 nmod = rn.mask();
  std::vector<u64> bps(g.cuts.begin(), g.cuts.end());
  bps.push_back(u64{1} << (g.n - 1));
  for (const Predicate& p : g.preds)
    if (p.kind == Predicate::Kind::kLt) bps.push_back(p.bound);
  std::sort(bps.begin(), bps.end());
  bps.erase(std::unique(bps.begin(), bps.end()), bps.end());
  std::vector<std::pair<i64, i64>> out;
  for (std::size_t i = 0; i < bps.size(); ++i) {
    const u64 ua = bps[i];
    const u64 ub = i + 1 < bps.size() ? bps[i + 1] - 1 : nmod;
    i64 a = rn.to_signed(ua), b = rn.to_signed(ub);  // same half: 2^(n-1) is a breakpoint
    a = std::max(a, dlo);
    b = std::min(b, dhi);
    if (a <= b) out.emplace_back(a, b);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool check_ranges(const SufGate& g) {
  if (g.shift == 0) return true;
  if (g.fits.size() != g.intervals()) return false;
  const __int128 lim = static_cast<__int128>(1) << (g.poly_bits - 2);
  for (const IntervalFit& f : g.fits) {
    for (i64 t : extremum_candidates(f.centered, f.lo - f.center, f.hi - f.center)) {
      const auto v = eval_centered(f.centered, t);
      if (!v || *v >= lim || *v < -lim) return false;
    }
  }
  return true;
}

ErrorReport suf_error(const SufGate& g, const FunctionSpec& spec, std::uint64_t exhaustive_limit) {
  ErrorReport rep;
  rep.range_ok = check_ranges(g);
  const Ring rn{g.n};
  Tracker tr;
  bool bounded = false;
  auto out_at = [&](i64 x) -> ld {
    return static_cast<ld>(rn.to_signed(eval_clear(g, rn.from_signed(x))));
  };
  auto err_at = [&](i64 x) { return std::fabs(out_at(x) - spec.ideal(static_cast<ld>(x))); };
  auto exhaustive = [&](i64 u, i64 w) {
    for (i64 x = u;; ++x) {
      tr.see(err_at(x), x);
      if (x == w) break;
    }
    rep.exhaustive_points += static_cast<std::uint64_t>(w - u) + 1;
  };

  for (auto [u, w] : pieces_of(g, spec.domain_lo, spec.domain_hi)) {
    const std::uint64_t size = static_cast<std::uint64_t>(w - u) + 1;
    if (size <= exhaustive_limit) {
      exhaustive(u, w);
      continue;
    }
    bounded = true;
    // Decomposition on this piece: y = K + floor(P(x - c) / 2^s) + alpha + beta x.
    const std::size_t j = find_interval(g, rn.from_signed(u));
    if (g.fits.size() != g.intervals())
      throw std::logic_error("suf_error: a piece of " + std::to_string(size) +
                             " inputs needs the interval fits for the bound");
    const IntervalFit& f = g.fits[j];
    ld alpha = 0, beta = 0;
    for (const HelperTerm& h : g.helpers) {
      const auto bit = static_cast<ld>(helper_bit(g, h, rn.from_signed(u)));
      alpha += bit * static_cast<ld>(rn.to_signed(h.alpha));
      beta += bit * static_cast<ld>(rn.to_signed(h.beta));
    }
    const ld k = static_cast<ld>(rn.to_signed(g.konst[j]));
    auto hfun = [&](i64 x) { return spec.ideal(static_cast<ld>(x)) - beta * static_cast<ld>(x); };
    std::vector<std::pair<i64, i64>> stack{{u, w}};
    while (!stack.empty()) {
      auto [a, b] = stack.back();
      stack.pop_back();
      const std::uint64_t n = static_cast<std::uint64_t>(b - a) + 1;
      if (n <= 4096) {
        exhaustive(a, b);
        continue;
      }
      __int128 pmin = 0, pmax = 0;
      bool first = true;
      for (i64 t : extremum_candidates(f.centered, a - f.center, b - f.center)) {
        const auto v = eval_centered(f.centered, t);
        if (!v) throw std::logic_error("suf_error: polynomial overflow while bounding");
        if (first || *v < pmin) pmin = *v;
        if (first || *v > pmax) pmax = *v;
        first = false;
      }
      const int s = g.shift;
      const ld omin = k + static_cast<ld>(s > 0 ? (pmin >> s) : pmin) + alpha;
      const ld omax = k + static_cast<ld>(s > 0 ? (pmax >> s) : pmax) + alpha;
      const ld ha = hfun(a), hb = hfun(b);
      const ld hmin = std::min(ha, hb), hmax = std::max(ha, hb);
      const ld ub = std::max(std::fabs(omin - hmax), std::fabs(omax - hmin));
      const ld ea = err_at(a), eb = err_at(b);
      tr.see(ea, a);
      tr.see(eb, b);
      const ld lb = std::max(ea, eb);
      if (ub <= tr.best) {
        rep.bounded_points += n;
      } else if (ub - lb <= 0.01L) {
        tr.see(ub, a);
        rep.bounded_points += n;
      } else {
        const i64 mid = a + (b - a) / 2;
        stack.emplace_back(mid + 1, b);
        stack.emplace_back(a, mid);
      }
    }
  }
  rep.max_ulp = std::max<ld>(tr.best, 0);
  rep.argmax = tr.arg;
  rep.method = bounded ? "exhaustive + bound" : "exhaustive";
  return rep;
}

ErrorReport blackbox_error(const BatchFunction& f, int n, const FunctionSpec& spec,
                           i64 exhaustive_lo, i64 exhaustive_hi) {
  const Ring rn{n};
  ErrorReport rep;
  Tracker tr;
  std::vector<i64> xs;
  auto flush = [&](bool exhaustive) {
    if (xs.empty()) return;
    std::vector<u64> in(xs.size()), out(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) in[i] = rn.from_signed(xs[i]);
    f(in, out);
    for (std::size_t i = 0; i < xs.size(); ++i)
      tr.see(std::fabs(static_cast<ld>(rn.to_signed(out[i])) - spec.ideal(static_cast<ld>(xs[i]))),
             xs[i]);
    (exhaustive ? rep.exhaustive_points : rep.bounded_points) += xs.size();
    xs.clear();
  };
  const i64 lo = std::max(spec.domain_lo, exhaustive_lo);
  const i64 hi = std::min(spec.domain_hi, exhaustive_hi);
  if (lo <= hi) {
    for (i64 x = lo;; ++x) {
      xs.push_back(x);
      if (xs.size() == 65536) flush(true);
      if (x == hi) break;
    }
    flush(true);
  }
  // Log-spaced samples on the sides outside the exhaustive range.
  auto sample_side = [&](i64 from, i64 to, int dir) {  // from = the point next to the range
    if ((dir > 0 && from > to) || (dir < 0 && from < to)) return;
    const ld span = static_cast<ld>(dir > 0 ? to - from : from - to);
    for (int i = 0; i <= 65536; ++i) {
      const ld off = std::floor(std::exp(std::log1p(span) * i / 65536.0L)) - 1;
      xs.push_back(from + dir * static_cast<i64>(std::min(off, span)));
      if (xs.size() == 65536) flush(false);
    }
    xs.push_back(to);
    flush(false);
  };
  if (lo <= hi) {
    sample_side(hi + 1, spec.domain_hi, +1);
    sample_side(lo - 1, spec.domain_lo, -1);
  } else {
    sample_side(spec.domain_lo, spec.domain_hi, +1);
  }
  rep.max_ulp = std::max<ld>(tr.best, 0);
  rep.argmax = tr.arg;
  rep.method = rep.bounded_points ? "exhaustive + sampled" : "exhaustive";
  return rep;
}

}  // namespace secinfer::fss::compile
