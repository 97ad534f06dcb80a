#include "models/tensor_utils.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "fss/vec/vec.h"
#include "models/fixed.h"

namespace secinfer::models {

Tensor slice_cols(const Tensor& x, std::size_t rows, std::size_t cols, std::size_t begin,
                  std::size_t count) {
  if (begin + count > cols)
    throw std::invalid_argument("slice_cols: columns [" + std::to_string(begin) + ", " +
                                std::to_string(begin + count) + ") outside " +
                                std::to_string(cols));
  Tensor y;
  y.shape = {rows, count};
  if (x.data.empty()) return y;
  if (x.data.size() != rows * cols)
    throw std::invalid_argument("slice_cols: tensor of " + std::to_string(x.data.size()) +
                                " elements is not " + std::to_string(rows) + " x " +
                                std::to_string(cols));
  if (const fss::vec::Vec* v = x.data.vec();
      v != nullptr && cols % count == 0 && begin % count == 0) {
    // Resident values (a party's, left where its gates run): [rows, cols / count, count] with
    // its first two axes swapped puts every slice of `count` columns in one block.
    const fss::vec::Space& sp = *v->space();
    fss::vec::Vec blocks = sp.make(rows * cols);
    sp.swap_axes(*v, 1, rows, cols / count, count, blocks);
    y.data = fss::engine::TensorValues::resident(blocks.view(begin * rows, rows * count));
    return y;
  }
  y.data.resize(rows * count);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < count; ++c) y.data[r * count + c] = x.data[r * cols + begin + c];
  return y;
}

Tensor slice_rows(const Tensor& x, std::size_t blocks, std::size_t rows, std::size_t cols,
                  std::size_t begin, std::size_t count) {
  if (begin + count > rows)
    throw std::invalid_argument("slice_rows: rows [" + std::to_string(begin) + ", " +
                                std::to_string(begin + count) + ") outside " +
                                std::to_string(rows));
  Tensor y;
  y.shape = {blocks * count, cols};
  if (x.data.empty()) return y;
  if (x.data.size() != blocks * rows * cols)
    throw std::invalid_argument("slice_rows: tensor of " + std::to_string(x.data.size()) +
                                " elements is not " + std::to_string(blocks) + " x " +
                                std::to_string(rows) + " x " + std::to_string(cols));
  if (const fss::vec::Vec* v = x.data.vec(); v != nullptr && blocks == 1) {
    // Resident values, one block: the rows are one range of the vector.
    y.data = fss::engine::TensorValues::resident(v->view(begin * cols, count * cols));
    return y;
  }
  const std::vector<u64>& in = x.data.host();
  std::vector<u64> out(blocks * count * cols);
  for (std::size_t b = 0; b < blocks; ++b)
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>((b * rows + begin) * cols), count * cols,
                out.begin() + static_cast<std::ptrdiff_t>(b * count * cols));
  y.data = std::move(out);
  return y;
}

Tensor concat_rows(const std::vector<Tensor>& parts, std::size_t cols) {
  std::size_t total = 0;
  bool shape_only = true;
  for (const Tensor& p : parts) {
    std::size_t n = 1;
    for (const std::size_t d : p.shape) n *= d;
    if (n % cols != 0 || (!p.data.empty() && p.data.size() != n))
      throw std::invalid_argument("concat_rows: a part of " + std::to_string(n) +
                                  " elements is not a whole number of rows of " +
                                  std::to_string(cols));
    total += n;
    shape_only = shape_only && p.data.empty();
  }
  Tensor y;
  y.shape = {total / cols, cols};
  if (shape_only) return y;
  std::vector<u64> out;
  out.reserve(total);
  for (const Tensor& p : parts) {
    if (p.data.empty()) throw std::invalid_argument("concat_rows: parts with and without values");
    const std::vector<u64>& v = p.data.host();
    out.insert(out.end(), v.begin(), v.end());
  }
  y.data = std::move(out);
  return y;
}

Tensor mul_public(const Tensor& x, std::span<const u64> c, fss::Ring ring) {
  Tensor y;
  y.shape = x.shape;
  if (x.data.empty()) return y;
  if (c.size() != x.data.size())
    throw std::invalid_argument("mul_public: " + std::to_string(c.size()) + " coefficients for " +
                                std::to_string(x.data.size()) + " elements");
  y.data.resize(x.data.size());
  for (std::size_t i = 0; i < c.size(); ++i) y.data[i] = ring.mul(x.data[i], c[i]);
  return y;
}

Tensor add_public(Ops& ops, const Tensor& x, std::span<const u64> p) {
  Tensor z = ops.mul_const(x, 0);
  z = ops.add_const(z, 1);
  z = mul_public(z, p, ops.ring());
  return ops.add(x, z);
}

RopeTables rope_tables(std::size_t seq, std::size_t head_dim, int frac_bits, fss::Ring ring,
                       double base) {
  RopeTables t;
  t.cos.resize(seq * head_dim);
  t.sin.resize(seq * head_dim);
  const std::size_t half = head_dim / 2;
  for (std::size_t pos = 0; pos < seq; ++pos) {
    for (std::size_t i = 0; i < half; ++i) {
      const double inv_freq =
          std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
      const double angle = static_cast<double>(pos) * inv_freq;
      const u64 c = to_fixed(std::cos(angle), frac_bits, ring);
      const u64 s = to_fixed(std::sin(angle), frac_bits, ring);
      t.cos[pos * head_dim + i] = c;
      t.cos[pos * head_dim + i + half] = c;
      t.sin[pos * head_dim + i] = ring.neg(s);  // x'[i] = x[i] cos - x[i + half] sin
      t.sin[pos * head_dim + i + half] = s;     // x'[i + half] = x[i + half] cos + x[i] sin
    }
  }
  return t;
}

Tensor rope_rotate(const Tensor& x, std::size_t batch_heads, std::size_t seq, std::size_t head_dim,
                   int frac_bits, fss::Ring ring, double base) {
  Tensor y;
  y.shape = x.shape;
  if (x.data.empty()) return y;
  if (x.data.size() != batch_heads * seq * head_dim)
    throw std::invalid_argument("rope_rotate: tensor of " + std::to_string(x.data.size()) +
                                " elements is not batch*heads x seq x head_dim");
  const RopeTables t = rope_tables(seq, head_dim, frac_bits, ring, base);
  const std::size_t half = head_dim / 2;
  y.data.resize(x.data.size());
  for (std::size_t bh = 0; bh < batch_heads; ++bh) {
    for (std::size_t pos = 0; pos < seq; ++pos) {
      const u64* in = &x.data[(bh * seq + pos) * head_dim];
      u64* out = &y.data[(bh * seq + pos) * head_dim];
      const u64* c = &t.cos[pos * head_dim];
      const u64* s = &t.sin[pos * head_dim];
      for (std::size_t j = 0; j < head_dim; ++j) {
        const std::size_t partner = j < half ? j + half : j - half;
        out[j] = ring.add(ring.mul(in[j], c[j]), ring.mul(in[partner], s[j]));
      }
    }
  }
  return y;
}

}  // namespace secinfer::models
