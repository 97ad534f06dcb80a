// One DCF key's generation and evaluation (Boyle et al., Eurocrypt 2021, "Function Secret Sharing
// for Mixed-Mode and Fixed-Point Secure Computation", Fig. 3, its tree grown as the half-tree of
// Guo et al., Eurocrypt 2023) exactly as docs/design/fss-core.md "DCF" fixes them, for the host
// and the GPU. The payload vector (L elements) lives in a `Vec`: RegVec<L> (registers, L a
// compile-time constant) or MemVec (a pointer, any L). Pass kL = L for RegVec and kL = 0 with the
// run-time L for MemVec; all arithmetic is mod 2^64 and reduced mod 2^m where it is stored.
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

// The half-tree's hash H(s) = G_0(sigma(s)) (circular correlation robust) and the step from node
// s to its child c under the level's correction (block.h half_tree_child).
template <class Prg>
SECINFER_HD Block half_tree_hash(const Prg& prg, Block s) {
  return prg.g(0, ccr_sigma(s));
}
template <class Prg>
SECINFER_HD Block half_tree_step(const Prg& prg, Block s, int c, Block cw) {
  return half_tree_child(half_tree_hash(prg, s), s, static_cast<u64>(c), cw);
}

// Gen for one key from its roots s0 and s1 = s0 ^ half_tree_delta(the stream's next block)
// (block.h; the caller draws and writes them). beta: this key's L payload elements; cw_v: level
// 0 of this key's correction vectors, level i at cw_v + i * vstride; cw_final: this key's L final
// elements; valpha: scratch of L elements (may alias cw_final).
template <int kL, class Prg, class Vec>
SECINFER_HD void dcf_gen_one(const Prg& prg, int n, u64 out_mask, int L_rt, Block s0, Block s1,
                             u64 alpha, const u64* beta, Block* cw_seed, std::size_t stride,
                             u64* cw_v, std::size_t vstride, u64* cw_final, Vec valpha) {
  const int L = kL > 0 ? kL : L_rt;
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) valpha[j] = 0;
  for (int i = 0; i < n; ++i) {
    const int a = path_bit(alpha, n, i);
    const int lose = 1 - a;
    // On alpha's path s0 ^ s1 = Delta, whose bit 0 is set: exactly one control bit is set.
    const int t1 = s1.lsb();
    const Block h0 = half_tree_hash(prg, s0), h1 = half_tree_hash(prg, s1);
    // Both children's value blocks of both nodes (dcf_values; scalars, not arrays indexed by a
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
    // The children differ by c Delta ^ cw ^ h0 ^ h1: this cw makes Lose's agree and Keep's
    // differ by Delta.
    const Block cw = lose ? (h0 ^ h1 ^ s0 ^ s1) : (h0 ^ h1);
    cw_seed[i * stride] = cw;
    s0 = half_tree_child(h0, s0, static_cast<u64>(a), cw);
    s1 = half_tree_child(h1, s1, static_cast<u64>(a), cw);
  }
  // cw_final = (-1)^{t1} (ConvertVec(V_0(s1)) - ConvertVec(V_0(s0)) - Valpha): the leaves differ
  // by Delta, so their payload comes through the value key.
  const int t1 = s1.lsb();
  const Block f0 = dcf_value(prg, L, 0, s0), f1 = dcf_value(prg, L, 0, s1);
  auto fin = [&](int j, u64 c0, u64 c1) {
    cw_final[j] = signed_by(t1, c1 - c0 - valpha[j]) & out_mask;
  };
  fin(0, convert_one(f0, out_mask), convert_one(f1, out_mask));
  SECINFER_UNROLL
  for (int j = 1; j < L; j += 2) {
    const u64 k = static_cast<u64>((j + 1) / 2);
    const Block c0 = prg.convert_pair(f0, k), c1 = prg.convert_pair(f1, k);
    fin(j, c0.lo & out_mask, c1.lo & out_mask);
    if (j + 1 < L) fin(j + 1, c0.hi & out_mask, c1.hi & out_mask);
  }
}

// Eval(b, x) for one key: V (L elements, written reduced mod 2^m) into `v` (by reference: a
// RegVec of the caller's, or a MemVec). cw_v/vstride/cw_final as for gen. Two AES per level plus
// ConvertVec's, and one for the leaf.
template <int kL, class Prg, class Vec>
SECINFER_HD void dcf_eval_one(const Prg& prg, int n, u64 out_mask, int L_rt, int party, Block root,
                              const Block* cw_seed, std::size_t stride, const u64* cw_v,
                              std::size_t vstride, const u64* cw_final, u64 x, Vec&& v) {
  const int L = kL > 0 ? kL : L_rt;
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) v[j] = 0;
  Block s = root;
  for (int i = 0; i < n; ++i) {
    const int c = path_bit(x, n, i);
    const int t = s.lsb();
    const Block vb = dcf_value(prg, L, c, s);
    const u64* cwv = cw_v + i * vstride;
    prg.convert_vec(vb, L, out_mask,
                    [&](int j, u64 e) { v[j] += signed_by(party, e + (t ? cwv[j] : 0)); });
    s = half_tree_step(prg, s, c, cw_seed[i * stride]);
  }
  const int t = s.lsb();
  prg.convert_vec(dcf_value(prg, L, 0, s), L, out_mask,
                  [&](int j, u64 e) { v[j] += signed_by(party, e + (t ? cw_final[j] : 0)); });
  SECINFER_UNROLL
  for (int j = 0; j < L; ++j) v[j] &= out_mask;
}

// AES calls per key (eval: per level the hash and one value block, then the leaf's; gen: the two
// stream blocks, per level the hash and the value blocks of both nodes, one a node where L = 1,
// then the leaves').
SECINFER_HD constexpr long long dcf_eval_aes(int n, int L) {
  return static_cast<long long>(n) * (2 + convert_vec_aes(L)) + 1 + convert_vec_aes(L);
}
SECINFER_HD constexpr long long dcf_gen_aes(int n, int L) {
  const int value_blocks = L == 1 ? 1 : 2;
  return 2 + static_cast<long long>(n) * (2 * (1 + value_blocks) + 4 * convert_vec_aes(L)) + 2 +
         2 * convert_vec_aes(L);
}

}  // namespace secinfer::fss::cuda
