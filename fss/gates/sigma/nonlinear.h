// SIGMA's nonlinear gates (Gupta et al., PoPETs 2024, section 5): declarations of the three faces
// of each gate (fss/engine/gate.h) and of the composite functions written once over Ops.
// Implemented in fss/gates/sigma/{lut,gelu,silu,nexp,inverse,rsqrt,softmax,layernorm}.cpp.
//
// The faces have the uniform UnaryGate signature so that sigma::suite() (suite.h) can bind them:
//   X_clear (const ClearCtx&, const GateArgs&, x,    y)      cleartext reference, same algorithm
//   X_keygen(Dealer&,         const GateArgs&, r_in, r_out)  draws r_out, writes both keys
//   X_eval  (Party&,          const GateArgs&, xhat, yhat)   reads own key, evaluates, opens
// Inputs and outputs are at scale frac_bits unless GateArgs says otherwise; each gate documents the
// GateArgs fields it reads, its clip ranges and table sizes (docs/design/product-spec.md "Engine
// and gate rules"), and its online rounds/bytes.
// Building blocks to compose with: truncate.h (TrFloor, TrWithSlack, local shifts), compare.h
// (DReLU, select, ReLU, max), linear.h (mul, mul_rowwise, square), Dealer::dpf / Party::read_dpf
// and fss::dpf_lut_eval for table lookups.
#pragma once

#include <cstddef>
#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/ops.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::ClearCtx;
using engine::Dealer;
using engine::GateArgs;
using engine::Ops;
using engine::Party;
using engine::Tensor;

#define SECINFER_SIGMA_UNARY_GATE(X)                                                \
  void X##_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x, \
                 std::span<u64> y);                                                 \
  void X##_keygen(Dealer& dealer, const GateArgs& args, std::span<const u64> r_in,  \
                  std::span<u64> r_out);                                            \
  void X##_eval(Party& party, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat);

// GELU: TrWithSlack to scale 6, DReLU + interval bit from one DPF key, |x| clipped to 8 bits,
// 256-entry table of ReLU(x) - GELU(x); y = ReLU(x) - T(clip|x|).
SECINFER_SIGMA_UNARY_GATE(gelu)
// SiLU: as GELU with a 10-bit clip and a 1024-entry table at scale 6.
SECINFER_SIGMA_UNARY_GATE(silu)
// nExp: exp(-x) for x >= 0 (softmax's max - x), clipped to 16 bits at scale 12, two 8-bit tables.
SECINFER_SIGMA_UNARY_GATE(nexp)
// Inverse: 1 / x for softmax row sums; GateArgs::cols = number of summed terms (table of
// ceil(log2 cols) + 6 bits).
SECINFER_SIGMA_UNARY_GATE(inverse)
// rsqrt: 1 / sqrt(x) via a 13-bit float-like code and an 8192-entry table; GateArgs::cols = hidden
// size where the gate folds the 1/cols of the variance in.
SECINFER_SIGMA_UNARY_GATE(rsqrt)

#undef SECINFER_SIGMA_UNARY_GATE

// Composite functions over Ops (leaf ops only, so they run unchanged in ClearOps, DealerOps and
// PartyOps). The caller (Ops::softmax etc.) has already opened the category scope.
Tensor softmax(Ops& ops, const Tensor& a, std::size_t cols, engine::SoftmaxMask mask);
Tensor layernorm(Ops& ops, const Tensor& a, const Tensor& gamma, const Tensor& beta,
                 std::size_t cols);
Tensor rmsnorm(Ops& ops, const Tensor& a, const Tensor& gamma, std::size_t cols);

}  // namespace secinfer::fss::sigma
