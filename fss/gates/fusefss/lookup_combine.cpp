#include "fss/gates/fusefss/lookup_combine.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace secinfer::fss::fusefss {
namespace {

std::uint32_t offset_index(const std::vector<u64>& offs, u64 p, const char* what) {
  const auto it = std::lower_bound(offs.begin(), offs.end(), p);
  if (it == offs.end() || *it != p)
    throw std::logic_error(std::string("shared_mask_gate_tables: ") + what + " " +
                           std::to_string(p) + " is not among the shared-mask offsets");
  return static_cast<std::uint32_t>(it - offs.begin());
}

}  // namespace

SharedMaskLocal shared_mask_local(const compile::SufGate& g, const compile::SharedMaskShares& sh,
                                  u64 xhat, u64 rv) {
  const Ring rn{g.n};
  const u64 xh = rn.reduce(xhat);
  SharedMaskLocal out;
  u64 v = 0;
  for (std::size_t k = sh.coeffs.size(); k-- > 0;) v = rn.add(rn.mul(v, xh), sh.coeffs[k]);
  out.v = rn.add(v, rv);
  u64 r = sh.konst;
  for (std::size_t h = 0; h < g.helpers.size(); ++h) {
    const u64 bit = sh.helpers[2 * h], rbit = sh.helpers[2 * h + 1];
    const u64 xb = rn.sub(rn.mul(xh, bit), rbit);
    r = rn.add(r, rn.add(rn.mul(g.helpers[h].alpha, bit), rn.mul(g.helpers[h].beta, xb)));
  }
  out.rest = r;
  return out;
}

cuda::SharedMaskGateTables shared_mask_gate_tables(const compile::SufGate& g) {
  if (!compile::supports_shared_mask(g))
    throw std::invalid_argument("shared_mask_gate_tables: gate '" + g.name +
                                "' needs the per-cut lookup (H > n or LTLOW helpers)");
  const int W = compile::shared_mask_payload(g);
  if (W > cuda::kSharedMaskMaxPayload)
    throw std::invalid_argument("shared_mask_gate_tables: gate '" + g.name + "' has degree " +
                                std::to_string(g.degree) + "; the GPU kernels take at most " +
                                std::to_string(cuda::kSharedMaskMaxPayload - 1));
  const Ring rn{g.n};
  cuda::SharedMaskGateTables t;
  t.n = g.n;
  t.W = W;
  t.d1 = g.degree + 1;
  t.offsets = compile::shared_mask_offsets(g);
  t.zero_index = offset_index(t.offsets, 0, "offset");
  const std::size_t m = g.intervals(), d1 = static_cast<std::size_t>(t.d1);
  t.coef.assign(m * d1 * d1, 0);
  for (std::size_t j = 0; j < m; ++j) {
    const u64 a = g.cuts[j], b = j + 1 < m ? g.cuts[j + 1] : 0;  // b = 2^n written as 0
    t.cut_lo.push_back(a);
    t.cut_len.push_back((b - a) & rn.mask());
    t.lo_index.push_back(offset_index(t.offsets, a, "cut"));
    t.hi_index.push_back(offset_index(t.offsets, b & rn.mask(), "cut"));
    t.konst.push_back(g.konst[j]);
    // The products c_k binom(k, i) exactly as compile::shared_mask_combine forms them.
    const auto c = g.poly(j);
    for (std::size_t k = 0; k < d1; ++k) {
      if (c[k] == 0) continue;
      u64 binom = 1;
      for (std::size_t i = k + 1; i-- > 0;) {
        t.coef[(j * d1 + k) * d1 + i] = rn.mul(c[k], binom);
        if (i > 0) binom = binom * i / (k - i + 1);
      }
    }
  }
  t.h_first.push_back(0);
  for (const compile::HelperTerm& h : g.helpers) {
    t.h_const.push_back(rn.from_signed(h.constant));
    t.h_rconst.push_back(rn.from_signed(-h.constant));
    t.h_alpha.push_back(h.alpha);
    t.h_beta.push_back(h.beta);
    for (auto [pi, sign] : h.preds) {
      const u64 bound = g.preds[static_cast<std::size_t>(pi)].bound;
      t.p_bound.push_back(bound & rn.mask());
      t.p_index.push_back(offset_index(t.offsets, bound & rn.mask(), "predicate bound"));
      t.p_sign.push_back(rn.from_signed(sign));
    }
    t.h_first.push_back(static_cast<std::uint32_t>(t.p_bound.size()));
  }
  return t;
}

}  // namespace secinfer::fss::fusefss
