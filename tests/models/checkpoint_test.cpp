// Hugging Face checkpoints (models/safetensors.h, models/checkpoint.h) and token-id input
// (models/embedding.h): tiny safetensors files written here, loaded, mapped onto our layer specs,
// refused when they do not fit, and run end to end (both suites) bit-identical to ClearOps.
#include "models/checkpoint.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/embedding.h"
#include "models/memory.h"
#include "models/registry.h"
#include "models/runner.h"
#include "models/safetensors.h"
#include "tests/models/two_party.h"

using namespace secinfer;
using namespace secinfer::models;

namespace {

using Tensors = std::vector<std::pair<std::string, SafetensorsTensor>>;

// Tensors of a family's Hugging Face layout with seeded values of realistic scale.
struct CheckpointWriter {
  Tensors t;
  std::uint64_t stream = 7;
  void add(const std::string& name, std::vector<std::size_t> shape, double mean, double std) {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<double> v(n);
    fill_normal(stream++, mean, std, v);
    t.push_back({name, {std::move(shape), std::vector<float>(v.begin(), v.end())}});
  }
  void linear(const std::string& name, std::size_t out, std::size_t in, bool bias = true) {
    add(name + ".weight", {out, in}, 0.0, 0.02);
    if (bias) add(name + ".bias", {out}, 0.0, 0.02);
  }
  void norm(const std::string& name, std::size_t h, bool bias = true, const char* w = "weight",
            const char* b = "bias") {
    add(name + "." + w, {h}, 1.0, 0.05);
    if (bias) add(name + "." + b, {h}, 0.0, 0.02);
  }
  const SafetensorsTensor& get(const std::string& name) const {
    for (const auto& [n, v] : t)
      if (n == name) return v;
    throw std::logic_error("no tensor " + name);
  }
  void erase(const std::string& name) {
    std::erase_if(t, [&](const auto& p) { return p.first == name; });
  }
  void write(const std::filesystem::path& p, const std::string& dtype = "F32") const {
    write_safetensors(p, t, dtype);
  }
};

constexpr std::size_t kVocab = 40;

// BertModel layout (BertForMaskedLM with prefix "bert."), optionally with the old LayerNorm
// names gamma / beta, plus a pooler and an MLM head that the model ignores.
CheckpointWriter bert_checkpoint(const ModelConfig& c, const std::string& p = "",
                                 bool old_ln_names = false) {
  CheckpointWriter w;
  const std::size_t h = c.hidden, in = c.intermediate;
  const char* gw = old_ln_names ? "gamma" : "weight";
  const char* gb = old_ln_names ? "beta" : "bias";
  w.add(p + "embeddings.word_embeddings.weight", {kVocab, h}, 0.0, 0.5);
  w.add(p + "embeddings.position_embeddings.weight", {c.max_positions, h}, 0.0, 0.5);
  w.add(p + "embeddings.token_type_embeddings.weight", {2, h}, 0.0, 0.5);
  w.norm(p + "embeddings.LayerNorm", h, true, gw, gb);
  for (std::size_t l = 0; l < c.layers; ++l) {
    const std::string b = p + "encoder.layer." + std::to_string(l) + ".";
    w.linear(b + "attention.self.query", h, h);
    w.linear(b + "attention.self.key", h, h);
    w.linear(b + "attention.self.value", h, h);
    w.linear(b + "attention.output.dense", h, h);
    w.norm(b + "attention.output.LayerNorm", h, true, gw, gb);
    w.linear(b + "intermediate.dense", in, h);
    w.linear(b + "output.dense", h, in);
    w.norm(b + "output.LayerNorm", h, true, gw, gb);
  }
  w.linear(p + "pooler.dense", h, h);
  w.add("cls.predictions.bias", {kVocab}, 0.0, 0.02);
  return w;
}

// GPT2Model layout: Conv1D weights [in, out], q|k|v in one c_attn, tied LM head.
CheckpointWriter gpt2_checkpoint(const ModelConfig& c, const std::string& p = "") {
  CheckpointWriter w;
  const std::size_t h = c.hidden, in = c.intermediate;
  w.add(p + "wte.weight", {kVocab, h}, 0.0, 0.5);
  w.add(p + "wpe.weight", {c.max_positions, h}, 0.0, 0.1);
  for (std::size_t l = 0; l < c.layers; ++l) {
    const std::string b = p + "h." + std::to_string(l) + ".";
    w.norm(b + "ln_1", h);
    w.add(b + "attn.c_attn.weight", {h, 3 * h}, 0.0, 0.02);
    w.add(b + "attn.c_attn.bias", {3 * h}, 0.0, 0.02);
    w.add(b + "attn.c_proj.weight", {h, h}, 0.0, 0.02);
    w.add(b + "attn.c_proj.bias", {h}, 0.0, 0.02);
    w.norm(b + "ln_2", h);
    w.add(b + "mlp.c_fc.weight", {h, in}, 0.0, 0.02);
    w.add(b + "mlp.c_fc.bias", {in}, 0.0, 0.02);
    w.add(b + "mlp.c_proj.weight", {in, h}, 0.0, 0.02);
    w.add(b + "mlp.c_proj.bias", {h}, 0.0, 0.02);
    w.add(b + "attn.bias", {1, 1, 2, 2}, 1.0, 0.0);  // the causal-mask buffer: ignored
  }
  w.norm(p + "ln_f", h);
  return w;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("secinfer_ckpt_" + std::to_string(::getpid()) + "_" + name);
}

double fixed(const WeightTensor& t, std::size_t i, const ModelConfig& c) {
  return from_fixed(t.data.at(i), t.frac_bits, Ring{c.ring_bits});
}

// |a - b| within half a unit of the tensor's scale (the fixed-point rounding).
bool near(double a, double b, int frac) {
  return std::fabs(a - b) <= std::ldexp(0.5, -frac) + 1e-12;
}

std::string refusal(const std::filesystem::path& p, const ModelConfig& c) {
  try {
    CheckpointWeights w(p, c);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("half and bfloat16 conversions", "[models][checkpoint]") {
  for (float v : {0.0f, 1.0f, -2.5f, 0.1f, 65504.0f, 6.1e-5f, 3.0e-7f, -1.0e-3f}) {
    const float h = half_to_float(float_to_half(v));
    CHECK(std::fabs(h - v) <= std::fabs(v) * 0x1p-11f + 0x1p-25f);
    const float b = bf16_to_float(float_to_bf16(v));
    CHECK(std::fabs(b - v) <= std::fabs(v) * 0x1p-8f);
  }
  CHECK(half_to_float(0x3C00) == 1.0f);
  CHECK(half_to_float(0xC000) == -2.0f);
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));
  CHECK(std::isinf(half_to_float(float_to_half(1e6f))));
  CHECK(bf16_to_float(0x3F80) == 1.0f);
}

TEST_CASE("safetensors files round-trip in F32, F16 and BF16; bad headers are refused",
          "[models][checkpoint]") {
  const auto p = temp_path("rt.safetensors");
  const Tensors t = {{"a", {{2, 3}, {1.0f, -2.0f, 0.5f, 0.25f, 3.0f, -0.125f}}},
                     {"b", {{1}, {7.0f}}}};
  for (const char* dtype : {"F32", "F16", "BF16"}) {
    write_safetensors(p, t, dtype);
    REQUIRE(SafetensorsFile::looks_like(p));
    const SafetensorsFile f(p);
    CHECK(f.tensors().size() == 2);
    CHECK(f.at("a").dtype == dtype);
    CHECK(f.at("a").shape == std::vector<std::size_t>{2, 3});
    CHECK(f.read_float("a") == t[0].second.values);  // all exact in every dtype
    CHECK(f.read_float("b") == std::vector<float>{7.0f});
  }
  // Truncated data: refused when opened, naming the tensor past the end.
  const auto size = std::filesystem::file_size(p);
  std::filesystem::resize_file(p, size - 1);
  CHECK_THROWS_WITH(SafetensorsFile(p),
                    Catch::Contains("tensor b ends at data byte") && Catch::Contains("truncated"));
  // Truncated header.
  std::filesystem::resize_file(p, 20);
  CHECK_THROWS_WITH(SafetensorsFile(p),
                    Catch::Contains("header length") && Catch::Contains("exceeds"));
  CHECK_FALSE(SafetensorsFile::looks_like(p));
  // Not JSON.
  {
    std::ofstream out(p, std::ios::binary);
    const std::uint64_t len = 4;
    out.write(reinterpret_cast<const char*>(&len), 8);
    out << "{no}";
  }
  CHECK_THROWS_WITH(SafetensorsFile(p), Catch::Contains("not valid JSON"));
  std::filesystem::remove(p);
}

TEST_CASE("bert checkpoint names map onto our layer specs", "[models][checkpoint]") {
  const ModelConfig& c = find_model("bert-tiny");
  const std::size_t h = c.hidden, in = c.intermediate;
  const auto p = temp_path("bert.safetensors");
  for (const bool prefixed : {false, true}) {
    const std::string pre = prefixed ? "bert." : "";
    const CheckpointWriter w = bert_checkpoint(c, pre, /*old_ln_names=*/prefixed);
    w.write(p);
    const CheckpointWeights cw(p, c);
    CHECK(cw.prefix() == pre);
    const TensorMap l1 = cw.layer(1);
    const std::string b = pre + "encoder.layer.1.";
    // Q|K|V: nn.Linear [out, in] transposed, concatenated along the output columns.
    const auto& q = w.get(b + "attention.self.query.weight").values;
    const auto& v = w.get(b + "attention.self.value.weight").values;
    const WeightTensor& qkv = l1.at("attn.qkv.weight");
    REQUIRE(qkv.shape == std::vector<std::size_t>{h, 3 * h});
    for (std::size_t i : {0u, 5u, 127u})
      for (std::size_t o : {0u, 3u, 127u}) {
        CHECK(near(fixed(qkv, i * 3 * h + o, c), q[o * h + i], c.frac_bits));
        CHECK(near(fixed(qkv, i * 3 * h + 2 * h + o, c), v[o * h + i], c.frac_bits));
      }
    const WeightTensor& bias = l1.at("attn.qkv.bias");
    CHECK(bias.frac_bits == 2 * c.frac_bits);
    CHECK(near(fixed(bias, h + 3, c), w.get(b + "attention.self.key.bias").values[3],
               2 * c.frac_bits));
    const auto& up = w.get(b + "intermediate.dense.weight").values;  // [in, h]
    CHECK(near(fixed(l1.at("mlp.up.weight"), 7 * in + 300, c), up[300 * h + 7], c.frac_bits));
    const char* g = prefixed ? ".gamma" : ".weight";
    CHECK(near(fixed(l1.at("norm2.weight"), 9, c), w.get(b + "output.LayerNorm" + g).values[9],
               c.frac_bits));
    CHECK(cw.final_norm().empty());
    const EmbeddingTables e = cw.embeddings();
    CHECK(e.vocab() == kVocab);
    CHECK(e.position.shape == std::vector<std::size_t>{c.max_positions, h});
    CHECK(e.token_type.shape == std::vector<std::size_t>{2, h});
    CHECK(e.norm_bias.shape == std::vector<std::size_t>{h});
    CHECK_FALSE(e.has_lm_head);
  }
  std::filesystem::remove(p);
}

TEST_CASE("gpt2 checkpoint: Conv1D weights as stored, tied LM head, F16", "[models][checkpoint]") {
  const ModelConfig& c = find_model("gpt2-2l");
  const std::size_t h = c.hidden;
  const auto p = temp_path("gpt2.safetensors");
  const CheckpointWriter w = gpt2_checkpoint(c, "transformer.");
  w.write(p, "F16");
  const CheckpointWeights cw(p, c);
  CHECK(cw.prefix() == "transformer.");
  const TensorMap l0 = cw.layer(0);
  const auto& attn = w.get("transformer.h.0.attn.c_attn.weight").values;  // [h, 3h]
  for (std::size_t i : {0u, 100u, 767u})
    for (std::size_t o : {0u, 800u, 2303u}) {
      const double want = half_to_float(float_to_half(attn[i * 3 * h + o]));
      CHECK(near(fixed(l0.at("attn.qkv.weight"), i * 3 * h + o, c), want, c.frac_bits));
    }
  const TensorMap fin = cw.final_norm();
  CHECK(fin.count("final_norm.weight") == 1);
  CHECK(fin.count("final_norm.bias") == 1);
  const EmbeddingTables e = cw.embeddings();
  CHECK(e.has_lm_head);
  CHECK(e.lm_head.data.empty());  // tied: head() is the token table
  CHECK(&e.head() == &e.token);
  std::filesystem::remove(p);
}

TEST_CASE("gpt-neo and llama checkpoints map q, k, v (and gate, up) with transposes",
          "[models][checkpoint]") {
  const auto p = temp_path("neo_llama.safetensors");
  SECTION("gpt-neo") {
    ModelConfig c = find_model("gpt-neo-125m");  // small copy: the mapping only needs shapes
    c.layers = 2;
    c.hidden = 32;
    c.heads = 2;
    c.head_dim = 16;
    c.intermediate = 64;
    c.max_positions = 16;
    c.attention_types.resize(2);
    CheckpointWriter w;
    w.add("transformer.wte.weight", {kVocab, 32}, 0.0, 0.5);
    w.add("transformer.wpe.weight", {16, 32}, 0.0, 0.1);
    for (int l = 0; l < 2; ++l) {
      const std::string b = "transformer.h." + std::to_string(l) + ".";
      w.norm(b + "ln_1", 32);
      w.linear(b + "attn.attention.q_proj", 32, 32, false);
      w.linear(b + "attn.attention.k_proj", 32, 32, false);
      w.linear(b + "attn.attention.v_proj", 32, 32, false);
      w.linear(b + "attn.attention.out_proj", 32, 32);
      w.norm(b + "ln_2", 32);
      w.linear(b + "mlp.c_fc", 64, 32);
      w.linear(b + "mlp.c_proj", 32, 64);
    }
    w.norm("transformer.ln_f", 32);
    w.add("lm_head.weight", {kVocab, 32}, 0.0, 0.5);
    w.write(p, "BF16");
    const CheckpointWeights cw(p, c);
    const TensorMap l1 = cw.layer(1);
    const auto& k = w.get("transformer.h.1.attn.attention.k_proj.weight").values;
    CHECK(near(fixed(l1.at("attn.qkv.weight"), 3 * 96 + 32 + 5, c),
               bf16_to_float(float_to_bf16(k[5 * 32 + 3])), c.frac_bits));
    const auto& fc = w.get("transformer.h.1.mlp.c_fc.weight").values;  // [64, 32]
    CHECK(near(fixed(l1.at("mlp.up.weight"), 2 * 64 + 50, c),
               bf16_to_float(float_to_bf16(fc[50 * 32 + 2])), c.frac_bits));
    CHECK(l1.count("attn.qkv.bias") == 0);
    CHECK_FALSE(cw.embeddings().lm_head.data.empty());  // untied head read
  }
  SECTION("llama") {
    const ModelConfig& c = find_model("llama-tiny");
    const std::size_t h = c.hidden, in = c.intermediate;
    CheckpointWriter w;
    w.add("model.embed_tokens.weight", {kVocab, h}, 0.0, 0.5);
    for (std::size_t l = 0; l < c.layers; ++l) {
      const std::string b = "model.layers." + std::to_string(l) + ".";
      w.norm(b + "input_layernorm", h, false);
      for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"})
        w.linear(b + "self_attn." + n, h, h, false);
      w.norm(b + "post_attention_layernorm", h, false);
      w.linear(b + "mlp.gate_proj", in, h, false);
      w.linear(b + "mlp.up_proj", in, h, false);
      w.linear(b + "mlp.down_proj", h, in, false);
      w.add(b + "self_attn.rotary_emb.inv_freq", {16}, 0.0, 1.0);  // buffer: ignored
    }
    w.norm("model.norm", h, false);
    w.add("lm_head.weight", {kVocab, h}, 0.0, 0.5);
    w.write(p);
    const CheckpointWeights cw(p, c);
    const TensorMap l0 = cw.layer(0);
    const WeightTensor& up = l0.at("mlp.up.weight");  // [h, 2 in] = gate | up
    REQUIRE(up.shape == std::vector<std::size_t>{h, 2 * in});
    const auto& gate = w.get("model.layers.0.mlp.gate_proj.weight").values;
    const auto& upw = w.get("model.layers.0.mlp.up_proj.weight").values;
    CHECK(near(fixed(up, 4 * 2 * in + 10, c), gate[10 * h + 4], c.frac_bits));
    CHECK(near(fixed(up, 4 * 2 * in + in + 10, c), upw[10 * h + 4], c.frac_bits));
    CHECK(cw.final_norm().count("final_norm.weight") == 1);
    const EmbeddingTables e = cw.embeddings();
    CHECK(e.position.data.empty());  // RoPE
    CHECK(e.lm_head.shape == std::vector<std::size_t>{kVocab, h});
  }
  std::filesystem::remove(p);
}

TEST_CASE("checkpoints that do not fit the model are refused with the first mismatch and the fix",
          "[models][checkpoint]") {
  const ModelConfig& bert = find_model("bert-tiny");
  const auto p = temp_path("bad.safetensors");
  SECTION("wrong family: a gpt2 file for a bert model") {
    gpt2_checkpoint(find_model("gpt2-2l")).write(p, "F16");
    const std::string m = refusal(p, bert);
    CHECK_THAT(m, Catch::Contains("embeddings.word_embeddings.weight") &&
                      Catch::Contains("looks like a gpt2 checkpoint") &&
                      Catch::Contains("--model gpt2-2l"));
  }
  SECTION("wrong shape names the tensor, both shapes and the model") {
    CheckpointWriter w = bert_checkpoint(bert);
    w.erase("encoder.layer.1.intermediate.dense.weight");
    w.add("encoder.layer.1.intermediate.dense.weight", {500, bert.hidden}, 0.0, 0.02);
    w.write(p);
    CHECK_THAT(refusal(p, bert),
               Catch::Contains("encoder.layer.1.intermediate.dense.weight has shape [500, 128]") &&
                   Catch::Contains("needs [512, 128]"));
  }
  SECTION("a missing tensor") {
    CheckpointWriter w = bert_checkpoint(bert);
    w.erase("encoder.layer.0.attention.self.key.bias");
    w.write(p);
    CHECK_THAT(refusal(p, bert), Catch::Contains("encoder.layer.0.attention.self.key.bias") &&
                                     Catch::Contains("is missing"));
  }
  SECTION("more layers than the model") {
    ModelConfig three = bert;
    three.layers = 3;
    bert_checkpoint(three).write(p);
    CHECK_THAT(refusal(p, bert),
               Catch::Contains("belongs to layer 2") && Catch::Contains("has 2 layers"));
  }
  SECTION("an unknown tensor") {
    CheckpointWriter w = bert_checkpoint(bert);
    w.add("encoder.layer.0.adapter.weight", {4}, 0.0, 1.0);
    w.write(p);
    CHECK_THAT(refusal(p, bert), Catch::Contains("unknown tensor encoder.layer.0.adapter.weight"));
  }
  SECTION("a truncated download") {
    bert_checkpoint(bert).write(p);
    std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
    CHECK_THAT(refusal(p, bert), Catch::Contains("truncated"));
  }
  SECTION("the runner refuses before any work, party 0 only") {
    bert_checkpoint(bert).write(p);
    std::filesystem::resize_file(p, std::filesystem::file_size(p) - 4);
    RunOptions o;
    o.model = "bert-tiny";
    o.seq = 8;
    o.weights_file = p;
    o.party = 0;
    CHECK_THROWS_WITH(validate_options(o), Catch::Contains("truncated"));
    o.party = 1;  // party 1 never reads the weights
    CHECK_NOTHROW(validate_options(o));
  }
  std::filesystem::remove(p);
}

TEST_CASE("token ids: JSON array or one a line, padded or refused against --seq",
          "[models][checkpoint]") {
  const auto p = temp_path("ids.txt");
  { std::ofstream(p) << "[101, 7592, 102]"; }
  CHECK(read_token_ids(p) == std::vector<std::int64_t>{101, 7592, 102});
  { std::ofstream(p) << "15496\n\n 11 \r\n995\n"; }
  CHECK(read_token_ids(p) == std::vector<std::int64_t>{15496, 11, 995});
  { std::ofstream(p) << "12\nhello\n"; }
  CHECK_THROWS_WITH(read_token_ids(p), Catch::Contains("line 2"));
  { std::ofstream(p) << "[1, -3]"; }
  CHECK_THROWS_WITH(read_token_ids(p), Catch::Contains("element 1"));
  CHECK(fit_tokens({5, 6}, 4) == std::vector<std::int64_t>{5, 6, 0, 0});
  CHECK_THROWS_WITH(fit_tokens({1, 2, 3}, 2), Catch::Contains("pass --seq 3"));
  const auto h = one_hot(std::vector<std::int64_t>{2, 0}, 2, 3);
  CHECK(h == std::vector<u64>{0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0});
  CHECK_THROWS_WITH(one_hot(std::vector<std::int64_t>{3}, 1, 3),
                    Catch::Contains("outside the vocabulary of 3"));
  std::filesystem::remove(p);
}

namespace {

// A checkpoint and token ids run under --system `system`: the secure output equals ClearOps's
// bit for bit, and the accuracy report is filled in. micro_batches: a batch of 2 with memory for
// one sequence's keys per layer (runner_impl.h: each sequence's keys dealt and used in turn).
void run_checkpoint(const std::string& model, const CheckpointWriter& w, const std::string& dtype,
                    const std::string& system, bool micro_batches = false) {
  const auto weights = temp_path(model + ".safetensors");
  const auto ids = temp_path(model + "_ids.json");
  w.write(weights, dtype);
  {
    std::ofstream(ids) << "[3, 17, 39, 0, 8]";  // padded to --seq 8
  }
  RunOptions o;
  o.model = model;
  o.seq = 8;
  o.runs = 1;
  o.warmup = 0;
  o.system = parse_enum<System>(system);
  o.weights_file = weights;
  o.input_file = ids;
  o.compare_float = true;
  const ModelConfig& c = find_model(model);
  if (micro_batches) {
    o.batch = 2;
    o.memory_limit_bytes = (test::needed_bytes(o, 1) + test::needed_bytes(o, 2)) / 2;
  }
  const test::TwoResults t = test::run_both_parties(o);
  test::check_bit_identical(t, static_cast<std::size_t>(o.batch) * 8 * c.hidden);
  CHECK(t.r[0].micro_batch == (micro_batches ? 1u : static_cast<std::size_t>(o.batch)));
  CHECK(t.r[0].input == "tokens");
  CHECK(t.r[1].input == "tokens");
  REQUIRE(t.r[0].vs_float.has_value());
  INFO("vs float: max abs " << t.r[0].vs_float->max_abs);
  CHECK(t.r[0].vs_float->max_abs < 0.5);
  if (c.family != Family::kBert) {
    REQUIRE(t.r[0].top1_agreement.has_value());
    CHECK(t.r[0].top1_positions == 8 * static_cast<std::size_t>(o.batch));
    CHECK(*t.r[0].top1_agreement >= 0.75);
    REQUIRE(t.r[0].logits_vs_float.has_value());
  } else {
    CHECK_FALSE(t.r[0].top1_agreement.has_value());
  }
  // The cleartext run alone: the same output.
  o.party = 0;
  const ModelRunResult clear = run_model_clear(o);
  CHECK(clear.output == t.r[0].output);
  std::filesystem::remove(weights);
  std::filesystem::remove(ids);
}

}  // namespace

TEST_CASE("a bert checkpoint with token ids runs securely, bit-identical to ClearOps",
          "[models][checkpoint][secure]") {
  const ModelConfig& c = find_model("bert-tiny");
  const std::string system = GENERATE("sigma", "fusefss");
  INFO("--system " << system);
  run_checkpoint("bert-tiny", bert_checkpoint(c, "bert.", true), "F16", system);
}

TEST_CASE("token ids in micro-batches (one sequence's keys per layer at a time), bit-identical",
          "[models][checkpoint][secure]") {
  const std::string system = GENERATE("sigma", "fusefss");
  INFO("--system " << system);
  run_checkpoint("gpt2-2l", gpt2_checkpoint(find_model("gpt2-2l")), "BF16", system, true);
}

TEST_CASE("a gpt2 checkpoint with token ids runs securely, bit-identical to ClearOps",
          "[models][checkpoint][secure]") {
  const ModelConfig& c = find_model("gpt2-2l");
  const std::string system = GENERATE("sigma", "fusefss");
  INFO("--system " << system);
  run_checkpoint("gpt2-2l", gpt2_checkpoint(c), "BF16", system);
}

TEST_CASE("token ids without a checkpoint are refused by both parties", "[models][checkpoint]") {
  const auto ids = temp_path("noweights_ids.json");
  { std::ofstream(ids) << "[1, 2]"; }
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 4;
  o.runs = 1;
  o.warmup = 0;
  o.input_file = ids;
  CHECK_THROWS_WITH(test::run_both_parties(o),
                    Catch::Contains("no embedding tables") && Catch::Contains("--weights"));
  std::filesystem::remove(ids);
}

TEST_CASE("party 1 needs no weights, party 0 no tokens (then no accuracy check, with a note)",
          "[models][checkpoint][secure]") {
  const ModelConfig& c = find_model("bert-tiny");
  const auto weights = temp_path("split.safetensors");
  const auto ids = temp_path("split_ids.json");
  bert_checkpoint(c).write(weights, "F16");
  { std::ofstream(ids) << "[5, 6, 7, 8]"; }
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 4;
  o.runs = 1;
  o.warmup = 0;
  ModelRunResult r[2];
  test::on_two_parties([&](int id, net::Channel& ch) {
    RunOptions mine = o;
    mine.party = id;
    if (id == 0)
      mine.weights_file = weights;  // party 0: the checkpoint only
    else
      mine.input_file = ids;  // party 1: the tokens only
    profiling::Recorder rec(nlohmann::json{{"model", o.model}}, id);
    auto active = rec.activate();
    r[id] = run_model_party(mine, ch, rec);
  });
  CHECK(r[0].input == "tokens");
  CHECK(r[0].output == r[1].output);
  CHECK_FALSE(r[0].vs_clear.has_value());
  CHECK_THAT(r[0].accuracy_note, Catch::Contains("no --input"));
  // The same tokens given to party 0 too: the output is the cleartext reference's.
  o.party = 0;
  o.weights_file = weights;
  o.input_file = ids;
  CHECK(run_model_clear(o).output == r[0].output);
  std::filesystem::remove(weights);
  std::filesystem::remove(ids);
}
