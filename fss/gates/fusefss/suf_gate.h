// The secure evaluation of a compiled SUF gate (fss/compile/suf.h): FuseFSS's fused nonlinear gate
// on masked wires (docs/design/fusefss-design.md "Evaluation"; Boyle et al., Eurocrypt 2021,
// section 4, interval containment and splines from DCFs). Batch over N elements, one fresh mask per
// element.
//
//   suf_keygen(dealer, gate, Padding::kOn, tag, r_in, r_out);   // draws r_out, writes both keys
//   suf_eval(party, gate, Padding::kOn, tag, xhat, yhat);       // yhat = eval_clear(x) + r_out
// (the gate's default lookup, shared-mask where it applies; pass a LookupMode to choose.) Below,
// the per-cut lookup; the shared-mask lookup is described with the declarations.
//
// Online, per element (scopes nested under the caller's, e.g. "Activation::GELU/..."):
//   FSS::PackedCompare   the helper predicates' comparison atoms, all atoms of all elements in one
//                        batched DCF pass per atom width: shares of (bit, bit * r) per helper term.
//   FSS::IntervalLookup  the lookup thresholds, all of all elements in one batched DCF pass with
//                        vector payloads Delta_k (secret inside the keys), + the shared base:
//                        shares of the x^-coefficients of the interval's polynomial
//                        (compile/instance.h).
//   Horner               local Horner on the public x^ with the shared coefficients (the base
//                        carries the opening mask), then ONE opening of v^ (H bits per element).
//   PostProcess          (shift > 0) the exact ARS of v by s: v' = v + 2^(H-2) in [0, 2^(H-1))
//                        by the range guarantee, floor(v'/2^s) = floor(v'^/2^s) - floor(r_v/2^s)
//                        - [v'^ mod 2^s < r_v mod 2^s] + 2^(H-s) msb(r_v) (1 - msb(v'^)) (the
//                        carry from a DCF on s bits, the wrap from the shared msb(r_v): the gap
//                        trick), + konst + helper terms + r_out, then the second opening of y^.
// Rounds: 2 when shift > 0 (the truncation needs the opened v^: no local truncation of shares is
// exact), 1 when shift = 0. Bytes per party per element: ceil(H/8)-ish + n bits, bit-packed by
// Party::open. Message sizes never depend on a mask; key sizes do only under Padding::kOff with
// the per-cut lookup (the shared-mask lookup's never do).
//
// Key layout (one record, tag given by the caller), in chunks of chunk_elements(gate, mode)
// elements:
//   phase 1, per chunk, per-cut: [kOff: per element threshold and atom counts, 16 bits each]
//     lookup DCF keys (n -> H bits, payload L), lookup base shares (L x H bits per element),
//     atom DCF keys per atom width (w -> n bits, payload 2T), atom base shares (2T x n bits);
//   phase 1, per chunk, shared-mask: DCF keys (n -> n bits, payload D + 1), shares of the powers
//     of -r ((D + 1) x n bits per element) and of r_v (n bits);
//   phase 2 (shift > 0), per chunk: carry DCF keys (s -> n bits, payload 1), shares of
//     2^(H-s) msb(r_v) and of r_out - floor(r_v / 2^s) (n bits each).
#pragma once

#include <cstdint>
#include <span>

#include "fss/compile/instance.h"
#include "fss/compile/suf.h"
#include "fss/engine/dealer.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

using compile::LookupMode;
using compile::Padding;
using compile::SufGate;

// mode kPerCut: the per-cut instances above (docs/design/fusefss-design.md "Evaluation").
// kSharedMask (compile/instance.h; needs H = n): per element ONE DCF key (n -> n bits, payload D +
// 1 = the powers of -r) evaluated at the public points x^ - p of every cut and predicate bound
// (FSS::PackedCompare), shares of those powers and of r_v (FSS::IntervalLookup combines them with
// the public coefficients); its shape never depends on the mask, so `padding` changes nothing
// there. Phase 2 is the same in both modes. An explicit kSharedMask for a gate without support
// throws std::invalid_argument.
void suf_keygen(engine::Dealer& dealer, const SufGate& g, Padding padding, std::uint32_t tag,
                std::span<const u64> r_in, std::span<u64> r_out, LookupMode mode);
void suf_eval(engine::Party& party, const SufGate& g, Padding padding, std::uint32_t tag,
              std::span<const u64> xhat, std::span<u64> yhat, LookupMode mode);
// Without a mode: the gate's default lookup (compile::default_lookup: shared-mask where the gate
// supports it, else per-cut).
void suf_keygen(engine::Dealer& dealer, const SufGate& g, Padding padding, std::uint32_t tag,
                std::span<const u64> r_in, std::span<u64> r_out);
void suf_eval(engine::Party& party, const SufGate& g, Padding padding, std::uint32_t tag,
              std::span<const u64> xhat, std::span<u64> yhat);

// Elements per key chunk (a function of the gate and the lookup mode only, so both sides agree).
std::size_t chunk_elements(const SufGate& g, LookupMode mode);

}  // namespace secinfer::fss::fusefss
