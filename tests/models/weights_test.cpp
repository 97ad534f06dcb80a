#include "models/weights.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/registry.h"

using namespace secinfer;
using namespace secinfer::models;

namespace {

std::filesystem::path temp_file(const char* name) {
  return std::filesystem::temp_directory_path() / name;
}

std::string load_error(const std::filesystem::path& p, const ModelConfig& c) {
  try {
    FileWeights w(p, c);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("random weights are deterministic per (seed, layer, tensor)", "[models][weights]") {
  const ModelConfig& c = find_model("bert-tiny");
  RandomWeights a(c, 5), b(c, 5), other(c, 6);
  const TensorMap a1 = a.layer(1), b1 = b.layer(1), o1 = other.layer(1), a0 = a.layer(0);
  REQUIRE(a1.size() == layer_specs(c).size());
  for (const auto& [name, t] : a1) {
    INFO(name);
    CHECK(t.data == b1.at(name).data);
    CHECK(t.data != o1.at(name).data);
    CHECK(t.data != a0.at(name).data);
  }
  CHECK(a.final_norm().empty());  // BERT has no final norm
  CHECK(RandomWeights(find_model("gpt2-2l"), 1).final_norm().size() == 2);
  CHECK(RandomWeights(find_model("llama-tiny"), 1).final_norm().size() == 1);
  CHECK(make_input(c, 2, 8, 3) == make_input(c, 2, 8, 3));
  CHECK(make_input(c, 2, 8, 3) != make_input(c, 2, 8, 4));
}

TEST_CASE("random weights have a realistic scale", "[models][weights]") {
  const ModelConfig& c = find_model("bert-base");
  const TensorMap w = RandomWeights(c, 1).layer(0);
  const Ring r{c.ring_bits};
  auto stats = [&](const WeightTensor& t) {
    double s = 0, s2 = 0;
    for (u64 v : t.data) {
      const double x = from_fixed(v, t.frac_bits, r);
      s += x;
      s2 += x * x;
    }
    const double n = static_cast<double>(t.data.size());
    return std::pair{s / n, std::sqrt(s2 / n - (s / n) * (s / n))};
  };
  const auto [qm, qs] = stats(w.at("attn.qkv.weight"));
  CHECK(std::abs(qm) < 1e-3);
  CHECK(qs == Approx(0.02).epsilon(0.05));
  const auto [gm, gs] = stats(w.at("norm1.weight"));
  CHECK(gm == Approx(1.0).epsilon(0.02));
  CHECK(w.at("attn.qkv.bias").frac_bits == 2 * c.frac_bits);  // added before the truncation
  CHECK(w.at("attn.qkv.weight").shape == std::vector<std::size_t>{768, 3 * 768});
  CHECK(layer_weight_count(c) ==
        4 * 768 * 768 + 2 * 768 * 3072 + 3 * 768 + 768 + 3072 + 768 + 4 * 768);
}

TEST_CASE("weight files round-trip (f32 and i64) and are validated", "[models][weights]") {
  const ModelConfig& c = find_model("llama-tiny");
  RandomWeights w(c, 9);
  for (bool f32 : {false, true}) {
    INFO("f32 " << f32);
    const auto path = temp_file(f32 ? "secinfer_w_f32.sw" : "secinfer_w_i64.sw");
    write_weight_file(path, c, w, f32);
    FileWeights fw(path, c);
    for (std::size_t l = 0; l < c.layers; ++l) {
      const TensorMap a = w.layer(l), b = fw.layer(l);
      for (const auto& [name, t] : a) {
        INFO(name);
        // i64 is exact; f32 holds every fixed-point weight of this scale exactly too (< 2^24 ulps).
        CHECK(t.data == b.at(name).data);
        CHECK(t.shape == b.at(name).shape);
      }
    }
    CHECK(w.final_norm().at("final_norm.weight").data ==
          fw.final_norm().at("final_norm.weight").data);
    std::filesystem::remove(path);
  }
}

TEST_CASE("weight file errors name the problem and the fix", "[models][weights]") {
  const ModelConfig& tiny = find_model("bert-tiny");
  const auto path = temp_file("secinfer_w_err.sw");
  write_weight_file(path, tiny, RandomWeights(tiny, 1), true);

  // Another model's file.
  std::string e = load_error(path, find_model("llama-tiny"));
  CHECK(e.find("bert-tiny") != std::string::npos);
  CHECK(e.find("--model") != std::string::npos);
  // Wrong shape, missing and unknown tensors (files written for altered configs, same name).
  ModelConfig wide = tiny;
  wide.intermediate = 256;
  write_weight_file(path, wide, RandomWeights(wide, 1), true);
  e = load_error(path, tiny);
  CHECK(e.find("mlp.down.weight has shape [256, 128], bert-tiny needs [512, 128]") !=
        std::string::npos);
  ModelConfig deep = tiny;
  deep.layers = 3;
  write_weight_file(path, deep, RandomWeights(deep, 1), true);
  e = load_error(path, tiny);
  CHECK(e.find("unknown tensor layer.2.") != std::string::npos);
  ModelConfig no_bias = tiny;
  no_bias.qkv_bias = false;
  write_weight_file(path, no_bias, RandomWeights(no_bias, 1), true);
  e = load_error(path, tiny);
  CHECK(e.find("attn.qkv.bias [384] is missing") != std::string::npos);
  write_weight_file(path, tiny, RandomWeights(tiny, 1), true);
  // Truncated.
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 100);
  e = load_error(path, tiny);
  CHECK(e.find("truncated") != std::string::npos);
  // Not a weight file.
  std::ofstream(path) << "hello world, not weights";
  e = load_error(path, tiny);
  CHECK(e.find("SECWGT01") != std::string::npos);
  // Missing file.
  std::filesystem::remove(path);
  e = load_error(path, tiny);
  CHECK(e.find("cannot be opened") != std::string::npos);
}
