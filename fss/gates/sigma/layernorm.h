// SIGMA's LayerNorm and RMSNorm over the last dimension, written once over Ops (Gupta et al.,
// PoPETs 2024, the LayerNorm protocol; EzPC GPU-MPC fss/gpu_layernorm.cu). sigma::layernorm and
// sigma::rmsnorm are declared in nonlinear.h. Per row x (length cols), scale f:
//   "mean"      mu = TrFloor(sum_j x_j, log2 cols) when cols is a power of two, else
//               TrFloor(floor(2^f / cols) sum_j x_j, f)                 (SIGMA gpuKeygenLayerNorm)
//   (local)     d_j = x_j - mu
//   "variance"  v = sum_j d_j^2 at scale 2f, revealed masked once per row (the square gate below)
//   "rsqrt"     q = 1 / sqrt(v / cols) at scale f                          (rsqrt.h)
//   "scale"     y_j = TrWithSlack(d_j q, f); z_j = TrWithSlack(y_j gamma_j + beta_j 2^f, f)
//               (SIGMA adds B to the product before truncating: "truncate X*M + B")
// RMSNorm: the same without the mean (d = x) and without beta.
#pragma once

#include <cstddef>
#include <span>

#include "fss/engine/gate.h"
#include "fss/engine/ops.h"
#include "fss/gates/sigma/nonlinear.h"

namespace secinfer::fss::sigma {

// SIGMA's square-and-sum gate (gpu_layernorm.cu square / squareKeygen): per element the dealer
// gives [r_j] and [r_j^2 + s_j]; party b computes sum_j ([b == 0] xhat_j^2 - 2 xhat_j [r_j] +
// [r_j^2 + s_j]) for its row, a share of sum_j x_j^2 + sum_j s_j, and the row sums are opened
// (1 round, n bits per party per ROW). As a UnaryGate (rows x cols in, rows x cols out), with
// GateArgs::cols = cols: y[r][0] = sum_j x[r][j]^2, y[r][j > 0] = 0 (the public zero: mask 0,
// masked value 0, nothing opened). Key: 2 n-bit shares per element.
void sumsq_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                 std::span<u64> y);
void sumsq_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in, std::span<u64> r_out);
void sumsq_eval(Party& party, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat);
// The gate as a UnaryGate bound to the "variance" scope.
const engine::UnaryGate& sumsq_gate();

// Row sums of squares over Ops (rows elements): the gate above, then its local row sums.
engine::Tensor sum_squares(Ops& ops, const engine::Tensor& a, std::size_t cols);

}  // namespace secinfer::fss::sigma
