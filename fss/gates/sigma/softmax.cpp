// SIGMA's softmax over Ops (softmax.h).
#include "fss/gates/sigma/softmax.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>

#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {
namespace {

using engine::TruncKind;

std::size_t total(const std::vector<std::size_t>& lens) {
  return std::accumulate(lens.begin(), lens.end(), std::size_t{0});
}

std::size_t check_rows(const Tensor& a, std::size_t cols, const char* what) {
  if (cols == 0 || a.size() % cols != 0)
    throw std::invalid_argument(std::string(what) + ": tensor of " + std::to_string(a.size()) +
                                " elements is not a whole number of rows of " +
                                std::to_string(cols) + " columns");
  return a.size() / cols;
}

// ops.gather at the n positions fill(from) writes, shaped `shape`; a shape-only tensor
// (models/trace_ops.h) gets none (TraceOps reads only the shape).
template <class Fill>
Tensor gather_at(Ops& ops, const Tensor& a, std::vector<std::size_t> shape, std::size_t n,
                 Fill&& fill) {
  std::vector<std::uint32_t> from;
  if (!a.data.empty()) {
    if (a.size() >= Ops::kGatherZero)
      throw std::invalid_argument("sigma softmax layout: a tensor of " + std::to_string(a.size()) +
                                  " elements is past the 32-bit positions of Ops::gather");
    from.resize(n);
    fill(std::span<std::uint32_t>(from));
  }
  return ops.gather(a, from, std::move(shape));
}

std::uint32_t pos(std::size_t i) {
  return static_cast<std::uint32_t>(i);  // below the tensor's size, checked by gather_at
}

}  // namespace

std::vector<std::size_t> causal_row_lengths(std::size_t rows, std::size_t cols,
                                            std::size_t first_row) {
  if (first_row >= cols)
    throw std::invalid_argument("causal_row_lengths: first row " + std::to_string(first_row) +
                                " of a causal block must be below its " + std::to_string(cols) +
                                " columns");
  const std::size_t block = cols - first_row;
  std::vector<std::size_t> lens(rows);
  for (std::size_t r = 0; r < rows; ++r) lens[r] = first_row + r % block + 1;
  return lens;
}

Tensor gather_ragged(Ops& ops, const Tensor& a, std::size_t cols,
                     const std::vector<std::size_t>& lens) {
  const std::size_t n = total(lens);
  return gather_at(ops, a, {n}, n, [&](std::span<std::uint32_t> from) {
    std::size_t k = 0;
    for (std::size_t r = 0; r < lens.size(); ++r)
      for (std::size_t j = 0; j < lens[r]; ++j) from[k++] = pos(r * cols + j);
  });
}

Tensor scatter_ragged(Ops& ops, const Tensor& c, std::size_t cols,
                      const std::vector<std::size_t>& lens) {
  return gather_at(ops, c, {lens.size(), cols}, lens.size() * cols,
                   [&](std::span<std::uint32_t> from) {
                     std::fill(from.begin(), from.end(), Ops::kGatherZero);
                     std::size_t k = 0;
                     for (std::size_t r = 0; r < lens.size(); ++r)
                       for (std::size_t j = 0; j < lens[r]; ++j) from[r * cols + j] = pos(k++);
                   });
}

Tensor ragged_sum(Ops& ops, const Tensor& c, const std::vector<std::size_t>& lens) {
  // Rows padded with zeros to the longest, so that the sums are Ops::sum_last's rows.
  const std::size_t width =
      std::max<std::size_t>(1, lens.empty() ? 0 : *std::max_element(lens.begin(), lens.end()));
  const Tensor padded = gather_at(ops, c, {lens.size(), width}, lens.size() * width,
                                  [&](std::span<std::uint32_t> from) {
                                    std::fill(from.begin(), from.end(), Ops::kGatherZero);
                                    std::size_t k = 0;
                                    for (std::size_t r = 0; r < lens.size(); ++r)
                                      for (std::size_t j = 0; j < lens[r]; ++j)
                                        from[r * width + j] = pos(k++);
                                  });
  return ops.sum_last(padded);
}

Tensor ragged_broadcast(Ops& ops, const Tensor& b, const std::vector<std::size_t>& lens) {
  const std::size_t n = total(lens);
  return gather_at(ops, b, {n}, n, [&](std::span<std::uint32_t> from) {
    std::size_t k = 0;
    for (std::size_t r = 0; r < lens.size(); ++r)
      for (std::size_t j = 0; j < lens[r]; ++j) from[k++] = pos(r);
  });
}

