// SIGMA's TrFloor in two exchanges from SIGMA's own comparison keys (docs/design/dcf-truncation.md
// "Under MPS: a two-exchange TrFloor from SIGMA's comparison keys"). The algebra is the
// one-exchange TrFloor's (dcf_trunc.h): with x1^ = x^ + 2^(in-1) mod 2^in, floor(x / 2^s) =
// (x1^ >> s) - (r >> s) - [x1^ mod 2^s < r mod 2^s] + 2^m [x1^ < r] - 2^(m-1), m = in - s, both
// comparisons at points public from the start. Each comparison is SIGMA's early-terminated DCF
// with its correction pair (sigma/trunc_corr.h); their two masked bits are opened together
// (exchange 1), the picked corrections added, and the value opened (exchange 2). Against the
// ring-payload TrFloor: one exchange more, 48 AES an element instead of 126 to evaluate (n = 50,
// s = 12) and a smaller key; against SIGMA's TrFloor: two exchanges fewer. The same function as
// SIGMA's, bit for bit. For out <= in - s TrFloor is the truncate-reduce alone, SIGMA's.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"
#include "fss/gates/sigma/truncate.h"

namespace secinfer::fss::fusefss {

void trunc_floor2_keygen(engine::Dealer& d, sigma::TruncParams p, std::span<const u64> r_in,
                         std::span<u64> r_out);
void trunc_floor2_eval(engine::Party& party, sigma::TruncParams p, std::span<const u64> xhat,
                       std::span<u64> yhat);

// The suite's faces (engine::GateSuite::trunc_floor): GateArgs::param = the shift, in and out the
// ring width; the clear face is SIGMA's.
void trunc_floor2_keygen(engine::Dealer& d, const engine::GateArgs& args, std::span<const u64> r_in,
                         std::span<u64> r_out);
void trunc_floor2_eval(engine::Party& party, const engine::GateArgs& args,
                       std::span<const u64> xhat, std::span<u64> yhat);

}  // namespace secinfer::fss::fusefss
