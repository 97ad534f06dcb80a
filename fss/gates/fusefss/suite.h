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

// Process-wide immutable tables, one per padding mode (kOff: the insecure ablation; its gates
// ignore GateArgs::param and always run without padding).
const engine::GateSuite& suite(compile::Padding padding = compile::Padding::kOn);

}  // namespace secinfer::fss::fusefss
