#include "fss/compile/instance.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace secinfer::fss::compile {
namespace {

// Coefficients of P(z - rr) in z, mod 2^bits, into out (c.size() entries): c'_i = sum_{k>=i} c_k
// binom(k, i) (-rr)^(k-i).
void shift_poly(std::span<const u64> c, u64 rr, int bits, std::span<u64> out) {
  const Ring r{bits};
  const std::size_t d1 = c.size();
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(d1), u64{0});
  const u64 neg = r.neg(rr);
  for (std::size_t k = 0; k < d1; ++k) {
    u64 binom = 1, pw = 1;  // binom(k, i), (-rr)^(k-i) for i = k, k-1, ..., 0
    for (std::size_t i = k + 1; i-- > 0;) {
      out[i] = r.add(out[i], r.mul(r.mul(c[k], binom), pw));
      if (i > 0) {
        binom = binom * i / (k - i + 1);
        pw = r.mul(pw, neg);
      }
    }
  }
}

struct AtomSpec {  // one atom before merging: threshold and the payload it adds
  Atom atom;
  std::size_t term;
  int sign;
};

}  // namespace

std::size_t padded_thresholds(const SufGate& g) {
  return g.intervals();
}

std::size_t padded_atoms(const SufGate& g) {
  std::size_t a = 0;
  for (const HelperTerm& h : g.helpers) a += 2 * h.preds.size();
  return a;
}

