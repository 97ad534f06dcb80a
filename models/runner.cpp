#include "models/runner.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/party.h"
#include "fss/engine/party_ops.h"
#include "fss/gates/sigma/suite.h"
#include "models/float_reference.h"
#include "models/registry.h"
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
using fss::engine::Dealer;
using fss::engine::DealerOps;
using fss::engine::KeyBuffer;
using fss::engine::KeyReader;
using fss::engine::KeyWriter;
using fss::engine::Party;
using fss::engine::PartyOps;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// A recorder that can pause an online run around offline phases (see runner.h). Detected at
// compile time, so the runner picks up the feature as soon as profiling/ offers it.
template <class R>
constexpr bool can_pause(R& r) {
  return requires { r.pause_run(); r.resume_run(); };
}
template <class R>
void pause(R& r) {
  if constexpr (requires { r.pause_run(); }) r.pause_run();
}
template <class R>
void resume(R& r) {
  if constexpr (requires { r.resume_run(); }) r.resume_run();
}

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::unique_ptr<WeightSource> make_weights(const RunOptions& o, const ModelConfig& c) {
  if (!o.weights_file.empty()) return std::make_unique<FileWeights>(o.weights_file, c);
  return std::make_unique<RandomWeights>(c, o.seed);
}

// Both parties tell each other whether they can run (memory), so that neither waits for a peer
// that has stopped. 16 bytes each way, before any run (the log's "outside_runs").
struct Verdict {
  bool ok = true;
  std::uint64_t needed = 0, available = 0;
};
Verdict exchange_verdict(net::Channel& ch, const Verdict& mine) {
  std::uint8_t out[17], in[17];
  out[0] = mine.ok ? 1 : 0;
  std::memcpy(out + 1, &mine.needed, 8);
  std::memcpy(out + 9, &mine.available, 8);
  ch.exchange(out, in);
  Verdict v;
  v.ok = in[0] != 0;
  std::memcpy(&v.needed, in + 1, 8);
  std::memcpy(&v.available, in + 9, 8);
  return v;
}

}  // namespace

nlohmann::json ModelRunResult::to_json() const {
  nlohmann::json j{{"status", std::string(profiling::to_string(status))},
                   {"reason", reason},
                   {"model", model},
                   {"schedule", schedule_name(schedule)},
                   {"memory", memory.to_json()},
                   {"available_bytes", available_bytes},
                   {"online_ms", online_ms},
                   {"keygen_ms", keygen_ms},
                   {"key_bytes_per_run", key_bytes_per_run}};
  if (vs_clear) j["vs_clear"] = vs_clear->to_json();
  if (vs_float) j["vs_float"] = vs_float->to_json();
  return j;
}

fss::Block dealer_seed(std::uint64_t seed) {
  std::uint64_t s = seed ^ 0x6465616c6572ull;  // "dealer"
  const std::uint64_t lo = splitmix(s);
  return fss::Block{lo, splitmix(s)};
}

const fss::engine::GateSuite& suite_for(const std::string& system) {
  if (system == "sigma") return fss::sigma::suite();
  if (system == "fusefss") {
#ifdef SECINFER_HAVE_FUSEFSS_SUITE
    return fss::fusefss::suite();
#else
    throw std::invalid_argument(
        "--system fusefss: this build has no FuseFSS gate suite yet; use --system sigma");
#endif
  }
  throw std::invalid_argument("unknown --system \"" + system + "\": choose sigma or fusefss");
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
  if (o.dealer != "inline")
    throw std::invalid_argument("--dealer " + o.dealer +
                                ": the model runner supports the inline dealer only for now; "
                                "pass --dealer inline");
  suite_for(o.system);
  if (!o.weights_file.empty() && !std::filesystem::exists(o.weights_file))
    throw std::invalid_argument("weight file " + o.weights_file.string() +
                                " does not exist: check the path");
}

