// Internal to models/: the party run of runner.h as a template over the recorder type, so that a
// test can check the call protocol (runs paused around the offline phases of the layer-by-layer
// schedule) with a recorder double. Not for use outside models/ and tests/models/.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/party.h"
#include "fss/engine/party_ops.h"
#include "models/embedding.h"
#include "models/float_reference.h"
#include "models/key_files.h"
#include "models/memory_verdict.h"
#include "models/registry.h"
#include "models/row_chunks.h"
#include "models/runner.h"
#include "models/transformer.h"
#include "models/weights.h"
#include "profiling/scope.h"
#include "profiling/scope_names.h"

namespace secinfer::models::detail {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t);
std::unique_ptr<WeightSource> make_weights(const RunOptions& o, const ModelConfig& c);
// o.input_file's token ids fitted to o.seq (embedding.h read_token_ids, fit_tokens).
std::vector<std::int64_t> token_ids(const RunOptions& o);
// Logit accuracy (float_reference.h compare_logits, on `threads`) of `out` into res, where
// `tables` has an LM head.
void add_logit_accuracy(ModelRunResult& res, const ModelConfig& c, const EmbeddingTables& tables,
                        std::span<const u64> out, std::span<const double> float_out, int threads);

// Both parties agree on the input kind before any key, so that neither runs a step the other
// does not: party 0 sends the vocabulary of its checkpoint's token table (0: no tables), party 1
// the largest token id + 1 (0: no --input, embeddings). 8 bytes each way, outside the runs.
// Returns the vocabulary for token input, 0 for embeddings; on a mismatch both parties throw
// std::invalid_argument with the same message.
inline std::size_t agree_on_input(net::Channel& ch, int me, std::uint64_t vocab,
                                  std::uint64_t ids_end) {
  const std::uint64_t mine = me == 0 ? vocab : ids_end;
  std::uint8_t out[8], in[8];
  std::memcpy(out, &mine, 8);
  ch.exchange(out, in);
  std::uint64_t theirs = 0;
  std::memcpy(&theirs, in, 8);
  const std::uint64_t v = me == 0 ? vocab : theirs, end = me == 0 ? theirs : ids_end;
  if (end == 0) return 0;
  if (v == 0)
    throw std::invalid_argument(
        "party 1 has token ids (--input) but party 0's weights have no embedding tables: give "
        "party 0 --weights model.safetensors (a Hugging Face checkpoint), or run party 1 without "
        "--input");
  if (end > v)
    throw std::invalid_argument("token id " + std::to_string(end - 1) +
                                " is outside the checkpoint's vocabulary of " + std::to_string(v) +
                                ": tokenise with the checkpoint's own tokenizer");
  return static_cast<std::size_t>(v);
}

// run_model_clear with the given compiled fused gates (null: a fresh cache), so that a party's
// accuracy check reuses the gates its run compiled.
ModelRunResult run_clear(const RunOptions& o, std::shared_ptr<fss::compile::GateCache> gates);

// Every key of a step is consumed by the step: anything left means the dealer's and the party's
// call sequences diverged (a bug, never a user error).
inline void check_drained(const fss::engine::KeyBuffer& b, const std::string& step) {
  if (b.available() != 0)
    throw std::logic_error("model runner: " + std::to_string(b.available()) +
                           " key bytes left after " + step +
                           ": the dealer's and the party's call sequences diverged");
}

// The offline scope of the party's input of its model parameters (weights, embedding tables): party
// 0 masks them and sends them, so this is where the offline phase's bytes on the wire go
// (profiling/README.md, "Bytes on the wire").
inline constexpr const char* kWeightInputScope = profiling::scopes::kWeightInput;
// The offline scope charged with a run's key bytes read from a key file (--dealer file).
inline constexpr const char* kKeyFileScope = profiling::scopes::kKeyFile;

