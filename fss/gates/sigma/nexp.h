// SIGMA's nExp: exp(-x) for x >= 0 (Gupta et al., PoPETs 2024, the Softmax protocol, its nExp step;
// EzPC GPU-MPC fss/gpu_nexp.cu). Faces nexp_* in nonlinear.h (read no GateArgs field).
//
// Algorithm, x in Z_{2^n} at scale f (f >= 9), every step exact:
//  1. Clip to 16 bits: c = x < P ? x : P, P = 2^16 - 1 (x < 16 at f = 12), SIGMA's
//     gpuRelu<.., P, P, flip>: lt = MSB(x - P) over be = n - f + 2 bits (SIGMA's reducedBw =
//     bin + 2 with bin = n - f; one DCF on be - 1 bits, 1 round), then select(lt, x - P) + P in
//     Z_{2^16} (1 round, opened mod 2^16).
//  2. lo = T_lo[c mod 2^8] with T_lo(i) = exp(-i / 2^f) (LUT on the low byte of the 16-bit masked
//     value: no conversion, 1 round).
//  3. hi = c >> 8 in Z_{2^8}: TrWithSlack 16 -> 8 bits (exact, 2 rounds), then
//     T_hi(hi) = exp(-hi 2^8 / 2^f) (LUT, 1 round).
//  4. y = floor(T_hi T_lo / 2^f): Beaver product (1 round) then TrWithSlack by f (2 rounds; exact
//     as the product is < 2^(2f+1) <= 2^(n-2)).
// Tables at scale f (entries <= 2^f). For x >= P the output is T_hi(255) T_lo(255) / 2^f (= 0 at
// f = 12). Inputs the model gives are max - x_i in [0, 2^(n-f)); any other x still yields the
// deterministic function above.
//
// Online: 11 rounds; per party per element 1 + 16 + (1 + n) + n + (1 + 8) + (1 + n) + n + n +
// (1 + n) bits (each LUT opens its sign and value first, lut.h; 9 rounds with
// GateOptions::Lut::kNbit).
#pragma once

#include <vector>

#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {

inline constexpr u64 kNexpClip = (u64{1} << 16) - 1;

// be = n - f + 2, the width SIGMA compares x - P in (softmax's reducedBw), after checking the
// ring and scale limits above (std::invalid_argument naming `what` otherwise).
int nexp_compare_bits(int n, int f, const char* what);

// The two 8-bit tables at scale f (nl_tables.h nexp_table).
std::vector<u64> nexp_lo_table(int frac_bits);
std::vector<u64> nexp_hi_table(int frac_bits);

}  // namespace secinfer::fss::sigma
