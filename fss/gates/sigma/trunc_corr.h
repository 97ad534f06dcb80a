// SIGMA's "TrCorr" step (Gupta et al., PoPETs 2024, section 4; docs/design/dcf-truncation.md
// "Where SIGMA spends its exchanges"): SIGMA's DCF [x < alpha] (fss/sigma_dcf.h) gives XOR shares
// of a comparison bit, which is opened under a one-bit mask z, and the opened bit picks one of
// two correction shares. sigma/truncate.cpp's steps run it one comparison a round (corr_select);
// a truncation whose comparisons are all at public points can open their bits together
// (corr_masked_bit for each, one Party::open_many, then corr_pick; fusefss/trunc_floor2.h).
#pragma once

#include <cstddef>
#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"
#include "fss/sigma_dcf.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::sigma {

// The dealer's side: SIGMA's DCF keys at alpha (cmp_bits), z (1 bit, shared), and the two
// corrections of each element in out_bits, q_nocarry for [x < alpha] = 0 and q_nocarry +
// carry_delta for 1 (in every TrCorr step the two differ by a public constant: -1 for a borrow,
// 2^m for a wrap). Layout per element: DCF key, z, corr (2 * out_bits); sizes never depend on a
// mask.
void corr_keygen(engine::Dealer& d, int cmp_bits, std::span<const u64> alpha,
                 std::span<const u64> q_nocarry, u64 carry_delta, int out_bits);

struct CorrKey {
  SigmaDcfKeys dcf;
  vec::Vec z, corr;  // where the party's vectors live
};
CorrKey corr_read(engine::Party& p, int cmp_bits, std::size_t n, int out_bits);

// This party's share of [x' < alpha] XOR z at every x' = (x + add) mod 2^cmp_bits, to be opened
// (1 bit). The comparison reduces x itself (vec::Space::DcfPoint).
vec::Vec corr_masked_bit(engine::Party& p, const CorrKey& k, const vec::Vec& x, u64 add = 0);
// This party's share of the correction that the opened bits pick.
vec::Vec corr_pick(engine::Party& p, const CorrKey& k, const vec::Vec& opened_bit);
// corr_masked_bit, its own opening (one round), corr_pick.
vec::Vec corr_select(engine::Party& p, const CorrKey& k, const vec::Vec& x, u64 add = 0);

}  // namespace secinfer::fss::sigma
