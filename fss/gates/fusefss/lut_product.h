// The product of two of SIGMA's lookups, T1[i1] T2[i2], masked, in two exchanges: one opens both
// lookups' sign bits and masked sums together, the products of the dealer's lookup correlations
// make the product a local computation on the opened values, the second opens it
// (docs/design/fused-nexp.md "The product of two lookups").
//
// SIGMA's LUT (fss/gates/sigma/lut.h) ends in T = (2u - 1)(w v - w r_V), u and v = V + r_V public
// after its exchange, w = 1 - 2z and w r_V shared. Each lookup here opens its sum in w_i < n bits
// (narrow_lookup.h): v_i = A_i + r_V_i mod 2^w_i with A_i = (2 sigma_i - 1) T_i + B_i,
// B_i = 2^(w_i - 2), so that T_i = (2u_i - 1) w_z_i (P_i - R_i) with the public P_i = v_i - B_i and
// R_i = r_V_i - 2^w_i msb(r_V_i) c_i, c_i = 1 - msb_w_i(v_i) public. For two lookups
//   T1 T2 = s a (P1 - R1)(P2 - R2),  s = (2u1 - 1)(2u2 - 1),  a = w_z1 w_z2,
// linear in shares of a, a r_V2, a r_V1, a r_V1 r_V2, and of the wraps' a m1, a m1 r_V2, a m2,
// a r_V1 m2, a m1 m2 (m_i = msb(r_V_i)), so the dealer gives those (and r_z) instead of each
// lookup's w and w r_V, and z^ = T1 T2 + r_z is opened without a Beaver multiplication.
//
// Key, per element: the two lookups' DPF-ET keys and shares of z1, r_V1 (w1 bits), z2, r_V2
// (w2 bits) (lut_sigma_masked_keygen's order), then shares of a, a r_V2, a r_V1, a r_V1 r_V2 and
// r_z (n bits each, interleaved), of (a m1, a m1 r_V2) in n - w1 bits, (a m2, a r_V1 m2) in
// n - w2 bits and a m1 m2 in n - w1 - w2 bits (left out when w1 + w2 >= n: it enters times
// 2^(w1 + w2)). Online: 2 exchanges, 2 + w1 + w2 + out_bits bits per party per element.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

// One lookup of the pair: its index width k and the top index bits that combine by XOR
// (fss/dpf_et.h; 0 = none). Its table (2^k ring elements) is lut_product_eval's argument.
// value_bits: the width w its sum is opened in, at least narrow_lookup_width(table, n) and below
// n.
struct LookupSpec {
  int k = 0;
  u64 index_xor_mask = 0;
  int value_bits = 0;
};

// alpha1 / alpha2: the DPF points (the index masks, k1 / k2 bits); r_z: the product's output mask
// (n bits, the caller's).
void lut_product_keygen(engine::Dealer& d, LookupSpec l1, LookupSpec l2,
                        std::span<const u64> alpha1, std::span<const u64> alpha2,
                        std::span<const u64> r_z);
// zhat = T1[idx1] T2[idx2] + r_z mod 2^out_bits, opened (both parties hold it), out_bits <= n
// (0: n; a caller whose product fits fewer bits opens only those); the indices and zhat in
// p.space().
vec::Vec lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                          const vec::Vec& idx1, LookupSpec l2, std::span<const u64> t2,
                          const vec::Vec& idx2, int out_bits = 0);

}  // namespace secinfer::fss::fusefss
