// The IR of FuseFSS's fused gates: a structured univariate function (SUF) on Z_{2^n}
// (docs/design/fusefss-design.md "The object"; Boyle et al., Eurocrypt 2021, "FSS for Mixed-Mode
// and Fixed-Point Secure Computation", section 4 "splines"): a partition of the ring into intervals
// with a polynomial per interval, Boolean helper predicates, and a post-processing truncation.
//
//   SufGate g = compile::compile_function({FunctionId::kGelu, 50, 12});
//   u64 y = compile::eval_clear(g, x);       // the exact integer semantics (below)
//
// Exact integer semantics of eval_clear (the secure gate, fss/gates/fusefss/suf_gate.h, computes
// the same value bit for bit):
//   N = 2^n, x in [0, N), x_s its signed view in [-2^(n-1), 2^(n-1)).
//   j  = the interval with cuts[j] <= x < cuts[j+1] (cuts[m] = N; unsigned order).
//   v  = sum_k coeffs[j][k] * x_s^k  mod 2^H             (H = poly_bits, n <= H <= 64)
//   p  = shift > 0 ? floor(signed_H(v) / 2^shift) : v    (arithmetic shift, "ARS")
//   y  = konst[j] + p + sum_h (alpha_h + beta_h * x) * bit_h(x)   mod N
//   bit_h(x) = constant_h + sum_i sign_i * pred_i(x), pred = LT(b): [x < b] or
//   LTLOW(b, f): [(x mod 2^f) < b]; the builders guarantee bit_h(x) in {0, 1}.
// Guarantee the compiler gives (checked by validate_ranges / the verifier) and the secure ARS
// needs: for shift > 0 and every x of interval j, the integer P_j(x_s) lies in [-2^(H-2), 2^(H-2)).
// When H > n every interval lies inside one half of the ring (a cut at 2^(n-1)), so the secure
// gate can lift x^ - r to x_s exactly per interval.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss::compile {

// A Boolean helper predicate on the gate input x (unsigned view).
struct Predicate {
  enum class Kind : std::uint8_t { kLt, kLtLow };
  Kind kind = Kind::kLt;
  u64 bound = 0;     // LT: 0 < bound < 2^n.  LTLOW: 0 < bound < 2^low_bits
  int low_bits = 0;  // LTLOW only: 1 .. n-1
};

// y += (alpha + beta * x) * bit, bit = constant + sum sign_i * pred_i  (all mod 2^n).
struct HelperTerm {
  std::int64_t constant = 0;
  std::vector<std::pair<int, int>> preds;  // (index into SufGate::preds, sign +1 / -1)
  u64 alpha = 0;
  u64 beta = 0;
};

// How an interval's polynomial came about (documentation and exact range checks).
struct IntervalFit {
  bool fitted = false;        // false: a fixed piece of the specification (constant, zero)
  i64 center = 0;             // x_c: P(x_s) = sum_k centered[k] * (x_s - x_c)^k over Z
  std::vector<i64> centered;  // degree + 1 integers
  i64 lo = 0, hi = 0;         // the signed inputs [lo, hi] the interval covers
};

struct SufGate {
  std::string name;
  int n = 0;                      // ring bits of the input and the output
  int poly_bits = 0;              // H, the ring of the polynomial part
  int f_in = 0, f_out = 0;        // fixed-point scales (documentation)
  int degree = 0;                 // d
  int shift = 0;                  // s, the post-processing ARS (0 = none, one round)
  bool direct_const = false;      // konst[j] travels in the lookup payload (else all zero)
  std::vector<u64> cuts;          // m entries, cuts[0] = 0, strictly increasing, < 2^n
  std::vector<u64> coeffs;        // m * (degree + 1), monomial coefficients in x_s mod 2^H
  std::vector<u64> konst;         // m, mod 2^n
  std::vector<IntervalFit> fits;  // m
  std::vector<Predicate> preds;
  std::vector<HelperTerm> helpers;

  std::size_t intervals() const { return cuts.size(); }
  // Ring elements per interval in the lookup payload: d + 1 coefficients (+ konst).
  int payload_len() const { return degree + 1 + (direct_const ? 1 : 0); }
  // Online rounds of the secure gate: one opening, plus one for the ARS.
  int rounds() const { return shift > 0 ? 2 : 1; }
  std::span<const u64> poly(std::size_t j) const {
    return {coeffs.data() + j * static_cast<std::size_t>(degree + 1),
            static_cast<std::size_t>(degree + 1)};
  }
};

// Throws std::invalid_argument naming the problem (bad widths, cuts, sizes, predicates).
void validate(const SufGate& g);

// Index j of the interval holding x (x reduced mod 2^n).
std::size_t find_interval(const SufGate& g, u64 x);
// v = P_j(x_s) mod 2^H.
u64 eval_poly(const SufGate& g, std::size_t j, u64 x);
// floor(signed_bits(v) / 2^s) mod 2^bits.
u64 ars(u64 v, int bits, int s);
// The predicate's value on x.
bool eval_predicate(const Predicate& p, int n, u64 x);
// bit_h(x) of a helper term (the integer constant + sum sign * pred).
std::int64_t helper_bit(const SufGate& g, const HelperTerm& h, u64 x);

// The gate's output (header comment), for one input or a batch (spans of equal size).
u64 eval_clear(const SufGate& g, u64 x);
void eval_clear(const SufGate& g, std::span<const u64> x, std::span<u64> y);

// Monomial coefficients mod 2^H of sum_k centered[k] (x - center)^k (exact binomial expansion).
std::vector<u64> expand_centered(std::span<const i64> centered, i64 center, int bits);

// "m=14 d=2 n=50 H=50 f=12->12 s=30 L=3 preds=2 rounds=2".
std::string describe(const SufGate& g);

}  // namespace secinfer::fss::compile