InstanceKey compile_instance(const SufGate& g, u64 r_in, u64 open_mask, Padding padding,
                             u64 dummy) {
  const Ring rn{g.n}, rh{g.poly_bits};
  const u64 r = rn.reduce(r_in);
  const std::size_t m = g.intervals();
  const std::size_t L = static_cast<std::size_t>(g.payload_len());
  const u64 half = u64{1} << (g.n - 1);
  InstanceKey key;

  // --- Interval lookup ---------------------------------------------------------------------
  // The shifted cuts s_j = a_j + r mod 2^n in increasing order. The cuts are strictly increasing
  // (suf.h), so that order is a rotation: first the cuts that wrap past 2^n (a_j > mask - r), then
  // the others, each run in cut order. The pieces in x^ order start at these; the interval that
  // wraps is the last in that order, and where no shifted cut is 0 it also owns the first piece,
  // [0, smallest shifted cut).
  const u64 nmask = rn.mask();
  const auto j0 = static_cast<std::size_t>(
      std::partition_point(g.cuts.begin(), g.cuts.end(), [&](u64 c) { return c <= nmask - r; }) -
      g.cuts.begin());
  const auto interval = [&](std::size_t k) { return (j0 + k) % m; };  // the k-th shifted cut's
  const bool lead = rn.add(g.cuts[interval(0)], r) != 0;
  const std::size_t P = m + (lead ? 1 : 0);  // pieces
  const auto piece = [&](std::size_t k) -> std::pair<u64, std::size_t> {
    if (lead && k == 0) return {0, interval(m - 1)};
    const std::size_t j = interval(lead ? k - 1 : k);
    return {rn.add(g.cuts[j], r), j};
  };

  // Piece k's payload Q_k into Q[k L .. k L + L).
  std::vector<u64> Q(P * L);
  for (std::size_t k = 0; k < P; ++k) {
    const auto [start, j] = piece(k);
    // x = x^ - r on this piece, lifted exactly when H > n: x_s = x^ - r + 2^n c, c constant on
    // the piece (r is a piece boundary, and so is the shifted 2^(n-1) when H > n).
    u64 rr = r;  // mod 2^H: x_s = x^ - rr
    if (g.poly_bits > g.n) {
      const u64 x0 = rn.sub(start, r);  // x at the piece start
      const int c = (start < r ? 1 : 0) - (x0 >= half ? 1 : 0);
      rr = rh.sub(r, rh.from_signed(static_cast<i64>(c) << g.n));
    }
    const std::span<u64> q = std::span<u64>(Q).subspan(k * L, L);
    const std::span<const u64> poly = g.poly(j);
    shift_poly(poly, rr, g.poly_bits, q);
    q[0] = rh.add(q[0], open_mask);
    if (g.direct_const) q[poly.size()] = g.konst[j];
  }
  key.lookup_base.assign(Q.end() - static_cast<std::ptrdiff_t>(L), Q.end());
  key.lookup_alpha.reserve(m);
  key.lookup_beta.reserve(m * L);
  for (std::size_t k = 1; k < P; ++k) {
    key.lookup_alpha.push_back(piece(k).first);
    for (std::size_t e = 0; e < L; ++e)
      key.lookup_beta.push_back(rh.sub(Q[(k - 1) * L + e], Q[k * L + e]));
  }
  if (padding == Padding::kOn && key.lookup_alpha.size() < m) {
    // No interval wrapped: a dummy split (payload difference 0) keeps the shape.
    key.lookup_alpha.push_back(rn.reduce(dummy));
    key.lookup_beta.insert(key.lookup_beta.end(), L, 0);
  }

  // --- Helper predicate atoms ----------------------------------------------------------------
  const std::size_t T = g.helpers.size();
  key.atom_base.assign(2 * T, 0);
  std::vector<AtomSpec> specs;
  for (std::size_t h = 0; h < T; ++h) {
    const HelperTerm& term = g.helpers[h];
    i64 constant = term.constant;
    for (auto [pi, sign] : term.preds) {
      const Predicate& p = g.preds[static_cast<std::size_t>(pi)];
      const int bits = p.kind == Predicate::Kind::kLt ? g.n : p.low_bits;
      const Ring rb{bits};
      const u64 rl = rb.reduce(r);
      const u64 t = rb.add(p.bound, rl);
      const bool w = rl + p.bound > rb.mask();  // r + b >= 2^bits
      specs.push_back({{bits, t}, h, sign});
      specs.push_back({{bits, rl}, h, -sign});
      constant += sign * static_cast<i64>(w);
    }
    const u64 cst = rn.from_signed(constant);
    key.atom_base[2 * h] = cst;
    key.atom_base[2 * h + 1] = rn.mul(cst, r);
  }
  std::vector<std::vector<u64>> betas;
  for (const AtomSpec& a : specs) {
    std::vector<u64> b(2 * T, 0);
    const u64 sg = rn.from_signed(a.sign);
    b[2 * a.term] = sg;
    b[2 * a.term + 1] = rn.mul(sg, r);
    if (padding == Padding::kOff) {
      // Merge with an earlier atom of the same comparison.
      auto it = std::find_if(key.atoms.begin(), key.atoms.end(), [&](const Atom& x) {
        return x.bits == a.atom.bits && x.threshold == a.atom.threshold;
      });
      if (it != key.atoms.end()) {
        auto& bb = betas[static_cast<std::size_t>(it - key.atoms.begin())];
        for (std::size_t e = 0; e < bb.size(); ++e) bb[e] = rn.add(bb[e], b[e]);
        continue;
      }
    }
    key.atoms.push_back(a.atom);
    betas.push_back(std::move(b));
  }
  if (padding == Padding::kOff) {
    // Drop atoms whose merged payload cancelled out.
    std::vector<Atom> atoms;
    std::vector<std::vector<u64>> keep;
    for (std::size_t i = 0; i < key.atoms.size(); ++i) {
      if (std::all_of(betas[i].begin(), betas[i].end(), [](u64 v) { return v == 0; })) continue;
      atoms.push_back(key.atoms[i]);
      keep.push_back(std::move(betas[i]));
    }
    key.atoms = std::move(atoms);
    betas = std::move(keep);
  }
  for (auto& b : betas) key.atom_beta.insert(key.atom_beta.end(), b.begin(), b.end());
  return key;
}

bool supports_shared_mask(const SufGate& g) {
  if (g.poly_bits != g.n) return false;
  for (const Predicate& p : g.preds)
    if (p.kind != Predicate::Kind::kLt) return false;
  return true;
}

LookupMode default_lookup(const SufGate& g) {
  return supports_shared_mask(g) ? LookupMode::kSharedMask : LookupMode::kPerCut;
}

int shared_mask_payload(const SufGate& g) {
  return std::max(g.degree, 1) + 1;
}

std::vector<u64> shared_mask_offsets(const SufGate& g) {
  std::vector<u64> o(g.cuts.begin(), g.cuts.end());
  for (const Predicate& p : g.preds) o.push_back(p.bound);
  std::sort(o.begin(), o.end());
  o.erase(std::unique(o.begin(), o.end()), o.end());
  return o;
}

std::vector<u64> shared_mask_payload_vector(const SufGate& g, u64 r) {
  const Ring rn{g.n};
  std::vector<u64> v(static_cast<std::size_t>(shared_mask_payload(g)));
  const u64 neg = rn.neg(rn.reduce(r));
  u64 pw = 1;
  for (auto& e : v) {
    e = pw;
    pw = rn.mul(pw, neg);
  }
  return v;
}

