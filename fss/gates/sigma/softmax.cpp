// SIGMA's softmax over Ops (softmax.h).
#include "fss/gates/sigma/softmax.h"

#include <functional>
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

namespace {
void check_lengths(const std::vector<std::size_t>& lens, std::size_t cols, const char* what) {
  for (const std::size_t l : lens)
    if (l > cols)
      throw std::invalid_argument(std::string(what) + ": a row of " + std::to_string(l) +
                                  " entries is longer than its " + std::to_string(cols) +
                                  " columns");
}

// A tensor with a shape and no values (models/trace_ops.h): the helpers give shape-only results.
bool shape_only(const Tensor& t) {
  return t.data.empty() &&
         std::accumulate(t.shape.begin(), t.shape.end(), std::size_t{1}, std::multiplies<>()) > 0;
}

// The cache key of a pattern: its kind, the row length and the rows' lengths.
std::string pattern_key(const char* kind, std::size_t cols, const std::vector<std::size_t>& lens) {
  std::string key = std::string(kind) + "/" + std::to_string(cols) + "/";
  key.append(reinterpret_cast<const char*>(lens.data()), lens.size() * sizeof(std::size_t));
  return key;
}

// The positions of gather_ragged (kept entries of rows of cols) and of scatter_ragged (each
// entry of rows of cols: its place in the ragged layout, or past it for the public 0).
std::vector<u64> kept_positions(std::size_t cols, const std::vector<std::size_t>& lens) {
  std::vector<u64> idx;
  idx.reserve(total(lens));
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) idx.push_back(r * cols + j);
  return idx;
}

std::vector<u64> scattered_positions(std::size_t cols, const std::vector<std::size_t>& lens) {
  const u64 none = total(lens);  // past the ragged tensor: the public 0
  std::vector<u64> idx(lens.size() * cols, none);
  std::size_t pos = 0;
  for (std::size_t r = 0; r < lens.size(); ++r)
    for (std::size_t j = 0; j < lens[r]; ++j) idx[r * cols + j] = pos++;
  return idx;
}
}  // namespace

Tensor gather_ragged(Ops& ops, const Tensor& a, std::size_t cols,
                     const std::vector<std::size_t>& lens) {
  check_lengths(lens, cols, "gather_ragged");
  if (shape_only(a)) return Tensor{{total(lens)}, {}};
  const auto index = ops.gather_index(pattern_key("ragged kept", cols, lens),
                                      [&] { return kept_positions(cols, lens); });
  return ops.gather(a, Tensor{}, *index, {total(lens)});
}

Tensor scatter_ragged(Ops& ops, const Tensor& c, std::size_t cols,
                      const std::vector<std::size_t>& lens) {
  check_lengths(lens, cols, "scatter_ragged");
  if (shape_only(c)) return Tensor{{lens.size(), cols}, {}};
  const auto index = ops.gather_index(pattern_key("ragged scattered", cols, lens),
                                      [&] { return scattered_positions(cols, lens); });
  return ops.gather(c, Tensor{}, *index, {lens.size(), cols});
}

Tensor ragged_sum(Ops& ops, const Tensor& c, std::size_t cols,
                  const std::vector<std::size_t>& lens) {
  return ops.sum_last(scatter_ragged(ops, c, cols, lens));
}

Tensor ragged_broadcast(Ops& ops, const Tensor& b, const std::vector<std::size_t>& lens) {
  if (shape_only(b)) return Tensor{{total(lens)}, {}};
  const auto index = ops.gather_index(pattern_key("ragged rows", 0, lens), [&] {
    std::vector<u64> idx;
    idx.reserve(total(lens));
    for (std::size_t r = 0; r < lens.size(); ++r) idx.insert(idx.end(), lens[r], r);
    return idx;
  });
  return ops.gather(b, Tensor{}, *index, {total(lens)});
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
  // cur holds the candidates of all rows back to back; len[r] is row r's count. Each level picks
  // its pairs and passes the odd ones on by Ops::gather (public positions): the values stay
  // where the party's gates run.
  Tensor cur = c;
  std::vector<std::size_t> len = lens;
  for (;;) {
    std::size_t np = 0;  // the level's pairs
    for (const std::size_t l : len) np += l / 2;
    if (np == 0) break;
    const auto left = ops.gather_index(pattern_key("max left", 0, len), [&] {
      std::vector<u64> idx;
      std::size_t pos = 0;
      for (const std::size_t l : len) {
        for (std::size_t j = 0; j + 1 < l; j += 2) idx.push_back(pos + j);
        pos += l;
      }
      return idx;
    });
    const auto right = ops.gather_index(pattern_key("max right", 0, len), [&] {
      std::vector<u64> idx = left->positions;
      for (u64& i : idx) ++i;
      return idx;
    });
    // The next level: each row's maxima of its pairs (in m), then its odd one (in cur, read past
    // m's np elements).
    const auto next = ops.gather_index(pattern_key("max next", 0, len), [&] {
      std::vector<u64> idx;
      std::size_t in = 0, k = 0;
      for (const std::size_t l : len) {
        for (std::size_t j = 0; j < l / 2; ++j) idx.push_back(k++);
        if (l % 2) idx.push_back(np + in + l - 1);  // odd one passes through
        in += l;
      }
      return idx;
    });
    const Tensor a = ops.gather(cur, Tensor{}, *left, {np});
    const Tensor b = ops.gather(cur, Tensor{}, *right, {np});
    const Tensor m = ops.add(ops.relu(ops.sub(a, b), bits), b);  // max(a, b) = ReLU(a - b) + b
    cur = ops.gather(m, cur, *next, {next->positions.size()});
    for (std::size_t& l : len) l = l / 2 + l % 2;
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
    s = ragged_sum(ops, e, cols, lens);
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
