// The five nonlinear functions of the fusefss suite, specified on the WHOLE ring, and their
// compilation to SUF gates (suf.h) by the fitter (fit.h).
//
//   SufGate g = compile_function({FunctionId::kGelu, /*n=*/50, /*frac_bits=*/12});
//   std::cout << describe(g);        // m, d, n, H, f, s, ...
//
// Inputs and outputs are signed fixed point with f = frac_bits fractional bits (rsqrt's input: a
// sum of `cols` squares at scale 2f, as the sigma suite's rsqrt takes it). Clipping is part of the
// gate: outside the fitted range the gate outputs the limit through its own intervals (constant
// intervals, or the identity through a helper predicate), so every x in Z_{2^n} gets the specified
// value (docs/design/fusefss-design.md "Weaknesses of the public prototype", weakness 2). Per
// function (X = x / 2^f):
//   GELU  : X Phi(X) (exact erf form). 0 for X < -B, x itself for X >= B, splines on [-B, B); B is
//           the smallest bound with |tail error| <= tail budget.
//   SiLU  : X / (1 + e^-X), the same shape.
//   nExp  : e^-X for X >= 0 (softmax's max - x); splines on [0, C), 0 for X >= C; X < 0 lies
//           outside the function's domain and gets e^0 = 1 (the continuous extension).
//   inverse (cols): 1 / X on the softmax row-sum range [1, cols]; below 1 the gate gives 1, above
//           cols it gives 1 / cols.
//   rsqrt (cols): 1 / sqrt(v / cols / 2^(2f)) for v >= 1 (v = 0 and negative v give the value at
//           v = 1, as the sigma suite's code does), splines on [1, 2^(n-1)).
#pragma once

#include <cstddef>
#include <string>

#include "fss/compile/fit.h"
#include "fss/compile/suf.h"

namespace secinfer::fss::compile {

enum class FunctionId { kGelu, kSilu, kNexp, kInverse, kRsqrt };

const char* function_name(FunctionId id);

struct FunctionParams {
  FunctionId id = FunctionId::kGelu;
  int n = 50;            // ring bits
  int frac_bits = 12;    // f
  std::size_t cols = 0;  // inverse: summed terms per row (seq length); rsqrt: row length
};

// The ideal function in units and the input domain on which errors are measured.
struct FunctionSpec {
  std::string name;
  UnitFunction ideal;  // ideal output in ULPs of scale f at the signed fixed-point input
  i64 domain_lo = 0, domain_hi = 0;  // inclusive signed range the function is defined on
  int f_in = 0, f_out = 0;
};
FunctionSpec function_spec(const FunctionParams& p);

// How a function is compiled. compile_function(p) tries candidate_configs(p) and keeps the gate
// with the smallest key (estimated_key_bits); a run memoises that in its GateCache
// (gate_cache.h).
struct CompileConfig {
  int degree = 2;
  int poly_bits = 0;  // 0 = n
  int shift = 0;      // s
  bool direct_const = false;
  long double abs_ulp = 1.0;  // budget of the fitted splines: min(cap, max(abs_ulp, rel |g|))
  long double rel = 0.0;
  long double cap_ulp = 0;     // > 0: caps the relative budget
  long double tail_ulp = 0.5;  // budget of the clipped tails (GELU, SiLU, nExp)
};
// GELU, SiLU, nExp, inverse: degree 2 or 3, konst in the payload or folded, s in {n-26, n-22,
// n-18, n-14, n-10}, H = n, budget 1 ULP (tails 0.5 ULP). rsqrt: its input spans 2^(n-1) binary
// orders of magnitude, and a polynomial in the full-precision input cannot resolve the top ones at
// 1 ULP with few intervals (the rounding of a coefficient of t^k costs |t|^k / 2^s ULPs), so it
// gets H = 64 (a wider ring for the polynomial part), degree 2, s = 40, and a budget of max(1 ULP,
// 2^-10 |y|) capped at 2^13 ULPs (below the sigma suite's error at small inputs).
std::vector<CompileConfig> candidate_configs(const FunctionParams& p);

// Key bits per element of the secure gate under padding (interval-lookup DCFs + predicate atoms
// + the ARS DCF + additive shares), the compiler's cost measure.
std::size_t estimated_key_bits(const SufGate& g);
// The same for the shared-mask lookup (instance.h LookupMode::kSharedMask: one DCF of payload
// max(d, 1) + 1 per element, plus shares of that payload and of the opening mask).
std::size_t estimated_key_bits_shared_mask(const SufGate& g);

// Throws std::invalid_argument on bad parameters (n, f, cols) with the fix in the message.
SufGate compile_function(const FunctionParams& p);
SufGate compile_function(const FunctionParams& p, const CompileConfig& c);

}  // namespace secinfer::fss::compile
