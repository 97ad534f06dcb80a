#include "models/weights.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numbers>
#include <stdexcept>

namespace secinfer::models {

namespace {

constexpr char kMagic[8] = {'S', 'E', 'C', 'W', 'G', 'T', '0', '1'};
constexpr int kFormatVersion = 1;

std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

std::uint64_t stream_id(std::uint64_t seed, std::uint64_t layer, const std::string& name) {
  std::uint64_t s = seed ^ (layer * 0xD1B54A32D192ED03ull) ^ fnv1a(name);
  return splitmix64(s);
}

std::size_t numel(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string shape_str(const std::vector<std::size_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

WeightTensor random_tensor(const TensorSpec& spec, std::uint64_t stream, Ring r) {
  WeightTensor t{spec.shape, spec.frac_bits, {}};
  std::vector<double> v(numel(spec.shape));
  fill_normal(stream, spec.init_mean, spec.init_std, v);
  t.data.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) t.data[i] = to_fixed(v[i], spec.frac_bits, r);
  return t;
}

std::string layer_name(std::size_t l, const std::string& name) {
  return "layer." + std::to_string(l) + "." + name;
}

}  // namespace

void fill_normal(std::uint64_t stream, double mean, double std, std::span<double> out) {
  std::uint64_t s = stream;
  constexpr double kInv53 = 1.0 / 9007199254740992.0;  // 2^-53
  for (std::size_t i = 0; i < out.size(); i += 2) {
    // Box-Muller on two uniforms in (0, 1].
    const double u1 = (static_cast<double>(splitmix64(s) >> 11) + 1.0) * kInv53;
    const double u2 = static_cast<double>(splitmix64(s) >> 11) * kInv53;
    const double rad = std::sqrt(-2.0 * std::log(u1));
    const double ang = 2.0 * std::numbers::pi * u2;
    out[i] = mean + std * rad * std::cos(ang);
    if (i + 1 < out.size()) out[i + 1] = mean + std * rad * std::sin(ang);
  }
}

std::vector<TensorSpec> layer_specs(const ModelConfig& c) {
  const int f = c.frac_bits;
  const std::size_t h = c.hidden, inter = c.intermediate;
  // GPT-2's init scales the residual-stream projections by 1/sqrt(2 * n_layer).
  const bool gpt = c.family == Family::kGpt2 || c.family == Family::kGptNeo;
  const double resid_std = gpt ? 0.02 / std::sqrt(2.0 * static_cast<double>(c.layers)) : 0.02;
  const bool ln = c.norm == NormKind::kLayerNorm;
  std::vector<TensorSpec> v;
  v.push_back({"attn.qkv.weight", {h, 3 * h}, f, 0.0, 0.02});
  if (c.qkv_bias) v.push_back({"attn.qkv.bias", {3 * h}, 2 * f, 0.0, 0.02});
  v.push_back({"attn.out.weight", {h, h}, f, 0.0, resid_std});
  if (c.out_bias) v.push_back({"attn.out.bias", {h}, 2 * f, 0.0, 0.02});
  v.push_back({"norm1.weight", {h}, f, 1.0, 0.05});
  if (ln) v.push_back({"norm1.bias", {h}, f, 0.0, 0.02});
  const std::size_t up_cols = c.gated_mlp ? 2 * inter : inter;
  v.push_back({"mlp.up.weight", {h, up_cols}, f, 0.0, 0.02});
  if (c.mlp_bias) v.push_back({"mlp.up.bias", {up_cols}, 2 * f, 0.0, 0.02});
  v.push_back({"mlp.down.weight", {inter, h}, f, 0.0, resid_std});
  if (c.mlp_bias) v.push_back({"mlp.down.bias", {h}, 2 * f, 0.0, 0.02});
  v.push_back({"norm2.weight", {h}, f, 1.0, 0.05});
  if (ln) v.push_back({"norm2.bias", {h}, f, 0.0, 0.02});
  return v;
}

std::vector<TensorSpec> final_specs(const ModelConfig& c) {
  std::vector<TensorSpec> v;
  if (!c.final_norm) return v;
  v.push_back({"final_norm.weight", {c.hidden}, c.frac_bits, 1.0, 0.05});
  if (c.norm == NormKind::kLayerNorm)
    v.push_back({"final_norm.bias", {c.hidden}, c.frac_bits, 0.0, 0.02});
  return v;
}

std::size_t layer_weight_count(const ModelConfig& c) {
  std::size_t n = 0;
  for (const auto& s : layer_specs(c)) n += numel(s.shape);
  return n;
}

EmbeddingTables WeightSource::embeddings() const {
  throw std::logic_error(
      "these weights have no embedding tables: token ids need a checkpoint (--weights "
      "model.safetensors)");
}

// ---- RandomWeights ----

RandomWeights::RandomWeights(const ModelConfig& c, std::uint64_t seed)
    : c_(c), seed_(seed), cache_(layer_weight_count(c) * c.layers <= kCacheElements) {}

TensorMap RandomWeights::layer(std::size_t l) const {
  if (l >= c_.layers)
    throw std::out_of_range("layer " + std::to_string(l) + " of a " + std::to_string(c_.layers) +
                            "-layer model");
  if (!cache_) return generate(l);
  std::lock_guard lock(mu_);
  auto it = cached_.find(l);
  if (it == cached_.end()) it = cached_.emplace(l, generate(l)).first;
  return it->second;
}

TensorMap RandomWeights::generate(std::size_t l) const {
  TensorMap m;
  const Ring r{c_.ring_bits};
  for (const auto& s : layer_specs(c_))
    m[s.name] = random_tensor(s, stream_id(seed_, l, s.name), r);
  return m;
}

TensorMap RandomWeights::final_norm() const {
  TensorMap m;
  const Ring r{c_.ring_bits};
  for (const auto& s : final_specs(c_))
    m[s.name] = random_tensor(s, stream_id(seed_, c_.layers, s.name), r);
  return m;
}

// ---- Weight files ----

FileWeights::FileWeights(const std::filesystem::path& path, const ModelConfig& c)
    : path_(path), c_(c) {
  const std::string p = "weight file " + path.string() + ": ";
  in_.open(path, std::ios::binary);
  if (!in_) throw std::runtime_error(p + "cannot be opened: check the path and its permissions");
  const auto file_size = std::filesystem::file_size(path);
  char magic[8];
  std::uint64_t header_len = 0;
  if (!in_.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0)
    throw std::runtime_error(p +
                             "not a secinfer weight file (magic \"SECWGT01\" missing): write "
                             "it as models/README.md \"Weight files\" describes");
  if (!in_.read(reinterpret_cast<char*>(&header_len), 8) || header_len > file_size - 16)
    throw std::runtime_error(p + "truncated header (length " + std::to_string(header_len) +
                             " exceeds the file): the file is incomplete, write it again");
  std::string header(header_len, '\0');
  in_.read(header.data(), static_cast<std::streamsize>(header_len));
  data_start_ = 16 + header_len;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const std::exception& e) {
    throw std::runtime_error(p + "header is not valid JSON (" + e.what() + ")");
  }
  try {
    if (j.at("version").get<int>() != kFormatVersion)
      throw std::runtime_error(p + "format version " + j.at("version").dump() +
                               " is not supported (this build reads version 1)");
    const auto model = j.value("model", std::string{});
    if (!model.empty() && model != c.name)
      throw std::runtime_error(p + "holds weights of model " + model + ", not " + c.name +
                               ": pass --model " + model + " or the right file");
    for (const auto& t : j.at("tensors")) {
      Entry e;
      e.dtype = t.at("dtype").get<std::string>();
      e.shape = t.at("shape").get<std::vector<std::size_t>>();
      e.frac_bits = t.value("frac_bits", 0);
      e.offset = t.at("offset").get<std::uint64_t>();
      e.bytes = t.at("bytes").get<std::uint64_t>();
      const auto name = t.at("name").get<std::string>();
      if (e.dtype != "f32" && e.dtype != "i64")
        throw std::runtime_error(p + "tensor " + name + " has dtype \"" + e.dtype +
                                 "\": use \"f32\" or \"i64\"");
      const std::uint64_t want = numel(e.shape) * (e.dtype == "f32" ? 4 : 8);
      if (e.bytes != want)
        throw std::runtime_error(p + "tensor " + name + " has " + std::to_string(e.bytes) +
                                 " bytes, its shape " + shape_str(e.shape) + " needs " +
                                 std::to_string(want));
      if (e.offset + e.bytes > file_size - data_start_)
        throw std::runtime_error(p + "tensor " + name +
                                 " lies beyond the end of the file: the "
                                 "file is truncated, write it again");
      if (!entries_.emplace(name, e).second)
        throw std::runtime_error(p + "tensor " + name + " appears twice");
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(p + "header misses a field (" + e.what() +
                             "): see models/README.md \"Weight files\"");
  }
  // Every expected tensor present with its shape; nothing unexpected.
  std::map<std::string, std::vector<std::size_t>> expected;
  for (std::size_t l = 0; l < c.layers; ++l)
    for (const auto& s : layer_specs(c)) expected[layer_name(l, s.name)] = s.shape;
  for (const auto& s : final_specs(c)) expected[s.name] = s.shape;
  for (const auto& [name, shape] : expected) {
    auto it = entries_.find(name);
    if (it == entries_.end())
      throw std::runtime_error(p + "tensor " + name + " " + shape_str(shape) + " is missing (" +
                               c.name + " needs " + std::to_string(expected.size()) +
                               " tensors; see models/README.md for the names)");
    if (it->second.shape != shape)
      throw std::runtime_error(p + "tensor " + name + " has shape " + shape_str(it->second.shape) +
                               ", " + c.name + " needs " + shape_str(shape));
  }
  for (const auto& [name, e] : entries_)
    if (!expected.count(name))
      throw std::runtime_error(p + "unknown tensor " + name + " for model " + c.name +
                               ": remove it or check the model (see models/README.md)");
}

WeightTensor FileWeights::read(const std::string& full_name, const TensorSpec& spec) const {
  const Entry& e = entries_.at(full_name);
  const Ring r{c_.ring_bits};
  WeightTensor t{spec.shape, spec.frac_bits, std::vector<u64>(numel(spec.shape))};
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_start_ + e.offset));
  if (e.dtype == "f32") {
    std::vector<float> v(t.data.size());
    in_.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(e.bytes));
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i]))
        throw std::runtime_error("weight file " + path_.string() + ": tensor " + full_name +
                                 " holds a non-finite value at index " + std::to_string(i));
      t.data[i] = to_fixed(v[i], spec.frac_bits, r);
    }
  } else {
    std::vector<i64> v(t.data.size());
    in_.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(e.bytes));
    const int d = spec.frac_bits - e.frac_bits;  // rescale to the expected scale
    for (std::size_t i = 0; i < v.size(); ++i) {
      i64 x = v[i];
      if (d > 0) x = static_cast<i64>(static_cast<u64>(x) << d);
      if (d < 0) x = (x + (i64{1} << (-d - 1))) >> -d;  // round to nearest
      t.data[i] = r.from_signed(x);
    }
  }
  if (!in_)
    throw std::runtime_error("weight file " + path_.string() + ": reading tensor " + full_name +
                             " failed (file changed or truncated since it was opened)");
  return t;
}

