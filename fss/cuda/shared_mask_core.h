// The party-local part of the FuseFSS shared-mask gate (compile/instance.h LookupMode::kSharedMask,
// fss/gates/fusefss/suf_gate.cpp) after the packed compare, for the host and the GPU: from the
// DCF outputs A(x^ - p) V at every public offset p, the shares of V = ((-r)^0, ..., (-r)^(W-1))
// and of the opening mask r_v, it forms the shares of the interval's x^-coefficients
// (FSS::IntervalLookup; Boyle et al., Eurocrypt 2021, section 4: [x in [a, b)] V =
// [u < b - a] V - A(u) V + A(u') V with u = x^ - a, u' = x^ - b), runs Horner on the public x^
// and adds r_v: this party's share of v^ = P(x) + r_v, and `rest` = the share of konst + the
// helper terms (added after the ARS). Bit-identical to compile::shared_mask_combine followed by
// fusefss::shared_mask_local (lookup_combine.h): the same sums mod 2^n.
//
// The gate's public data travels flattened (SharedMaskGateTables, built on the host by
// fusefss::shared_mask_gate_tables): per interval j the offsets' indices of its ends, its start
// a_j and length q_j = (a_{j+1} - a_j) mod 2^n (0: the whole ring), the products
// c_k binom(k, i) mod 2^n for i <= k, konst_j; per helper term its constant (+ and - signed),
// alpha, beta and its predicates (bound, offset index, sign) in CSR form.
#pragma once

#include <cstdint>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss::cuda {

// Longest V (degree + 1 or 2) the kernels take (local arrays).
inline constexpr int kSharedMaskMaxPayload = 8;

struct SharedMaskGateView {
  int n = 0;                     // ring bits (= H)
  int W = 0;                     // DCF payload length: the powers (-r)^0 .. (-r)^(W-1)
  int d1 = 0;                    // degree + 1 (<= W)
  std::size_t P = 0;             // public offsets (points per element)
  std::size_t m = 0;             // intervals
  std::size_t T = 0;             // helper terms
  u64 zero_index = 0;            // index of offset 0
  const u64* offsets = nullptr;  // [P], sorted, distinct
  const u64* cut_lo = nullptr;   // [m] a_j
  const u64* cut_len = nullptr;  // [m] (a_{j+1} - a_j) mod 2^n (a_m = 2^n: 0 = whole ring)
  const std::uint32_t* lo_index = nullptr;  // [m] offset index of a_j
  const std::uint32_t* hi_index = nullptr;  // [m] offset index of a_{j+1} mod 2^n
  const u64* coef = nullptr;      // [m * d1 * d1]: [j][k][i] = c_jk binom(k, i) mod 2^n, i <= k
  const u64* konst = nullptr;     // [m]
  const u64* h_const = nullptr;   // [T] constant mod 2^n
  const u64* h_rconst = nullptr;  // [T] -constant mod 2^n
  const u64* h_alpha = nullptr;   // [T]
  const u64* h_beta = nullptr;    // [T]
  const std::uint32_t* h_first = nullptr;  // [T + 1] CSR into the predicate lists
  const u64* p_bound = nullptr;            // [h_first[T]] LT bound b
  const std::uint32_t* p_index = nullptr;  // [h_first[T]] offset index of b
  const u64* p_sign = nullptr;             // [h_first[T]] sign mod 2^n
};

// A view of tables held in any containers with data() (host vectors, device buffers): the one
// place that lists the fields.
template <class Tables>
SharedMaskGateView view_of(const Tables& t, std::size_t P, std::size_t m, std::size_t T) {
  SharedMaskGateView v;
  v.n = t.n;
  v.W = t.W;
  v.d1 = t.d1;
  v.P = P;
  v.m = m;
  v.T = T;
  v.zero_index = t.zero_index;
  v.offsets = t.offsets.data();
  v.cut_lo = t.cut_lo.data();
  v.cut_len = t.cut_len.data();
  v.lo_index = t.lo_index.data();
  v.hi_index = t.hi_index.data();
  v.coef = t.coef.data();
  v.konst = t.konst.data();
  v.h_const = t.h_const.data();
  v.h_rconst = t.h_rconst.data();
  v.h_alpha = t.h_alpha.data();
  v.h_beta = t.h_beta.data();
  v.h_first = t.h_first.data();
  v.p_bound = t.p_bound.data();
  v.p_index = t.p_index.data();
  v.p_sign = t.p_sign.data();
  return v;
}

