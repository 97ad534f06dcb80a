#include "fss/vec/vec.h"

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace secinfer::fss::vec {

Vec Vec::view(std::size_t offset, std::size_t n) const {
  if (offset > n_ || n > n_ - offset)
    throw std::out_of_range("vec::Vec::view: elements [" + std::to_string(offset) + ", " +
                            std::to_string(offset + n) + ") of a vector of " + std::to_string(n_));
  return Vec(space_, data_ + offset, n, storage_);
}

void Space::check(const Vec& v, std::size_t n, const char* what) const {
  if (v.space() != this && !(v.empty() && n == 0))
    throw std::invalid_argument(std::string(what) + ": a vector of another space (" +
                                (v.space() ? v.space()->describe() : std::string("none")) +
                                ") given to " + describe());
  if (v.size() != n)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(v.size()) +
                                " elements where " + std::to_string(n) + " are expected");
}

void Space::check_combine(const Vec& out, int bits, std::span<const Term> terms) const {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument("vec::combine: bits must be in [1, 64], got " +
                                std::to_string(bits));
  if (terms.size() > kMaxTerms)
    throw std::invalid_argument("vec::combine: at most " + std::to_string(kMaxTerms) +
                                " terms, got " + std::to_string(terms.size()));
  check(out, out.size(), "vec::combine (output)");
  for (const Term& t : terms) {
    if (t.v == nullptr) throw std::invalid_argument("vec::combine: a term without a vector");
    if (t.stride < 1 || t.stride > 64 || t.offset < 0 || t.offset >= t.stride)
      throw std::invalid_argument(
          "vec::combine: a term's stride must be in [1, 64] and its offset "
          "below it (got stride " +
          std::to_string(t.stride) + ", offset " + std::to_string(t.offset) + ")");
    if (t.cycle > 0 && out.size() % t.cycle != 0)
      throw std::invalid_argument("vec::combine: a term's cycle must divide the output's " +
                                  std::to_string(out.size()) + " elements (got cycle " +
                                  std::to_string(t.cycle) + ")");
    if (t.repeat < 1 || out.size() % t.repeat != 0)
      throw std::invalid_argument(
          "vec::combine: a term's repeat must be at least 1 and divide the "
          "output's " +
          std::to_string(out.size()) + " elements (got " + std::to_string(t.repeat) + ")");
    if (t.cycle > 0 && t.cycle % t.repeat != 0)
      throw std::invalid_argument(
          "vec::combine: a term's repeat must divide its cycle (got repeat " +
          std::to_string(t.repeat) + ", cycle " + std::to_string(t.cycle) + ")");
    // A cycling term reads only its first `cycle` positions.
    const std::size_t reads = t.cycle > 0 ? t.cycle : out.size();
    check(*t.v, reads / t.repeat * static_cast<std::size_t>(t.stride), "vec::combine (term)");
    if (t.times != nullptr) check(*t.times, out.size(), "vec::combine (factor)");
    if (t.gate != nullptr) check(*t.gate, out.size(), "vec::combine (gate)");
    if (t.shr < 0 || t.shr > 63 || t.width < 1 || t.width > 64 || t.gate_bit < 0 || t.gate_bit > 63)
      throw std::invalid_argument(
          "vec::combine: a term's shift must be in [0, 63], its width in "
          "[1, 64] and its gate bit in [0, 63] (got shift " +
          std::to_string(t.shr) + ", width " + std::to_string(t.width) + ", gate bit " +
          std::to_string(t.gate_bit) + ")");
  }
}

void Space::check_row_sums(const Vec& v, std::size_t cols, int bits, const Vec& out) const {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument("vec::row_sums: bits must be in [1, 64], got " +
                                std::to_string(bits));
  // Divided rather than multiplied: out.size() * cols could wrap.
  if (cols == 0 || v.size() % cols != 0 || v.size() / cols != out.size())
    throw std::invalid_argument("vec::row_sums: " + std::to_string(v.size()) +
                                " elements are not " + std::to_string(out.size()) + " rows of " +
                                std::to_string(cols) + " columns");
  check(v, v.size(), "vec::row_sums (input)");
  check(out, out.size(), "vec::row_sums (output)");
}

void Space::check_gather(const Vec& a, const Vec& b, const Vec& index, const Vec& out) const {
  check(a, a.size(), "vec::gather (a)");
  check(b, b.size(), "vec::gather (b)");
  check(index, out.size(), "vec::gather (index)");
  check(out, out.size(), "vec::gather (output)");
  const std::less<const u64*> below;
  const auto overlap = [&](const Vec& v) {
    return !v.empty() && !out.empty() && below(v.data(), out.data() + out.size()) &&
           below(out.data(), v.data() + v.size());
  };
  if (overlap(a) || overlap(b) || overlap(index))
    throw std::invalid_argument(
        "vec::gather: the output must not share memory with the sources or the index");
}

void Space::check_swap_axes(const Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                            std::size_t inner, const Vec& out) const {
  // Only for the messages; appended piece by piece, as GCC 12 warns falsely (-Wrestrict) on
  // "[" + std::to_string(...).
  const auto shape = [&] {
    std::string s("[");
    s += std::to_string(outer) + ", " + std::to_string(rows) + ", " + std::to_string(cols) + ", ";
    s += std::to_string(inner) + "]";
    return s;
  };
  std::size_t n = 1;
  for (const std::size_t d : {outer, rows, cols, inner}) {
    if (d != 0 && n > SIZE_MAX / d)
      throw std::invalid_argument("vec::swap_axes: the shape " + shape() + " overflows");
    n *= d;
  }
  if (in.size() != n || out.size() != n)
    throw std::invalid_argument("vec::swap_axes: the shape " + shape() + " has " +
                                std::to_string(n) + " elements, the input " +
                                std::to_string(in.size()) + " and the output " +
                                std::to_string(out.size()));
  check(in, n, "vec::swap_axes (input)");
  check(out, n, "vec::swap_axes (output)");
  // Every element moves (but for the ones on the diagonal), so the two may not share memory.
  const std::less<const u64*> below;
  if (n > 0 && below(in.data(), out.data() + n) && below(out.data(), in.data() + n))
    throw std::invalid_argument(
        "vec::swap_axes: the input and the output must be distinct vectors (their memory "
        "overlaps)");
}

void Space::check_sigma_dcf(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                            std::span<Vec* const> bits) const {
  if (points.empty() || points.size() > kMaxPoints || bits.size() != points.size())
    throw std::invalid_argument("vec::sigma_dcf_eval: 1 to " + std::to_string(kMaxPoints) +
                                " point vectors and one output each (got " +
                                std::to_string(points.size()) + " and " +
                                std::to_string(bits.size()) + ")");
  for (std::size_t j = 0; j < points.size(); ++j) {
    check(*points[j].x, keys.count, "vec::sigma_dcf_eval (points)");
    check(*bits[j], keys.count, "vec::sigma_dcf_eval (bits)");
  }
}

}  // namespace secinfer::fss::vec
