// FuseFSS's fused nonlinear gates: GELU, SiLU, nExp, inverse, rsqrt, each ONE compiled SUF gate
// (fss/compile/functions.h for what each computes on the whole ring, suf_gate.h for the protocol),
// with the three faces of fss/engine/gate.h so that fusefss::suite() (suite.h) binds them to Ops.
//
//   X_clear (const ClearCtx&, const GateArgs&, x,    y)      compile::eval_clear of the same gate
//   X_keygen(Dealer&,         const GateArgs&, r_in, r_out)  per-element instances, both keys
//   X_eval  (Party&,          const GateArgs&, xhat, yhat)   two rounds (one + the exact ARS)
// Inputs and outputs at scale frac_bits, except rsqrt's input: a sum of `cols` squares at scale
// 2 frac_bits (the sigma suite's convention, so LayerNorm is shared code). GateArgs fields read:
// cols (inverse: terms per row sum = the row length; rsqrt: the row length), param (the bits
// below; 0, the default, is the shared-mask lookup with padding on).
// The gate is compiled once per (function, n, f, cols) and run: the faces take it from the run's
// compile::GateCache (Dealer::gate_cache, Party::gate_cache, ClearCtx::gate_cache).
#pragma once

#include <cstdint>
#include <span>

#include "fss/compile/functions.h"
#include "fss/compile/gate_cache.h"
#include "fss/compile/instance.h"
#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/party.h"

namespace secinfer::fss::fusefss {

using compile::Padding;
using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Party;

// GateArgs::param bits of the fused gates: kPaddingOffParam turns padding off (ablation only,
// insecure); kPerCutParam selects the per-cut lookup (compile/instance.h LookupMode::kPerCut)
// instead of the default shared-mask one. A gate without shared-mask support (H > n: rsqrt)
// always takes the per-cut lookup.
inline constexpr std::int64_t kPaddingOffParam = 1;
inline constexpr std::int64_t kPerCutParam = 2;
Padding padding_of(const GateArgs& args);
compile::LookupMode lookup_of(const GateArgs& args, const compile::SufGate& g);
// The param bits of a (padding, lookup) mode.
std::int64_t param_of(Padding padding, compile::LookupMode lookup);

// The compiled gate a face uses for this ring / scale / args, from `cache`.
const compile::SufGate& gate_for(compile::GateCache& cache, compile::FunctionId id, Ring ring,
                                 int frac_bits, const GateArgs& args);

// Compiles the gates a model run will use into `cache`, so that no gate call pays the fit:
// call it before the online clock starts (file-mode parties never run keygen in-process).
// inverse_cols: the softmax row lengths; rsqrt_cols: the LayerNorm / RMSNorm row lengths.
void precompile(compile::GateCache& cache, Ring ring, int frac_bits,
                std::span<const std::size_t> inverse_cols, std::span<const std::size_t> rsqrt_cols);

#define SECINFER_FUSEFSS_UNARY_GATE(X)                                              \
  void X##_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x, \
                 std::span<u64> y);                                                 \
  void X##_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,  \
                  std::span<u64> r_out);                                            \
  void X##_eval(Party& party, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat);

SECINFER_FUSEFSS_UNARY_GATE(gelu)
SECINFER_FUSEFSS_UNARY_GATE(silu)
SECINFER_FUSEFSS_UNARY_GATE(nexp)
SECINFER_FUSEFSS_UNARY_GATE(inverse)
SECINFER_FUSEFSS_UNARY_GATE(rsqrt)

#undef SECINFER_FUSEFSS_UNARY_GATE

}  // namespace secinfer::fss::fusefss
