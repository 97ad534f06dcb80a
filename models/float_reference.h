// The same forward pass as transformer.h in double precision with the exact functions (erf GELU,
// exp softmax, true LayerNorm / RMSNorm with the public eps, exact 1/sqrt(head_dim), exact RoPE
// angles), on the same weights and inputs decoded from fixed point. Its difference to the
// cleartext fixed-point output is the accuracy cost of the approximations (SPEC section 2).
//
//   std::vector<double> y = float_forward(config, batch, seq, weights, input);
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/config.h"
#include "models/fixed.h"
#include "models/weights.h"

namespace secinfer::models {

// `input`: batch*seq x hidden fixed point at scale f (make_input). Returns batch*seq x hidden.
std::vector<double> float_forward(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                  const WeightSource& weights, std::span<const u64> input);

// The exact scalar functions, exposed for tests.
double gelu_exact(double x);
double silu_exact(double x);

}  // namespace secinfer::models
