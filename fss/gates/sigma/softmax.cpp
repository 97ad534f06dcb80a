// SIGMA's softmax over Ops (softmax.h).
#include "fss/gates/sigma/softmax.h"

#include <numeric>
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

Tensor gather_ragged(const Tensor& a, std::size_t cols, const std::vector<std::size_t>& lens) {
  if (a.data.empty()) return Tensor{{total(lens)}, {}};  // shape-only (models/trace_ops.h)
  std::vector<u64> out;
  out.reserve(total(lens));
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) out.push_back(a.data.at(r * cols + j));
  const std::size_t n = out.size();
  return Tensor{{n}, std::move(out)};
}

Tensor scatter_ragged(const Tensor& c, std::size_t cols, const std::vector<std::size_t>& lens) {
  if (c.data.empty()) return Tensor{{lens.size(), cols}, {}};  // shape-only (models/trace_ops.h)
  std::vector<u64> out(lens.size() * cols, 0);
  std::size_t pos = 0;
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) out[r * cols + j] = c.data.at(pos++);
  return Tensor{{lens.size(), cols}, std::move(out)};
}

Tensor ragged_sum(const Tensor& c, const std::vector<std::size_t>& lens) {
  std::vector<u64> out(lens.size(), 0);
  std::size_t pos = 0;
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) out[r] += c.data.at(pos++);
  return Tensor{{lens.size()}, std::move(out)};  // mod 2^64: the caller reduces to its ring
}

Tensor ragged_broadcast(const Tensor& b, const std::vector<std::size_t>& lens) {
  std::vector<u64> out;
  out.reserve(total(lens));
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) out.push_back(b.data.at(r));
  const std::size_t n = out.size();
  return Tensor{{n}, std::move(out)};
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
  std::vector<u64> cur = c.data;
  std::vector<std::size_t> len = lens;
  for (;;) {
    std::vector<u64> left, right;
    std::size_t pos = 0;
    for (std::size_t r = 0; r < len.size(); ++r) {
      for (std::size_t j = 0; j + 1 < len[r]; j += 2) {
        left.push_back(cur[pos + j]);
        right.push_back(cur[pos + j + 1]);
      }
      pos += len[r];
    }
    if (left.empty()) break;
    const std::size_t np = left.size();
    const Tensor a{{np}, std::move(left)}, b{{np}, right};
    const Tensor m = ops.add(ops.relu(ops.sub(a, b), bits), b);  // max(a, b) = ReLU(a - b) + b
    std::vector<u64> next;
    std::size_t in = 0, k = 0;
    for (std::size_t r = 0; r < len.size(); ++r) {
      const std::size_t pairs = len[r] / 2;
      for (std::size_t j = 0; j < pairs; ++j) next.push_back(m.data[k++]);
      if (len[r] % 2) next.push_back(cur[in + len[r] - 1]);  // odd one passes through
      in += len[r];
      len[r] = pairs + len[r] % 2;
    }
    cur = std::move(next);
  }
  return Tensor{{lens.size()}, std::move(cur)};
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
  const Tensor x = gather_ragged(a, cols, lens);
  Tensor m;
  {
    Ops::Region r(ops, "max");
    m = ragged_max(ops, x, lens, max_bits);
  }
  const Tensor d = ops.sub(ragged_broadcast(m, lens), x);
  const Tensor e = ops.nexp(d);
  Tensor s;
  {
    Ops::Region r(ops, "sum");
    s = ragged_sum(e, lens);
    ring_reduce(ops.ring(), s.data);
  }
  // The table covers sums of up to `cols` terms (the longest row), as SIGMA's p.FW.
  const Tensor inv = ops.inverse(s, cols);
  Tensor y;
  {
    Ops::Region r(ops, "normalise");
    y = ops.truncate(ops.mul(e, ragged_broadcast(inv, lens)), f, TruncKind::kWithSlack);
  }
  Tensor out = scatter_ragged(y, cols, lens);
  out.shape = a.shape;
  return out;
}

}  // namespace secinfer::fss::sigma
