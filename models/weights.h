// Model weights in fixed point, produced one layer at a time (bert-base has 85M weights, llama2-7b
// 6.5G: they never all live in memory at once).
//
//   RandomWeights w(find_model("bert-base"), /*seed=*/1);
//   TensorMap l0 = w.layer(0);                 // "attn.qkv.weight", "norm1.weight", ...
//   FileWeights fw("bert-tiny.sw", config);    // models/README.md "Weight files"; validated
//
// Tensor names, shapes and scales are fixed per config by layer_specs() / final_specs():
// projections are stored in x out (row-major, y = x W + b), Q|K|V concatenated along the output
// columns (and Llama's gate|up likewise); weights and norm parameters at scale f, biases at
// scale 2f (added to the 2f-scaled matmul product before its truncation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "models/config.h"
#include "models/fixed.h"

namespace secinfer::models {

struct TensorSpec {
  std::string name;  // without the "layer.<l>." prefix
  std::vector<std::size_t> shape;
  int frac_bits = 12;      // scale of the fixed-point encoding
  double init_mean = 0.0;  // random init: normal(mean, std)
  double init_std = 0.02;
};

struct WeightTensor {
  std::vector<std::size_t> shape;
  int frac_bits = 12;
  std::vector<u64> data;  // ring elements (fixed point), row-major
};

using TensorMap = std::map<std::string, WeightTensor>;

// The tensors of one layer / of the final norm (empty when the model has none), in file order.
std::vector<TensorSpec> layer_specs(const ModelConfig& c);
std::vector<TensorSpec> final_specs(const ModelConfig& c);
// Number of weights per layer (all tensors of layer_specs).
std::size_t layer_weight_count(const ModelConfig& c);

// The model's input tables, where a checkpoint provides them (models/checkpoint.h): token ids are
// embedded as token[id] + position[pos] (+ token_type[0]), then BERT's embedding LayerNorm
// (docs/design/real-checkpoints.md). All at scale f.
struct EmbeddingTables {
  WeightTensor token;                   // [vocab, hidden]
  WeightTensor position;                // [max_positions, hidden]; empty for RoPE models (Llama)
  WeightTensor token_type;              // [types, hidden]; BERT only (row 0 is added), else empty
  WeightTensor norm_weight, norm_bias;  // BERT's embeddings.LayerNorm, else empty
  // [vocab, hidden]: the language-model head of the accuracy report's logits (logits = h W^T);
  // empty where it is tied to `token` (GPT-2, GPT-Neo) or the model has none (BERT).
  WeightTensor lm_head;
  bool has_lm_head = false;  // GPT-2, GPT-Neo, Llama

  std::size_t vocab() const { return token.shape.empty() ? 0 : token.shape[0]; }
  const WeightTensor& head() const { return lm_head.data.empty() ? token : lm_head; }
};

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  virtual TensorMap layer(std::size_t l) const = 0;
  virtual TensorMap final_norm() const = 0;
  // The embedding tables and LM head; false where the source has none (random weights, weight
  // files: their runs take embeddings as input, make_input).
  virtual bool has_embeddings() const { return false; }
  // Throws std::logic_error where has_embeddings() is false.
  virtual EmbeddingTables embeddings() const;
};

// Deterministic random weights of realistic scale: projections normal(0, 0.02) (the public
// initialiser_range of BERT, GPT-2, GPT-Neo and Llama), GPT-2/Neo residual projections scaled by
// 1/sqrt(2 * layers) as in GPT-2's init, biases normal(0, 0.02), norm gain normal(1, 0.05), norm
// bias normal(0, 0.02). Each tensor has its own stream, seeded by (seed, layer, name), so a layer
// is generated on demand and identically on every machine.
//
// A run asks for every layer once per measured run; the generation (Box-Muller per element) is
// party 0's simulation of loading its weights, not protocol work, so layers are kept after the
// first request while the model's weights fit kCacheElements (bert-base: 85 M; llama2-7b's 6.5 G
// are generated again each time).
class RandomWeights : public WeightSource {
 public:
  RandomWeights(const ModelConfig& c, std::uint64_t seed);
  TensorMap layer(std::size_t l) const override;
  TensorMap final_norm() const override;

  static constexpr std::size_t kCacheElements = std::size_t{1} << 29;  // 4 GiB of u64

 private:
  TensorMap generate(std::size_t l) const;
  const ModelConfig& c_;
  std::uint64_t seed_;
  bool cache_ = false;
  mutable std::mutex mu_;
  mutable std::map<std::size_t, TensorMap> cached_;
};

// Reads a weight file (models/README.md "Weight files"): validated when opened (magic, version,
// header, every expected tensor present with its shape, no unknown tensor, data inside the file);
// layers are read on demand. Throws std::runtime_error with a message naming the file, the tensor
// and the fix.
class FileWeights : public WeightSource {
 public:
  FileWeights(const std::filesystem::path& path, const ModelConfig& c);
  TensorMap layer(std::size_t l) const override;
  TensorMap final_norm() const override;

 private:
  struct Entry {
    std::string dtype;  // "f32" or "i64"
    std::vector<std::size_t> shape;
    int frac_bits = 0;  // for "i64"
    std::uint64_t offset = 0, bytes = 0;
  };
  WeightTensor read(const std::string& full_name, const TensorSpec& spec) const;
  std::filesystem::path path_;
  const ModelConfig& c_;
  std::map<std::string, Entry> entries_;
  std::uint64_t data_start_ = 0;
  mutable std::ifstream in_;
};

// Writes every tensor of `w` to a weight file, as "f32" (decoded) or "i64" (fixed point).
void write_weight_file(const std::filesystem::path& path, const ModelConfig& c,
                       const WeightSource& w, bool as_float32);

// The client's input: batch x seq x hidden embeddings, normal(0, 1), fixed point at scale f,
// deterministic in `seed`.
std::vector<u64> make_input(const ModelConfig& c, std::size_t batch, std::size_t seq,
                            std::uint64_t seed);

// Deterministic normal(mean, std) samples for a stream id (splitmix64 + Box-Muller; portable,
// unlike std::normal_distribution).
void fill_normal(std::uint64_t stream, double mean, double std, std::span<double> out);

}  // namespace secinfer::models
