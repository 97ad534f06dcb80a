// Building blocks shared by SIGMA's nonlinear gates (gelu, silu, nexp, rsqrt) that compare.h does
// not offer in the form they need: the sign bits of x - c for several public c from ONE DCF key,
// and SIGMA's select left as shares (not opened) so that it can be summed with a LUT output before
// the one final opening (EzPC GPU-MPC gpu_gelu.cu opens ReLU(x) - LUT once).
//
// Conventions: a b-bit value x is masked mod 2^b, xhat = x + r. XOR-shared bits are held as 0/1 in
// u64. The party that adds public terms to a sum of shares is party 0.
#pragma once

#include <span>

#include "fss/dcf.h"
#include "fss/engine/dealer.h"
#include "fss/engine/party.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::sigma::nl {

using engine::Dealer;
using engine::Party;

inline u64 msb_of(u64 v, int bits) {
  return (v >> (bits - 1)) & 1;
}

// Sign bits from one DCF key (Boyle et al., Eurocrypt 2021, DCF-based comparison; SIGMA's
// gpu_dpf_templates.h evaluates one key at several points). For a b-bit x masked with r:
//   MSB(x - c) = MSB(u) ^ MSB(r) ^ [u mod 2^(b-1) < r mod 2^(b-1)],  u = xhat - c mod 2^b
// (the last term is the borrow below the MSB). The dealer keys SIGMA's own DCF (fss/sigma_dcf.h:
// a 1-bit-output DPF tree with early termination, docs/design/sigma-dcf.md) on b-1 bits at
// alpha = r mod 2^(b-1); MSB(r) goes into a shared correction bit of the caller. Key: 129 (b-1)
// - 648 bits (b-1 >= 8), as SIGMA's; online 1 bit per sign.

// Writes the DCF keys (shape {b-1, 1, 1}, beta = 1). Needs b >= 2.
void sign_dcf_keygen(Dealer& d, int b, std::span<const u64> r);
// Reads the keys written by sign_dcf_keygen.
SigmaDcfKeys sign_dcf_read(Party& p, int b, std::size_t count);
// out[i] = this party's XOR share of MSB(x_i - c) ^ MSB(r_i) (party 0 adds MSB(u)). `opt`: the
// DCF evaluation's threads (Party::batch_options()); outputs do not depend on it.
void sign_dcf_eval(const SigmaDcfKeys& keys, int party, int b, std::span<const u64> xhat, u64 c,
                   std::span<u64> out, const BatchOptions& opt = {});
// The same over the vector vocabulary at up to vec::Space::kMaxPoints constants from one key
// (one planar DCF evaluation): out[j] gets the shares at cs[j]; xhat and out[j] in p.space().
void sign_dcf_eval(Party& p, const SigmaDcfKeys& keys, int b, const vec::Vec& xhat,
                   std::span<const u64> cs, std::span<vec::Vec* const> out);
// Cleartext: MSB((x - c) mod 2^b).
inline u64 sign_clear(u64 x, u64 c, int b) {
  return msb_of((x - c) & ring_mask(b), b);
}

// ---- SIGMA's select, as shares (EzPC GPU-MPC gpu_select.cu) ----
// y = d ? (x - p) : 0, plus q, in Z_{2^bits}; d a masked bit (dhat = d ^ r_d), x masked with r_x
// (mod 2^bits). Key: 5 shares of `bits` bits per element ([r_d], [r_x], [r_d r_x + r_out], [2 r_d],
// [-2 r_d r_x]), exactly SIGMA's layout. The shares sum to y + r_out; nothing is opened.
void select_share_keygen(Dealer& d, int bits, std::span<const u64> r_d, std::span<const u64> r_x,
                         std::span<const u64> r_out);
void select_share_eval(Party& p, int bits, std::span<const u64> dhat, std::span<const u64> xhat,
                       u64 p_sub, u64 q_add, std::span<u64> share);
// The same over the vector vocabulary (dhat: bit 0 read): the returned shares in p.space().
vec::Vec select_share_eval(Party& p, int bits, const vec::Vec& dhat, const vec::Vec& xhat,
                           u64 p_sub, u64 q_add);

}  // namespace secinfer::fss::sigma::nl