ModelRunResult run_model_party(const RunOptions& o, net::Channel& ch, profiling::Recorder& rec) {
  validate_options(o);
  const ModelConfig& c = find_model(o.model);
  const auto& suite = suite_for(o.system);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  const int me = o.party;

  ModelRunResult res;
  res.model = c.name;
  res.schedule =
      o.schedule.value_or(can_pause(rec) ? Schedule::kLayerByLayer : Schedule::kKeysFirst);
  if (res.schedule == Schedule::kLayerByLayer && !can_pause(rec))
    throw std::invalid_argument(
        "schedule layer-by-layer needs a profiling::Recorder that can pause a run "
        "(pause_run / resume_run); this build's cannot: use the keys-first schedule");

  // Memory, before any work; both parties learn both verdicts.
  res.memory = estimate_memory(c, batch, seq, suite, me, res.schedule);
  res.available_bytes = o.memory_limit_bytes ? o.memory_limit_bytes : available_memory_bytes();
  Verdict mine;
  mine.needed = res.memory.needed_bytes * static_cast<std::uint64_t>(o.parties_on_host);
  mine.available = res.available_bytes;
  mine.ok = res.available_bytes == 0 || mine.needed <= res.available_bytes;
  const Verdict peer = exchange_verdict(ch, mine);
  if (!mine.ok || !peer.ok) {
    const Verdict& v = mine.ok ? peer : mine;
    const int who = mine.ok ? 1 - me : me;
    res.status = profiling::Status::kOom;
    res.reason = c.name + " seq " + std::to_string(seq) + " batch " + std::to_string(batch) +
                 ": party " + std::to_string(who) + " needs " + format_bytes(v.needed) +
                 (o.parties_on_host > 1 ? " (both parties on this host)" : "") + " but " +
                 format_bytes(v.available) + " are available";
    if (who == me) res.reason += " [" + res.memory.describe() + "]";
    res.reason +=
        "; nothing was run. Reduce --seq or --batch, run the parties on separate machines, or "
        "use a machine with more memory";
    rec.set_status(profiling::Status::kOom, res.reason);
    return res;
  }

  // This party's inputs: weights (party 0) and the client's embeddings (party 1).
  const Transformer t(c, batch, seq);
  std::unique_ptr<WeightSource> weights;
  if (me == 0) weights = make_weights(o, c);
  const std::vector<u64> input = me == 1 ? make_input(c, batch, seq, o.seed) : std::vector<u64>{};
  auto layer_weights = [&](std::size_t l) {
    return weights ? weights->layer(l) : t.shape_only_layer();
  };
  auto head_weights = [&] { return weights ? weights->final_norm() : t.shape_only_head(); };

  // Inline dealer: the same seed as the peer's, this party's keys into memory, the other's counted
  // and dropped.
  auto buffer = std::make_shared<KeyBuffer>();
  KeyWriter own = KeyWriter::memory(buffer);
  KeyWriter other = KeyWriter::discard();
  Dealer dealer(fss::Ring{c.ring_bits}, c.frac_bits, dealer_seed(o.seed), me == 0 ? own : other,
                me == 0 ? other : own);
  DealerOps dops(dealer, suite, me);
  KeyReader reader = KeyReader::memory(buffer);
  Party party(me, fss::Ring{c.ring_bits}, c.frac_bits, ch, reader, o.threads);
  PartyOps pops(party, suite);

  const std::size_t steps = c.layers + 2;
  for (int run = 0; run < o.warmup + o.runs; ++run) {
    const bool warm = run < o.warmup;
    const std::uint64_t keys_before = dealer.key_bytes(me);
    double keygen_ms = 0, online_ms = 0;
    Tensor hd, hp;  // the dealer's masks and the party's masked values of the hidden state
    std::vector<u64> out;
    if (res.schedule == Schedule::kLayerByLayer) {
      rec.begin_run(warm);
      pause(rec);
      for (std::size_t s = 0; s < steps; ++s) {
        // Offline: the step's keys, and the masking of its weights.
        auto t0 = Clock::now();
        rec.begin_offline();
        LayerParams dp, pp;
        HeadParams dh, ph;
        if (s == 0) {
          hd = t.embed(dops, {});
        } else if (s <= c.layers) {
          dp = t.load_layer(dops, t.shape_only_layer());
          hd = t.layer(dops, s - 1, dp, hd);
          pp = t.load_layer(pops, layer_weights(s - 1));
        } else {
          dh = t.load_head(dops, t.shape_only_head());
          t.head(dops, dh, hd);
          ph = t.load_head(pops, head_weights());
        }
        rec.end_offline();
        keygen_ms += ms_since(t0);
        // Online.
        t0 = Clock::now();
        resume(rec);
        if (s == 0) {
          hp = t.embed(pops, input);
        } else if (s <= c.layers) {
          hp = t.layer(pops, s - 1, pp, hp);
        } else {
          out = t.head(pops, ph, hp);
        }
        pause(rec);
        online_ms += ms_since(t0);
      }
      resume(rec);
      rec.end_run();
    } else {
      // Keys first: the dealer's call order matches the party's consumption order: all weights
      // (masked offline), then the online steps.
      auto t0 = Clock::now();
      rec.begin_offline();
      std::vector<LayerParams> dps(c.layers), pps(c.layers);
      for (std::size_t l = 0; l < c.layers; ++l) dps[l] = t.load_layer(dops, t.shape_only_layer());
      const HeadParams dh = t.load_head(dops, t.shape_only_head());
      hd = t.embed(dops, {});
      for (std::size_t l = 0; l < c.layers; ++l) {
        hd = t.layer(dops, l, dps[l], hd);
        dps[l] = {};
      }
      t.head(dops, dh, hd);
      for (std::size_t l = 0; l < c.layers; ++l) pps[l] = t.load_layer(pops, layer_weights(l));
      const HeadParams ph = t.load_head(pops, head_weights());
      rec.end_offline();
      keygen_ms = ms_since(t0);
      t0 = Clock::now();
      rec.begin_run(warm);
      hp = t.embed(pops, input);
      for (std::size_t l = 0; l < c.layers; ++l) {
        hp = t.layer(pops, l, pps[l], hp);
        pps[l] = {};
      }
      out = t.head(pops, ph, hp);
      rec.end_run();
      online_ms = ms_since(t0);
    }
    res.keygen_ms.push_back(keygen_ms);
    res.online_ms.push_back(online_ms);
    res.key_bytes_per_run = dealer.key_bytes(me) - keys_before;
    res.output = std::move(out);
  }

  // Accuracy (party 0, outside every run): the same weights and input in the clear.
  if (me == 0 && (o.compare_clear || o.compare_float)) {
    const ModelRunResult clear = run_model_clear(o);
    const fss::Ring ring{c.ring_bits};
    if (o.compare_clear) res.vs_clear = compare_fixed(res.output, clear.output, ring, c.frac_bits);
    if (o.compare_float)
      res.vs_float = compare_to_float(res.output, clear.float_output, ring, c.frac_bits);
  }
  return res;
}

ModelRunResult run_model_clear(const RunOptions& o) {
  const ModelConfig& c = find_model(o.model);
  validate_run(c, o.seq, o.batch);
  const auto& suite = suite_for(o.system);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  ModelRunResult res;
  res.model = c.name;
  const auto weights = make_weights(o, c);
  const std::vector<u64> input = make_input(c, batch, seq, o.seed);
  ClearOps ops(fss::Ring{c.ring_bits}, c.frac_bits, suite);
  const Transformer t(c, batch, seq);
  const auto t0 = Clock::now();
  res.output = t.forward(ops, weights.get(), input);
  res.online_ms.push_back(ms_since(t0));
  if (o.compare_float) {
    res.float_output = float_forward(c, batch, seq, *weights, input);
    res.vs_float =
        compare_to_float(res.output, res.float_output, fss::Ring{c.ring_bits}, c.frac_bits);
  }
  return res;
}

}  // namespace secinfer::models