SharedMaskShares shared_mask_combine(const SufGate& g, u64 xhat, std::span<const u64> products,
                                     std::span<const u64> v_share, bool party0) {
  (void)party0;  // every public term multiplies a shared V, so both parties do the same
  const Ring rn{g.n};
  const std::size_t W = static_cast<std::size_t>(shared_mask_payload(g));
  const std::size_t d1 = static_cast<std::size_t>(g.degree + 1);
  const std::vector<u64> offs = shared_mask_offsets(g);
  const u64 nmask = rn.mask();
  xhat = rn.reduce(xhat);
  auto prod = [&](u64 p) {  // A(x^ - p) V for offset p
    const std::size_t k =
        static_cast<std::size_t>(std::lower_bound(offs.begin(), offs.end(), p) - offs.begin());
    return products.subspan(k * W, W);
  };
  // [x in [a, b)] V into out (b = 2^n written as 0: the point x^ - 2^n = x^).
  auto indicator = [&](u64 a, u64 b, std::vector<u64>& out) {
    const u64 u = rn.sub(xhat, a);
    const u64 q = (b - a) & nmask;  // b - a mod 2^n; 0 means the whole ring
    const bool pub = q == 0 || u < q;
    const auto pa = prod(a), pb = prod(b & nmask);
    for (std::size_t e = 0; e < W; ++e) {
      u64 v = rn.sub(pb[e], pa[e]);
      if (pub) v = rn.add(v, v_share[e]);
      out[e] = v;
    }
  };
  SharedMaskShares sh;
  sh.coeffs.assign(d1, 0);
  std::vector<u64> ind(W);
  const std::size_t m = g.intervals();
  for (std::size_t j = 0; j < m; ++j) {
    indicator(g.cuts[j], j + 1 < m ? g.cuts[j + 1] : 0, ind);
    const auto c = g.poly(j);
    // S_i += sum_{k >= i} c_k binom(k, i) [ind (-r)^(k-i)]
    for (std::size_t k = 0; k < d1; ++k) {
      if (c[k] == 0) continue;
      u64 binom = 1;
      for (std::size_t i = k + 1; i-- > 0;) {
        sh.coeffs[i] = rn.add(sh.coeffs[i], rn.mul(rn.mul(c[k], binom), ind[k - i]));
        if (i > 0) binom = binom * i / (k - i + 1);
      }
    }
    sh.konst = rn.add(sh.konst, rn.mul(g.konst[j], ind[0]));
  }
  sh.helpers.assign(2 * g.helpers.size(), 0);
  for (std::size_t h = 0; h < g.helpers.size(); ++h) {
    const HelperTerm& t = g.helpers[h];
    u64 bit = rn.mul(rn.from_signed(t.constant), v_share[0]);
    u64 rbit = rn.mul(rn.from_signed(-t.constant), v_share[1]);  // r = -(-r)
    for (auto [pi, sign] : t.preds) {
      indicator(0, g.preds[static_cast<std::size_t>(pi)].bound, ind);  // LT(b) = [x in [0, b)]
      const u64 sg = rn.from_signed(sign);
      bit = rn.add(bit, rn.mul(sg, ind[0]));
      rbit = rn.sub(rbit, rn.mul(sg, ind[1]));
    }
    sh.helpers[2 * h] = bit;
    sh.helpers[2 * h + 1] = rbit;
  }
  return sh;
}

std::vector<u64> lookup_clear(const SufGate& g, const InstanceKey& k, u64 xhat) {
  const Ring rh{g.poly_bits};
  const std::size_t L = static_cast<std::size_t>(g.payload_len());
  std::vector<u64> v = k.lookup_base;
  xhat &= ring_mask(g.n);
  for (std::size_t t = 0; t < k.lookup_alpha.size(); ++t)
    if (xhat < k.lookup_alpha[t])
      for (std::size_t e = 0; e < L; ++e) v[e] = rh.add(v[e], k.lookup_beta[t * L + e]);
  return v;
}

std::vector<u64> atoms_clear(const SufGate& g, const InstanceKey& k, u64 xhat) {
  const Ring rn{g.n};
  const std::size_t w = k.atom_base.size();
  std::vector<u64> v = k.atom_base;
  for (std::size_t a = 0; a < k.atoms.size(); ++a) {
    const u64 z = xhat & ring_mask(k.atoms[a].bits);
    if (z < k.atoms[a].threshold)
      for (std::size_t e = 0; e < w; ++e) v[e] = rn.add(v[e], k.atom_beta[a * w + e]);
  }
  return v;
}

}  // namespace secinfer::fss::compile
