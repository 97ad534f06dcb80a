// SIGMA's rsqrt for LayerNorm / RMSNorm (Gupta et al., PoPETs 2024, the LayerNorm protocol, its
// rsqrt step; EzPC GPU-MPC gpu_layernorm.cu calls the LLAMA CPU gates Rsqrt = F2BF16 + LUT_dpf(13
// bits), ext/sytorch/ext/llama/fixtobfloat16.cpp and api.cpp). Faces rsqrt_* in nonlinear.h; reads
// GateArgs::cols (the divisor `extradiv` folded into the table: the row length).
//
// Input v >= 0 in Z_{2^n}: a sum of `cols` squares at scale 2f (v < 2^(n-1)). Output 1/sqrt(v /
// cols / 2^(2f)) at scale f, i.e. 1/sqrt(variance).
//
// Algorithm (every step exact):
//  1. F2BF16 round 1: one DCF (n bits in, n bits out) at alpha = r_in, evaluated at xhat and at
//     xhat - 2^i, i = 1 .. n-1, gives shares of res_i = [v < 2^i]; k = sum (i-1)(res_i - res_{i-1})
//     = floor(log2 v) and m = sum 2^(n-i)(res_i - res_{i-1}) = 2^(n-1-k) (v < 2: k = 0,
//     m = 2^(n-1); v >= 2^(n-1): k = m = 0). k and m are opened (n bits each).
//  2. Round 2: xm = v m (Beaver product in the masked form), opened (n bits): v normalised so that
//     bit n-1 is its leading one.
//  3. Round 3: mant = (xm >> (n-8)) - 128 mod 2^7 (truncate-reduce by n-8 with a DCF on n-8 bits,
//     8-bit output), code = (mant << 6) + k in Z_{2^13}, opened (13 bits).
//  4. Round 4: y = T[code] (LUT, 8192 entries, nl_tables.h rsqrt_table(cols, f)).
// code is a 13-bit float (6-bit exponent, 7-bit mantissa, truncated): relative error < 2^-7 in v,
// about 2^-8 in the result.
//
// Online: 5 rounds; per party per element (= per row) 2n + n + 13 + (1 + n) + n bits (4 rounds
// without the LUT's sign and value under GateOptions::Lut::kNbit, lut.h).
// Key per element: DCF(n, n) + 4 n-bit shares + DCF(n-8, 8) + 8 + 13 bits + LUT (its key, lut.h,
// + n bits) + record headers.
#pragma once

#include <cstdint>

#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {

// The 13-bit code of step 3 for a cleartext v in Z_{2^n} (the exact integer algorithm).
u64 rsqrt_code(u64 v, int n);

}  // namespace secinfer::fss::sigma
