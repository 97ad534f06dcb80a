// The transformer forward pass, written ONCE against fss::engine::Ops (docs/design/product-spec.md
// "Models and references"): the same code runs on ClearOps (cleartext fixed point), DealerOps
// (offline keygen on masks) and PartyOps (online, one party), for BERT, GPT-2, GPT-Neo and the
// Llama-style block.
//
//   Transformer t(find_model("bert-tiny"), /*batch=*/1, /*seq=*/128);
//   std::vector<u64> out = t.forward(ops, &weights, input);   // whole pass, or step by step:
//   Tensor h = t.embed(ops, input);                           // step 0 (client's input)
//   for (l...) { LayerParams p = t.load_layer(ops, w.layer(l)); h = t.layer(ops, l, p, h); }
//   HeadParams hp = t.load_head(ops, w.final_norm()); out = t.head(ops, hp, h);
//
// The steps let a runner interleave offline key generation and online evaluation layer by layer
// (DealerOps and PartyOps must see the same call sequence, so they run the same steps in the same
// order) and keep key memory bounded by one layer. load_layer / load_head only mask weights (do it
// outside the online clock); embed / layer / head are the online work.
//
// Per layer: Q|K|V projection (one matmul + bias, TrFloor by f), per-head QK^T (batched matmul)
// with 1/sqrt(head_dim) folded into the truncation shift when log2(head_dim) is even (head_dim 64:
// shift f + 3), otherwise a public multiply by round(2^f / sqrt(head_dim)) and a shift of 2f;
// softmax (causal for decoders, GPT-Neo local layers also mask keys older than the window); AV;
// output projection; residual; norm (post-LN for BERT, pre-LN otherwise); MLP (GELU, or Llama's
// down(SiLU(gate) * up)); residual; norm. Decoders end with a final norm. The output is the last
// hidden states, batch*seq x hidden, revealed to both parties.
//
// Scopes (docs/design/product-spec.md "Scopes and the breakdown"): projections and attention
// products in "Linear" (matmul + bias in one Ops::Region), truncations in "TruncRescale", softmax
// in "Softmax", norms in "LayerNorm", activations in "Activation::GELU" / "Activation::SiLU",
// reshapes and residual adds in "Misc".
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "fss/engine/ops.h"
#include "models/config.h"
#include "models/weights.h"

namespace secinfer::models {

using fss::engine::Ops;
using fss::engine::Tensor;

// A layer's weights as Ops tensors (values, masks or masked values); absent biases stay empty.
struct LayerParams {
  Tensor qkv_w, qkv_b, out_w, out_b;
  Tensor norm1_g, norm1_b, norm2_g, norm2_b;
  Tensor up_w, up_b, down_w, down_b;
};

struct HeadParams {
  Tensor norm_g, norm_b;  // empty when the model has no final norm
};

class Transformer {
 public:
  // Validates the run shape (validate_run); throws std::invalid_argument.
  Transformer(const ModelConfig& c, std::size_t batch, std::size_t seq);

  const ModelConfig& config() const { return c_; }
  std::size_t batch() const { return batch_; }
  std::size_t seq() const { return seq_; }
  std::size_t rows() const { return batch_ * seq_; }

  // Step 0: the client's (party 1's) embeddings, rows x hidden at scale f. `input` may be empty
  // where this party is not the owner.
  Tensor embed(Ops& ops, std::span<const u64> input) const;

  // Masks a layer's weights (party 0's input). `w` may hold shape-only tensors (empty data)
  // where this party does not own the weights (party 1, the dealer).
  LayerParams load_layer(Ops& ops, const TensorMap& w) const;
  Tensor layer(Ops& ops, std::size_t l, const LayerParams& p, const Tensor& x) const;

  // A layer in row chunks (models/row_chunks.h): its attention's inputs for every row, then its
  // output rows [r0, r1) of the sequence, as many times as the chunks; any split of 0 .. seq gives
  // the rows layer() gives, bit for bit. After Q, K and V every operation is row by row; a query
  // row needs every key row (a decoder's, those up to its own).
  struct AttentionInputs {
    Tensor q, k, v;  // (batch * heads) x seq x head_dim
  };
  // The first norm where it comes first (pre-LN), the Q|K|V projection, its split into heads,
  // RoPE.
  AttentionInputs attention_inputs(Ops& ops, const LayerParams& p, const Tensor& x) const;
  // Rows [r0, r1) of layer l's output from its input x (every row) and attention_inputs(x). Rows
  // other than the whole sequence need batch 1 (std::invalid_argument otherwise).
  Tensor layer_rows(Ops& ops, std::size_t l, const LayerParams& p, const Tensor& x,
                    const AttentionInputs& in, std::size_t r0, std::size_t r1) const;

  HeadParams load_head(Ops& ops, const TensorMap& w) const;
  // Final norm (decoders) and the reveal of the output.
  std::vector<u64> head(Ops& ops, const HeadParams& p, const Tensor& x) const;

  // The whole pass. `weights` may be null where this party does not own the weights.
  std::vector<u64> forward(Ops& ops, const WeightSource* weights, std::span<const u64> input) const;

  // Shape-only weights (empty data) for the parties that do not own them.
  TensorMap shape_only_layer() const;
  TensorMap shape_only_head() const;

  // The public attention-scale constant and shift for this model (documented in the header).
  struct AttentionScale {
    u64 multiplier = 1;  // 1: folded into the shift
    int shift = 0;
  };
  AttentionScale attention_scale() const;
  // The scores (rows x S, scale 2f) rescaled to scale f: x multiplier, TrFloor by shift; causal:
  // only the lower triangle (zeros above it), of query rows first_row .. S - 1 against keys
  // 0 .. S - 1 (a row chunk's; engine::SoftmaxMask).
  Tensor rescale_scores(Ops& ops, const Tensor& scores, std::size_t rows, std::size_t S,
                        std::size_t first_row = 0) const;
  // Fixed-point value added to masked scores (GPT-Neo local layers): -64 at scale f, far below
  // the nExp clip (SIGMA clips max - x at 16), so masked keys get weight 0.
  static constexpr double kMaskedScore = -64.0;

 private:
  // x W + b at scale 2f (the "Linear" scope), and the same truncated to scale f.
  Tensor projection(Ops& ops, const Tensor& x, const Tensor& w, const Tensor& b, std::size_t in,
                    std::size_t out) const;
  Tensor linear(Ops& ops, const Tensor& x, const Tensor& w, const Tensor& b, std::size_t in,
                std::size_t out) const;
  Tensor norm(Ops& ops, const Tensor& x, const Tensor& g, const Tensor& b) const;
  // Attention output rows [r0, r1) (before the residual).
  Tensor attention_rows(Ops& ops, std::size_t l, const LayerParams& p, const AttentionInputs& in,
                        std::size_t r0, std::size_t r1) const;
  Tensor mlp(Ops& ops, const LayerParams& p, const Tensor& x) const;

  const ModelConfig& c_;
  std::size_t batch_, seq_;
};

}  // namespace secinfer::models