TensorMap FileWeights::layer(std::size_t l) const {
  TensorMap m;
  for (const auto& s : layer_specs(c_)) m[s.name] = read(layer_name(l, s.name), s);
  return m;
}

TensorMap FileWeights::final_norm() const {
  TensorMap m;
  for (const auto& s : final_specs(c_)) m[s.name] = read(s.name, s);
  return m;
}

void write_weight_file(const std::filesystem::path& path, const ModelConfig& c,
                       const WeightSource& w, bool as_float32) {
  const Ring r{c.ring_bits};
  nlohmann::json tensors = nlohmann::json::array();
  std::uint64_t offset = 0;
  auto describe = [&](const std::string& name, const TensorSpec& s) {
    const std::uint64_t bytes = numel(s.shape) * (as_float32 ? 4 : 8);
    nlohmann::json t{{"name", name},
                     {"dtype", as_float32 ? "f32" : "i64"},
                     {"shape", s.shape},
                     {"offset", offset},
                     {"bytes", bytes}};
    if (!as_float32) t["frac_bits"] = s.frac_bits;
    tensors.push_back(t);
    offset += bytes;
  };
  for (std::size_t l = 0; l < c.layers; ++l)
    for (const auto& s : layer_specs(c)) describe(layer_name(l, s.name), s);
  for (const auto& s : final_specs(c)) describe(s.name, s);
  const std::string header =
      nlohmann::json{{"version", kFormatVersion}, {"model", c.name}, {"tensors", tensors}}.dump();
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write weight file " + path.string());
  out.write(kMagic, 8);
  const std::uint64_t len = header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  auto emit = [&](const WeightTensor& t) {
    if (as_float32) {
      std::vector<float> v(t.data.size());
      for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<float>(from_fixed(t.data[i], t.frac_bits, r));
      out.write(reinterpret_cast<const char*>(v.data()),
                static_cast<std::streamsize>(v.size() * 4));
    } else {
      std::vector<i64> v(t.data.size());
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = r.to_signed(t.data[i]);
      out.write(reinterpret_cast<const char*>(v.data()),
                static_cast<std::streamsize>(v.size() * 8));
    }
  };
  for (std::size_t l = 0; l < c.layers; ++l) {
    const TensorMap m = w.layer(l);
    for (const auto& s : layer_specs(c)) emit(m.at(s.name));
  }
  const TensorMap fm = w.final_norm();
  for (const auto& s : final_specs(c)) emit(fm.at(s.name));
  if (!out) throw std::runtime_error("writing weight file " + path.string() + " failed");
}

std::vector<u64> make_input(const ModelConfig& c, std::size_t batch, std::size_t seq,
                            std::uint64_t seed) {
  std::vector<double> v(batch * seq * c.hidden);
  std::uint64_t s = seed ^ 0x696E707574ull;  // "input"
  fill_normal(splitmix64(s), 0.0, 1.0, v);
  std::vector<u64> out(v.size());
  const Ring r{c.ring_bits};
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_fixed(v[i], c.frac_bits, r);
  return out;
}

}  // namespace secinfer::models
