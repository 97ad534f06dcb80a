// Memory of a secure model run, estimated before any work (docs/design/product-spec.md "Bad input
// and memory"): a run that would not fit ends with status "oom" stating what it needs and what is
// available, instead of dying halfway.
//
//   MemoryEstimate m = estimate_memory(config, batch, seq, sigma::suite(), /*party=*/0,
//                                      {.schedule = Schedule::kLayerByLayer});
//   if (m.needed_bytes > available_memory_bytes()) ... m.describe() ...
//
// How: the forward pass runs once on TraceOps (shapes only, milliseconds), listing every gate call
// per step. Key bytes per call come from the gates themselves: each distinct gate configuration is
// key-generated once on a small instance (a few hundred elements, discarded) and scaled by its
// element / row count; products use linear.h's exact formula. Activations: every tensor a step
// produces, counted as if all were alive at once (an upper bound), plus the layer's weights. A
// layer in row chunks is counted unit by unit: keys held at once are the largest unit's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fss/engine/gate_options.h"
#include "fss/engine/ops.h"
#include "models/config.h"

namespace secinfer::models {

// When keys are generated relative to the online phase of a run.
enum class Schedule {
  kLayerByLayer,  // keygen of one step, its online evaluation, the keys dropped: bounded memory
  kKeysFirst,     // all keys of the run generated before its online phase
};
const char* schedule_name(Schedule s);

struct StepMemory {
  std::string name;             // "embed", "layer 0", ..., "head"
  std::uint64_t key_bytes = 0;  // this party's key bytes generated for the step
  std::uint64_t activation_bytes = 0;
  std::uint64_t weight_bytes = 0;  // the step's weights as this party holds them
};

struct MemoryEstimate {
  int party = 0;
  Schedule schedule = Schedule::kLayerByLayer;
  std::size_t chunk_rows = 0;  // a layer's rows per chunk (RowChunkedLayer); 0: whole sequences
  std::vector<StepMemory> steps;
  std::uint64_t key_bytes_per_run = 0;  // all steps of one run
  std::uint64_t peak_key_bytes = 0;     // keys held at once (x2: the key buffer's growth)
  std::uint64_t unit_key_bytes = 0;     // the largest step's (unit's) keys, without the growth
  std::uint64_t peak_activation_bytes = 0;
  std::uint64_t peak_weight_bytes = 0;
  std::uint64_t needed_bytes = 0;  // what this party needs at its peak

  // What the largest unit's keys take on a GPU that generates them: each generated batch lives in
  // one block with the other party's (they share their correction words, fss/cuda
  // accelerator_cuda.cpp ResidentBlock), so at most twice the party's own bytes.
  std::uint64_t device_key_bytes() const { return 2 * unit_key_bytes; }

  // "needs 12.3 GiB (keys 10.1 GiB, activations 0.2 GiB, weights 2.0 GiB)".
  std::string describe() const;
  nlohmann::json to_json() const;
};

// Whether a run masks the model's weights once, before its runs, and reuses them in every run
// (the model input; SIGMA's benchmark likewise keeps the model's masked weights out of an
// inference): when the layers' weights are at most kWeightsOnceMaxElements, so that holding every
// layer's masked weights (and the inline dealer's masks) costs at most a few GiB. Larger models
// (llama2-7b) mask each step's weights in every run, so that the layer-by-layer schedule bounds
// the weights held at once. A function of the model only: both parties and the dealer process
// agree without a message.
inline constexpr std::uint64_t kWeightsOnceMaxElements = std::uint64_t{1} << 29;
bool weights_masked_once(const ModelConfig& c);

// How a run is shaped beyond its model, batch and seq.
struct EstimateOptions {
  Schedule schedule = Schedule::kLayerByLayer;
  fss::engine::GateOptions gate_options{};  // the run's gate protocol choices (key sizes)
  // Each layer in row chunks of this many rows (models/row_chunks.h; batch 1), 0 for whole
  // sequences; the keys held at once are then the largest unit's.
  std::size_t chunk_rows = 0;
  // Whether every layer's masked weights are held across runs (the model input); unset: the
  // model's choice, weights_masked_once (RunOptions::weights_once overrides it).
  std::optional<bool> weights_once{};
};

// Throws std::invalid_argument on a bad run shape (validate_run).
MemoryEstimate estimate_memory(const ModelConfig& c, std::size_t batch, std::size_t seq,
                               const fss::engine::GateSuite& gates, int party,
                               const EstimateOptions& options = {});

// MemAvailable from /proc/meminfo in bytes (0 if it cannot be read).
std::uint64_t available_memory_bytes();

// "1.50 GiB" / "512.0 MiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace secinfer::models
