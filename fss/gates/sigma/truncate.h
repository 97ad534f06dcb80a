// SIGMA's truncations (Gupta et al., PoPETs 2024, section 4 "Truncation"; facts from EzPC GPU-MPC
// fss/gpu_truncate.cu): masked wires in, masked wires out, every element its own output mask.
//
// Conventions: x is a signed element of Z_{2^in_bits} (p.in_bits, 0 = ring width), the output y
// lives in Z_{2^out_bits} (0 = ring width). r_in / xhat are in_bits wide, r_out / yhat out_bits.
//
// * TrFloor (exact, any x): y = floor(x / 2^shift) (arithmetic shift), then sign-extended to
//   out_bits. Truncate-reduce (logical shift into Z_{2^(in-shift)}: one DCF on the low `shift`
//   bits for the carry) followed by SignExtend (one DCF on in-shift bits) when out_bits >
//   in_bits - shift. Online: 4 rounds (2 if out_bits <= in_bits - shift); per party per element
//   1 + (in - shift) + 1 + out bits (the two DCF carry bits are opened masked).
// * TrWithSlack: the same floor(x / 2^shift), EXACT whenever -2^(in-2) <= x < 2^(in-2) (the
//   "slack" is that bound, not an error: the wrap of x + 2^(in-2) + r is then read off MSB(xhat')
//   and MSB(r) without a second DCF). Outside the bound the output is wrong (by a multiple of
//   2^(in-shift)). Online: 2 rounds; 1 + out bits per party per element.
// * Local shifts (SIGMA's LocalLRS / LocalARS): no key, no communication: yhat = xhat >> shift,
//   r_out = r_in >> shift. The result is floor(x / 2^shift) + c with c in {0, 1} (the borrow of the
//   low bits, mask-dependent), correct modulo 2^(in-shift) only: out_bits must be <=
//   in_bits - shift. The cleartext reference gives the floor; tests check the bound.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::ClearCtx;
using engine::Dealer;
using engine::Party;

struct TruncParams {
  int shift = 0;     // 1 <= shift < in_bits
  int in_bits = 0;   // 0 = ring width
  int out_bits = 0;  // 0 = ring width
};

// A truncation's widths with the ring's filled in: in, shift s, mid = in - s (the truncate-reduce's
// output ring), out. Throws std::invalid_argument, naming `gate`, unless 1 <= s < in <= 64 and
// 1 <= out <= 64; slack_trunc_widths also unless s <= in - 2 (TrWithSlack's bound).
struct TruncWidths {
  int in, s, mid, out;
};
TruncWidths trunc_widths(Ring ring, TruncParams p, const char* gate);
TruncWidths slack_trunc_widths(Ring ring, TruncParams p, const char* gate);

// TrFloor.
void trunc_floor_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y);
void trunc_floor_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void trunc_floor_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);

// TrWithSlack (exact for |x| < 2^(in_bits-2), see above).
void trunc_slack_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y);
void trunc_slack_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void trunc_slack_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);
// The same over the vector vocabulary: xhat and the returned opened output in p.space().
vec::Vec trunc_slack_eval(Party& p, TruncParams tp, const vec::Vec& xhat);

// The TruncParams of a truncation gate's GateArgs: param = the shift, in and out the ring width.
TruncParams shift_params(const engine::GateArgs& args);
// TrFloor and TrWithSlack as gates (GateArgs::param = the shift, in and out the ring width): what
// engine::GateSuite::truncation gives for a suite without truncations of its own.
const engine::UnaryGate& trunc_floor_gate();
const engine::UnaryGate& trunc_slack_gate();

// Truncate-reduce: y = x >> shift (logical) in Z_{2^(in_bits - shift)} (out_bits ignored). Exact.
// Online: 2 rounds, 1 + (in - shift) bits per party per element.
void trunc_reduce_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                        std::span<u64> y);
void trunc_reduce_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void trunc_reduce_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);
// The same over the vector vocabulary (fss/vec/vec.h): xhat and the returned opened output are
// vectors of p.space().
vec::Vec trunc_reduce_eval(Party& p, TruncParams tp, const vec::Vec& xhat);

// Sign extension of a signed in_bits value to out_bits > in_bits (shift ignored). Exact.
// Online: 2 rounds, 1 + out bits per party per element.
void sign_extend_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x,
                       std::span<u64> y);
void sign_extend_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void sign_extend_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);

// Local shifts (no key, no communication). out_bits (0 = in_bits - shift) must be <=
// in_bits - shift. local_lrs: logical shift; local_ars: arithmetic (x + 2^(in-1) shifted, minus
// 2^(in-shift-1)). *_clear gives the exact shift; the secure result may exceed it by 1.
void local_lrs_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x, std::span<u64> y);
void local_lrs_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void local_lrs_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);
void local_ars_clear(const ClearCtx& ctx, TruncParams p, std::span<const u64> x, std::span<u64> y);
void local_ars_keygen(Dealer& d, TruncParams p, std::span<const u64> r_in, std::span<u64> r_out);
void local_ars_eval(Party& party, TruncParams p, std::span<const u64> xhat, std::span<u64> yhat);

}  // namespace secinfer::fss::sigma
