// SIGMA's ReLU (the softmax max tree's comparison and select) in one exchange instead of two.
// SIGMA opens DReLU's bit under a one-bit mask, then selects with five shares and opens the value
// (sigma/compare.h). Here the comparison is a DCF whose payload carries what the select needs,
// (s, s r) with s = 1 - 2 MSB(r'), so each party holds additive shares of the DReLU bit's masked
// part and of its product with the mask, and forms its share of ReLU(x) + r_out at once. The
// function is SIGMA's on every input, bit for bit: DReLU from the low bits - 1 bits of x, the
// select over bits bits (docs/design/dcf-truncation.md, "The softmax max's ReLU in one
// exchange").
//
// Cost per element at bits = m: one exchange of m bits; a key of a DCF on m - 2 bits with a
// two-element payload in Z_{2^m} and three m-bit shares (about 1.8x SIGMA's DCF, masked bit and
// five-share select).
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Party;

// The faces of the suite's ReLU (engine::GateSuite::relu): GateArgs::param = bits, the ring the
// ReLU runs in (0: the holder's ring; else 3 <= bits <= the ring's width), as sigma::relu_*(...,
// bits). The output is right mod 2^bits; the clear face is sigma's relu_clear.
void dcf_relu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                    std::span<u64> y);
void dcf_relu_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                     std::span<u64> r_out);
void dcf_relu_eval(Party& party, const GateArgs& args, std::span<const u64> xhat,
                   std::span<u64> yhat);

}  // namespace secinfer::fss::fusefss
