#include "models/checkpoint.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>
#include <stdexcept>

#include "models/registry.h"

namespace secinfer::models {

namespace {

using Part = CheckpointWeights::Part;
using Recipe = CheckpointWeights::Recipe;

std::string shape_str(const std::vector<std::size_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (shape[i] ? std::to_string(shape[i]) : std::string("any"));
  return s + "]";
}

bool shape_fits(const std::vector<std::size_t>& want, const std::vector<std::size_t>& got) {
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (want[i] != 0 && want[i] != got[i]) return false;
  return true;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
bool starts_with(const std::string& s, const std::string& head) {
  return s.rfind(head, 0) == 0;
}

// Where a family's per-layer names carry the layer index, and a name every checkpoint of the
// family has (after the prefix), with the prefixes its model classes use.
struct FamilyNames {
  const char* layer_marker;  // "encoder.layer." -> "encoder.layer.<l>."
  const char* signature;
  std::vector<std::string> prefixes;
};

FamilyNames names_of(Family f) {
  switch (f) {
    case Family::kBert:
      return {"encoder.layer.", "embeddings.word_embeddings.weight", {"", "bert."}};
    case Family::kGpt2:
      return {"h.", "wte.weight", {"", "transformer."}};
    case Family::kGptNeo:
      return {"h.", "wte.weight", {"transformer.", ""}};
    case Family::kLlama:
      return {"layers.", "embed_tokens.weight", {"model.", ""}};
  }
  return {"", "", {}};
}

// The layer index of a per-layer name ("h.11.attn..." -> 11), or -1.
long layer_of(const std::string& name, const std::string& marker_with_prefix) {
  if (!starts_with(name, marker_with_prefix)) return -1;
  std::size_t i = marker_with_prefix.size(), j = i;
  while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
  if (j == i || j >= name.size() || name[j] != '.') return -1;
  return std::stol(name.substr(i, j - i));
}

// Buffers and heads a checkpoint may hold that the model does not use.
bool ignorable(Family f, const std::string& name, const std::string& prefix) {
  switch (f) {
    case Family::kBert:
      return starts_with(name, "cls.") || starts_with(name, prefix + "pooler.") ||
             name == prefix + "embeddings.position_ids";
    case Family::kGpt2:
      return ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias");
    case Family::kGptNeo:
      return ends_with(name, ".attn.attention.bias") ||
             ends_with(name, ".attn.attention.masked_bias");
    case Family::kLlama:
      return ends_with(name, ".rotary_emb.inv_freq");
  }
  return false;
}

// A registered model of `family` with this many layers and this hidden size.
std::string fitting_model(const std::string& family, std::size_t layers, std::size_t hidden) {
  for (const auto& n : model_names()) {
    const ModelConfig& m = find_model(n);
    if (family == family_name(m.family) && m.layers == layers && m.hidden == hidden) return n;
  }
  return "";
}

// What a file holds, in words, and the --model that fits it: for messages about a file that
// does not fit the chosen model.
std::string fix_for(const SafetensorsFile& f) {
  if (f.path().filename().string().find("-of-") != std::string::npos)
    return "this looks like one shard of a sharded checkpoint: merge the shards into one "
           "model.safetensors (docs/design/real-checkpoints.md)";
  const std::string fam = guess_checkpoint_family(f);
  if (fam.empty())
    return "this file has none of the names of a bert, gpt2, gpt-neo or llama checkpoint "
           "(docs/design/real-checkpoints.md lists them)";
  const Family family = fam == "bert"      ? Family::kBert
                        : fam == "gpt2"    ? Family::kGpt2
                        : fam == "gpt-neo" ? Family::kGptNeo
                                           : Family::kLlama;
  const FamilyNames fn = names_of(family);
  std::size_t layers = 0, hidden = 0;
  for (const auto& [name, e] : f.tensors()) {
    for (const auto& p : fn.prefixes) {
      const long l = layer_of(name, p + fn.layer_marker);
      if (l >= 0) layers = std::max(layers, static_cast<std::size_t>(l) + 1);
      if (name == p + fn.signature && e.shape.size() == 2) hidden = e.shape[1];
    }
  }
  std::string s = "the file looks like a " + fam + " checkpoint with " + std::to_string(layers) +
                  " layers and hidden size " + std::to_string(hidden);
  const std::string m = fitting_model(fam, layers, hidden);
  return s + (m.empty() ? ": no registered model has these shapes (add one to "
                          "models/registry.cpp)"
                        : ": pass --model " + m);
}

Part lin(const std::string& name, std::size_t out, std::size_t in) {
  return {name, {out, in}, true};
}
Part conv(const std::string& name, std::size_t in, std::size_t out) {
  return {name, {in, out}, false};
}
Part vec(const std::string& name, std::size_t n) {
  return {name, {n}, false};
}

// The checkpoint names of each of our per-layer tensors (weights.h layer_specs), for layer `l`
// under prefix `p`. `norm` resolves BERT's old LayerNorm names (gamma / beta).
std::map<std::string, std::vector<Part>> layer_parts(
    const ModelConfig& c, const std::string& p, std::size_t l,
    const std::function<std::string(const std::string&, const std::string&)>& norm) {
  const std::size_t h = c.hidden, in = c.intermediate;
  const std::string L = std::to_string(l);
  std::map<std::string, std::vector<Part>> m;
  switch (c.family) {
    case Family::kBert: {
      const std::string b = p + "encoder.layer." + L + ".";
      const std::string s = b + "attention.self.";
      m["attn.qkv.weight"] = {lin(s + "query.weight", h, h), lin(s + "key.weight", h, h),
                              lin(s + "value.weight", h, h)};
      m["attn.qkv.bias"] = {vec(s + "query.bias", h), vec(s + "key.bias", h),
                            vec(s + "value.bias", h)};
      m["attn.out.weight"] = {lin(b + "attention.output.dense.weight", h, h)};
      m["attn.out.bias"] = {vec(b + "attention.output.dense.bias", h)};
      m["norm1.weight"] = {vec(norm(b + "attention.output.LayerNorm", "weight"), h)};
      m["norm1.bias"] = {vec(norm(b + "attention.output.LayerNorm", "bias"), h)};
      m["mlp.up.weight"] = {lin(b + "intermediate.dense.weight", in, h)};
      m["mlp.up.bias"] = {vec(b + "intermediate.dense.bias", in)};
      m["mlp.down.weight"] = {lin(b + "output.dense.weight", h, in)};
      m["mlp.down.bias"] = {vec(b + "output.dense.bias", h)};
      m["norm2.weight"] = {vec(norm(b + "output.LayerNorm", "weight"), h)};
      m["norm2.bias"] = {vec(norm(b + "output.LayerNorm", "bias"), h)};
      break;
    }
    case Family::kGpt2: {  // Conv1D: weights stored [in, out], q|k|v already one tensor
      const std::string b = p + "h." + L + ".";
      m["attn.qkv.weight"] = {conv(b + "attn.c_attn.weight", h, 3 * h)};
      m["attn.qkv.bias"] = {vec(b + "attn.c_attn.bias", 3 * h)};
      m["attn.out.weight"] = {conv(b + "attn.c_proj.weight", h, h)};
      m["attn.out.bias"] = {vec(b + "attn.c_proj.bias", h)};
      m["norm1.weight"] = {vec(b + "ln_1.weight", h)};
      m["norm1.bias"] = {vec(b + "ln_1.bias", h)};
      m["mlp.up.weight"] = {conv(b + "mlp.c_fc.weight", h, in)};
      m["mlp.up.bias"] = {vec(b + "mlp.c_fc.bias", in)};
      m["mlp.down.weight"] = {conv(b + "mlp.c_proj.weight", in, h)};
      m["mlp.down.bias"] = {vec(b + "mlp.c_proj.bias", h)};
      m["norm2.weight"] = {vec(b + "ln_2.weight", h)};
      m["norm2.bias"] = {vec(b + "ln_2.bias", h)};
      break;
    }
    case Family::kGptNeo: {  // nn.Linear everywhere; q, k, v without bias
      const std::string b = p + "h." + L + ".";
      const std::string a = b + "attn.attention.";
      m["attn.qkv.weight"] = {lin(a + "q_proj.weight", h, h), lin(a + "k_proj.weight", h, h),
                              lin(a + "v_proj.weight", h, h)};
      m["attn.out.weight"] = {lin(a + "out_proj.weight", h, h)};
      m["attn.out.bias"] = {vec(a + "out_proj.bias", h)};
      m["norm1.weight"] = {vec(b + "ln_1.weight", h)};
      m["norm1.bias"] = {vec(b + "ln_1.bias", h)};
      m["mlp.up.weight"] = {lin(b + "mlp.c_fc.weight", in, h)};
      m["mlp.up.bias"] = {vec(b + "mlp.c_fc.bias", in)};
      m["mlp.down.weight"] = {lin(b + "mlp.c_proj.weight", h, in)};
      m["mlp.down.bias"] = {vec(b + "mlp.c_proj.bias", h)};
      m["norm2.weight"] = {vec(b + "ln_2.weight", h)};
      m["norm2.bias"] = {vec(b + "ln_2.bias", h)};
      break;
    }
    case Family::kLlama: {  // no biases; RMSNorm gains only; gate|up as one matmul
      const std::string b = p + "layers." + L + ".";
      const std::string a = b + "self_attn.";
      m["attn.qkv.weight"] = {lin(a + "q_proj.weight", h, h), lin(a + "k_proj.weight", h, h),
                              lin(a + "v_proj.weight", h, h)};
      m["attn.out.weight"] = {lin(a + "o_proj.weight", h, h)};
      m["norm1.weight"] = {vec(b + "input_layernorm.weight", h)};
      m["mlp.up.weight"] = {lin(b + "mlp.gate_proj.weight", in, h),
                            lin(b + "mlp.up_proj.weight", in, h)};
      m["mlp.down.weight"] = {lin(b + "mlp.down_proj.weight", h, in)};
      m["norm2.weight"] = {vec(b + "post_attention_layernorm.weight", h)};
      break;
    }
  }
  return m;
}

}  // namespace

std::string guess_checkpoint_family(const SafetensorsFile& f) {
  for (const auto& [name, e] : f.tensors()) {
    if (ends_with(name, "attention.self.query.weight")) return "bert";
    if (ends_with(name, "attn.c_attn.weight")) return "gpt2";
    if (ends_with(name, "attn.attention.q_proj.weight")) return "gpt-neo";
    if (ends_with(name, "self_attn.q_proj.weight")) return "llama";
  }
  return "";
}

CheckpointWeights::CheckpointWeights(const std::filesystem::path& path, const ModelConfig& c)
    : c_(c), file_(path) {
  const std::string where = "checkpoint " + path.string() + ": ";
  const FamilyNames fn = names_of(c.family);
  const std::string fam = family_name(c.family);
  for (const auto& p : fn.prefixes)
    if (file_.has(p + fn.signature)) {
      prefix_ = p;
      break;
    }
  if (!file_.has(prefix_ + fn.signature))
    throw std::runtime_error(where + "no tensor " + fn.signature + " of a " + fam +
                             " checkpoint (--model " + c.name + "): " + fix_for(file_));

  // Our names -> checkpoint parts, in model order: embeddings, layers, final norm.
  auto norm = [&](const std::string& base, const std::string& which) {
    const std::string old = base + (which == "weight" ? ".gamma" : ".beta");
    return !file_.has(base + "." + which) && file_.has(old) ? old : base + "." + which;
  };
  const std::size_t h = c.hidden;
  auto add = [&](const std::string& ours, std::vector<Part> parts, std::vector<std::size_t> shape,
                 int frac) {
    index_[ours] = recipes_.size();
    recipes_.push_back({ours, Recipe{std::move(parts), std::move(shape), frac}});
  };
  const int f = c.frac_bits;
  const std::string p = prefix_;
  switch (c.family) {
    case Family::kBert:
      add("embed.token", {Part{p + "embeddings.word_embeddings.weight", {0, h}}}, {0, h}, f);
      add("embed.position",
          {Part{p + "embeddings.position_embeddings.weight", {c.max_positions, h}}},
          {c.max_positions, h}, f);
      add("embed.token_type", {Part{p + "embeddings.token_type_embeddings.weight", {0, h}}}, {0, h},
          f);
      add("embed.norm.weight", {vec(norm(p + "embeddings.LayerNorm", "weight"), h)}, {h}, f);
      add("embed.norm.bias", {vec(norm(p + "embeddings.LayerNorm", "bias"), h)}, {h}, f);
      break;
    case Family::kGpt2:
    case Family::kGptNeo:
      add("embed.token", {Part{p + "wte.weight", {0, h}}}, {0, h}, f);
      add("embed.position", {Part{p + "wpe.weight", {c.max_positions, h}}}, {c.max_positions, h},
          f);
      break;
    case Family::kLlama:
      add("embed.token", {Part{p + "embed_tokens.weight", {0, h}}}, {0, h}, f);
      break;
  }
  if (c.family != Family::kBert && file_.has("lm_head.weight"))
    add("lm_head", {Part{"lm_head.weight", {0, h}}}, {0, h}, f);
  const auto specs = layer_specs(c);
  for (std::size_t l = 0; l < c.layers; ++l) {
    auto parts = layer_parts(c, p, l, norm);
    for (const auto& s : specs) {
      const auto it = parts.find(s.name);
      if (it == parts.end())
        throw std::logic_error("checkpoint mapping of " + fam + " lacks " + s.name);
      add("layer." + std::to_string(l) + "." + s.name, it->second, s.shape, s.frac_bits);
    }
  }
  const std::string fin = c.family == Family::kLlama ? p + "norm" : p + "ln_f";
  for (const auto& s : final_specs(c))
    add(s.name, {vec(fin + (s.name == "final_norm.weight" ? ".weight" : ".bias"), h)}, s.shape,
        s.frac_bits);

  // Every part present, with its shape and a float dtype; the first mismatch is the message.
  std::set<std::string> used;
  std::size_t vocab = 0;
  for (const auto& [ours, r] : recipes_)
    for (const auto& part : r.parts) {
      if (!file_.has(part.name))
        throw std::runtime_error(where + "tensor " + part.name + " " + shape_str(part.shape) +
                                 " (our " + ours + ") is missing for --model " + c.name + ": " +
                                 fix_for(file_));
      const auto& e = file_.at(part.name);
      if (!shape_fits(part.shape, e.shape))
        throw std::runtime_error(where + "tensor " + part.name + " has shape " +
                                 shape_str(e.shape) + ", --model " + c.name + " needs " +
                                 shape_str(part.shape) + " (our " + ours + "): " + fix_for(file_));
      if (e.dtype != "F32" && e.dtype != "F16" && e.dtype != "BF16" && e.dtype != "F64")
        throw std::runtime_error(where + "tensor " + part.name + " has dtype " + e.dtype +
                                 ": weights must be F32, F16 or BF16 (save the model in one "
                                 "of them)");
      if (ours == "embed.token") vocab = e.shape[0];
      if (ours == "lm_head" && e.shape[0] != vocab)
        throw std::runtime_error(where + "lm_head.weight has " + std::to_string(e.shape[0]) +
                                 " rows but the token embedding has " + std::to_string(vocab) +
                                 ": the file is inconsistent");
      used.insert(part.name);
    }
  // Nothing the model does not know: a deeper model's layers, or names of another layout.
  for (const auto& [name, e] : file_.tensors()) {
    if (used.count(name) || ignorable(c.family, name, prefix_)) continue;
    const long l = layer_of(name, prefix_ + fn.layer_marker);
    if (l >= static_cast<long>(c.layers))
      throw std::runtime_error(where + "tensor " + name + " belongs to layer " + std::to_string(l) +
                               ", --model " + c.name + " has " + std::to_string(c.layers) +
                               " layers: " + fix_for(file_));
    throw std::runtime_error(where + "unknown tensor " + name + " for a " + fam +
                             " checkpoint (--model " + c.name +
                             "): docs/design/real-checkpoints.md lists the supported names");
  }
}

WeightTensor CheckpointWeights::build(const std::string& ours) const {
  const Recipe& r = recipes_.at(index_.at(ours)).second;
  const Ring ring{c_.ring_bits};
  std::vector<std::vector<float>> values;
  std::vector<std::size_t> shape = r.shape;
  std::size_t out_total = 0;
  for (const auto& part : r.parts) {
    values.push_back(file_.read_float(part.name));
    const auto& fs = file_.at(part.name).shape;
    out_total += fs.size() == 1 ? fs[0] : (part.transpose ? fs[0] : fs[1]);
    if (shape[0] == 0) shape[0] = fs[0];  // the vocabulary: the file's
  }
  WeightTensor t{shape, r.frac_bits, {}};
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  t.data.resize(n);
  const std::size_t cols = shape.size() == 1 ? shape[0] : shape[1];
  if (out_total != cols)
    throw std::logic_error("checkpoint mapping of " + ours + ": parts give " +
                           std::to_string(out_total) + " columns, not " + std::to_string(cols));
  std::size_t off = 0;
  for (std::size_t k = 0; k < r.parts.size(); ++k) {
    const auto& v = values[k];
    const auto& fs = file_.at(r.parts[k].name).shape;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i]))
        throw std::runtime_error("checkpoint " + file_.path().string() + ": tensor " +
                                 r.parts[k].name + " holds a non-finite value at index " +
                                 std::to_string(i));
    if (fs.size() == 1) {
      for (std::size_t i = 0; i < v.size(); ++i)
        t.data[off + i] = to_fixed(v[i], r.frac_bits, ring);
      off += v.size();
    } else if (r.parts[k].transpose) {  // [out, in] -> columns off .. off + out of [in, cols]
      const std::size_t out = fs[0], in = fs[1];
      for (std::size_t o = 0; o < out; ++o)
        for (std::size_t i = 0; i < in; ++i)
          t.data[i * cols + off + o] = to_fixed(v[o * in + i], r.frac_bits, ring);
      off += out;
    } else {  // [rows, out] -> columns off .. off + out of [rows, cols]
      const std::size_t rows = fs[0], out = fs[1];
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t o = 0; o < out; ++o)
          t.data[i * cols + off + o] = to_fixed(v[i * out + o], r.frac_bits, ring);
      off += out;
    }
  }
  return t;
}

TensorMap CheckpointWeights::layer(std::size_t l) const {
  if (l >= c_.layers)
    throw std::out_of_range("layer " + std::to_string(l) + " of a " + std::to_string(c_.layers) +
                            "-layer model");
  TensorMap m;
  const std::string pre = "layer." + std::to_string(l) + ".";
  for (const auto& s : layer_specs(c_)) m[s.name] = build(pre + s.name);
  return m;
}

TensorMap CheckpointWeights::final_norm() const {
  TensorMap m;
  for (const auto& s : final_specs(c_)) m[s.name] = build(s.name);
  return m;
}

EmbeddingTables CheckpointWeights::embeddings() const {
  EmbeddingTables e;
  e.token = build("embed.token");
  if (index_.count("embed.position")) e.position = build("embed.position");
  if (index_.count("embed.token_type")) e.token_type = build("embed.token_type");
  if (index_.count("embed.norm.weight")) {
    e.norm_weight = build("embed.norm.weight");
    e.norm_bias = build("embed.norm.bias");
  }
  e.has_lm_head = c_.family != Family::kBert;
  if (index_.count("lm_head")) e.lm_head = build("lm_head");
  return e;
}

}  // namespace secinfer::models
