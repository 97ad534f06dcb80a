// The party-local steps of the shared-mask gate after the interval lookup's combination
// (compile/instance.h LookupMode::kSharedMask; suf_gate.h "Horner"), as functions that the CPU
// gate (suf_gate.cpp) and the GPU's bit-for-bit check (fss/cuda/tools/gpu_check.cpp) both call:
//
//   SharedMaskShares sh = compile::shared_mask_combine(g, xhat, products, v_share, party0);
//   SharedMaskLocal loc = shared_mask_local(g, sh, xhat, rv);   // loc.v: share of v^, loc.rest
//
// and the gate's public data flattened for the GPU kernels (fss/cuda/shared_mask_core.h).
#pragma once

#include "fss/compile/instance.h"
#include "fss/compile/suf.h"
#include "fss/cuda/shared_mask_core.h"

namespace secinfer::fss::fusefss {

struct SharedMaskLocal {
  u64 v = 0;     // share of P(x) + r_v mod 2^n: Horner on the public x^ with the shared
                 // coefficients, plus the share rv of the opening mask
  u64 rest = 0;  // share of konst + sum_h (alpha_h + beta_h x) bit_h mod 2^n (added after the ARS)
};

// One element (all mod 2^n, n = g.n = H): Horner with sh.coeffs at x^ plus rv, and the helper
// terms with (bit, bit * r) from sh.helpers: (alpha + beta x) bit = alpha bit + beta (x^ bit -
// r bit).
SharedMaskLocal shared_mask_local(const compile::SufGate& g, const compile::SharedMaskShares& sh,
                                  u64 xhat, u64 rv);

// The public tables of the GPU combination (shared_mask_core.h) for a gate with
// compile::supports_shared_mask(g); throws std::invalid_argument otherwise or when its degree
// exceeds the kernels' limit.
cuda::SharedMaskGateTables shared_mask_gate_tables(const compile::SufGate& g);

}  // namespace secinfer::fss::fusefss
