// SIGMA's GELU and SiLU (Gupta et al., PoPETs 2024, the GeLU protocol; EzPC GPU-MPC
// fss/gpu_gelu.cu, which serves both with clipBw = 8 / 10): y = ReLU(x) - T(min(|x|, clip)), T the
// table of ReLU(t) - act(t) at scale 6. The faces gelu_* / silu_* are declared in nonlinear.h;
// this header exposes the shared algorithm with its parameters.
//
// Algorithm, x in Z_{2^n} at scale f (f >= 7), every step exact (no mask-dependent error):
//  1. xt = floor(x / 2^(f-6)) in Z_{2^bt}, bt = n - 2f + 7 (SIGMA: bin = n - f input bits, bwXt =
//     bin - (f - 6) + 1): TrWithSlack n -> bt bits (truncate.h), exact for every x since
//     bt <= n - (f - 6).
//  2. From ONE DCF key on xt (bt - 1 bits, nl_prims.h): drelu = 1 ^ MSB(xt) and the interval bit
//     ic = MSB(xt - max - 1) ^ MSB(xt + max) = [-max <= xt <= max], max = 2^clip - 1 (SIGMA's
//     geluPrologue/geluEpilogue evaluate one key at three points).
//  3. Mux on (ic, drelu): clipped = ic ? (drelu ? xt : -xt) : max, in Z_{2^clip} (|xt| clipped to
//     clip bits; SIGMA's linFunc table {max, max, -x, x}).
//  4. LUT (2^clip entries, DPF on the clip-bit masked value) gives T(clipped) as shares, select
//     gives drelu * x as shares, y = select - LUT is opened once.
// For |x| within the model's range (|x| < 2^(n-f-1)) drelu is the sign of x; for any other x the
// output is still the deterministic function above (the cleartext reference computes it).
//
// Online: 6 rounds; per party per element 1 + bt + 2 + clip + (1 + n) + n bits (TrWithSlack carry
// bit and output, the two comparison bits, the clipped value, the LUT's sign and value (lut.h),
// the result); 5 rounds and no (1 + n) with GateOptions::Lut::kNbit.
// Key per element: TrWithSlack (2 records) + DCF(bt-1 bits, 1 bit) + 2 bits + 8 clip-bit shares
// (mux) + the LUT's key (lut.h) + 5 n-bit shares (select) + record headers.
#pragma once

#include <span>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

struct ReluSubLutParams {
  int clip_bits = 8;           // 8 (GELU) or 10 (SiLU)
  std::span<const u64> table;  // 2^clip_bits entries: ReLU(i/64) - act(i/64) at scale f
};

// The truncated width bt of step 1 for ring width n and f fractional bits.
int relu_sub_lut_trunc_bits(int n, int frac_bits);

void relu_sub_lut_clear(const engine::ClearCtx& ctx, const ReluSubLutParams& p,
                        std::span<const u64> x, std::span<u64> y);
void relu_sub_lut_keygen(engine::Dealer& d, const ReluSubLutParams& p, std::span<const u64> r_in,
                         std::span<u64> r_out);
void relu_sub_lut_eval(engine::Party& party, const ReluSubLutParams& p, std::span<const u64> xhat,
                       std::span<u64> yhat);

// The tables (nl_tables.h; recomputed per call: 256 / 1024 entries, no global cache).
std::vector<u64> gelu_table(int frac_bits);
std::vector<u64> silu_table(int frac_bits);

}  // namespace secinfer::fss::sigma