// The ring the row max runs in: SIGMA's reducedBw = n - f + 2 (Gupta et al., PoPETs 2024,
// section 5 "Softmax"; GPU-MPC gpu_softmax.cu), for a suite whose nExp reads only those bits of
// max - x (sigma's nexp.h: the clip compares in n - f + 2 bits, the table index is the low 16). The
// max is then right mod 2^(n-f+2) while every score is below 2^(n-f-1) in magnitude (SIGMA's
// bound; docs/design/sigma-softmax-max.md). 0: the ring.
int max_ring_bits(const Ops& ops) {
  const int n = ops.ring().bits, be = n - ops.frac_bits() + 2;
  return ops.gates().softmax_max_reduced && be < n ? be : 0;
}

Tensor ragged_max(Ops& ops, const Tensor& c, const std::vector<std::size_t>& lens, int bits) {
  // cur holds the candidates of all rows back to back; len[r] is row r's count.
  Tensor cur = c;
  std::vector<std::size_t> len = lens;
  for (;;) {
    std::size_t np = 0, next_n = 0;
    for (const std::size_t l : len) {
      np += l / 2;
      next_n += l / 2 + l % 2;
    }
    if (np == 0) break;
    // A level: row r's neighbours (2j, 2j + 1) as one ReLU call over all rows, then its maxima
    // followed by its odd one, which passes through.
    const auto pairs = [&](std::size_t second) {
      return gather_at(ops, cur, {np}, np, [&](std::span<std::uint32_t> from) {
        std::size_t k = 0, at = 0;
        for (const std::size_t l : len) {
          for (std::size_t j = 0; j + 1 < l; j += 2) from[k++] = pos(at + j + second);
          at += l;
        }
      });
    };
    const Tensor a = pairs(0), b = pairs(1);
    Tensor m = ops.add(ops.relu(ops.sub(a, b), bits), b);  // max(a, b) = ReLU(a - b) + b
    Tensor next;
    if (next_n == np) {
      next = std::move(m);  // no row had an odd one: the maxima are the next level
    } else {
      // The next level's positions read the maxima (their rows' first entries) or, for an odd
      // row's last entry, the current level; the other read is the public zero.
      const auto merge = [&](bool from_max) {
        return gather_at(ops, from_max ? m : cur, {next_n}, next_n,
                         [&](std::span<std::uint32_t> from) {
                           std::size_t k = 0, at = 0, mk = 0;
                           for (const std::size_t l : len) {
                             for (std::size_t j = 0; j < l / 2; ++j)
                               from[k++] = from_max ? pos(mk++) : Ops::kGatherZero;
                             if (l % 2) from[k++] = from_max ? Ops::kGatherZero : pos(at + l - 1);
                             at += l;
                           }
                         });
      };
      next = ops.add(merge(true), merge(false));
    }
    for (std::size_t& l : len) l = l / 2 + l % 2;
    cur = std::move(next);
  }
  cur.shape = {lens.size()};
  return cur;
}

Tensor softmax(Ops& ops, const Tensor& a, std::size_t cols, engine::SoftmaxMask mask) {
  const std::size_t rows = check_rows(a, cols, "sigma::softmax");
  const int f = ops.frac_bits();
  const int max_bits = max_ring_bits(ops);
  if (!mask.causal) {
    const Tensor x{{rows, cols}, a.data};  // a reshape: resident values stay where they are
    const Tensor m = ops.max_last(x, cols, max_bits);          // "max"
    const Tensor d = ops.sub(ops.broadcast_rows(m, cols), x);  // max - x (local)
    const Tensor e = ops.nexp(d);                              // "nexp"
    Tensor s;
    {
      Ops::Region r(ops, "sum");
      s = ops.sum_last(e);
    }
    const Tensor inv = ops.inverse(s, cols);  // "inv"
    Tensor y;
    {
      Ops::Region r(ops, "normalise");
      y = ops.truncate(ops.mul_rowwise(e, inv, cols), f, TruncKind::kWithSlack);
    }
    y.shape = a.shape;
    return y;
  }
  const auto lens = causal_row_lengths(rows, cols, mask.first_row);
  const Tensor x = gather_ragged(ops, a, cols, lens);
  Tensor m;
  {
    Ops::Region r(ops, "max");
    m = ragged_max(ops, x, lens, max_bits);
  }
  const Tensor d = ops.sub(ragged_broadcast(ops, m, lens), x);
  const Tensor e = ops.nexp(d);
  Tensor s;
  {
    Ops::Region r(ops, "sum");
    s = ragged_sum(ops, e, lens);
  }
  // The table covers sums of up to `cols` terms (the longest row), as SIGMA's p.FW.
  const Tensor inv = ops.inverse(s, cols);
  Tensor y;
  {
    Ops::Region r(ops, "normalise");
    y = ops.truncate(ops.mul(e, ragged_broadcast(ops, inv, lens)), f, TruncKind::kWithSlack);
  }
  Tensor out = scatter_ragged(ops, y, cols, lens);
  out.shape = a.shape;
  return out;
}

}  // namespace secinfer::fss::sigma
