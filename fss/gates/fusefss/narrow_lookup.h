// SIGMA's 1-bit-leaf lookup with its value opened in w < n bits, for tables whose entries are
// small: |T[j]| < 2^(w-2) read as signed n-bit values (docs/design/fused-trunc-act.md "The lookup
// opened in w bits"). The fused truncation + activation gates' ReLU-minus-activation tables fit
// in 12 (GELU) and 13 (SiLU) bits at f = 12, so the lookup's opening shrinks from 1 + n to
// 1 + w bits an element, with the same key size.
//
// Protocol: SIGMA's lookup (docs/design/sigma-lut.md section 2) with its sums mod 2^w. Party 0
// adds B = 2^(w-2) to its V, so A = (2 sigma - 1) T[x] + B lies in [0, 2^(w-1)); one exchange
// opens u = sigma XOR z and A^ = A + r_V mod 2^w. A in Z_{2^n} is A^ - r_V + 2^w [A^ < r_V], and
// because A has a bit of slack below 2^w, [A^ < r_V] = msb_w(r_V) (1 - msb_w(A^)) (SIGMA's
// truncation-with-slack argument), linear in the dealer's msb_w(r_V). Then
//   T[x] = (2u - 1) w_z (A - B),   w_z = 1 - 2z,
// from shares of w_z, w_z r_V (n bits) and w_z msb_w(r_V) (n - w bits, entering times 2^w).
// The dealer shares r_V in w bits instead of n, which pays for the new n - w bits.
#pragma once

#include <span>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

// The narrowest w with |T[j]| < 2^(w-2) for every entry (signed n-bit), at least 2. A lookup
// whose w is not below n gains nothing: callers use SIGMA's lookup then.
int narrow_lookup_width(std::span<const u64> table, int n);

// B = 2^(w-2), the offset party 0 adds so that A = (2 sigma - 1) T + B has a bit of slack.
constexpr u64 narrow_slack(int w) {
  return u64{1} << (w - 2);
}

// The first half both narrow lookups share (this one and lut_product.h's pair), SIGMA's
// lut_sigma_masked with its sums mod 2^w. Keys: std::invalid_argument unless 2 <= w < n, then
// the DPF-ET at alpha and shares of z (1 bit) and r_V (w bits), drawn into z and r_v. Party: the
// table is checked (narrow_lookup_width(table, n) <= w) and read mod 2^w; u = sigma XOR z (1 bit)
// and a = this party's share of A + r_V mod 2^w (party 0's includes B), to be opened. `what`
// names the caller in errors.
void narrow_lookup_masked_keygen(engine::Dealer& d, int k, int n, int w, std::span<const u64> alpha,
                                 std::span<u64> z, std::span<u64> r_v, int leaf_log2,
                                 const char* what);
void narrow_lookup_masked(engine::Party& p, int k, int n, int w, std::span<const u64> table,
                          const vec::Vec& idx, u64 index_xor_mask, vec::Vec& u, vec::Vec& a,
                          int leaf_log2, const char* what);

// Keys: SIGMA's DPF-ET at alpha (k-bit index, leaves of 2^leaf_log2 blocks), shares of z
// (1 bit) and r_V (w bits), then of (w_z, w_z r_V) side by side in n bits and of w_z msb_w(r_V)
// in n - w bits. Throws std::invalid_argument unless 2 <= w < n.
void narrow_lookup_keygen(engine::Dealer& d, int k, int n, int w, std::span<const u64> alpha,
                          int leaf_log2);

// This party's share of T[idx] in Z_{2^n} after one exchange of 1 + w bits; table entries must
// satisfy narrow_lookup_width(table, n) <= w (checked). index_xor_mask and the kLutSkipZeros flag
// as for sigma::lut_sigma_eval.
vec::Vec narrow_lookup_eval(engine::Party& p, int k, int n, int w, std::span<const u64> table,
                            const vec::Vec& idx, u64 index_xor_mask, int leaf_log2);

}  // namespace secinfer::fss::fusefss
