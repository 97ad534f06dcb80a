// One DCF key's generation and evaluation (Boyle et al., Eurocrypt 2021, "Function Secret Sharing
// for Mixed-Mode and Fixed-Point Secure Computation", Fig. 3) exactly as docs/design/fss-core.md
// fixes them, for the host and the GPU. The payload vector (L elements) lives in a `Vec`:
// RegVec<L> (registers, L a compile-time constant) or MemVec (a pointer, any L). Pass kL = L for
// RegVec and kL = 0 with the run-time L for MemVec; all arithmetic is mod 2^64 and reduced mod
// 2^m where it is stored.
#pragma once

#include <cstdint>

#include "fss/cuda/dpf_core.h"

namespace secinfer::fss::cuda {

template <int kL>
struct RegVec {
  u64 v[kL];
  SECINFER_HD u64& operator[](int j) { return v[j]; }
};
struct MemVec {
  u64* p;
  SECINFER_HD u64& operator[](int j) const { return p[j]; }
};

// Gen for one key. beta: this key's L payload elements; cw_v: level 0 of this key's correction
// vectors, level i at cw_v + i * vstride; cw_final: this key's L final elements; valpha: scratch
// of L elements (may alias cw_final).
template <int kL, class Prg, class Vec>
SECINFER_HD void dcf_gen_one(const Prg& prg, int n, u64 out_mask, int L_rt, Block s0, Block s1,
                             u64 alpha, const u64* beta, Block* cw_seed, std::uint8_t* cw_t,
                             std::size_t stride, u64* cw_v, std::size_t vstride, u64* cw_final,
                             Vec valpha) {
  const int L = kL > 0 ? kL : L_rt;
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) valpha[j] = 0;
  int t0 = 0, t1 = 1;
  for (int i = 0; i < n; ++i) {
    const int a = path_bit(alpha, n, i);
    const int lose = 1 - a;
    int tl0, tl1, tr0, tr1;
    const Block sl0 = prg.expand(0, s0, tl0), sl1 = prg.expand(0, s1, tl1);
    const Block sr0 = prg.expand(1, s0, tr0), sr1 = prg.expand(1, s1, tr1);
    // Both children's value blocks of both seeds (dcf_values; scalars, not arrays indexed by a
    // bit, so that they stay in registers).
    Block vl0, vr0, vl1, vr1;
    dcf_values(prg, L, s0, vl0, vr0);
    dcf_values(prg, L, s1, vl1, vr1);
    const Block vlose0 = lose ? vr0 : vl0, vlose1 = lose ? vr1 : vl1;
    const Block vkeep0 = a ? vr0 : vl0, vkeep1 = a ? vr1 : vl1;
    u64* cwv = cw_v + i * vstride;
    // One payload element j from the four ConvertVec elements.
    auto element = [&](int j, u64 l0, u64 l1, u64 k0, u64 k1) {
      u64 c = signed_by(t1, l1 - l0 - valpha[j]);
      if (a) c += signed_by(t1, beta[j]);  // Lose = L: x < alpha on the lost (left) side
      c &= out_mask;
      cwv[j] = c;
      valpha[j] = valpha[j] - k1 + k0 + signed_by(t1, c);
    };
    element(0, convert_one(vlose0, out_mask), convert_one(vlose1, out_mask),
            convert_one(vkeep0, out_mask), convert_one(vkeep1, out_mask));
    SECINFER_UNROLL
    for (int j = 1; j < L; j += 2) {
      const u64 k = static_cast<u64>((j + 1) / 2);
      const Block l0 = prg.convert_pair(vlose0, k), l1 = prg.convert_pair(vlose1, k);
      const Block k0 = prg.convert_pair(vkeep0, k), k1 = prg.convert_pair(vkeep1, k);
      element(j, l0.lo & out_mask, l1.lo & out_mask, k0.lo & out_mask, k1.lo & out_mask);
      if (j + 1 < L)
        element(j + 1, l0.hi & out_mask, l1.hi & out_mask, k0.hi & out_mask, k1.hi & out_mask);
    }
    const Block cw = a ? (sl0 ^ sl1) : (sr0 ^ sr1);
    const int cw_tl = tl0 ^ tl1 ^ a ^ 1;
    const int cw_tr = tr0 ^ tr1 ^ a;
    cw_seed[i * stride] = cw;
    cw_t[i * stride] = static_cast<std::uint8_t>(cw_tl | (cw_tr << 1));
    const Block keep0 = a ? sr0 : sl0, keep1 = a ? sr1 : sl1;
    const int tk0 = a ? tr0 : tl0, tk1 = a ? tr1 : tl1;
    const int cw_tk = a ? cw_tr : cw_tl;
    s0 = t0 ? keep0 ^ cw : keep0;
    s1 = t1 ? keep1 ^ cw : keep1;
    t0 = tk0 ^ (t0 & cw_tk);
    t1 = tk1 ^ (t1 & cw_tk);
  }
  // cw_final = (-1)^{t1} (ConvertVec(s1) - ConvertVec(s0) - Valpha).
  auto fin = [&](int j, u64 c0, u64 c1) {
    cw_final[j] = signed_by(t1, c1 - c0 - valpha[j]) & out_mask;
  };
  fin(0, convert_one(s0, out_mask), convert_one(s1, out_mask));
  SECINFER_UNROLL
  for (int j = 1; j < L; j += 2) {
    const u64 k = static_cast<u64>((j + 1) / 2);
    const Block c0 = prg.convert_pair(s0, k), c1 = prg.convert_pair(s1, k);
    fin(j, c0.lo & out_mask, c1.lo & out_mask);
    if (j + 1 < L) fin(j + 1, c0.hi & out_mask, c1.hi & out_mask);
  }
}