// The same data in host vectors (view() points into them).
struct SharedMaskGateTables {
  int n = 0, W = 0, d1 = 0;
  u64 zero_index = 0;
  std::vector<u64> offsets, cut_lo, cut_len, coef, konst;
  std::vector<std::uint32_t> lo_index, hi_index;
  std::vector<u64> h_const, h_rconst, h_alpha, h_beta;
  std::vector<std::uint32_t> h_first;
  std::vector<u64> p_bound, p_sign;
  std::vector<std::uint32_t> p_index;

  SharedMaskGateView view() const {
    return view_of(*this, offsets.size(), cut_lo.size(), h_alpha.size());
  }
};

// [x in [a, a + q)] V into ind (W elements, unreduced: only sums mod 2^n of them are used).
// prod: the element's P x W DCF outputs (offset-major).
SECINFER_HD void shared_mask_indicator(const SharedMaskGateView& g, u64 xhat, u64 a, u64 q,
                                       std::size_t ia, std::size_t ib, const u64* prod,
                                       const u64* vsh, u64* ind) {
  const u64 u = (xhat - a) & ring_mask(g.n);
  const bool pub = q == 0 || u < q;
  const u64* pa = prod + ia * g.W;
  const u64* pb = prod + ib * g.W;
  for (int e = 0; e < g.W; ++e) ind[e] = pb[e] - pa[e] + (pub ? vsh[e] : 0);
}

// One element: xhat (public), prod (P x W DCF outputs), vsh (W shares of V), rv (share of r_v);
// writes v = Horner + r_v and rest (both mod 2^n).
SECINFER_HD void shared_mask_local_one(const SharedMaskGateView& g, u64 xhat, const u64* prod,
                                       const u64* vsh, u64 rv, u64& v_out, u64& rest_out) {
  const u64 nmask = ring_mask(g.n);
  xhat &= nmask;
  u64 coeffs[kSharedMaskMaxPayload];
  u64 ind[kSharedMaskMaxPayload];
  for (int i = 0; i < g.d1; ++i) coeffs[i] = 0;
  u64 konst = 0;
  for (std::size_t j = 0; j < g.m; ++j) {
    shared_mask_indicator(g, xhat, g.cut_lo[j], g.cut_len[j], g.lo_index[j], g.hi_index[j], prod,
                          vsh, ind);
    // S_i += sum_{k >= i} c_k binom(k, i) [ind (-r)^(k-i)]
    const u64* c = g.coef + j * static_cast<std::size_t>(g.d1 * g.d1);
    for (int k = 0; k < g.d1; ++k)
      for (int i = 0; i <= k; ++i) coeffs[i] += c[k * g.d1 + i] * ind[k - i];
    konst += g.konst[j] * ind[0];
  }
  // Local Horner on the public x^, plus the share of the opening mask.
  u64 v = 0;
  for (int k = g.d1; k-- > 0;) v = v * xhat + coeffs[k];
  v_out = (v + rv) & nmask;
  // Helper terms: bit = constant V_0 + sum sign [x < b] V_0, rbit = bit * r (V_1 = -r).
  u64 rest = konst;
  for (std::size_t h = 0; h < g.T; ++h) {
    u64 bit = g.h_const[h] * vsh[0];
    u64 rbit = g.h_rconst[h] * vsh[1];
    for (std::uint32_t p = g.h_first[h]; p < g.h_first[h + 1]; ++p) {
      shared_mask_indicator(g, xhat, 0, g.p_bound[p], g.zero_index, g.p_index[p], prod, vsh, ind);
      bit += g.p_sign[p] * ind[0];
      rbit -= g.p_sign[p] * ind[1];
    }
    // (alpha + beta x) bit = alpha bit + beta (x^ bit - r bit).
    rest += g.h_alpha[h] * bit + g.h_beta[h] * (xhat * bit - rbit);
  }
  rest_out = rest & nmask;
}

}  // namespace secinfer::fss::cuda
