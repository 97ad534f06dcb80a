#include "models/runner.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

#include "fss/engine/clear_ops.h"
#include "fss/gates/sigma/suite.h"
#include "models/checkpoint.h"
#include "models/embedding.h"
#include "models/float_reference.h"
#include "models/registry.h"
#include "models/runner_impl.h"
#include "models/safetensors.h"
#include "models/transformer.h"
#include "models/weights.h"

#if __has_include("fss/gates/fusefss/suite.h")
#include "fss/gates/fusefss/suite.h"
#define SECINFER_HAVE_FUSEFSS_SUITE 1
#endif

namespace secinfer::models {

namespace {

using Clock = std::chrono::steady_clock;
using fss::engine::ClearOps;

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

namespace detail {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::unique_ptr<WeightSource> make_weights(const RunOptions& o, const ModelConfig& c) {
  if (o.weights_file.empty()) return std::make_unique<RandomWeights>(c, o.seed);
  // Our own format starts with its magic; a safetensors file with its header length and '{'.
  std::ifstream in(o.weights_file, std::ios::binary);
  char magic[8] = {};
  const bool own = in.read(magic, 8) && std::memcmp(magic, "SECWGT01", 8) == 0;
  if (!own &&
      (SafetensorsFile::looks_like(o.weights_file) || o.weights_file.extension() == ".safetensors"))
    return std::make_unique<CheckpointWeights>(o.weights_file, c);
  return std::make_unique<FileWeights>(o.weights_file, c);
}

std::vector<std::int64_t> token_ids(const RunOptions& o) {
  return fit_tokens(read_token_ids(o.input_file), static_cast<std::size_t>(o.seq));
}

void add_logit_accuracy(ModelRunResult& res, const ModelConfig& c, const EmbeddingTables& tables,
                        std::span<const u64> out, std::span<const double> float_out, int threads) {
  if (!tables.has_lm_head || float_out.empty()) return;
  const LogitAccuracy a = compare_logits(c, out, float_out, tables.head(), threads);
  res.logits_vs_float = a.vs_float;
  res.top1_agreement = a.top1_agreement();
  res.top1_positions = a.positions;
}

}  // namespace detail

nlohmann::json ModelRunResult::to_json() const {
  nlohmann::json j{{"status", std::string(profiling::to_string(status))},
                   {"reason", reason},
                   {"model", model},
                   {"schedule", schedule_name(schedule)},
                   {"memory", memory.to_json()},
                   {"available_bytes", available_bytes},
                   {"online_ms", online_ms},
                   {"keygen_ms", keygen_ms},
                   {"key_bytes_per_run", key_bytes_per_run},
                   {"weights_once", weights_once},
                   {"model_input_ms", model_input_ms},
                   {"model_input_key_bytes", model_input_key_bytes},
                   {"key_mode", key_mode},
                   {"micro_batch", micro_batch},
                   {"chunk_rows", chunk_rows}};
  if (vs_clear) j["vs_clear"] = vs_clear->to_json();
  if (vs_float) j["vs_float"] = vs_float->to_json();
  j["input"] = input;
  if (logits_vs_float) j["logits_vs_float"] = logits_vs_float->to_json();
  if (top1_agreement) {
    j["top1_agreement"] = *top1_agreement;
    j["top1_positions"] = top1_positions;
  }
  if (!accuracy_note.empty()) j["accuracy_note"] = accuracy_note;
  return j;
}

bool weights_once_for(const RunOptions& o, const ModelConfig& c) {
  return o.weights_once.value_or(weights_masked_once(c));
}

fss::Block dealer_seed(std::uint64_t seed) {
  std::uint64_t s = seed ^ 0x6465616c6572ull;  // "dealer"
  const std::uint64_t lo = splitmix(s);
  return fss::Block{lo, splitmix(s)};
}

const fss::engine::GateSuite& suite_for(System system, bool padding, Lookup lookup, FuseAct act,
                                        FuseTrunc trunc) {
  if (system == System::kSigma) return fss::sigma::suite();
#ifdef SECINFER_HAVE_FUSEFSS_SUITE
  return fss::fusefss::suite(padding ? fss::compile::Padding::kOn : fss::compile::Padding::kOff,
                             lookup == Lookup::kPerCut ? fss::compile::LookupMode::kPerCut
                                                       : fss::compile::LookupMode::kSharedMask,
                             act == FuseAct::kPrecise        ? fss::fusefss::ActMode::kPrecise
                             : act == FuseAct::kFusedFlag    ? fss::fusefss::ActMode::kFusedFlag
                             : act == FuseAct::kFusedLeaf128 ? fss::fusefss::ActMode::kFusedLeaf128
                                                             : fss::fusefss::ActMode::kFused,
                             trunc == FuseTrunc::kDcfMax   ? fss::fusefss::TruncMode::kDcfMax
                             : trunc == FuseTrunc::kDcf    ? fss::fusefss::TruncMode::kDcf
                             : trunc == FuseTrunc::kSigma2 ? fss::fusefss::TruncMode::kSigma2
                                                           : fss::fusefss::TruncMode::kSigma);
#else
  (void)padding;
  (void)lookup;
  (void)act;
  (void)trunc;
  throw std::invalid_argument(
      "--system fusefss: this build has no FuseFSS gate suite yet; use --system sigma");
#endif
}

void validate_options(const RunOptions& o) {
  const ModelConfig& c = find_model(o.model);
  validate_run(c, o.seq, o.batch);
  if (o.party != 0 && o.party != 1)
    throw std::invalid_argument("--party " + std::to_string(o.party) + ": pass 0 or 1");
  if (o.runs < 1)
    throw std::invalid_argument("--runs " + std::to_string(o.runs) + ": pass 1 or more");
  if (o.warmup < 0)
    throw std::invalid_argument("--warmup " + std::to_string(o.warmup) + ": pass 0 or more");
  if (o.threads < 1)
    throw std::invalid_argument("--threads " + std::to_string(o.threads) + ": pass 1 or more");
  if (o.parties_on_host < 1 || o.parties_on_host > 2)
    throw std::invalid_argument("parties_on_host must be 1 or 2");
  if (o.dealer == models::Dealer::kFile && o.key_dir.empty())
    throw std::invalid_argument(
        "--dealer file needs --key-dir DIR (the folder `secinfer deal` wrote the key files to)");
  suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  if (!o.weights_file.empty() && !std::filesystem::exists(o.weights_file))
    throw std::invalid_argument("weight file " + o.weights_file.string() +
                                " does not exist: check the path");
  if (!o.input_file.empty() && !std::filesystem::exists(o.input_file))
    throw std::invalid_argument("token file " + o.input_file.string() +
                                " does not exist: check the path");
  // What only this party reads is checked here, before any exchange or key: the weights (names,
  // shapes, dtypes; party 0) and the token ids (their count against --seq; party 1).
  if (o.party == 0 && !o.weights_file.empty()) (void)detail::make_weights(o, c);
  if (o.party == 1 && !o.input_file.empty()) (void)detail::token_ids(o);
}

ModelRunResult run_model_party(const RunOptions& o, net::Channel& ch, profiling::Recorder& rec) {
  return detail::run_party<profiling::Recorder>(o, ch, rec);
}

ModelRunResult run_model_clear(const RunOptions& o) {
  ModelRunResult res = detail::run_clear(o, nullptr);
  if (o.compare_float && !o.weights_file.empty()) {
    const ModelConfig& c = find_model(o.model);
    const auto weights = detail::make_weights(o, c);
    if (weights->has_embeddings())
      detail::add_logit_accuracy(res, c, weights->embeddings(), res.output, res.float_output,
                                 o.threads);
  }
  return res;
}

namespace detail {

ModelRunResult run_clear(const RunOptions& o, std::shared_ptr<fss::compile::GateCache> gates) {
  const ModelConfig& c = find_model(o.model);
  validate_run(c, o.seq, o.batch);
  const auto& suite = suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  ModelRunResult res;
  res.model = c.name;
  const auto weights = detail::make_weights(o, c);
  ClearOps ops(fss::Ring{c.ring_bits}, c.frac_bits, suite, std::move(gates));
  const Transformer t(c, batch, seq);
  if (!o.input_file.empty()) {
    // Token ids: the embedding as the secure run does it (embedding.h), then the layers.
    if (!weights->has_embeddings())
      throw std::invalid_argument(
          "--input (token ids) needs a checkpoint with embedding tables: pass --weights "
          "model.safetensors (random weights and secinfer weight files take embeddings)");
    const EmbeddingTables tables = weights->embeddings();
    const std::vector<std::int64_t> ids = detail::token_ids(o);
    const std::size_t vocab = tables.vocab();
    res.input = "tokens";
    const auto t0 = Clock::now();
    const EmbedParams ep = load_embedding(ops, c, batch, seq, vocab, &tables);
    Tensor h = embed_tokens(ops, c, batch, seq, vocab, ep, one_hot(ids, batch, vocab));
    for (std::size_t l = 0; l < c.layers; ++l)
      h = t.layer(ops, l, t.load_layer(ops, weights->layer(l)), h);
    res.output = t.head(ops, t.load_head(ops, weights->final_norm()), h);
    res.online_ms.push_back(detail::ms_since(t0));
    if (o.compare_float) {
      res.float_output = float_forward_embedded(c, batch, seq, *weights,
                                                float_embed(c, batch, seq, tables, ids), o.threads);
      res.vs_float =
          compare_to_float(res.output, res.float_output, fss::Ring{c.ring_bits}, c.frac_bits);
    }
    return res;
  }
  const std::vector<u64> input = make_input(c, batch, seq, o.seed);
  const auto t0 = Clock::now();
  res.output = t.forward(ops, weights.get(), input);
  res.online_ms.push_back(detail::ms_since(t0));
  if (o.compare_float) {
    res.float_output = float_forward(c, batch, seq, *weights, input, o.threads);
    res.vs_float =
        compare_to_float(res.output, res.float_output, fss::Ring{c.ring_bits}, c.frac_bits);
  }
  return res;
}

}  // namespace detail

}  // namespace secinfer::models