// The dealer side of a model run, shared by the inline dealer of a party run (run_party) and the
// dealer process (deal_model_keys, `secinfer deal`): every DealerOps call whose keys the party
// consumes, in the order it consumes them. `vocab` is the token vocabulary of a token-input run (0:
// embeddings); `hd` carries the masks of the hidden state from step to step.
//
// The weights: the masks of step s's weights (s = 0 the token tables, 1..layers a layer, layers + 1
// the head); the party masks its weights with them (Ops::weight). Under weights_masked_once (the
// model input) every step's masks are dealt once, before the runs, in step order, and every run
// reuses them; otherwise each run deals them again (at the start of each step of the
// layer-by-layer schedule, all of them first in the keys-first one).
// Step s of the layer-by-layer schedule: its gates, once per micro-batch (a group of `batch`
// sequences; the run's batch is groups of equal size).
struct StepWeights {
  EmbedParams embed;
  LayerParams layer;
  HeadParams head;
};
inline StepWeights deal_step_weights(fss::engine::DealerOps& dops, const Transformer& t,
                                     const ModelConfig& c, std::size_t batch, std::size_t seq,
                                     std::size_t vocab, std::size_t s) {
  StepWeights w;
  if (s == 0 && vocab != 0)
    w.embed = load_embedding(dops, c, batch, seq, vocab, nullptr);
  else if (s != 0 && s <= c.layers)
    w.layer = t.load_layer(dops, t.shape_only_layer());
  else if (s != 0)
    w.head = t.load_head(dops, t.shape_only_head());
  return w;
}
// Every step's weight masks, in step order.
inline std::vector<StepWeights> deal_model_weights(fss::engine::DealerOps& dops,
                                                   const Transformer& t, const ModelConfig& c,
                                                   std::size_t batch, std::size_t seq,
                                                   std::size_t vocab) {
  std::vector<StepWeights> w(c.layers + 2);
  for (std::size_t s = 0; s < w.size(); ++s)
    w[s] = deal_step_weights(dops, t, c, batch, seq, vocab, s);
  return w;
}
inline void deal_step_gates(fss::engine::DealerOps& dops, const Transformer& t,
                            const ModelConfig& c, std::size_t batch, std::size_t seq,
                            std::size_t vocab, std::size_t s, const StepWeights& w, Tensor& hd) {
  if (s == 0 && vocab != 0)
    hd = embed_tokens(dops, c, batch, seq, vocab, w.embed, {});
  else if (s == 0)
    hd = t.embed(dops, {});
  else if (s <= c.layers)
    hd = t.layer(dops, s - 1, w.layer, hd);
  else
    t.head(dops, w.head, hd);
}

// One whole run under `schedule` (the dealer process deals warm-up + measured runs, in order).
// `kept`: the model input's weight masks (weights_masked_once), null to deal them in this run.
inline void deal_run(fss::engine::DealerOps& dops, const Transformer& t, const ModelConfig& c,
                     std::size_t batch, std::size_t seq, std::size_t vocab, Schedule schedule,
                     const std::vector<StepWeights>* kept) {
  const std::size_t steps = c.layers + 2;
  std::vector<StepWeights> fresh;
  if (kept == nullptr && schedule == Schedule::kKeysFirst)
    fresh = deal_model_weights(dops, t, c, batch, seq, vocab);
  Tensor hd;
  for (std::size_t s = 0; s < steps; ++s) {
    if (kept != nullptr) {
      deal_step_gates(dops, t, c, batch, seq, vocab, s, (*kept)[s], hd);
    } else if (schedule == Schedule::kKeysFirst) {
      deal_step_gates(dops, t, c, batch, seq, vocab, s, fresh[s], hd);
      fresh[s] = {};
    } else {
      deal_step_gates(dops, t, c, batch, seq, vocab, s,
                      deal_step_weights(dops, t, c, batch, seq, vocab, s), hd);
    }
  }
}

