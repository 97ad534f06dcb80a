// The SIGMA gate suite as a table for Ops (fss/engine/ops.h GateSuite): GELU, SiLU, nExp,
// inverse, rsqrt (nonlinear.h) and the composite softmax / LayerNorm / RMSNorm.
#pragma once

#include "fss/engine/ops.h"

namespace secinfer::fss::sigma {

// Process-wide immutable table (all entries filled).
const engine::GateSuite& suite();

}  // namespace secinfer::fss::sigma
