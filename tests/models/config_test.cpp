#include "models/config.h"

#include <catch2/catch.hpp>
#include <string>

#include "models/registry.h"

using namespace secinfer::models;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("registry: public shapes and SIGMA's bit widths", "[models][config]") {
  struct Want {
    const char* name;
    std::size_t layers, hidden, heads, inter, pos;
    int bits;
  };
  const Want want[] = {
      {"bert-tiny", 2, 128, 2, 512, 512, 37},        {"bert-base", 12, 768, 12, 3072, 512, 50},
      {"bert-large", 24, 1024, 16, 4096, 512, 50},   {"gpt2", 12, 768, 12, 3072, 1024, 50},
      {"gpt-neo-125m", 12, 768, 12, 3072, 2048, 51}, {"gpt-neo-1.3b", 24, 2048, 16, 8192, 2048, 51},
      {"llama-tiny", 2, 128, 4, 344, 2048, 48},      {"llama2-7b", 32, 4096, 32, 11008, 4096, 48},
      {"gpt2-2l", 2, 768, 12, 3072, 1024, 50}};
  for (const auto& w : want) {
    const ModelConfig& c = find_model(w.name);
    INFO(w.name);
    CHECK(c.name == w.name);
    CHECK(c.layers == w.layers);
    CHECK(c.hidden == w.hidden);
    CHECK(c.heads == w.heads);
    CHECK(c.head_dim * c.heads == c.hidden);
    CHECK(c.intermediate == w.inter);
    CHECK(c.max_positions == w.pos);
    CHECK(c.ring_bits == w.bits);
    CHECK(c.frac_bits == 12);
  }
  CHECK(model_names().size() == 9);
  CHECK(find_model("bert").name == "bert-base");
  CHECK(find_model("GPT-2").name == "gpt2");
  CHECK(find_model("BERT-Tiny").name == "bert-tiny");

  const ModelConfig& neo = find_model("gpt-neo-125m");
  REQUIRE(neo.attention_types.size() == 12);
  CHECK(neo.attention_type(0) == AttentionType::kGlobal);
  CHECK(neo.attention_type(1) == AttentionType::kLocal);
  CHECK(neo.window == 256);
  CHECK_FALSE(neo.scale_attention);
  const ModelConfig& gpt = find_model("gpt2");
  CHECK(gpt.pre_ln);
  CHECK(gpt.causal);
  CHECK(gpt.final_norm);
  const ModelConfig& bert = find_model("bert-base");
  CHECK_FALSE(bert.pre_ln);
  CHECK_FALSE(bert.causal);
  const ModelConfig& llama = find_model("llama-tiny");
  CHECK(llama.norm == NormKind::kRmsNorm);
  CHECK(llama.activation == ActivationKind::kSilu);
  CHECK(llama.rotary);
  CHECK(llama.gated_mlp);
}

TEST_CASE("registry: an unknown model lists the valid names", "[models][config]") {
  const std::string e = error_of([] { find_model("bert-huge"); });
  CHECK(has(e, "bert-huge"));
  for (const auto& n : model_names()) CHECK(has(e, n));
}

TEST_CASE("validate_run refuses bad shapes with the limit and the fix", "[models][config]") {
  const ModelConfig& bert = find_model("bert-base");
  CHECK_NOTHROW(validate_run(bert, 128, 1));
  CHECK_NOTHROW(validate_run(bert, 512, 8));
  CHECK_NOTHROW(validate_run(bert, 1, 1));

  std::string e = error_of([&] { validate_run(bert, 128, 0); });
  CHECK(has(e, "batch 0"));
  CHECK(has(e, "--batch 1"));
  e = error_of([&] { validate_run(bert, 0, 1); });
  CHECK(has(e, "seq 0"));
  e = error_of([&] { validate_run(bert, 513, 1); });
  CHECK(has(e, "512"));
  CHECK(has(e, "--seq 512"));
  // GPT-Neo allows 2048 positions, but the softmax's inverse table caps seq at 1024.
  const ModelConfig& neo = find_model("gpt-neo-125m");
  CHECK_NOTHROW(validate_run(neo, 1024, 1));
  e = error_of([&] { validate_run(neo, 1025, 1); });
  CHECK(has(e, "1024"));
  CHECK(has(e, "inverse"));
  CHECK(has(e, "--seq 1024"));
  e = error_of([&] { validate_run(find_model("gpt2"), 2048, 1); });
  CHECK(has(e, "1024"));
}

TEST_CASE("validate_config catches inconsistent configs", "[models][config]") {
  ModelConfig c = find_model("bert-tiny");
  CHECK_NOTHROW(validate_config(c));
  c.head_dim = 32;
  CHECK(has(error_of([&] { validate_config(c); }), "head_dim"));
  c = find_model("bert-tiny");
  c.ring_bits = 30;
  CHECK(has(error_of([&] { validate_config(c); }), "ring_bits"));
  c = find_model("gpt-neo-125m");
  c.attention_types.pop_back();
  CHECK(has(error_of([&] { validate_config(c); }), "attention_types"));
}
