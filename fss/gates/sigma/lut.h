// SIGMA's lookup table via a DPF (Gupta et al., PoPETs 2024, the DPF-based lookup-table protocol;
// EzPC GPU-MPC fss/gpu_lut.cu): y = T[x] for a public table T of 2^k entries, k = 8 .. 16 in
// SIGMA's gates (up to 20 accepted).
//
// Protocol (docs/design/sigma-lut.md; GateOptions::Lut picks one, both parties and the dealer
// agree): the index x is a k-bit value masked MOD 2^k, xhat = x + r mod 2^k.
// * kSigma (default, SIGMA's own): the dealer gives an early-terminated 1-bit DPF at r
//   (fss/dpf_et.h), a bit z and shares of z, r_V, w = 1 - 2z and w r_V. Party b forms the signed
//   leaf sums U_b = (-1)^b sum_j y_b(j), V_b = (-1)^b sum_j y_b(j) T[xhat - j]; U_0 + U_1 =
//   2 sigma - 1 and V_0 + V_1 = (2 sigma - 1) T[x] for a key-dependent bit sigma. One exchange
//   opens u = sigma XOR z (1 bit) and V + r_V (m bits); then T[x] = (2u - 1)(w (V + r_V) - w r_V)
//   locally. SIGMA opens U and V in two exchanges (same bytes, one more round).
// * kNbit ("improved sigma"): a DPF at alpha = r with output the ring and beta = 1; party b
//   outputs sum_j T[(xhat - j) mod 2^k] y_b(j), a share of T[x] directly: no exchange inside,
//   but 2 (2^k - 1) AES per element instead of about 2^(k-6).
// Either way lut_core_eval returns a share of T[x] (+ r_out) and the caller opens it.

// Mask conversion (how an n-bit wire becomes a k-bit index): a value known to lie in [0, 2^k) is
// already masked mod 2^k by xhat mod 2^k (r mod 2^k is its mask): no work. Otherwise the index is
// first produced by a gate whose OUTPUT ring is k bits, as SIGMA does: a truncation
// (TrWithSlack n -> k bits by s, whose opened output is x >> s masked mod 2^k: softmax's inverse,
// nExp's high byte) or a clip (GELU / SiLU / nExp clip |x| or x into k bits and open it mod 2^k).
// The generic face below does the truncation when GateArgs::param = s > 0.
//
// Online cost of lut_eval: (s > 0: TrWithSlack, 2 rounds, 1 + k bits per party per element) +
// (kSigma: 1 round of 1 + m bits) + 1 round, m bits per party per element. Key: (TrWithSlack key) +
// record header + per element: kSigma the DPF-ET key (16 + 17 (k - 8) + 32 bytes for k >= 8) and
// 1 + 3 m bits; kNbit the DPF(k, m) key; both + m bits (share of r_out).
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Party;

// ---- Core: index already masked mod 2^k ----

// Writes the DPF keys (alpha = r_idx[i] mod 2^k, beta = 1, output Z_{2^out_bits}) and, unless
// r_out is empty, shares of r_out (out_bits each). No record header (callers write their own).
void lut_core_keygen(Dealer& d, int k, int out_bits, std::span<const u64> r_idx,
                     std::span<const u64> r_out);
// share[i] = this party's share of T[idx] (+ r_out when with_out_mask) in Z_{2^out_bits}; nothing
// is opened. idx_hat[i] is reduced mod 2^k here. table.size() must be 2^k.
void lut_core_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                   std::span<const u64> idx_hat, std::span<u64> share, bool with_out_mask);
// The same over the vector vocabulary: idx_hat and the returned shares in p.space().
vec::Vec lut_core_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                       const vec::Vec& idx_hat, bool with_out_mask);

// ---- SIGMA's protocol itself (kSigma above), whatever the run's GateOptions ----
// For gates whose index is not a plain Z_2^k value: index_xor_mask names the top index bits that
// combine by XOR (fss/dpf_et.h dpf_et_lut_eval; the fused truncation + activation gates). Keys:
// the DPF-ET at alpha and shares of z, r_V, w, w r_V (no header, no output mask); share[i] = this
// party's share of T[idx] in Z_{2^out_bits} after one exchange of 1 + out_bits bits. leaf_log2:
// the DPF-ET's leaves of 2^leaf_log2 128-bit blocks (0, SIGMA's, unless the gate asks for wider:
// the fused suite's, fss/dpf_et.h); the keygen's and the evaluation's must agree.
void lut_sigma_keygen(Dealer& d, int k, int out_bits, std::span<const u64> alpha,
                      int leaf_log2 = 0);
void lut_sigma_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                    std::span<const u64> idx, std::span<u64> share, u64 index_xor_mask = 0,
                    int leaf_log2 = 0);
// The protocol's first half, for gates that combine several lookups before anything else (the
// fused nExp's product of two tables, fusefss/lut_product.h). Keys: the DPF-ET at alpha and shares
// of z (1 bit) and r_V (out_bits), drawn here into z and r_v (the dealer's values, which the
// caller needs for its own correlations). Party: the masked values it contributes to the opening,
// u (1 bit) and V + r_V (out_bits); opened, T[idx] = (2u - 1)(w (V + r_V) - w r_V) with w = 1 - 2z.
void lut_sigma_masked_keygen(Dealer& d, int k, int out_bits, std::span<const u64> alpha,
                             std::span<u64> z, std::span<u64> r_v, int leaf_log2 = 0);
void lut_sigma_masked(Party& p, int k, int out_bits, std::span<const u64> table,
                      std::span<const u64> idx, u64 index_xor_mask, std::span<u64> u,
                      std::span<u64> v, int leaf_log2 = 0);
// The same two over the vector vocabulary (fss/vec/vec.h): idx, u, v and the returned shares are
// vectors of p.space(). v_offset is a public constant added to this party's v (a caller passes
// it on one party only), in the same kernel.
void lut_sigma_masked(Party& p, int k, int out_bits, std::span<const u64> table,
                      const vec::Vec& idx, u64 index_xor_mask, vec::Vec& u, vec::Vec& v,
                      int leaf_log2 = 0, u64 v_offset = 0);
vec::Vec lut_sigma_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                        const vec::Vec& idx, u64 index_xor_mask = 0, int leaf_log2 = 0);

// ---- The LUT gate, UnaryGate faces (gate.h) ----
// GateArgs: table (2^table_bits entries, ring elements), table_bits = k, param = s >= 0
// (pre-shift). y = T[floor(x / 2^s) mod 2^k], x signed in Z_{2^n}; y in Z_{2^n}. Needs k <= n - s.
void lut_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x, std::span<u64> y);
void lut_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,
                std::span<u64> r_out);
void lut_eval(Party& party, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat);

// The same with an explicit index width and output width (used by the composite gates):
// idx masked mod 2^k in, yhat in Z_{2^out_bits} out (r_out drawn here, out_bits wide).
void lut_idx_keygen(Dealer& d, int k, int out_bits, std::span<const u64> r_idx,
                    std::span<u64> r_out);
void lut_idx_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                  std::span<const u64> idx_hat, std::span<u64> yhat);
vec::Vec lut_idx_eval(Party& p, int k, int out_bits, std::span<const u64> table,
                      const vec::Vec& idx_hat);  // opened output in p.space()

}  // namespace secinfer::fss::sigma
