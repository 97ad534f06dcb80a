// SIGMA's SiLU faces (silu.h): the shared ReLU-minus-clipped-LUT algorithm with a 10-bit clip.
#include "fss/gates/sigma/silu.h"

namespace secinfer::fss::sigma {

void silu_clear(const ClearCtx& ctx, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  const auto t = silu_table(ctx.frac_bits);
  relu_sub_lut_clear(ctx, ReluSubLutParams{10, t}, x, y);
}

void silu_keygen(Dealer& dealer, const GateArgs&, std::span<const u64> r_in, std::span<u64> r_out) {
  const auto t = silu_table(dealer.frac_bits());
  relu_sub_lut_keygen(dealer, ReluSubLutParams{10, t}, r_in, r_out);
}

void silu_eval(Party& party, const GateArgs&, std::span<const u64> xhat, std::span<u64> yhat) {
  const auto t = silu_table(party.frac_bits());
  relu_sub_lut_eval(party, ReluSubLutParams{10, t}, xhat, yhat);
}

}  // namespace secinfer::fss::sigma
