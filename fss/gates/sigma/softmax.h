// SIGMA's softmax over the last dimension, written once over Ops (Gupta et al., PoPETs 2024,
// the Softmax protocol; EzPC GPU-MPC fss/gpu_softmax.cu). sigma::softmax is declared in
// nonlinear.h; this header exposes the local (communication-free) layout helpers it uses, which
// are linear maps on tensor data and so valid for values, masks and masked values alike.
//
// Per row x (length cols), scale f:
//   "max"       m = max_j x_j                     Ops::max_last (tree of ReLU(a - b) + b)
//   (local)     d_j = m - x_j >= 0
//   "nexp"      e_j = nExp(d_j)                   nexp.h (16-bit clip, two 8-bit tables)
//   "sum"       s = sum_j e_j                     local
//   "inv"       v = Inverse(s)                    inverse.h (table of ceil(log2 cols) + 6 bits)
//   "normalise" y_j = TrWithSlack(e_j v, f)        Ops::mul_rowwise, Ops::truncate(kWithSlack)
// Causal (GPT-2, row i of a block of cols rows sees columns j <= i mod cols; engine::SoftmaxMask
// with first_row > 0: a chunk of a sequence's rows, blocks of cols - first_row rows, row i seeing
// j <= first_row + i mod block): only the lower triangle is computed, as SIGMA does
// (isLowerTriangular): the entries are gathered into a compact ragged layout, the max tree runs on
// the ragged rows (one ReLU per level for all rows, ceil(log2 cols) levels), and masked-out outputs
// are the public constant 0 (no key, no bytes). The ragged normalisation uses Ops::mul with the row
// value broadcast (same online bytes as mul_rowwise; key 3 instead of 2 ring elements per entry).
#pragma once

#include <cstddef>
#include <vector>

#include "fss/engine/ops.h"

namespace secinfer::fss::sigma {

// Row lengths of the causal layout: rows x cols in blocks of cols - first_row rows, row r keeping
// columns 0 .. first_row + r mod (cols - first_row) (first_row 0: 0 .. r mod cols). Throws
// std::invalid_argument unless first_row < cols.
std::vector<std::size_t> causal_row_lengths(std::size_t rows, std::size_t cols,
                                            std::size_t first_row = 0);
// The ragged layout's moves are local selections at public positions (engine::Ops::gather), so a
// party's values stay where its gates run (a GPU's memory).
// Lower-triangle entries of a (rows x cols) in row order; shape {sum of lengths}.
engine::Tensor gather_ragged(engine::Ops& ops, const engine::Tensor& a, std::size_t cols,
                             const std::vector<std::size_t>& lens);
// Inverse of gather_ragged: rows x cols with 0 outside the kept entries (0 is the public zero in
// every representation: value 0, mask 0, masked value 0).
engine::Tensor scatter_ragged(engine::Ops& ops, const engine::Tensor& c, std::size_t cols,
                              const std::vector<std::size_t>& lens);
// Per-row sums of a ragged tensor of rows up to cols long (linear, local), in the ring: its rows
// scattered into rows of cols, then Ops::sum_last.
engine::Tensor ragged_sum(engine::Ops& ops, const engine::Tensor& c, std::size_t cols,
                          const std::vector<std::size_t>& lens);
// out[entry] = b[row of entry] (linear, local).
engine::Tensor ragged_broadcast(engine::Ops& ops, const engine::Tensor& b,
                                const std::vector<std::size_t>& lens);
// Row max of a ragged tensor over Ops: a tree of ReLU(a - b) + b on neighbouring pairs, all rows
// of a level in one Ops::relu call (an odd element passes through), as SIGMA's max; `bits` as
// Ops::relu's (0: the ring).
engine::Tensor ragged_max(engine::Ops& ops, const engine::Tensor& c,
                          const std::vector<std::size_t>& lens, int bits);

}  // namespace secinfer::fss::sigma
