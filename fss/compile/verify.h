// Achieved error of a compiled gate against the ideal function, over every representable input
// of the function's domain (functions.h FunctionSpec), in ULPs of the output scale.
//
//   ErrorReport e = suf_error(compile_function(p), function_spec(p));
//   e.max_ulp;            // max over the whole domain of |gate(x) - ideal(x)|
//
// suf_error is exhaustive on every piece of at most `exhaustive_limit` inputs (a piece = one
// interval of the gate between predicate bounds, intersected with the domain), and on larger pieces
// uses a rigorous bound: on a chunk [u, w] the gate's integer output K + floor(P / 2^s) (+ the
// helper's alpha) lies between its values at the chunk's candidate extrema (ends and critical
// points of the integer polynomial, degree <= 3), and ideal(x) - beta x lies between its values at
// u and w (it is monotone on every such piece: the tails of GELU / SiLU / nExp, 1/x, 1/sqrt);
// chunks are bisected until the bound is within 0.01 ULP of the values at their ends, or pruned
// when they cannot exceed the maximum found so far, or evaluated one by one below 4096 inputs.
// It also checks the range guarantee of suf.h (|P_j| < 2^(H-2) on every interval), exactly.
//
// blackbox_error measures any batch function (the sigma suite's cleartext gates): exhaustive on
// [exhaustive_lo, exhaustive_hi] intersected with the domain, and 2^16 log-spaced samples (plus
// both ends) on each remaining side.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "fss/compile/functions.h"
#include "fss/compile/suf.h"

namespace secinfer::fss::compile {

struct ErrorReport {
  long double max_ulp = 0;  // max |y - ideal| over the domain (an upper bound where bounded)
  i64 argmax = 0;           // an input attaining (or bounding) it
  std::uint64_t exhaustive_points = 0;  // inputs evaluated one by one
  std::uint64_t bounded_points = 0;     // inputs covered by the interval bound (or sampled)
  bool range_ok = true;                 // the ARS range guarantee (suf_error only)
  std::string method;  // "exhaustive" / "exhaustive + bound" / "exhaustive + sampled"
};

ErrorReport suf_error(const SufGate& g, const FunctionSpec& spec,
                      std::uint64_t exhaustive_limit = std::uint64_t{1} << 24);

// The range guarantee alone: every interval's |P_j| < 2^(H-2) (uses SufGate::fits).
bool check_ranges(const SufGate& g);

using BatchFunction = std::function<void(std::span<const u64> x, std::span<u64> y)>;
ErrorReport blackbox_error(const BatchFunction& f, int n, const FunctionSpec& spec,
                           i64 exhaustive_lo, i64 exhaustive_hi);

}  // namespace secinfer::fss::compile
