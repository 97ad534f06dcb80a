// Differences between model outputs (docs/design/product-spec.md "Models and references"): the
// secure output against the cleartext fixed-point reference (expected: bit-identical) and against
// the float reference (the accuracy cost of the approximations). One ULP is one unit of the last
// fixed-point place, 2^-f.
//
//   Difference d = compare_fixed(secure, clear, ring, f);        // d.max_ulp == 0: bit-identical
//   Difference e = compare_to_float(clear, float_out, ring, f);  // e.max_abs in real units
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>

#include "models/fixed.h"

namespace secinfer::models {

struct Difference {
  std::size_t count = 0;      // elements compared
  std::size_t differing = 0;  // elements that are not identical
  double max_abs = 0.0;       // max |a - b| in real units
  double mean_abs = 0.0;
  double max_ulp = 0.0;  // max |a - b| * 2^f
  std::size_t worst_index = 0;

  nlohmann::json to_json() const {
    return {{"count", count},       {"differing", differing}, {"max_abs", max_abs},
            {"mean_abs", mean_abs}, {"max_ulp", max_ulp},     {"worst_index", worst_index}};
  }
};

namespace detail {
inline void check_sizes(std::size_t a, std::size_t b) {
  if (a != b)
    throw std::invalid_argument("compare: outputs of " + std::to_string(a) + " and " +
                                std::to_string(b) + " elements");
}
inline void add_diff(Difference& d, std::size_t i, double diff, int frac) {
  const double ad = std::fabs(diff);
  if (ad > 0) ++d.differing;
  d.mean_abs += ad;
  if (ad > d.max_abs) {
    d.max_abs = ad;
    d.worst_index = i;
  }
  d.max_ulp = d.max_abs * std::ldexp(1.0, frac);
  ++d.count;
}
}  // namespace detail

// Two fixed-point outputs of the same ring and scale (signed difference, exact in integers).
inline Difference compare_fixed(std::span<const u64> a, std::span<const u64> b, Ring r, int frac) {
  detail::check_sizes(a.size(), b.size());
  Difference d;
  for (std::size_t i = 0; i < a.size(); ++i)
    detail::add_diff(d, i, std::ldexp(static_cast<double>(r.to_signed(r.sub(a[i], b[i]))), -frac),
                     frac);
  if (d.count) d.mean_abs /= static_cast<double>(d.count);
  return d;
}

// A fixed-point output against a real-valued one.
inline Difference compare_to_float(std::span<const u64> a, std::span<const double> ref, Ring r,
                                   int frac) {
  detail::check_sizes(a.size(), ref.size());
  Difference d;
  for (std::size_t i = 0; i < a.size(); ++i)
    detail::add_diff(d, i, from_fixed(a[i], frac, r) - ref[i], frac);
  if (d.count) d.mean_abs /= static_cast<double>(d.count);
  return d;
}

}  // namespace secinfer::models
