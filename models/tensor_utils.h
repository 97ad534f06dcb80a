// Local, public-coefficient tensor operations the model needs beyond fss/engine/ops.h: column
// slices (Q|K|V and gate|up splits), row slices and their concatenation (row chunks), elementwise
// multiplication by a PUBLIC vector (rotary embeddings) and the addition of a public tensor
// (GPT-Neo's local-attention mask).
//
// Why they are correct for every Ops: a public linear map L commutes with masking, so applying L
// to the data of a tensor gives the values L(x) in ClearOps, the masks L(r) in DealerOps and the
// masked values L(x) + L(r) in PartyOps, exactly as ops_base.h does for add / mul_const /
// transpose_heads. (Adding a public constant is NOT such a map: it goes through Ops::add_const.)
// A tensor with empty data (shape only, see trace_ops.h) stays empty.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "fss/engine/ops.h"
#include "models/fixed.h"

namespace secinfer::models {

using fss::engine::Ops;
using fss::engine::Tensor;

// Columns [begin, begin + count) of a rows x cols tensor (row-major) as a rows x count tensor.
Tensor slice_cols(const Tensor& x, std::size_t rows, std::size_t cols, std::size_t begin,
                  std::size_t count);

// Rows [begin, begin + count) of each of `blocks` blocks of `rows` rows (x: blocks x rows x cols,
// row-major) as a (blocks * count) x cols tensor: a chunk of a sequence's rows, or of each head's.
Tensor slice_rows(const Tensor& x, std::size_t blocks, std::size_t rows, std::size_t cols,
                  std::size_t begin, std::size_t count);

// The rows of `parts` (each some rows x cols) one after another, as one (total rows) x cols tensor
// (resident values are read on the host).
Tensor concat_rows(const std::vector<Tensor>& parts, std::size_t cols);

// y[i] = x[i] * c[i] mod 2^n for a public c (c.size() == x.size()); no truncation.
Tensor mul_public(const Tensor& x, std::span<const u64> c, fss::Ring ring);

// y = x + p for a public tensor p (p.size() == x.size()), built from Ops' own primitives so that
// each implementation treats the constant correctly (masks do not move):
//   z = 0 * x;  z = add_const(z, 1);  z = z * p (elementwise, public);  y = x + z.
Tensor add_public(Ops& ops, const Tensor& x, std::span<const u64> p);

// Rotary position embeddings (Su et al., "RoFormer", eq. 34; HF Llama's rotate_half layout) on a
// [batch, heads, seq, head_dim] tensor at scale f: pairs (i, i + head_dim/2) are rotated by the
// angle pos * base^(-2i/head_dim). The result is at scale 2f (the caller truncates by f): the
// public cos / sin tables are fixed point at scale f.
Tensor rope_rotate(const Tensor& x, std::size_t batch_heads, std::size_t seq, std::size_t head_dim,
                   int frac_bits, fss::Ring ring, double base = 10000.0);

// The public tables of rope_rotate: cos and signed sin per (pos, column), seq x head_dim each, at
// scale f (the float reference uses the exact values).
struct RopeTables {
  std::vector<u64> cos, sin;  // sin already signed: -sin for the first half, +sin for the second
};
RopeTables rope_tables(std::size_t seq, std::size_t head_dim, int frac_bits, fss::Ring ring,
                       double base = 10000.0);

}  // namespace secinfer::models
