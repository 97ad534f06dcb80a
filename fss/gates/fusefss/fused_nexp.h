// FuseFSS's fused nExp: SIGMA's nExp function (fss/gates/sigma/nexp.h, bit for bit on the whole
// ring) in 5 exchanges instead of 11 (docs/design/fused-nexp.md).
//
// The function, x in Z_{2^n} at scale f: lt = MSB(x - P) over be = n - f + 2 bits (x < P, P =
// 2^16 - 1), c = lt ? x mod 2^16 : P, y = floor(T_hi[c >> 8] T_lo[c mod 2^8] / 2^f) with SIGMA's
// two 8-bit tables at scale f.
//
// Protocol, per element (fused-nexp.md "Protocol"): (1) SIGMA's DCF on be - 1 bits gives lt, a
// truth-table DCF on 8 bits the borrow c8 = [xhat mod 2^8 < r mod 2^8]; both opened masked (1
// exchange, 2 bits); (2) two of SIGMA's 1-bit-leaf lookups, T_lo' over (lt, xhat mod 2^8) and
// T_hi' over (lt, c8, xhat >> 8 mod 2^8), the flag bits combined by XOR so that the clip and the
// borrow are entries of the tables, their sign bits and sums opened together and multiplied
// through the dealer's product correlations (lut_product.h: 1 exchange, then z^ = T_hi T_lo + r_z
// opened, 1 exchange); (3) SIGMA's TrWithSlack by f (2 exchanges), exact as z < 2^(2f+1).
// 5 exchanges of 2 + 2 (1 + w) + wz + 1 + n bits per party per element, w = f + 3 the lookups'
// value width (lut_product.h) and wz = 2f + 3 the product's, TrWithSlack's bound (sigma's: 11).
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

// The faces (fss/engine/gate.h); no GateArgs field is read. The ring and scale limits are
// sigma::nexp's (9 <= f <= 30, n >= f + 16, n >= 2 f + 3), refused with std::invalid_argument.
void fused_nexp_clear(const engine::ClearCtx& ctx, const engine::GateArgs& args,
                      std::span<const u64> x, std::span<u64> y);
void fused_nexp_keygen(engine::Dealer& dealer, const engine::GateArgs& args,
                       std::span<const u64> r_in, std::span<u64> r_out);
void fused_nexp_eval(engine::Party& party, const engine::GateArgs& args, std::span<const u64> xhat,
                     std::span<u64> yhat);

}  // namespace secinfer::fss::fusefss
