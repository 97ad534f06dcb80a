#include "fss/compile/suf.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace secinfer::fss::compile {
namespace {

[[noreturn]] void bad(const SufGate& g, const std::string& what) {
  throw std::invalid_argument("SUF gate '" + g.name + "': " + what);
}

}  // namespace

void validate(const SufGate& g) {
  if (g.n < 2 || g.n > 64) bad(g, "ring width n = " + std::to_string(g.n) + " is not in [2, 64]");
  if (g.poly_bits < g.n || g.poly_bits > 64)
    bad(g, "polynomial ring width H = " + std::to_string(g.poly_bits) + " is not in [n, 64]");
  if (g.degree < 0 || g.degree > 8) bad(g, "degree " + std::to_string(g.degree) + " not in [0, 8]");
  if (g.shift < 0 || g.shift > g.poly_bits - 3)
    bad(g, "shift " + std::to_string(g.shift) + " is not in [0, H - 3]");
  const std::size_t m = g.cuts.size();
  if (m == 0 || g.cuts[0] != 0) bad(g, "the first cut must be 0");
  for (std::size_t j = 0; j < m; ++j) {
    if (g.cuts[j] > ring_mask(g.n)) bad(g, "cut " + std::to_string(j) + " is outside the ring");
    if (j > 0 && g.cuts[j] <= g.cuts[j - 1]) bad(g, "cuts must be strictly increasing");
  }
  if (g.coeffs.size() != m * static_cast<std::size_t>(g.degree + 1))
    bad(g, "coeffs must hold intervals * (degree + 1) entries");
  if (g.konst.size() != m) bad(g, "konst must hold one entry per interval");
  if (!g.fits.empty() && g.fits.size() != m) bad(g, "fits must be empty or one per interval");
  if (!g.direct_const)
    for (u64 k : g.konst)
      if (k != 0) bad(g, "konst must be zero unless direct_const is set");
  if (g.poly_bits > g.n) {
    // Every interval inside one half of the ring, so that x_s is an exact lift per interval.
    const u64 half = u64{1} << (g.n - 1);
    if (!std::binary_search(g.cuts.begin(), g.cuts.end(), half))
      bad(g, "H > n needs a cut at 2^(n-1)");
  }
  for (const Predicate& p : g.preds) {
    if (p.kind == Predicate::Kind::kLt) {
      if (p.bound == 0 || p.bound > ring_mask(g.n)) bad(g, "LT bound must be in (0, 2^n)");
    } else {
      if (p.low_bits < 1 || p.low_bits >= g.n) bad(g, "LTLOW width must be in [1, n)");
      if (p.bound == 0 || p.bound > ring_mask(p.low_bits))
        bad(g, "LTLOW bound must be in (0, 2^f)");
    }
  }
  for (const HelperTerm& h : g.helpers)
    for (auto [i, s] : h.preds) {
      if (i < 0 || static_cast<std::size_t>(i) >= g.preds.size())
        bad(g, "helper term refers to a missing predicate");
      if (s != 1 && s != -1) bad(g, "helper term signs must be +1 or -1");
    }
}

std::size_t find_interval(const SufGate& g, u64 x) {
  x &= ring_mask(g.n);
  auto it = std::upper_bound(g.cuts.begin(), g.cuts.end(), x);
  return static_cast<std::size_t>(it - g.cuts.begin()) - 1;
}

u64 eval_poly(const SufGate& g, std::size_t j, u64 x) {
  const Ring rn{g.n}, rh{g.poly_bits};
  // x_s mod 2^H: the signed view of x, sign-extended to H bits.
  const u64 xs = rh.from_signed(rn.to_signed(x & rn.mask()));
  const auto c = g.poly(j);
  u64 v = 0;
  for (int k = g.degree; k >= 0; --k) v = rh.add(rh.mul(v, xs), c[static_cast<std::size_t>(k)]);
  return v;
}

u64 ars(u64 v, int bits, int s) {
  const Ring r{bits};
  return r.from_signed(r.to_signed(v & r.mask()) >> s);  // >> on signed = floor division
}

bool eval_predicate(const Predicate& p, int n, u64 x) {
  x &= ring_mask(n);
  if (p.kind == Predicate::Kind::kLt) return x < p.bound;
  return (x & ring_mask(p.low_bits)) < p.bound;
}

std::int64_t helper_bit(const SufGate& g, const HelperTerm& h, u64 x) {
  std::int64_t b = h.constant;
  for (auto [i, s] : h.preds)
    b +=
        s * static_cast<std::int64_t>(eval_predicate(g.preds[static_cast<std::size_t>(i)], g.n, x));
  return b;
}

u64 eval_clear(const SufGate& g, u64 x) {
  const Ring rn{g.n};
  x = rn.reduce(x);
  const std::size_t j = find_interval(g, x);
  const u64 v = eval_poly(g, j, x);
  u64 y = g.shift > 0 ? ars(v, g.poly_bits, g.shift) : v;
  y = rn.add(y, g.konst[j]);
  for (const HelperTerm& h : g.helpers) {
    const u64 bit = rn.from_signed(helper_bit(g, h, x));
    y = rn.add(y, rn.mul(rn.add(h.alpha, rn.mul(h.beta, x)), bit));
  }
  return y;
}

void eval_clear(const SufGate& g, std::span<const u64> x, std::span<u64> y) {
  if (x.size() != y.size())
    throw std::invalid_argument("eval_clear: " + std::to_string(x.size()) + " inputs but " +
                                std::to_string(y.size()) + " outputs");
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = eval_clear(g, x[i]);
}

std::vector<u64> expand_centered(std::span<const i64> centered, i64 center, int bits) {
  // sum_k C_k (x - c)^k = sum_i x^i sum_{k >= i} C_k binom(k, i) (-c)^(k - i); all mod 2^bits
  // (u64 arithmetic wraps mod 2^64, a multiple of 2^bits, so the reduction is exact).
  const Ring r{bits};
  const std::size_t d1 = centered.size();
  std::vector<u64> out(d1, 0);
  const u64 neg_c = r.from_signed(-center);
  for (std::size_t k = 0; k < d1; ++k) {
    const u64 ck = r.from_signed(centered[k]);
    u64 binom = 1;  // binom(k, i), built for i = k, k-1, ...
    u64 pw = 1;     // (-c)^(k - i)
    for (std::size_t i = k + 1; i-- > 0;) {
      out[i] = r.add(out[i], r.mul(r.mul(ck, binom), pw));
      // next: i - 1 -> binom(k, i-1) = binom(k, i) * i / (k - i + 1): exact in integers.
      if (i > 0) {
        binom = binom * i / (k - i + 1);
        pw = r.mul(pw, neg_c);
      }
    }
  }
  return out;
}

std::string describe(const SufGate& g) {
  std::ostringstream os;
  os << "m=" << g.intervals() << " d=" << g.degree << " n=" << g.n << " H=" << g.poly_bits
     << " f=" << g.f_in << "->" << g.f_out << " s=" << g.shift << " L=" << g.payload_len()
     << " preds=" << g.preds.size() << " rounds=" << g.rounds();
  return os.str();
}

}  // namespace secinfer::fss::compile
