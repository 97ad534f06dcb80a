#include "fss/compile/functions.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#include "fss/dcf.h"

namespace secinfer::fss::compile {
namespace {

using ld = long double;

// A range of signed inputs and what the gate does there.
struct Segment {
  enum class Kind { kConst, kSpline };
  Kind kind = Kind::kConst;
  i64 lo = 0, hi = 0;  // inclusive
  i64 value = 0;       // kConst: output in ULPs
};

void check_params(const FunctionParams& p) {
  if (p.n < 16 || p.n > 62)
    throw std::invalid_argument("fusefss compile: ring width n = " + std::to_string(p.n) +
                                " is not in [16, 62]");
  if (p.frac_bits < 4 || 2 * p.frac_bits + 4 > p.n)
    throw std::invalid_argument("fusefss compile: frac_bits = " + std::to_string(p.frac_bits) +
                                " needs 4 <= f and 2f + 4 <= n");
  if ((p.id == FunctionId::kInverse || p.id == FunctionId::kRsqrt) && p.cols == 0)
    throw std::invalid_argument(std::string("fusefss compile: ") + function_name(p.id) +
                                " needs cols > 0 (GateArgs::cols: the row length)");
  if (p.id == FunctionId::kInverse &&
      static_cast<ld>(p.cols) * std::ldexp(ld{1}, p.frac_bits) >= std::ldexp(ld{1}, p.n - 2))
    throw std::invalid_argument("fusefss compile: inverse with cols = " + std::to_string(p.cols) +
                                " overflows the ring; use a wider ring");
}

// Smallest t in [lo, hi] with err(t') <= budget for all t' >= t (err decreasing on [lo, hi]).
i64 tail_bound(const UnitFunction& err, i64 lo, i64 hi, ld budget) {
  if (err(static_cast<ld>(hi)) > budget)
    throw std::runtime_error("fusefss compile: the clip tail never meets its budget");
  while (hi - lo > 1) {
    const i64 mid = lo + (hi - lo) / 2;
    if (err(static_cast<ld>(mid)) <= budget)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

}  // namespace

const char* function_name(FunctionId id) {
  switch (id) {
    case FunctionId::kGelu:
      return "gelu";
    case FunctionId::kSilu:
      return "silu";
    case FunctionId::kNexp:
      return "nexp";
    case FunctionId::kInverse:
      return "inverse";
    case FunctionId::kRsqrt:
      return "rsqrt";
  }
  return "?";
}

FunctionSpec function_spec(const FunctionParams& p) {
  check_params(p);
  const ld one = std::ldexp(ld{1}, p.frac_bits);  // 2^f
  const i64 half = i64{1} << (p.n - 1);
  FunctionSpec s;
  s.name = function_name(p.id);
  s.f_in = s.f_out = p.frac_bits;
  s.domain_lo = -half;
  s.domain_hi = half - 1;
  switch (p.id) {
    case FunctionId::kGelu:
      s.ideal = [one](ld x) {
        return x * 0.5L * std::erfc(-(x / one) / std::numbers::sqrt2_v<ld>);
      };
      break;
    case FunctionId::kSilu:
      s.ideal = [one](ld x) { return x / (1 + std::exp(-x / one)); };
      break;
    case FunctionId::kNexp:
      s.ideal = [one](ld x) { return one * std::exp(-x / one); };
      s.domain_lo = 0;
      break;
    case FunctionId::kInverse:
      s.ideal = [one](ld x) { return one * one / x; };
      s.domain_lo = static_cast<i64>(one);
      s.domain_hi = static_cast<i64>(p.cols) << p.frac_bits;
      break;
    case FunctionId::kRsqrt: {
      const ld cols = static_cast<ld>(p.cols);
      s.ideal = [one, cols](ld v) { return one * one * std::sqrt(cols / v); };
      s.f_in = 2 * p.frac_bits;
      s.domain_lo = 1;
      break;
    }
  }
  return s;
}

std::vector<CompileConfig> candidate_configs(const FunctionParams& p) {
  check_params(p);
  std::vector<CompileConfig> out;
  if (p.id == FunctionId::kRsqrt) {
    CompileConfig c;
    c.degree = 2;
    c.poly_bits = 64;
    c.shift = 40;
    c.direct_const = true;
    c.rel = std::ldexp(ld{1}, -10);
    c.cap_ulp = 8192;
    out.push_back(c);
    return out;
  }
  for (int d : {2, 3})
    for (bool dc : {false, true})
      for (int back : {26, 22, 18, 14, 10}) {
        CompileConfig c;
        c.degree = d;
        c.poly_bits = p.n;
        c.direct_const = dc;
        c.shift = std::clamp(p.n - back, 8, p.n - 4);
        out.push_back(c);
      }
  return out;
}

std::size_t estimated_key_bits(const SufGate& g) {
  const std::size_t L = static_cast<std::size_t>(g.payload_len());
  std::size_t bits = g.intervals() * dcf_key_bits({g.n, g.poly_bits, static_cast<int>(L)}) +
                     L * static_cast<std::size_t>(g.poly_bits);
  std::size_t atoms = 0;
  for (const HelperTerm& h : g.helpers) atoms += 2 * h.preds.size();
  const int w = static_cast<int>(2 * g.helpers.size());
  if (atoms) bits += atoms * dcf_key_bits({g.n, g.n, w}) + static_cast<std::size_t>(w * g.n);
  if (g.shift > 0) bits += dcf_key_bits({g.shift, g.n, 1}) + 2 * static_cast<std::size_t>(g.n);
  return bits;
}

std::size_t estimated_key_bits_shared_mask(const SufGate& g) {
  const int w = std::max(g.degree, 1) + 1;
  std::size_t bits = dcf_key_bits({g.n, g.n, w}) + static_cast<std::size_t>((w + 1) * g.n);
  if (g.shift > 0) bits += dcf_key_bits({g.shift, g.n, 1}) + 2 * static_cast<std::size_t>(g.n);
  return bits;
}

SufGate compile_function(const FunctionParams& p) {
  std::optional<SufGate> best;
  std::size_t best_bits = 0;
  std::string last_error;
  for (const CompileConfig& c : candidate_configs(p)) {
    try {
      SufGate g = compile_function(p, c);
      const std::size_t bits = estimated_key_bits(g);
      if (!best || bits < best_bits) {
        best = std::move(g);
        best_bits = bits;
      }
    } catch (const std::runtime_error& e) {
      last_error = e.what();  // this candidate cannot meet the budget; try the next
    }
  }
  if (!best)
    throw std::runtime_error(std::string("fusefss compile: no configuration fits ") +
                             function_name(p.id) + " at n = " + std::to_string(p.n) + ": " +
                             last_error);
  return std::move(*best);
}

SufGate compile_function(const FunctionParams& p, const CompileConfig& cfg) {
  const FunctionSpec spec = function_spec(p);
  const ld one = std::ldexp(ld{1}, p.frac_bits);
  const i64 half = i64{1} << (p.n - 1);
  const i64 ione = i64{1} << p.frac_bits;
  const UnitFunction& g = spec.ideal;

  SufGate gate;
  gate.name = spec.name;
  gate.n = p.n;
  gate.poly_bits = cfg.poly_bits ? cfg.poly_bits : p.n;
  gate.f_in = spec.f_in;
  gate.f_out = spec.f_out;
  gate.degree = cfg.degree;
  gate.shift = cfg.shift;
  gate.direct_const = cfg.direct_const;

  // 1. The specification as signed segments covering [-2^(n-1), 2^(n-1)).
  std::vector<Segment> segs;
  bool identity_above = false;
  i64 identity_from = 0;
  switch (p.id) {
    case FunctionId::kGelu:
    case FunctionId::kSilu: {
      // Tail error |act(x) - clip(x)| is the same on both sides (act(-x) = act(x) - x) and
      // decreasing in |x| beyond the function's minimum.
      const UnitFunction tail = [&](ld x) { return std::fabs(g(-x)); };
      const i64 b = tail_bound(tail, 2 * ione, half - 1, cfg.tail_ulp);
      segs.push_back({Segment::Kind::kConst, -half, -b - 1, 0});
      segs.push_back({Segment::Kind::kSpline, -b, b - 1, 0});
      segs.push_back({Segment::Kind::kConst, b, half - 1, 0});
      identity_above = true;
      identity_from = b;
      break;
    }
    case FunctionId::kNexp: {
      const i64 c = tail_bound(g, 0, half - 1, cfg.tail_ulp);
      segs.push_back({Segment::Kind::kConst, -half, -1, ione});
      segs.push_back({Segment::Kind::kSpline, 0, c - 1, 0});
      segs.push_back({Segment::Kind::kConst, c, half - 1, 0});
      break;
    }
    case FunctionId::kInverse: {
      const i64 top = spec.domain_hi;
      segs.push_back({Segment::Kind::kConst, -half, ione - 1, ione});
      segs.push_back({Segment::Kind::kSpline, ione, top, 0});
      segs.push_back({Segment::Kind::kConst, top + 1, half - 1,
                      static_cast<i64>(std::llround(one / static_cast<ld>(p.cols)))});
      break;
    }
    case FunctionId::kRsqrt:
      segs.push_back({Segment::Kind::kConst, -half, 0, static_cast<i64>(std::llround(g(1)))});
      segs.push_back({Segment::Kind::kSpline, 1, half - 1, 0});
      break;
  }

  // 2. Fit the spline segments (split at 0: every interval lies on one side of 0 and of -2^(n-1),
  // i.e. is contiguous in the unsigned order too).
  FitConfig fc;
  fc.poly_bits = gate.poly_bits;
  fc.degree = cfg.degree;
  fc.shift = cfg.shift;
  fc.direct_const = cfg.direct_const;
  fc.abs_ulp = cfg.abs_ulp;
  fc.rel = cfg.rel;
  fc.cap_ulp = cfg.cap_ulp;
  struct Piece {
    i64 lo, hi;
    IntervalFit fit;
    i64 konst;
  };
  std::vector<Piece> pieces;
  const ld two_s = std::ldexp(ld{1}, cfg.shift);
  auto add_const = [&](i64 lo, i64 hi, i64 value) {
    IntervalFit f;
    f.fitted = false;
    f.center = 0;
    f.lo = lo;
    f.hi = hi;
    f.centered.assign(static_cast<std::size_t>(cfg.degree + 1), 0);
    i64 k = 0;
    if (cfg.direct_const) {
      k = value;
      f.centered[0] = cfg.shift > 0 ? static_cast<i64>(two_s / 2) : 0;
    } else {
      const ld c0 = static_cast<ld>(value) * two_s + (cfg.shift > 0 ? two_s / 2 : 0);
      if (std::fabs(c0) >= std::ldexp(ld{1}, gate.poly_bits - 2))
        throw std::runtime_error("fusefss compile: constant " + std::to_string(value) + " of " +
                                 spec.name + " overflows; use direct_const");
      f.centered[0] = static_cast<i64>(c0);
    }
    pieces.push_back({lo, hi, f, k});
  };
  for (const Segment& s : segs) {
    if (s.kind == Segment::Kind::kConst) {
      if (s.lo < 0 && s.hi >= 0) {
        add_const(s.lo, -1, s.value);
        add_const(0, s.hi, s.value);
      } else {
        add_const(s.lo, s.hi, s.value);
      }
      continue;
    }
    std::vector<std::pair<i64, i64>> parts;
    if (s.lo < 0 && s.hi >= 0)
      parts = {{s.lo, -1}, {0, s.hi}};
    else
      parts = {{s.lo, s.hi}};
    for (auto [lo, hi] : parts) {
      for (const FittedPiece& fp : fit_range(g, lo, hi, fc)) {
        IntervalFit f;
        f.fitted = true;
        f.center = fp.center;
        f.centered = fp.centered;
        f.lo = fp.lo;
        f.hi = fp.hi;
        pieces.push_back({fp.lo, fp.hi, f, fp.konst});
      }
    }
  }

  // 3. Unsigned order: nonnegative pieces first, then the negative ones (x + 2^n).
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    const bool na = a.lo < 0, nb = b.lo < 0;
    if (na != nb) return !na;
    return a.lo < b.lo;
  });
  const Ring rn{p.n};
  const u64 uhalf = u64{1} << (p.n - 1);
  for (const Piece& pc : pieces) {
    const u64 cut = rn.from_signed(pc.lo);
    std::vector<u64> mono = expand_centered(pc.fit.centered, pc.fit.center, gate.poly_bits);
    const u64 k = rn.from_signed(pc.konst);
    // Merge with the previous interval when the polynomial is the same (never across 2^(n-1)
    // when H > n, never across 0).
    if (!gate.cuts.empty() && cut != 0 && !(gate.poly_bits > p.n && cut == uhalf)) {
      const std::size_t j = gate.cuts.size() - 1;
      const auto prev = gate.poly(j);
      if (std::equal(prev.begin(), prev.end(), mono.begin()) && gate.konst[j] == k) {
        gate.fits[j].hi = pc.hi;
        continue;
      }
    }
    gate.cuts.push_back(cut);
    gate.coeffs.insert(gate.coeffs.end(), mono.begin(), mono.end());
    gate.konst.push_back(k);
    gate.fits.push_back(pc.fit);
  }

  // 4. The identity above the clip: y += x * [B <= x < 2^(n-1)] = x * (LT(2^(n-1)) - LT(B)).
  if (identity_above) {
    gate.preds.push_back({Predicate::Kind::kLt, uhalf, 0});
    gate.preds.push_back({Predicate::Kind::kLt, static_cast<u64>(identity_from), 0});
    HelperTerm h;
    h.constant = 0;
    h.preds = {{0, +1}, {1, -1}};
    h.alpha = 0;
    h.beta = 1;
    gate.helpers.push_back(h);
  }
  validate(gate);
  return gate;
}

}  // namespace secinfer::fss::compile
