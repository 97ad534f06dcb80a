// Hugging Face checkpoints (model.safetensors) as model weights: the tensor names of each family
// mapped onto our layer specs (weights.h), converted to fixed point at the config's scale
// (docs/design/real-checkpoints.md lists every mapping).
//
//   CheckpointWeights w("gpt2/model.safetensors", find_model("gpt2"));   // validated here
//   TensorMap l0 = w.layer(0);              // "attn.qkv.weight" = h.0.attn.c_attn.weight, ...
//   EmbeddingTables e = w.embeddings();     // wte, wpe, LM head (tied to wte)
//
// Families: bert (BertModel, or BertFor* with the "bert." prefix; pooler and cls.* heads are
// ignored), gpt2 (GPT2Model, or GPT2LMHeadModel with "transformer."), gpt-neo (GPTNeoForCausalLM
// or GPTNeoModel) and llama (LlamaForCausalLM or LlamaModel). nn.Linear weights ([out, in]) are
// transposed to [in, out]; GPT-2's Conv1D weights already are [in, out]; q, k, v (and Llama's
// gate, up) are concatenated along the output columns; BERT's LayerNorm gamma/beta (old names)
// are read as weight/bias; a missing lm_head.weight means tied embeddings.
//
// The constructor checks the whole file before any work: every tensor the model needs present,
// with its exact shape and a float dtype (F32, F16, BF16); no layer beyond the model's; no tensor
// it does not know (buffers such as attn.bias, position_ids and rotary inv_freq, and BERT's pooler
// and pre-training heads, are ignored). It throws std::runtime_error naming the file, the first
// mismatch and the fix (for a file of another family or size: the --model that fits it, where
// the registry has one). Values are checked finite when a layer is read.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "models/config.h"
#include "models/safetensors.h"
#include "models/weights.h"

namespace secinfer::models {

class CheckpointWeights : public WeightSource {
 public:
  CheckpointWeights(const std::filesystem::path& path, const ModelConfig& c);

  TensorMap layer(std::size_t l) const override;
  TensorMap final_norm() const override;
  bool has_embeddings() const override { return true; }
  EmbeddingTables embeddings() const override;

  // The name prefix found in the file ("", "bert.", "transformer.", "model.").
  const std::string& prefix() const { return prefix_; }

  // One of our tensors built from checkpoint tensors: its parts in output-column order.
  struct Part {
    std::string name;                // checkpoint tensor name
    std::vector<std::size_t> shape;  // its shape in the file (0: any size, e.g. the vocabulary)
    bool transpose = false;          // nn.Linear [out, in] -> [in, out]
  };
  struct Recipe {
    std::vector<Part> parts;
    std::vector<std::size_t> shape;  // ours (0 where the file decides: the vocabulary)
    int frac_bits = 12;
  };
  // Our name ("layer.3.attn.qkv.weight", "final_norm.weight", "embed.token", ...) -> its recipe,
  // in model order.
  const std::vector<std::pair<std::string, Recipe>>& recipes() const { return recipes_; }

 private:
  WeightTensor build(const std::string& ours) const;

  const ModelConfig& c_;
  SafetensorsFile file_;
  std::string prefix_;
  std::vector<std::pair<std::string, Recipe>> recipes_;
  std::map<std::string, std::size_t> index_;  // our name -> recipes_ position
};

// The family a checkpoint's names look like ("bert", "gpt2", "gpt-neo", "llama"), or "" when
// none; used in error messages.
std::string guess_checkpoint_family(const SafetensorsFile& f);

}  // namespace secinfer::models
