// Per-instance compilation by the dealer: one SUF gate (suf.h), one element, one fresh input mask
// r (docs/design/fusefss-design.md "Compiling one gate instance" and "Mask-correct rewriting").
//
//   InstanceKey k = compile_instance(gate, r_in, open_mask, Padding::kOn, dummy);
//   // k.lookup_alpha / k.lookup_beta -> DCF keys; k.lookup_base -> additive shares; same for atoms
//
// Interval lookup. The evaluator sees x^ = x + r. The cuts shifted by the mask, s_j = a_j + r mod
// 2^n, sorted, cut [0, 2^n) into pieces; the interval that wraps past 2^n is split at 0 and both
// parts get its payload. Piece k's payload Q_k = the coefficients of P_j re-expressed in x^,
// c'_i = sum_{k>=i} c_k binom(k, i) (-r')^(k-i) mod 2^H (r' = r, or, when H > n, the exact integer
// with x_s = x^ - r' on that piece), plus konst_j. With thresholds tau_k = the piece starts but 0,
//   payload(x^) = Q_last + sum_k (Q_{k-1} - Q_k) [x^ < tau_k]
// (Boyle et al., Eurocrypt 2021, section 4: the DCF with payload Delta_k = Q_{k-1} - Q_k computes
// each product directly and keeps Delta_k secret; the base Q_last goes out as additive shares).
// The dealer adds `open_mask` to the constant coefficient of every piece, so the local Horner
// result is already masked for the opening.
//
// Helper predicates. LT(b) = [x < b] = [x^ < t] - [x^ < r] + w with t = b + r mod 2^n and
// w = [r + b >= 2^n] (LTLOW the same over Z_{2^f} on x^ mod 2^f). Each comparison is an "atom"
// (threshold, payload sign * (1, r) for the helper term it feeds); the constants w go into the
// atom base, shared.
//
// Padding (the only secure mode, default): every instance has exactly m thresholds (m + 1 pieces)
// -- when no interval wraps (some s_j = 0, probability m / 2^n) a dummy threshold with payload 0 is
// added at `dummy` -- and exactly two atoms per predicate reference in a fixed order, nothing
// merged. Padding::kOff (ablation only, insecure): no dummy (m - 1 thresholds when nothing wraps,
// which tells the evaluator that r = -a_j for some j) and atoms with equal thresholds merged (the
// [x^ < r] atoms of all predicates fold into one, dropped when their payloads cancel).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fss/compile/suf.h"

namespace secinfer::fss::compile {

enum class Padding { kOn, kOff };

struct Atom {
  int bits = 0;  // comparison domain: n (LT) or f (LTLOW, on x^ mod 2^f)
  u64 threshold = 0;
};

struct InstanceKey {
  std::vector<u64> lookup_alpha;  // thresholds tau_k (m, or m - 1 under kOff without a wrap)
  std::vector<u64> lookup_beta;   // lookup_alpha.size() * L, mod 2^H
  std::vector<u64> lookup_base;   // L, mod 2^H
  std::vector<Atom> atoms;
  std::vector<u64> atom_beta;  // atoms.size() * 2T (T = helper terms), mod 2^n
  std::vector<u64> atom_base;  // 2T, mod 2^n: per term (bit constant, bit constant * r)
};

// Number of thresholds / atoms an instance has under padding (mask independent).
std::size_t padded_thresholds(const SufGate& g);
std::size_t padded_atoms(const SufGate& g);

// r_in in Z_{2^n}; open_mask in Z_{2^H} (added to coefficient 0 of every piece); dummy: the
// dummy threshold under padding (a fresh random value from the dealer, drawn for every instance).
InstanceKey compile_instance(const SufGate& g, u64 r_in, u64 open_mask, Padding padding, u64 dummy);

// --- The shared-mask lookup (an alternative to the per-cut instances above) -------------------
// Boyle et al., Eurocrypt 2021, section 4 (multiple interval containment from ONE DCF key): per
// element a single DCF key at alpha = r with payload V = ((-r)^0, ..., (-r)^D) (D = max(degree,
// 1)), evaluated at the PUBLIC points x^ - p for every offset p in shared_mask_offsets(g). With u =
// x^ - a, u' = x^ - b (mod 2^n) and A(z) = [z < r]:
//   [x in [a, b)] V = [u < b - a] V - A(u) V + A(u') V,
// so every interval indicator and every LT helper bit comes out multiplied by the powers of r,
// and the x^-coefficients of the interval's polynomial are public combinations of those shares
// (c'_i = sum_k c_k binom(k, i) (-r)^(k-i)); V itself is dealer-shared for the public-bit term.
// Nothing depends on the mask's value in shape (no wrap split, no padding needed), the key is one
// DCF of payload D + 1 instead of m of payload L, and no mask-dependent value is in clear. Needs
// H = n and LT helpers only.
enum class LookupMode { kPerCut, kSharedMask };

bool supports_shared_mask(const SufGate& g);
// The default lookup of a gate: kSharedMask where supported, else kPerCut (rsqrt: H > n).
LookupMode default_lookup(const SufGate& g);
int shared_mask_payload(const SufGate& g);               // D + 1
std::vector<u64> shared_mask_offsets(const SufGate& g);  // sorted distinct: the cuts + LT bounds

// From the per-offset products A(x^ - p) V (offsets order, (D+1) each, any additive sharing) and
// the sharing of V, one party's shares of: the interval coefficients S_0..S_d (x^-monomials,
// summed over intervals), konst, and per helper term (bit, bit * r). `party0` adds the public
// terms once. All mod 2^n.
struct SharedMaskShares {
  std::vector<u64> coeffs;  // degree + 1
  u64 konst = 0;
  std::vector<u64> helpers;  // 2T
};
SharedMaskShares shared_mask_combine(const SufGate& g, u64 xhat, std::span<const u64> products,
                                     std::span<const u64> v_share, bool party0);
std::vector<u64> shared_mask_payload_vector(const SufGate& g, u64 r);  // V

// Cleartext check of an instance: the payload vector the lookup yields at x^ (base + sum of
// Delta_k over thresholds above x^), and the helper sums (per term: bit, bit * r).
std::vector<u64> lookup_clear(const SufGate& g, const InstanceKey& k, u64 xhat);
std::vector<u64> atoms_clear(const SufGate& g, const InstanceKey& k, u64 xhat);

}  // namespace secinfer::fss::compile
