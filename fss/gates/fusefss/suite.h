// The fusefss gate suite as a table for Ops (fss/engine/ops.h GateSuite): the fused GELU, SiLU,
// nExp, inverse and rsqrt of nonlinear.h; softmax, LayerNorm and RMSNorm are the sigma suite's
// composite functions (max, sums, multiplications, truncations shared), which reach the fused
// nExp / inverse / rsqrt through the table, so a comparison measures the nonlinear gates only.
//
//   PartyOps ops(..., fusefss::suite(padding, lookup), ...);   // --padding on|off,
//                                                              // --lookup shared-mask|per-cut
#pragma once

#include "fss/compile/instance.h"
#include "fss/engine/ops.h"

namespace secinfer::fss::fusefss {

// Process-wide immutable tables, one per (padding, lookup) mode; their faces set GateArgs::param to
// the table's mode (nonlinear.h param_of). Padding::kOff is the insecure ablation.
// LookupMode::kSharedMask (default) is the one-key-per-element construction of compile/instance.h
// (one DCF key per element evaluated at x^ - p, payload the powers of -r: ~3 KB of key per GELU
// element; its shape never depends on the mask, so padding has nothing to pad); rsqrt (H > n) keeps
// the per-cut lookup under it. LookupMode::kPerCut is the construction of
// docs/design/fusefss-design.md "Evaluation" (one vector-payload DCF per cut per element, payload
// differences secret in them; ~33 KB per GELU element, padding matters). Both give the same outputs
// bit for bit.
//
// ActMode: how GELU and SiLU that follow a truncation run (the MLP's up-projection in BERT and
// GPT-2). kFused (default): the fused truncation + activation gates of trunc_act.h
// (docs/design/fused-trunc-act.md: SIGMA's TrFloor + activation in one gate, SIGMA's
// approximation, bit for bit); kPrecise: the truncation, then the whole-ring high-precision gate
// of nonlinear.h (about 1 ULP; the accuracy mode, docs/accuracy.md). kFused also takes SIGMA's
// functions for nExp (the fused nExp of fused_nexp.h), the row inverse (SIGMA's lookup) and the
// softmax's row max (in SIGMA's reduced ring), so its accuracy is SIGMA's throughout; kPrecise
// keeps the whole-ring gates and max. Other gates are the same in both. kFusedFlag is kFused
// with the fused truncation + activation's table carry as an XOR flag (GateArgs::fused_carry_flag:
// one exchange fewer, twice the table); kFusedLeaf128 is kFused with that gate's lookup on SIGMA's
// 128-bit DPF leaves (GateArgs::fused_sigma_leaf: smaller keys, more AES).
enum class ActMode { kFused, kPrecise, kFusedFlag, kFusedLeaf128 };
// SIGMA's steps that choose a correction by an opened comparison bit: kSigma runs them as SIGMA
// does; kDcf takes the rescaling truncations (and the fused gates' truncation steps) from
// ring-payload DCFs in half the exchanges (dcf_trunc.h; the run's default); kDcfMax also the
// softmax max's ReLU (dcf_relu.h: 1 exchange a level instead of 2, 3x the AES of SIGMA's DCF);
// kSigma2 is kDcf with TrFloor from SIGMA's comparison keys in 2 exchanges instead of 1
// (trunc_floor2.h: about 40% of the ring-payload TrFloor's AES) and SIGMA's own TrWithSlack (2
// exchanges, 5 AES), for where exchanges are cheap (both parties' kernels sharing one GPU).
enum class TruncMode { kSigma, kDcf, kDcfMax, kSigma2 };

const engine::GateSuite& suite(compile::Padding padding = compile::Padding::kOn,
                               compile::LookupMode lookup = compile::LookupMode::kSharedMask,
                               ActMode act = ActMode::kFused, TruncMode trunc = TruncMode::kDcf);

}  // namespace secinfer::fss::fusefss