// Eval(b, x) for one key: V (L elements, written reduced mod 2^m) into `v` (by reference: a
// RegVec of the caller's, or a MemVec). cw_v/vstride/cw_final as for gen. Two AES per level plus
// ConvertVec's.
template <int kL, class Prg, class Vec>
SECINFER_HD void dcf_eval_one(const Prg& prg, int n, u64 out_mask, int L_rt, int party, Block root,
                              const Block* cw_seed, const std::uint8_t* cw_t, std::size_t stride,
                              const u64* cw_v, std::size_t vstride, const u64* cw_final, u64 x,
                              Vec&& v) {
  const int L = kL > 0 ? kL : L_rt;
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) v[j] = 0;
  Block s = root;
  int t = party;
  for (int i = 0; i < n; ++i) {
    const int c = path_bit(x, n, i);
    const Block vb = dcf_value(prg, L, c, s);
    const u64* cwv = cw_v + i * vstride;
    prg.convert_vec(vb, L, out_mask,
                    [&](int j, u64 e) { v[j] += signed_by(party, e + (t ? cwv[j] : 0)); });
    s = dpf_step(prg, s, t, c, cw_seed[i * stride], cw_t[i * stride]);
  }
  prg.convert_vec(s, L, out_mask,
                  [&](int j, u64 e) { v[j] += signed_by(party, e + (t ? cw_final[j] : 0)); });
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) v[j] &= out_mask;
}

// AES calls per key (gen: per level both children of both seeds, and their value blocks, one a
// seed where L = 1).
SECINFER_HD constexpr long long dcf_eval_aes(int n, int L) {
  return static_cast<long long>(n) * (2 + convert_vec_aes(L)) + convert_vec_aes(L);
}
SECINFER_HD constexpr long long dcf_gen_aes(int n, int L) {
  const int value_blocks = L == 1 ? 1 : 2;
  return 2 + static_cast<long long>(n) * (2 * (2 + value_blocks) + 4 * convert_vec_aes(L)) +
         2 * convert_vec_aes(L);
}

}  // namespace secinfer::fss::cuda
