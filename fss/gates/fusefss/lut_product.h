// The product of two of SIGMA's lookups, T1[i1] T2[i2], masked, in two exchanges: one opens both
// lookups' sign bits and masked sums together, the products of the dealer's lookup correlations
// make the product a local computation on the opened values, the second opens it
// (docs/design/fused-nexp.md "The product of two lookups").
//
// SIGMA's LUT (fss/gates/sigma/lut.h) ends in T = (2u - 1)(w v - w r_V), u and v = V + r_V public
// after its exchange, w = 1 - 2z and w r_V shared. For two lookups
//   T1 T2 = s (a v1 v2 - b v1 - c v2 + d),  s = (2u1 - 1)(2u2 - 1),
//   a = w1 w2, b = w1 w2 r_V2, c = w1 w2 r_V1, d = w1 w2 r_V1 r_V2,
// linear in shares of a, b, c, d, so the dealer gives those (and r_z) instead of each lookup's
// w and w r_V, and z^ = T1 T2 + r_z is opened without a Beaver multiplication.
//
// Key, per element: the two lookups' DPF-ET keys and shares of z1, r_V1, z2, r_V2 (in that order,
// lut_sigma_masked_keygen's), then shares of a, b, c, d and r_z (n bits each, interleaved).
// Online: 2 exchanges, 2 (1 + n) + n bits per party per element.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

// One lookup of the pair: its index width k and the top index bits that combine by XOR
// (fss/dpf_et.h; 0 = none). Its table (2^k ring elements) is lut_product_eval's argument.
struct LookupSpec {
  int k = 0;
  u64 index_xor_mask = 0;
};

// alpha1 / alpha2: the DPF points (the index masks, k1 / k2 bits); r_z: the product's output mask
// (n bits, the caller's).
void lut_product_keygen(engine::Dealer& d, LookupSpec l1, LookupSpec l2,
                        std::span<const u64> alpha1, std::span<const u64> alpha2,
                        std::span<const u64> r_z);
// zhat[i] = T1[idx1[i]] T2[idx2[i]] + r_z[i] mod 2^n, opened (both parties hold it).
void lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                      std::span<const u64> idx1, LookupSpec l2, std::span<const u64> t2,
                      std::span<const u64> idx2, std::span<u64> zhat);
// The same over the vector vocabulary: indices and the returned opened product in p.space().
vec::Vec lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                          const vec::Vec& idx1, LookupSpec l2, std::span<const u64> t2,
                          const vec::Vec& idx2);

}  // namespace secinfer::fss::fusefss
