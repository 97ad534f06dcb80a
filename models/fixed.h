// Fixed-point encoding helpers for model data: real v <-> round(v * 2^frac) in Z_{2^n}, signed.
// The same rule as fss::FixedPoint, with the scale as an argument because biases are kept at
// scale 2f (they are added to a matmul's 2f-scaled product before its truncation).
#pragma once

#include <cmath>
#include <span>
#include <vector>

#include "fss/ring.h"

namespace secinfer::models {

using fss::i64;
using fss::Ring;
using fss::u64;

// round(v * 2^frac), saturated to the ring's signed range.
inline u64 to_fixed(double v, int frac, Ring r) {
  const double scaled = std::nearbyint(std::ldexp(v, frac));
  const double lim = std::ldexp(1.0, r.bits - 1);
  if (!(scaled < lim)) return r.from_signed(static_cast<i64>(lim - 1));
  if (!(scaled >= -lim)) return r.from_signed(static_cast<i64>(-lim));
  return r.from_signed(static_cast<i64>(scaled));
}

inline double from_fixed(u64 x, int frac, Ring r) {
  return std::ldexp(static_cast<double>(r.to_signed(r.reduce(x))), -frac);
}

inline std::vector<double> decode_all(std::span<const u64> x, int frac, Ring r) {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = from_fixed(x[i], frac, r);
  return out;
}

}  // namespace secinfer::models