template <class Rec>
ModelRunResult run_party(const RunOptions& o, net::Channel& ch, Rec& rec) {
  using fss::engine::Dealer;
  using fss::engine::DealerOps;
  using fss::engine::KeyBuffer;
  using fss::engine::KeyReader;
  using fss::engine::KeyWriter;
  using fss::engine::Party;
  using fss::engine::PartyOps;

  validate_options(o);
  const ModelConfig& c = find_model(o.model);
  const auto& suite = suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  const int me = o.party;

  ModelRunResult res;
  res.model = c.name;
  res.schedule = o.schedule.value_or(Schedule::kLayerByLayer);

  // Memory, before any work; both parties learn both verdicts.
  const auto estimate = [&](std::size_t b, std::size_t chunk_rows = 0) {
    return estimate_memory(c, b, seq, suite, me,
                           {.schedule = res.schedule,
                            .gate_options = gate_options_for(o),
                            .chunk_rows = chunk_rows,
                            .weights_once = weights_once_for(o, c)});
  };
  res.memory = estimate(batch);
  res.available_bytes = o.memory_limit_bytes ? o.memory_limit_bytes : available_memory_bytes();
  const auto verdict = [&](const MemoryEstimate& m) {
    MemoryVerdict v = MemoryVerdict::of(
        m.needed_bytes * static_cast<std::uint64_t>(o.parties_on_host), res.available_bytes);
    v.device_ok =
        o.device_key_budget_bytes == 0 || m.device_key_bytes() <= o.device_key_budget_bytes;
    return v;
  };
  MemoryVerdict mine = verdict(res.memory);
  MemoryVerdict peer = exchange_verdict(ch, mine);
  // Micro-batches: when the whole batch does not fit, the inline dealer's layer-by-layer run takes
  // the sequences in equal groups, each group's keys dealt and consumed in turn within each step,
  // so the keys held at once are one group's (the sequences of a batch are independent, the
  // output is the same). Both parties take the largest group size both can hold.
  // Row chunks: when not even one sequence fits, each layer is taken in chunks of its rows
  // (models/row_chunks.h), one sequence at a time, so the keys held at once are one chunk's; both
  // parties take the largest chunk (halving from half the sequence) both can hold.
  // "Fits" is first the host's memory and the accelerator's key budget together, so that every
  // key batch is made and kept on the device; where no plan fits both, the host's memory alone
  // (batches over the budget are made on the CPU and uploaded at evaluation), or the whole batch
  // where the host holds it. Every exchange below depends only on what both parties know.
  struct Plan {
    std::size_t micro = 0, chunk = 0;
  };
  const auto search = [&](bool with_device) -> std::optional<Plan> {
    const auto fits = [&](const MemoryEstimate& m) {
      const MemoryVerdict v = verdict(m);
      return v.ok && (!with_device || v.device_ok);
    };
    std::uint64_t b_fit = 0;
    for (std::size_t b = batch - 1; b >= 1 && b_fit == 0; --b)
      if (batch % b == 0 && fits(estimate(b))) b_fit = b;
    const std::uint64_t both = batch > 1 ? std::min(b_fit, exchange_count(ch, b_fit)) : 0;
    if (both != 0) return Plan{static_cast<std::size_t>(both), 0};
    std::uint64_t rows_fit = 0;
    for (std::size_t rows = seq / 2; rows >= kMinChunkRows && rows_fit == 0; rows /= 2)
      if (fits(estimate(1, rows))) rows_fit = rows;
    const std::uint64_t both_rows = std::min(rows_fit, exchange_count(ch, rows_fit));
    if (both_rows != 0) return Plan{1, static_cast<std::size_t>(both_rows)};
    return std::nullopt;
  };
  std::size_t micro = batch, chunk = 0;
  bool one_at_a_time = false;  // even the smallest chunk does not fit (the verdicts say so)
  const bool host_short = !mine.ok || !peer.ok;
  const bool device_short = !mine.device_ok || !peer.device_ok;
  if ((host_short || device_short) && o.dealer != models::Dealer::kFile &&
      res.schedule == Schedule::kLayerByLayer) {
    std::optional<Plan> plan = search(true);
    const bool for_device = plan && device_short;
    if (!plan && host_short) plan = search(false);
    if (plan) {
      micro = plan->micro;
      chunk = plan->chunk;
      res.memory = estimate(micro, chunk);
      mine = verdict(res.memory);
      peer = mine;
      const std::string budget =
          "the GPU's key budget of " + format_bytes(o.device_key_budget_bytes);
      res.plan_limit = !host_short ? budget : for_device ? "memory and " + budget : "memory";
    } else if (host_short) {  // the refusal reports what the smallest chunk needs, both parties
      micro = 1;
      res.memory = estimate(1, std::min(seq, kMinChunkRows));
      mine = verdict(res.memory);
      peer = exchange_verdict(ch, mine);
      one_at_a_time = true;
    }  // else the whole batch: it fits the host; its batches over the key budget stay on the host
  }
  res.chunk_rows = chunk;
  res.micro_batch = micro;
  if (!mine.ok || !peer.ok) {
    const MemoryVerdict& v = mine.ok ? peer : mine;
    const int who = mine.ok ? 1 - me : me;
    res.status = profiling::Status::kOom;
    res.reason =
        c.name + " seq " + std::to_string(seq) + " batch " + std::to_string(batch) + ": party " +
        std::to_string(who) + " needs " + format_bytes(v.needed) +
        (one_at_a_time ? " even with one sequence at a time, its layers row by row" : "") +
        (o.parties_on_host > 1 ? " (both parties on this host)" : "") + " but " +
        format_bytes(v.available) +
        (o.memory_limit_bytes ? " are the memory budget (--key-memory)" : " are available");
    if (who == me) res.reason += " [" + res.memory.describe() + "]";
    res.reason += std::string("; nothing was run. Reduce --seq or --batch, ") +
                  (o.memory_limit_bytes ? "raise --key-memory, " : "") +
                  "run the parties on separate machines, or use a machine with more memory";
    rec.set_status(profiling::Status::kOom, res.reason);
    return res;
  }

  // This party's inputs: weights (party 0) and the client's embeddings (party 1). `t` has the
  // shape of one micro-batch (the whole batch unless memory made it smaller).
  const Transformer t(c, micro, seq);
  const std::size_t groups = batch / micro;
  std::unique_ptr<WeightSource> weights;
  if (me == 0) weights = make_weights(o, c);
  // Token ids (party 1) embedded with party 0's checkpoint tables, or embeddings (make_input).
  const EmbeddingTables tables =
      weights && weights->has_embeddings() ? weights->embeddings() : EmbeddingTables{};
  const std::vector<std::int64_t> ids =
      me == 1 && !o.input_file.empty() ? token_ids(o) : std::vector<std::int64_t>{};
  const std::size_t vocab = agree_on_input(
      ch, me, tables.vocab(),
      ids.empty() ? 0 : static_cast<std::uint64_t>(*std::max_element(ids.begin(), ids.end())) + 1);
  const bool tokens = vocab != 0;
  res.input = tokens ? "tokens" : "embeddings";
  const std::vector<u64> input = me != 1  ? std::vector<u64>{}
                                 : tokens ? one_hot(ids, batch, vocab)
                                          : make_input(c, batch, seq, o.seed);
  const EmbeddingTables* own_tables = me == 0 && tokens ? &tables : nullptr;
  // Micro-batch g's rows of party 1's input (batch-major rows); empty for party 0.
  auto group_input = [&](std::size_t g) {
    const std::size_t n = input.size() / groups;
    return std::span<const u64>(input).subspan(g * n, n);
  };
  auto layer_weights = [&](std::size_t l) {
    return weights ? weights->layer(l) : t.shape_only_layer();
  };
  auto head_weights = [&] { return weights ? weights->final_norm() : t.shape_only_head(); };

  // --dealer file: this party's key file from `secinfer deal` (deal_model_keys), checked whole
  // (end marker, checksum, party, configuration, format version) before any key is read; both
  // parties learn both verdicts and that their files come from the same deal.
  const bool file_keys = o.dealer == models::Dealer::kFile;
  std::optional<KeyFileTrailer> trailer;
  std::optional<KeyReader> file_reader;
  if (file_keys) {
    std::string problem;
    try {
      trailer = check_key_file(o, me, vocab);
      file_reader.emplace(open_key_file(o, me, vocab));
    } catch (const fss::engine::KeyError& e) {
      problem = e.what();
    }
    agree_on_key_files(ch, me, problem, trailer ? trailer->deal_id : 0);
  }

  // Inline dealer (SIGMA's own benchmark does this): the same seed as the peer's dealer, this
  // party's keys into memory, the other party's counted and dropped. A benchmark simulation:
  // each party process could derive the other's masks from the shared seed.
  auto buffer = std::make_shared<KeyBuffer>();
  if (o.accel != nullptr) {
    res.key_mode = file_keys ? "uploaded at evaluation (read from the key file)"
                   : o.keys_on_device
                       ? "device: DCF/DPF keys generated there offline (other key material "
                         "uploaded offline)"
                       : "uploaded at evaluation";
    if (o.keys_on_device && !file_keys) fss::engine::keep_batches_on(*buffer, *o.accel);
  }
  std::optional<KeyWriter> own, other;
  std::optional<Dealer> dealer;
  std::optional<DealerOps> dops;
  if (!file_keys) {
    own.emplace(KeyWriter::memory(buffer));
    other.emplace(KeyWriter::discard());
    dealer.emplace(fss::Ring{c.ring_bits}, c.frac_bits, dealer_seed(o.seed),
                   me == 0 ? *own : *other, me == 0 ? *other : *own);
    // Keys made where they are evaluated: the GPU's generator gives the CPU's keys bit for bit.
    // (Never for key files: their batches are host batches, uploaded at evaluation.)
    if (o.accel != nullptr && o.keys_on_device) dealer->set_accelerator(o.accel);
    dealer->set_gate_options(gate_options_for(o));
    // The party's threads: with both parties on one host each dealer takes its party's share.
    if (o.threads > 0) dealer->set_threads(o.threads);
    dops.emplace(*dealer, suite, me);
  }
  KeyReader reader = file_keys ? std::move(*file_reader) : KeyReader::memory(buffer);
  Party party(me, fss::Ring{c.ring_bits}, c.frac_bits, ch, reader, o.threads, o.accel);
  party.set_gate_options(gate_options_for(o));
  // Online reuses the offline compilations (a key-file run compiles its own on first use).
  if (dealer) party.set_gate_cache(dealer->shared_gate_cache());
  PartyOps pops(party, suite);
  auto key_bytes_now = [&] { return dealer ? dealer->key_bytes(me) : reader.bytes_read(); };
  // The party's side of step s's weights (StepWeights): party 0 masks its own and sends them,
  // party 1 receives them.
  auto input_step_weights = [&](std::size_t s) {
    StepWeights w;
    const profiling::Scope load(kWeightInputScope);
    if (s == 0 && tokens)
      w.embed = load_embedding(pops, c, micro, seq, vocab, own_tables);
    else if (s != 0 && s <= c.layers)
      w.layer = t.load_layer(pops, layer_weights(s - 1));
    else if (s != 0)
      w.head = t.load_head(pops, head_weights());
    return w;
  };
  const std::size_t steps = c.layers + 2;
  // Each step's weight masks (the inline dealer's) and masked weights (the party's): the model
  // input's, kept for every run, or one run's.
  std::vector<StepWeights> dealt(steps), loaded(steps);
  res.weights_once = weights_once_for(o, c);
  std::uint64_t model_input_key_bytes = 0;
  if (res.weights_once) {
    const auto t0 = Clock::now();
    const std::uint64_t before = key_bytes_now();
    rec.begin_model_input();
    if (dops) dealt = deal_model_weights(*dops, t, c, micro, seq, vocab);
    for (std::size_t s = 0; s < steps; ++s) loaded[s] = input_step_weights(s);
    if (dops) dops->dealer().finish_keys();
    model_input_key_bytes = key_bytes_now() - before;
    if (trailer) {
      const profiling::Scope load(kKeyFileScope);
      profiling::charge_key_bytes(model_input_key_bytes);
    }
    rec.end_model_input();
    check_drained(*buffer, "the model input");
    res.model_input_ms = ms_since(t0);
    res.model_input_key_bytes = model_input_key_bytes;
  }
  // The host-time lines are per run: the model input's (once) left out.
  const Party::HostTime party_host_before = party.host_time();
  const Dealer::HostTime dealer_host_before = dealer ? dealer->host_time() : Dealer::HostTime{};
  // Key files: a run's keys (every run's stream has the same size once the model input's are
  // read) are charged to the offline scope KeyFile of its first offline phase, as the inline
  // dealer's are to its gates' scopes.
  const std::uint64_t file_bytes_per_run = trailer
                                               ? (trailer->stream_bytes - model_input_key_bytes) /
                                                     static_cast<std::uint64_t>(o.warmup + o.runs)
                                               : 0;
  auto charge_key_file = [&] {
    if (!trailer) return;
    const profiling::Scope load(kKeyFileScope);
    profiling::charge_key_bytes(file_bytes_per_run);
  };

  auto step_name = [&](std::size_t s) {
    return s == 0          ? std::string("embed")
           : s <= c.layers ? "layer " + std::to_string(s - 1)
                           : std::string("head");
  };
  for (int run = 0; run < o.warmup + o.runs; ++run) {
    const bool warm = run < o.warmup;
    auto step_done = [&](std::size_t s) {
      if (o.on_step) o.on_step({run, o.warmup + o.runs, warm, s, steps, c.layers});
    };
    const std::uint64_t keys_before = key_bytes_now();
    double keygen_ms = 0, online_ms = 0;
    Tensor hp;  // keys first: the party's masked values of the hidden state
    std::vector<u64> out;
    if (res.schedule == Schedule::kLayerByLayer) {
      rec.begin_run(warm);
      rec.pause_run();
      std::vector<Tensor> hds(groups), hps(groups);  // each micro-batch's hidden state
      for (std::size_t s = 0; s < steps; ++s) {
        for (std::size_t g = 0; g < groups; ++g) {
          // A layer's units (RowChunkedLayer): the whole layer, or its attention inputs and then
          // its row chunks; the dealer's over the masks, the party's over the masked values.
          const bool is_layer = s != 0 && s <= c.layers;
          std::optional<RowChunkedLayer> dl, pl;
          if (is_layer) {
            if (dops) dl.emplace(t, s - 1, chunk);
            pl.emplace(t, s - 1, chunk);
          }
          const std::size_t units = pl ? pl->units() : 1;
          for (std::size_t u = 0; u < units; ++u) {
            // Offline: the step's weights (the first micro-batch, unless kept) and this unit's
            // keys.
            auto t0 = Clock::now();
            rec.begin_offline();
            if (s == 0 && g == 0 && u == 0) charge_key_file();
            const bool fresh_weights = g == 0 && u == 0 && !res.weights_once;
            if (dops && fresh_weights)
              dealt[s] = deal_step_weights(*dops, t, c, micro, seq, vocab, s);
            if (dl)
              dl->run(*dops, u, dealt[s].layer, hds[g]);
            else if (dops)
              deal_step_gates(*dops, t, c, micro, seq, vocab, s, dealt[s], hds[g]);
            if (fresh_weights) loaded[s] = input_step_weights(s);
            if (dops) dops->dealer().finish_keys();
            rec.end_offline();
            keygen_ms += ms_since(t0);
            ch.wait_for_peer();  // the unit's online phase starts when both hold its keys
            // Online: the unit itself, on this micro-batch.
            t0 = Clock::now();
            rec.resume_run();
            const StepWeights& w = loaded[s];
            if (s == 0) {
              hps[g] = tokens ? embed_tokens(pops, c, micro, seq, vocab, w.embed, group_input(g))
                              : t.embed(pops, group_input(g));
            } else if (is_layer) {
              pl->run(pops, u, w.layer, hps[g]);
            } else {
              const std::vector<u64> part = t.head(pops, w.head, hps[g]);
              out.insert(out.end(), part.begin(), part.end());
            }
            rec.pause_run();
            online_ms += ms_since(t0);
            check_drained(*buffer, step_name(s));
          }
          if (dl) hds[g] = dl->output();
          if (pl) hps[g] = pl->output();
        }
        if (!res.weights_once) dealt[s] = {}, loaded[s] = {};
        step_done(s);
      }
      rec.resume_run();
      rec.end_run();
    } else {
      // Keys first. The dealer's call order must be the party's consumption order: every weight
      // (unless kept: masked offline, in step order), then the online steps.
      auto t0 = Clock::now();
      rec.begin_offline();
      charge_key_file();
      if (dops)
        deal_run(*dops, t, c, batch, seq, vocab, Schedule::kKeysFirst,
                 res.weights_once ? &dealt : nullptr);
      if (!res.weights_once)
        for (std::size_t s = 0; s < steps; ++s) loaded[s] = input_step_weights(s);
      if (dops) dops->dealer().finish_keys();
      rec.end_offline();
      keygen_ms = ms_since(t0);
      ch.wait_for_peer();  // the online phase starts when both hold the run's keys
      t0 = Clock::now();
      rec.begin_run(warm);
      hp = tokens ? embed_tokens(pops, c, batch, seq, vocab, loaded[0].embed, input)
                  : t.embed(pops, input);
      step_done(0);
      for (std::size_t l = 0; l < c.layers; ++l) {
        hp = t.layer(pops, l, loaded[l + 1].layer, hp);
        if (!res.weights_once) loaded[l + 1] = {};
        step_done(l + 1);
      }
      out = t.head(pops, loaded.back().head, hp);
      if (!res.weights_once) loaded[0] = loaded.back() = {};
      step_done(steps - 1);
      rec.end_run();
      online_ms = ms_since(t0);
      check_drained(*buffer, "the run");
    }
    res.keygen_ms.push_back(keygen_ms);
    res.online_ms.push_back(online_ms);
    res.key_bytes_per_run = key_bytes_now() - keys_before;
    if (trailer && res.key_bytes_per_run != file_bytes_per_run)
      throw std::logic_error("model runner: run " + std::to_string(run) + " read " +
                             std::to_string(res.key_bytes_per_run) + " key bytes of the file's " +
                             std::to_string(file_bytes_per_run) +
                             " per run: the dealer's and the party's call sequences diverged");
    res.output = std::move(out);
  }
  // Every byte of a key file is consumed by its runs: anything left is a bug (the header's
  // configuration hash covers everything that shapes the stream).
  if (trailer && reader.bytes_read() != trailer->stream_bytes)
    throw std::logic_error("model runner: the runs read " + std::to_string(reader.bytes_read()) +
                           " of the key file's " + std::to_string(trailer->stream_bytes) +
                           " key bytes: the dealer's and the party's call sequences diverged");

  const auto runs_done = static_cast<std::size_t>(o.warmup + o.runs);
  res.host_time = party.host_time_summary(runs_done, party_host_before);
  if (dealer) res.host_time += "; " + dealer->host_time_summary(runs_done, dealer_host_before);

  // Accuracy (party 0, after every run): the same weights and input in the clear.
  // With token input the references need party 1's ids in the clear: party 0's own --input (an
  // evaluation shortcut, as regenerating the seeded input is); without it the check is skipped.
  if (me == 0 && (o.compare_clear || o.compare_float)) {
    if (tokens && o.input_file.empty()) {
      res.accuracy_note =
          "party 1 gave token ids and party 0 has no --input: no accuracy check (pass party 0 "
          "the same --input to compare with the cleartext and double-precision references)";
    } else {
      RunOptions ro = o;
      if (!tokens) ro.input_file.clear();  // party 1 gave embeddings: so do the references
      const ModelRunResult clear = run_clear(ro, party.shared_gate_cache());
      const fss::Ring ring{c.ring_bits};
      if (o.compare_clear)
        res.vs_clear = compare_fixed(res.output, clear.output, ring, c.frac_bits);
      if (o.compare_float) {
        res.vs_float = compare_to_float(res.output, clear.float_output, ring, c.frac_bits);
        if (weights->has_embeddings())
          add_logit_accuracy(res, c, tables, res.output, clear.float_output, o.threads);
      }
    }
  }
  return res;
}

}  // namespace secinfer::models::detail
