#include "models/registry.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace secinfer::models {

namespace {

ModelConfig bert(std::string name, std::size_t layers, std::size_t hidden, std::size_t heads,
                 int ring_bits) {
  ModelConfig c;
  c.name = std::move(name);
  c.family = Family::kBert;
  c.layers = layers;
  c.hidden = hidden;
  c.heads = heads;
  c.head_dim = hidden / heads;
  c.intermediate = 4 * hidden;  // HF configs: 512, 3072, 4096
  c.max_positions = 512;
  c.vocab = 30522;
  c.pre_ln = false;
  c.causal = false;
  c.norm_eps = 1e-12;
  c.ring_bits = ring_bits;
  return c;
}

ModelConfig gpt2(std::string name, std::size_t layers) {
  ModelConfig c;
  c.name = std::move(name);
  c.family = Family::kGpt2;
  c.layers = layers;
  c.hidden = 768;
  c.heads = 12;
  c.head_dim = 64;
  c.intermediate = 3072;
  c.max_positions = 1024;
  c.vocab = 50257;
  c.pre_ln = true;
  c.causal = true;
  c.final_norm = true;
  c.ring_bits = 50;
  return c;
}

ModelConfig gpt_neo(std::string name, std::size_t layers, std::size_t hidden, std::size_t heads) {
  ModelConfig c;
  c.name = std::move(name);
  c.family = Family::kGptNeo;
  c.layers = layers;
  c.hidden = hidden;
  c.heads = heads;
  c.head_dim = hidden / heads;
  c.intermediate = 4 * hidden;  // 3072 (125M), 8192 (1.3B)
  c.max_positions = 2048;
  c.vocab = 50257;
  c.pre_ln = true;
  c.causal = true;
  c.final_norm = true;
  // EleutherAI configs: attention_types [[["global", "local"], layers / 2]], window_size 256.
  for (std::size_t l = 0; l < layers; ++l)
    c.attention_types.push_back(l % 2 == 0 ? AttentionType::kGlobal : AttentionType::kLocal);
  c.window = 256;
  c.qkv_bias = false;  // HF GPTNeoSelfAttention: q/k/v_proj bias=False, out_proj bias=True
  c.scale_attention = false;
  c.ring_bits = 51;
  return c;
}

ModelConfig llama(std::string name, std::size_t layers, std::size_t hidden, std::size_t heads,
                  std::size_t intermediate, std::size_t max_positions) {
  ModelConfig c;
  c.name = std::move(name);
  c.family = Family::kLlama;
  c.layers = layers;
  c.hidden = hidden;
  c.heads = heads;
  c.head_dim = hidden / heads;
  c.intermediate = intermediate;
  c.max_positions = max_positions;
  c.vocab = 32000;
  c.pre_ln = true;
  c.causal = true;
  c.activation = ActivationKind::kSilu;
  c.norm = NormKind::kRmsNorm;
  c.rotary = true;
  c.gated_mlp = true;
  c.final_norm = true;
  c.qkv_bias = c.out_bias = c.mlp_bias = false;  // Llama has no biases
  c.ring_bits = 48;
  return c;
}

const std::vector<ModelConfig>& all() {
  static const std::vector<ModelConfig> kModels = [] {
    std::vector<ModelConfig> v;
    v.push_back(bert("bert-tiny", 2, 128, 2, 37));
    v.push_back(bert("bert-base", 12, 768, 12, 50));
    v.push_back(bert("bert-large", 24, 1024, 16, 50));
    v.push_back(gpt2("gpt2", 12));
    v.push_back(gpt_neo("gpt-neo-125m", 12, 768, 12));
    v.push_back(gpt_neo("gpt-neo-1.3b", 24, 2048, 16));
    v.push_back(llama("llama-tiny", 2, 128, 4, 344, 2048));
    v.push_back(llama("llama2-7b", 32, 4096, 32, 11008, 4096));
    v.push_back(gpt2("gpt2-2l", 2));  // a 2-layer GPT-2 for tests
    for (const auto& c : v) validate_config(c);
    return v;
  }();
  return kModels;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& c : all()) names.push_back(c.name);
  return names;
}

std::vector<std::pair<std::string, std::string>> model_aliases() {
  return {{"bert", "bert-base"},
          {"gpt-2", "gpt2"},
          {"gpt2-small", "gpt2"},
          {"gpt-neo", "gpt-neo-125m"},
          {"llama-7b", "llama2-7b"}};
}

const ModelConfig& find_model(std::string_view name) {
  std::string key = lower(name);
  for (const auto& [alias, target] : model_aliases())
    if (alias == key) key = target;
  for (const auto& c : all())
    if (c.name == key) return c;
  std::string list;
  for (const auto& c : all()) list += (list.empty() ? "" : ", ") + c.name;
  throw std::invalid_argument("unknown model \"" + std::string(name) + "\": choose one of " + list +
                              " (aliases: bert = bert-base, gpt-2 = gpt2, gpt-neo = gpt-neo-125m)");
}

}  // namespace secinfer::models
