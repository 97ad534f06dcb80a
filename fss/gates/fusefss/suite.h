// The fusefss gate suite as a table for Ops (fss/engine/ops.h GateSuite): the fused GELU, SiLU,
// nExp, inverse and rsqrt of nonlinear.h; softmax, LayerNorm and RMSNorm are the sigma suite's
// composite functions (max, sums, multiplications, truncations shared), which reach the fused
// nExp / inverse / rsqrt through the table, so a comparison measures the nonlinear gates only.
//
//   PartyOps ops(..., fusefss::suite(padding), ...);   // padding from --padding on|off
#pragma once

#include "fss/compile/instance.h"
#include "fss/engine/ops.h"

namespace secinfer::fss::fusefss {

// Process-wide immutable tables, one per (padding, lookup) mode; their faces set GateArgs::param
// to the table's mode (nonlinear.h). Padding::kOff is the insecure ablation. LookupMode::kPerCut
// (default) is the FUSEFSS.md construction (m DCF keys per element, payload differences secret in
// them); kSharedMask is the one-key-per-element construction of compile/instance.h (same outputs
// bit for bit, keys ~10x smaller; mask-independent shape, so padding has nothing to pad; rsqrt
// keeps the per-cut lookup).
const engine::GateSuite& suite(compile::Padding padding = compile::Padding::kOn,
                               compile::LookupMode lookup = compile::LookupMode::kPerCut);

}  // namespace secinfer::fss::fusefss
