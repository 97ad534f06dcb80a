// SIGMA's inverse for softmax row sums (Gupta et al., PoPETs 2024, the Softmax protocol, its
// inverse step; EzPC GPU-MPC fss/gpu_inverse.cu with the `inv` table of gpu_lut.h). Faces inverse_*
// in nonlinear.h; reads GateArgs::cols (the number of summed terms, the sequence length).
//
// Algorithm, s in Z_{2^n} at scale f (f >= 7), L = ceil(log2 cols), k = L + 6:
//  1. idx = floor((s mod 2^(f+L)) / 2^(f-6)) in Z_{2^k}: implicit reduction to f + L bits (local),
//     then TrWithSlack f+L -> k bits by f - 6 (SIGMA: bin = scale + ceil(log2 FW), shift 6 at
//     f = 12; exact since k = (f + L) - (f - 6)). idx is s at scale 6.
//  2. y = T[idx], T(i) = 2^(6 + f) / i, T(0) = 2^(6 + f) / 2^k (a row sum of exactly cols * 2^f
//  with
//     cols = 2^L wraps to 0 and reads the right value), at scale f. 1 round.
// Exact for s in [2^f, cols 2^f] (softmax row sums: the max term is exactly 2^f, every term is at
// most 2^f); deterministic for any s.
//
// Online: 4 rounds; per party per element 1 + k + (1 + n) + n bits (3 rounds, 1 + k + n with
// GateOptions::Lut::kNbit). Key: TrWithSlack + the LUT's key (lut.h) + n bits.
#pragma once

#include <cstddef>
#include <vector>

#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {

// k = ceil(log2 cols) + 6, the table's index width.
int inverse_table_bits(std::size_t cols);
// The table at scale f (nl_tables.h inverse_table).
std::vector<u64> inverse_lut(std::size_t cols, int frac_bits);

}  // namespace secinfer::fss::sigma
