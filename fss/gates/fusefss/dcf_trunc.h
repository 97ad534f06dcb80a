// SIGMA's truncations in fewer exchanges. SIGMA's TrFloor runs two steps (truncate-reduce, then
// the sign extension) and TrWithSlack one, and each step selects its output correction with a
// comparison bit that SIGMA opens masked before it opens the value (2 exchanges a step). Here each
// comparison is a DCF whose payload is the correction itself, an element of the output ring
// (Boyle et al. 2021, Fig. 3; fss/dcf.h), so each party holds an additive share of it and opens
// the value at once; and TrFloor takes both of its comparisons (the low bits' borrow and the
// wrap of x + 2^(in-1) + r) at points public from the start, so it is one step too. The functions
// are SIGMA's on every input, bit for bit (docs/design/dcf-truncation.md).
//
// Cost against SIGMA's (n = 50, shift f = 12, out = n): TrFloor in 1 exchange of n bits per party
// per element instead of 4 of 1 + (n - f) + 1 + n, TrWithSlack in 1 of n bits instead of 2 of
// 1 + n; keys of full-depth DCFs with a ring payload (TrFloor: f levels with an n-bit payload and
// n levels with an f-bit one; TrWithSlack: f levels, n bits) and shares, about 1.8x (TrFloor) and
// 2.3x (TrWithSlack) SIGMA's early-terminated DCFs and their corrections.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"
#include "fss/gates/sigma/truncate.h"

namespace secinfer::fss::fusefss {

using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Party;

// TrFloor (sigma/truncate.h's conventions for TruncParams: in_bits / out_bits 0 = ring width).
void dcf_trunc_floor_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                            std::span<u64> r_out);
void dcf_trunc_floor_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                          std::span<u64> yhat);
// Truncate-reduce (SIGMA's, sigma/truncate.h): y = (x mod 2^in) >> shift in Z_{2^(in - shift)};
// p.out_bits is not read. One exchange.
void dcf_trunc_reduce_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                             std::span<u64> r_out);
void dcf_trunc_reduce_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                           std::span<u64> yhat);
// The same over the vector vocabulary: xhat and the returned opened output are vectors of
// party.space().
vec::Vec dcf_trunc_reduce_eval(Party& party, sigma::TruncParams p, const vec::Vec& xhat);
// TrWithSlack: exact for -2^(in-2) <= x < 2^(in-2), as SIGMA's (sigma/truncate.h).
void dcf_trunc_slack_keygen(Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                            std::span<u64> r_out);
void dcf_trunc_slack_eval(Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                          std::span<u64> yhat);
// The same over the vector vocabulary: xhat and the returned opened output in party.space().
vec::Vec dcf_trunc_slack_eval(Party& party, sigma::TruncParams p, const vec::Vec& xhat);

// sigma::trunc_widths (and, for TrWithSlack, sigma::slack_trunc_widths) that also throws where
// the input and output sizes a and b differ.
using sigma::TruncWidths;
TruncWidths trunc_widths(Ring ring, sigma::TruncParams p, std::size_t a, std::size_t b,
                         const char* what);
TruncWidths slack_trunc_widths(Ring ring, sigma::TruncParams p, std::size_t a, std::size_t b,
                               const char* what);

// The one-step TrFloor's dealer values (both comparisons at public points; dcf_trunc.cpp "TrFloor
// in one exchange", also trunc_floor2.h): for each element, with r = r_in mod 2^in, the borrow's
// point alpha_low = r mod 2^s, the wrap's alpha_wrap = r and q = r_out - (r >> s) mod 2^out; the
// spans r_in.size() long.
void one_step_floor_points(Dealer& d, const TruncWidths& w, std::span<const u64> r_in,
                           std::span<const u64> r_out, std::span<u64> alpha_low,
                           std::span<u64> alpha_wrap, std::span<u64> q);

// The keygen and eval faces of the suite's truncation gate (engine::GateSuite::trunc_floor):
// GateArgs::param = the shift, in and out the ring width; its clear face is SIGMA's
// (sigma::trunc_floor_gate().clear: the same function).
void trunc_floor_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                        std::span<u64> r_out);
void trunc_floor_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                      std::span<u64> yhat);
// The same for engine::GateSuite::trunc_slack (clear face: sigma::trunc_slack_gate().clear).
void trunc_slack_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                        std::span<u64> r_out);
void trunc_slack_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                      std::span<u64> yhat);

}  // namespace secinfer::fss::fusefss
