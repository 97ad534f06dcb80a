// Transformer model configurations (docs/design/product-spec.md "Models and references"): the
// public shapes of BERT, GPT-2, GPT-Neo and a Llama-style block, plus the fixed-point parameters
// (ring bits n, fractional bits f) that SIGMA uses for each (Gupta et al., PoPETs 2024, Table 2 /
// their GPU-MPC experiment configs).
//
//   const ModelConfig& c = find_model("bert-base");   // registry.h
//   validate_run(c, /*seq=*/128, /*batch=*/1);        // throws std::invalid_argument on bad input
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace secinfer::models {

enum class Family { kBert, kGpt2, kGptNeo, kLlama };
enum class NormKind { kLayerNorm, kRmsNorm };
enum class ActivationKind { kGelu, kSilu };
enum class AttentionType { kGlobal, kLocal };  // GPT-Neo: local = sliding window of `window`

struct ModelConfig {
  std::string name;
  Family family = Family::kBert;
  std::size_t layers = 0;
  std::size_t hidden = 0;
  std::size_t heads = 0;
  std::size_t head_dim = 0;       // hidden / heads
  std::size_t intermediate = 0;   // MLP width
  std::size_t max_positions = 0;  // the largest seq the model accepts
  std::size_t vocab = 0;          // documentation only: inputs are embeddings
  bool pre_ln = false;            // GPT-2 / Neo / Llama: norm before attention and MLP
  bool causal = false;            // decoder models: token i attends to j <= i
  ActivationKind activation = ActivationKind::kGelu;
  NormKind norm = NormKind::kLayerNorm;
  double norm_eps = 1e-5;  // float reference only (BERT 1e-12, GPT-2/Neo/Llama-2 1e-5)
  // Per layer; empty means all global. GPT-Neo alternates global, local (public config
  // "attention_types": [[["global", "local"], 12]]) with window_size 256.
  std::vector<AttentionType> attention_types;
  std::size_t window = 0;
  bool rotary = false;      // Llama: rotary position embeddings on Q and K
  bool gated_mlp = false;   // Llama: down(silu(gate(x)) * up(x))
  bool final_norm = false;  // GPT-2 / Neo / Llama: ln_f after the last layer
  bool qkv_bias = true;     // GPT-Neo and Llama have no Q/K/V biases
  bool out_bias = true;     // attention output projection bias (Llama: none)
  bool mlp_bias = true;     // MLP biases (Llama: none)
  // GPT-Neo does not scale QK^T by 1/sqrt(head_dim) (HF GPTNeoSelfAttention; SIGMA's gpt-neo
  // also runs with doNormQKt = false).
  bool scale_attention = true;
  int ring_bits = 50;  // n: bert-tiny 37, bert/gpt2 50, gpt-neo 51, llama 48 (SIGMA)
  int frac_bits = 12;  // f

  AttentionType attention_type(std::size_t layer) const {
    return attention_types.empty() ? AttentionType::kGlobal : attention_types.at(layer);
  }
};

const char* family_name(Family f);

// Refuses a run shape the model or the gates cannot handle, before any work: seq outside
// [1, max_positions], batch < 1, seq > kMaxSeq (SIGMA's softmax inverse table has
// ceil(log2 seq) + 6 bits; beyond 1024 it exceeds the 16-bit DPF lookup domain). Throws
// std::invalid_argument with a message naming the limit and the fix.
inline constexpr std::size_t kMaxSeq = 1024;
void validate_run(const ModelConfig& c, long long seq, long long batch);

// Checks a config's internal consistency (hidden == heads * head_dim, ring bits in range, ...);
// throws std::invalid_argument. The registry's configs pass; loaded or edited ones are checked.
void validate_config(const ModelConfig& c);

}  // namespace secinfer::models
