#include "models/config.h"

#include <stdexcept>
#include <string>

namespace secinfer::models {

const char* family_name(Family f) {
  switch (f) {
    case Family::kBert:
      return "bert";
    case Family::kGpt2:
      return "gpt2";
    case Family::kGptNeo:
      return "gpt-neo";
    case Family::kLlama:
      return "llama";
  }
  return "?";
}

void validate_run(const ModelConfig& c, long long seq, long long batch) {
  const std::string m = "model " + c.name + ": ";
  if (batch < 1)
    throw std::invalid_argument(m + "batch " + std::to_string(batch) +
                                " is not a positive count: pass --batch 1 or more");
  if (seq < 1)
    throw std::invalid_argument(m + "seq " + std::to_string(seq) +
                                " is not a positive length: pass --seq 1 or more");
  if (static_cast<unsigned long long>(seq) > c.max_positions)
    throw std::invalid_argument(m + "seq " + std::to_string(seq) + " exceeds the model's " +
                                std::to_string(c.max_positions) +
                                " maximum positions: pass --seq " +
                                std::to_string(c.max_positions) + " or less");
  if (static_cast<unsigned long long>(seq) > kMaxSeq)
    throw std::invalid_argument(
        m + "seq " + std::to_string(seq) + " is above " + std::to_string(kMaxSeq) +
        ", the largest the softmax supports: SIGMA's inverse lookup table has ceil(log2 seq) + 6 "
        "bits and a DPF lookup domain of at most 16 bits; pass --seq " +
        std::to_string(kMaxSeq) + " or less");
}

void validate_config(const ModelConfig& c) {
  const std::string m = "model config " + c.name + ": ";
  auto fail = [&](const std::string& what) { throw std::invalid_argument(m + what); };
  if (c.layers == 0 || c.hidden == 0 || c.heads == 0 || c.intermediate == 0)
    fail("layers, hidden, heads and intermediate must all be positive");
  if (c.head_dim * c.heads != c.hidden)
    fail("heads (" + std::to_string(c.heads) + ") x head_dim (" + std::to_string(c.head_dim) +
         ") must equal hidden (" + std::to_string(c.hidden) + ")");
  if (c.max_positions == 0) fail("max_positions must be positive");
  if (c.frac_bits < 1 || c.frac_bits > 20) fail("frac_bits must be in [1, 20]");
  // Products of two fixed-point values carry 2f fractional bits and need headroom above them.
  if (c.ring_bits < 2 * c.frac_bits + 8 || c.ring_bits > 64)
    fail("ring_bits " + std::to_string(c.ring_bits) + " must be in [2f + 8, 64] = [" +
         std::to_string(2 * c.frac_bits + 8) + ", 64]");
  if (!c.attention_types.empty() && c.attention_types.size() != c.layers)
    fail("attention_types has " + std::to_string(c.attention_types.size()) + " entries for " +
         std::to_string(c.layers) + " layers");
  for (auto t : c.attention_types)
    if (t == AttentionType::kLocal && c.window == 0)
      fail("a local attention layer needs window > 0");
  if (c.rotary && c.head_dim % 2 != 0) fail("rotary embeddings need an even head_dim");
}

}  // namespace secinfer::models
