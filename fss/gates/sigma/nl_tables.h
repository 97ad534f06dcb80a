// The public lookup tables of SIGMA's nonlinear gates (Gupta et al., "SIGMA: Secure GPT Inference
// with Function Secret Sharing", PoPETs 2024, the GeLU / Softmax / LayerNorm protocols; contents as
// in SIGMA's public code, GPU-MPC fss/gpu_lut.h and ext/llama api.cpp).
//
// Every entry is computed in double precision and converted to an integer by truncation toward
// zero (all entries are >= 0, so this is floor), exactly as SIGMA's table generators do. The
// tables are public, deterministic, and identical for the cleartext reference, the dealer and the
// parties (the CUDA backend copies these host tables).
//
//   auto t = sigma::relu_sub_gelu_table(12);   // 256 entries, index = |x| at scale 6
#pragma once

#include <cstdint>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss::sigma {

// ReLU(x) - GELU(x) for x = i / 2^6, i in [0, 2^bits), at scale `out_frac` (GELU: bits = 8).
// GELU is the exact erf form 0.5 x (1 + erf(x / sqrt 2)) (SIGMA's GeLU protocol).
std::vector<u64> relu_sub_gelu_table(int bits, int out_frac);

// ReLU(x) - SiLU(x) for x = i / 2^6, i in [0, 2^bits), at scale `out_frac` (SiLU: bits = 10).
std::vector<u64> relu_sub_silu_table(int bits, int out_frac);

// exp(-i / 2^in_frac) at scale out_frac, i in [0, 2^bits). nExp uses two 8-bit tables on a 16-bit
// input at scale f: the low byte with in_frac = f, the high byte with in_frac = f - 8 (SIGMA
// Softmax protocol: exp(-x) = exp(-x_hi 2^8 / 2^f) * exp(-x_lo / 2^f)).
std::vector<u64> nexp_table(int bits, int in_frac, int out_frac);

// The inverse table of SIGMA's softmax: entry i = 2^(in_frac + out_frac) / i for i >= 1, entry 0
// = 2^(in_frac + out_frac) / 2^bits (index 0 stands for 2^bits: a row sum of exactly cols * 2^f
// wraps to 0 after the implicit reduction, SIGMA gpu_lut.h `inv`). Softmax: in_frac = 6.
std::vector<u64> inverse_table(int bits, int in_frac, int out_frac);

// SIGMA's rsqrt table on the 13-bit float-like code of a positive integer v (rsqrt.h):
// code = (mantissa7 << 6) | exponent6 stands for val = (mantissa7 + 128) * 2^(exponent6 - 7),
// and entry = 2^(2 f) / sqrt(val / extradiv). With v the sum of squares at scale 2f of `cols`
// values and extradiv = cols this is 1 / sqrt(variance) at scale f. 8192 entries.
std::vector<u64> rsqrt_table(u64 extradiv, int frac_bits);

}  // namespace secinfer::fss::sigma
