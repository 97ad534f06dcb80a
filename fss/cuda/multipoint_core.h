// One DCF key evaluated at P points (the FuseFSS shared-mask lookup's packed compare,
// fss/gates/fusefss/multipoint_dcf.h), for the host and the GPU: output identical to
// dcf_eval_one (docs/design/fss-core.md "DCF" Eval) at every point.
//
// dcf_multipoint_walk walks the union of the points' paths (a trie) depth first, once per trie
// node: the points are sorted (by x XOR the first point: see the walk), point q leaves the path of
// point q - 1 at level d_q (their common prefix), and the walk of point q starts from the node
// saved at level d_q. A walk saves a node only where a later point branches off its path (the
// running minima of the later d's), on a stack of at most P entries whose levels increase from
// bottom to top; entries deeper than d_q belong to paths no later point needs, so starting point
// q pops them and finds its node on top.
//   Cost: (2 + L/2) AES per trie node below the root, 1 + L/2 per distinct point (the leaf's
//   value block and its ConvertVec), against P (n (2 + L/2) + 1 + L/2) walking each point alone.
#pragma once

#include <cstdint>

#include "fss/bit_ops.h"
#include "fss/cuda/dcf_core.h"

namespace secinfer::fss::cuda {

// Most points per key the trie walk takes (its local arrays); more fall back to a walk per point.
inline constexpr int kMultipointMaxPoints = 32;
// Longest payload the trie walk keeps in registers (RegVec<L>).
inline constexpr int kMultipointMaxPayload = 4;

// Leading bits (of n) that a and b share; n when their low n bits are equal.
SECINFER_HD int common_prefix(u64 a, u64 b, int n) {
  const u64 d = (a ^ b) & ring_mask(n);
  return d == 0 ? n : n - 1 - msb64(d);
}

// The key's share at P points, calling emit(j, v) once per point j (v: RegVec<kL>, reduced mod
// 2^m). points: P values (only their low n bits count); P <= kMaxP. cw_seed / cw_v / cw_final /
// stride / vstride as for dcf_eval_one.
template <int kL, int kMaxP, class Prg, class Emit>
SECINFER_HD void dcf_multipoint_walk(const Prg& prg, int n, u64 out_mask, int party, Block root,
                                     const Block* cw_seed, std::size_t stride, const u64* cw_v,
                                     std::size_t vstride, const u64* cw_final, const u64* points,
                                     int P, Emit&& emit) {
  if (P <= 0) return;
  const u64 nmask = ring_mask(n);
  // The points sorted by x XOR pivot (insertion sort: P is small), with their original indices.
  // The XOR keeps common prefixes, so this order is a depth-first order of the same trie (the
  // children swapped where the pivot has a 1); pivot = the first point puts it first and, for
  // the gate's points x^ - p, the far point x^ - 2^(n-1) last, in every thread of a warp alike.
  const u64 pivot = points[0] & nmask;
  u64 pt[kMaxP];
  std::uint8_t idx[kMaxP];
  for (int j = 0; j < P; ++j) {
    const u64 x = (points[j] & nmask) ^ pivot;
    int q = j;
    for (; q > 0 && pt[q - 1] > x; --q) {
      pt[q] = pt[q - 1];
      idx[q] = idx[q - 1];
    }
    pt[q] = x;
    idx[q] = static_cast<std::uint8_t>(j);
  }
  // d[q]: the level where point q branches off point q - 1 (n: the same point).
  std::uint8_t dq[kMaxP];
  for (int q = 1; q < P; ++q) dq[q] = static_cast<std::uint8_t>(common_prefix(pt[q - 1], pt[q], n));
  // The levels of point q's path where later points branch off it: the running minima of
  // d[q + 1], d[q + 2], ... (a later point with d >= the minimum so far branches off the path of
  // a point between them, not off point q's).
  const auto branch_levels = [&](int q) {
    u64 m = 0;
    int low = n;
    for (int j = q + 1; j < P; ++j)
      if (dq[j] < low) {
        low = dq[j];
        m |= u64{1} << low;
      }
    return m;
  };
  // The stack of saved nodes: level, node (bit 0 its control bit), V (unsigned sums, sign
  // applied at the leaf: (-1)^b sum = sum (-1)^b mod 2^64).
  int st_level[kMaxP];
  Block st_s[kMaxP];
  RegVec<kL> st_v[kMaxP];
  int top = 0;
  st_level[0] = 0;
  st_s[0] = root;
  SECINFER_UNROLL
  for (int j = 0; j < kL; ++j) st_v[0][j] = 0;
  RegVec<kL> y;
  SECINFER_UNROLL
  for (int j = 0; j < kL; ++j) y[j] = 0;
  // Per point, a plain loop over its levels below its branch node. (One flat loop over all level
  // steps, which keeps a warp's threads in step where their points branch off at different
  // levels, measured slower: 19.6 M against 23.7 M keys/s at the GELU shape, H200.)
  for (int q = 0; q < P; ++q) {
    if (q > 0) {
      if (dq[q] == n) {  // the same point again: the same share
        emit(static_cast<int>(idx[q]), y);
        continue;
      }
      while (st_level[top] > dq[q]) --top;  // now st_level[top] == d_q: saved on an earlier walk
    }
    const u64 need = branch_levels(q);
    Block s = st_s[top];
    RegVec<kL> v = st_v[top];
    const u64 x = pt[q] ^ pivot;
    for (int i = st_level[top]; i < n; ++i) {
      const int c = path_bit(x, n, i);
      const int t = s.lsb();
      const Block vb = dcf_value(prg, kL, c, s);
      const u64* cwv = cw_v + i * vstride;
      prg.convert_vec(vb, kL, out_mask, [&](int j, u64 e) { v[j] += e + (t ? cwv[j] : 0); });
      s = half_tree_step(prg, s, c, cw_seed[i * stride]);
      if (i + 1 < n && ((need >> (i + 1)) & 1)) {
        ++top;
        st_level[top] = i + 1;
        st_s[top] = s;
        st_v[top] = v;
      }
    }
    // The leaf: V += ConvertVec(V_0(s)) + t cw_final, output (-1)^b V.
    const int t = s.lsb();
    prg.convert_vec(dcf_value(prg, kL, 0, s), kL, out_mask,
                    [&](int j, u64 e) { v[j] += e + (t ? cw_final[j] : 0); });
    SECINFER_UNROLL
    for (int j = 0; j < kL; ++j) y[j] = signed_by(party, v[j]) & out_mask;
    emit(static_cast<int>(idx[q]), y);
  }
}

// AES calls of the trie walk over P points (host-side count for throughput reports): (2 + L/2)
// per trie node below the root, 1 + L/2 per distinct point.
inline long long dcf_multipoint_trie_aes(int n, int L, const u64* points, int P) {
  u64 pt[kMultipointMaxPoints];
  const int cnt = P < kMultipointMaxPoints ? P : kMultipointMaxPoints;
  for (int j = 0; j < cnt; ++j) {
    const u64 x = points[j] & ring_mask(n);
    int q = j;
    for (; q > 0 && pt[q - 1] > x; --q) pt[q] = pt[q - 1];
    pt[q] = x;
  }
  long long nodes = 0, leaves = 0;
  for (int q = 0; q < cnt; ++q) {
    const int d = q == 0 ? 0 : common_prefix(pt[q - 1], pt[q], n);
    if (d == n) continue;
    nodes += n - d;
    ++leaves;
  }
  return nodes * (2 + convert_vec_aes(L)) + leaves * (1 + convert_vec_aes(L));
}

}  // namespace secinfer::fss::cuda
