// The same forward pass as transformer.h in double precision with the exact functions (erf GELU,
// exp softmax, true LayerNorm / RMSNorm with the public eps, exact 1/sqrt(head_dim), exact RoPE
// angles), on the same weights and inputs decoded from fixed point. Its difference to the cleartext
// fixed-point output is the accuracy cost of the approximations (docs/design/product-spec.md
// "Models and references").
//
//   std::vector<double> y = float_forward(config, batch, seq, weights, input);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "models/compare.h"
#include "models/config.h"
#include "models/fixed.h"
#include "models/weights.h"

namespace secinfer::models {

// `input`: batch*seq x hidden fixed point at scale f (make_input). Returns batch*seq x hidden.
// `threads`: rows computed in parallel (0 = all hardware threads); the output is the same for
// every thread count (each row's operations and their order do not depend on it).
std::vector<double> float_forward(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                  const WeightSource& weights, std::span<const u64> input,
                                  int threads = 0);

// The same forward from real-valued embeddings x (batch*seq x hidden).
std::vector<double> float_forward_embedded(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                           const WeightSource& weights, std::vector<double> x,
                                           int threads = 0);

// Token ids embedded as the model does (embedding.h) in double: token[id] + position[pos]
// (+ token_type[0]), then BERT's embedding LayerNorm with the exact mean, variance and eps; the
// tables decoded from fixed point. `ids` has seq entries, repeated over the batch.
std::vector<double> float_embed(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                const EmbeddingTables& tables, std::span<const std::int64_t> ids);

// Accuracy of a language model's next-token logits (logits = h W^T, W the LM head, vocab x
// hidden): the secure (fixed-point) final hidden states against the float reference's, both
// through the same head in double. Positions are the rows of `secure` (rows x hidden).
struct LogitAccuracy {
  Difference vs_float;         // logits, real units (max_ulp at scale f)
  std::size_t positions = 0;   // rows compared
  std::size_t top1_agree = 0;  // rows whose argmax token is the same
  double top1_agreement() const {
    return positions ? static_cast<double>(top1_agree) / static_cast<double>(positions) : 0.0;
  }
};
// `threads` as float_forward's: the logits of a group of positions are computed in parallel, their
// differences added in position order, so the result does not depend on it.
LogitAccuracy compare_logits(const ModelConfig& c, std::span<const u64> secure,
                             std::span<const double> reference, const WeightTensor& head,
                             int threads = 0);

// The exact scalar functions, exposed for tests.
double gelu_exact(double x);
double silu_exact(double x);

}  // namespace secinfer::models
