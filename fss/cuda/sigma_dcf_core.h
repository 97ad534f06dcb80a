// One SIGMA DCF key's generation and evaluation (Gupta et al., "SIGMA: Secure GPT Inference with
// Function Secret Sharing", PoPETs 2024; GPU-MPC's DPF-tree DCF with early termination) exactly as
// docs/design/sigma-dcf.md fixes them, for the host and the GPU: the kernels in sigma_dcf.cu run
// one of these per thread, and tests/fss/sigma_dcf_test.cpp checks them against fss/sigma_dcf.cpp
// on the CPU. Nodes are Blocks whose bit 0 is the control bit t; correction words are read and
// written through a level stride (the batch layout's `count`): cw_seed[i * stride] is level i.
#pragma once

#include <cstdint>

#include "fss/bit_ops.h"
#include "fss/cuda/prg_core.h"

namespace secinfer::fss::cuda {

// The last 7 bits of x index a bit of a 128-bit leaf (one AES block): no tree levels for them.
inline constexpr int kSigmaDcfLeafBitsCore = 7;

// Bit i (MSB first) of an n-bit x.
SECINFER_HD constexpr int sigma_path_bit(u64 x, int n, int i) {
  return static_cast<int>((x >> (n - 1 - i)) & 1);
}

// The roots from the key's two random blocks a, b: party 1 takes b, party 0 takes a with its
// control bit set to the complement of b's (the roots lie on alpha's path: t_0 XOR t_1 = 1).
SECINFER_HD constexpr void sigma_dcf_roots(Block a, Block b, Block& root0, Block& root1) {
  root1 = b;
  root0 = Block{(a.lo & ~u64{1}) | ((b.lo & 1) ^ 1), a.hi};
}

// Block with only bit pos (0..127) set.
SECINFER_HD constexpr Block sigma_unit_block(u64 pos) {
  return pos < 64 ? Block{u64{1} << pos, 0} : Block{0, u64{1} << (pos - 64)};
}

// Gen for one key of n >= 8 bits from its roots: levels 0..d-2 (d = n - 7) write cw_seed (bit 0 =
// tL correction) and bit i of cw_tr (tR); level d - 1 writes the two leaf corrections. Four AES per
// level (G_0, G_1 of both parties' nodes).
template <class Prg>
SECINFER_HD void sigma_dcf_gen_one(const Prg& prg, int n, Block s0, Block s1, u64 alpha,
                                   Block* cw_seed, std::size_t stride, u64& cw_tr, Block& leaf0,
                                   Block& leaf1) {
  const int d = n - kSigmaDcfLeafBitsCore;
  u64 tr_bits = 0;
  for (int i = 0; i < d; ++i) {
    const int a = sigma_path_bit(alpha, n, i);  // Keep = a, Lose = 1 - a
    const Block c0 = s0.clear_lsb(), c1 = s1.clear_lsb();
    const Block l0 = prg.g(0, c0), l1 = prg.g(0, c1);
    const Block r0 = prg.g(1, c0), r1 = prg.g(1, c1);
    const Block x0 = l0 ^ l1, x1 = r0 ^ r1;
    if (i == d - 1) {
      // Leaves: the children's XOR plus the unit vector at alpha's low 7 bits on alpha's side.
      const Block e = sigma_unit_block(alpha & ((u64{1} << kSigmaDcfLeafBitsCore) - 1));
      leaf0 = x0 ^ block_if(e, static_cast<u64>(1 - a));
      leaf1 = x1 ^ block_if(e, static_cast<u64>(a));
      break;
    }
    const u64 tl = (x0.lo & 1) ^ static_cast<u64>(a) ^ 1;
    const u64 tr = (x1.lo & 1) ^ static_cast<u64>(a);
    const Block seed = (a ? x0 : x1).clear_lsb();
    cw_seed[i * stride] = seed ^ Block { tl, 0 };
    tr_bits |= tr << i;
    const Block keep_cw = seed ^ Block { a ? tr : tl, 0 };
    const Block k0 = a ? r0 : l0, k1 = a ? r1 : l1;
    s0 = k0 ^ block_if(keep_cw, s0.lo & 1);
    s1 = k1 ^ block_if(keep_cw, s1.lo & 1);
  }
  cw_tr = tr_bits;
}

// Parity of the leaf bits the output reads: above pos when the last tree step went right (c = 1),
// at and below pos when it went left.
SECINFER_HD int sigma_leaf_parity(Block leaf, u64 pos, int c) {
  u64 low_lo, low_hi;  // bits 0..pos
  if (pos < 63) {
    low_lo = (u64{2} << pos) - 1;
    low_hi = 0;
  } else {
    low_lo = ~u64{0};
    low_hi = pos == 63 ? 0 : pos == 127 ? ~u64{0} : (u64{2} << (pos - 64)) - 1;
  }
  const u64 m_lo = c ? ~low_lo : low_lo, m_hi = c ? ~low_hi : low_hi;
  return (popc64(leaf.lo & m_lo) + popc64(leaf.hi & m_hi)) & 1;
}

// Where one evaluation stands on its path: the node s, the prefix parity p and the direction of
// the last step prev (0 before the root).
struct SigmaDcfWalk {
  Block s;
  int p = 0, prev = 0;
};

// One level down x's path (level i of d = n - 7): one AES. leaf0 / leaf1 point at this key's leaf
// corrections (only the last level reads one).
template <class Prg>
SECINFER_HD void sigma_dcf_step(const Prg& prg, int n, int i, SigmaDcfWalk& w, const Block* cw_seed,
                                std::size_t stride, u64 cw_tr, const Block* leaf0,
                                const Block* leaf1, u64 x) {
  const int d = n - kSigmaDcfLeafBitsCore;
  const int c = sigma_path_bit(x, n, i);
  const u64 t = w.s.lo & 1;
  // Prefix parity: the control bit counts where the path turns (direction 0 before the root).
  w.p ^= (c ^ w.prev) & static_cast<int>(t);
  const Block g = prg.g(c, w.s.clear_lsb());
  Block corr;
  if (i == d - 1) {
    corr = c ? *leaf1 : *leaf0;
  } else {
    const Block cw = cw_seed[i * stride];
    corr = c ? Block{(cw.lo & ~u64{1}) | ((cw_tr >> i) & 1), cw.hi} : cw;
  }
  w.s = g ^ block_if(corr, t);
  w.prev = c;
}

// This party's share of [x < alpha] at the end of x's walk. Party 1 complements: the shares of
// the walk XOR to [x >= alpha].
SECINFER_HD int sigma_dcf_walk_bit(const SigmaDcfWalk& w, int party, u64 x) {
  const u64 pos = x & ((u64{1} << kSigmaDcfLeafBitsCore) - 1);
  return w.p ^ sigma_leaf_parity(w.s, pos, w.prev) ^ party;
}

// Eval(b, x) for one key of n >= 8 bits: this party's share (0 or 1) of [x < alpha]. One AES per
// level (n - 7).
template <class Prg>
SECINFER_HD int sigma_dcf_eval_one(const Prg& prg, int n, int party, Block root,
                                   const Block* cw_seed, std::size_t stride, u64 cw_tr,
                                   const Block* leaf0, const Block* leaf1, u64 x) {
  SigmaDcfWalk w{root};
  for (int i = 0; i < n - kSigmaDcfLeafBitsCore; ++i)
    sigma_dcf_step(prg, n, i, w, cw_seed, stride, cw_tr, leaf0, leaf1, x);
  return sigma_dcf_walk_bit(w, party, x);
}

// The most points one shared walk takes (vec::Space::kMaxPoints).
inline constexpr int kSigmaDcfMaxSharedPoints = 4;

// Eval at P <= kSigmaDcfMaxSharedPoints points x[0..P) of ONE key in one walk: a point whose path
// agrees with an earlier point's through level i takes that point's node instead of computing it
// (the node after level i depends only on the top i + 1 bits). The same bits as P calls of
// sigma_dcf_eval_one with fewer AES: points a small offset apart (the fused gate's x, x -+ c)
// share most of their levels.
template <class Prg>
SECINFER_HD void sigma_dcf_eval_shared(const Prg& prg, int n, int party, Block root,
                                       const Block* cw_seed, std::size_t stride, u64 cw_tr,
                                       const Block* leaf0, const Block* leaf1, const u64* x, int P,
                                       int* out) {
  SigmaDcfWalk w[kSigmaDcfMaxSharedPoints];
  for (int j = 0; j < P; ++j) w[j] = SigmaDcfWalk{root};
  for (int i = 0; i < n - kSigmaDcfLeafBitsCore; ++i) {
    const int shift = n - 1 - i;
    for (int j = 0; j < P; ++j) {
      int from = -1;
      for (int e = 0; e < j && from < 0; ++e)
        if ((x[e] >> shift) == (x[j] >> shift)) from = e;
      if (from >= 0)
        w[j] = w[from];
      else
        sigma_dcf_step(prg, n, i, w[j], cw_seed, stride, cw_tr, leaf0, leaf1, x[j]);
    }
  }
  for (int j = 0; j < P; ++j) out[j] = sigma_dcf_walk_bit(w[j], party, x[j]);
}

// Truth table (n <= 7) from the key's random block r: party 0's words r (masked to 2^n bits),
// party 1's r XOR T with T bit j = [j < alpha]. words = 2 for n = 7, else 1.
SECINFER_HD void sigma_dcf_table_gen(int n, Block r, u64 alpha, u64* t0, u64* t1) {
  const u64 low_mask = n >= 6 ? ~u64{0} : ((u64{1} << (1 << n)) - 1);
  const u64 t_lo = alpha >= 64 ? ~u64{0} : (u64{1} << alpha) - 1;
  const u64 t_hi = alpha <= 64 ? 0 : (u64{1} << (alpha - 64)) - 1;
  t0[0] = r.lo & low_mask;
  t1[0] = (r.lo ^ t_lo) & low_mask;
  if (n >= 7) {
    t0[1] = r.hi;
    t1[1] = r.hi ^ t_hi;
  }
}

SECINFER_HD int sigma_dcf_table_eval(const u64* table, u64 x) {
  return static_cast<int>((table[x / 64] >> (x % 64)) & 1);
}

// AES calls per point and per generated key (with the SeededPrg blocks).
SECINFER_HD constexpr long long sigma_dcf_eval_aes_core(int n) {
  return n <= kSigmaDcfLeafBitsCore ? 0 : n - kSigmaDcfLeafBitsCore;
}
SECINFER_HD constexpr long long sigma_dcf_gen_aes_core(int n) {
  return n <= kSigmaDcfLeafBitsCore ? 1 : 4LL * (n - kSigmaDcfLeafBitsCore) + 2;
}

}  // namespace secinfer::fss::cuda
