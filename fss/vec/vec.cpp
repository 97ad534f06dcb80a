#include "fss/vec/vec.h"

#include <stdexcept>
#include <string>

namespace secinfer::fss::vec {

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
    check(*t.v, out.size(), "vec::combine (term)");
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

}  // namespace secinfer::fss::vec
