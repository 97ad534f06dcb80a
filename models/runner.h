// Runs a model: one party of a secure two-party run (inline dealer), the cleartext fixed-point
// reference and the float reference, with the memory check up front (docs/design/product-spec.md
// "Bad input and memory").
//
//   models::RunOptions o;  o.party = 0;  o.model = "bert-base";  o.seq = 128;
//   ModelRunResult r = run_model_party(o, channel, recorder);   // recorder active on this thread
//   if (r.status == profiling::Status::kOom) ... r.reason ...
//   ModelRunResult c = run_model_clear(o);                      // no channel, no keys
//
// A party run, for each of warmup + runs runs: key generation (DealerOps, inline dealer: this
// process draws the same masks as the peer's from the shared dealer seed and keeps its own keys;
// with dealer "file" the keys are read from this party's key file instead, see deal_model_keys)
// inside recorder.begin_offline()/end_offline(), and evaluation (PartyOps) inside
// recorder.begin_run()/end_run(). Weights are masked (party 0 sends W + r_W) in the offline phase,
// so the online clock covers embed, every layer and the head (the reveal of the output).
//
// Schedule::kLayerByLayer generates the keys of ONE step (embed, a layer, the head), evaluates it,
// and drops its keys: key memory stays bounded by one layer (bert-base seq 128: ~2 GiB instead of
// ~23 GiB a run). The run is paused (Recorder::pause_run / resume_run) around each step's offline
// phase, so its wall time is the online steps only, and the log holds one offline phase per run
// (the sum of its steps'). Schedule::kKeysFirst generates every key of the run before its online
// phase (the keys of a whole run in memory).
//
// Bad input (unknown model or system, seq / batch out of range, runs < 1, ...) throws
// std::invalid_argument before any work. A run that would not fit in memory (estimate_memory vs
// MemAvailable, times parties_on_host) sets the recorder's status to "oom" with what was needed and
// what was available, and returns without generating a key; both parties learn it (they exchange
// their verdicts first), so neither waits for the other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fss/block.h"
#include "fss/engine/ops.h"
#include "models/compare.h"
#include "models/config.h"
#include "models/memory.h"
#include "models/run_config.h"
#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::fss {
class Accelerator;  // fss/accelerator.h
}

namespace secinfer::models {

// One step of a party run done (embed, each layer, head), for progress lines.
struct StepDone {
  int run = 0;             // 0-based, warm-up runs first
  int runs = 0;            // warm-up + measured runs
  bool warmup = false;     // this run is a warm-up run
  std::size_t step = 0;    // 0-based: 0 embed, 1..layers the layers, layers + 1 the head
  std::size_t steps = 0;   // layers + 2
  std::size_t layers = 0;  // the model's layer count
};

struct RunOptions {
  int party = 0;                    // 0 (model owner) or 1 (client, owns the input)
  std::string model = "bert-base";  // a name or alias of registry.h
  long long seq = 128;
  long long batch = 1;
  System system = System::kSigma;
  bool padding = true;                     // fusefss: --padding on|off (sigma has nothing to pad)
  Lookup lookup = Lookup::kSharedMask;     // fusefss interval lookup
  FuseAct fuse_act = FuseAct::kFused;      // fusefss GELU/SiLU after a truncation (run_config.h)
  FuseTrunc fuse_trunc = FuseTrunc::kDcf;  // fusefss rescaling truncations: DCF or SIGMA's
  SigmaLut sigma_lut = SigmaLut::kSigma;   // sigma's table lookups (fss/gates/sigma/lut.h)
  SigmaShares sigma_shares = SigmaShares::kWords;  // sigma's share storage (GateOptions)
  int threads = 1;                                 // worker threads of a party's gates
  int runs = 5;
  int warmup = 1;
  // inline: a dealer inside this process draws the same masks as the peer's from the shared seed
  // (a benchmark simulation: each party could derive the other's masks). file: this party's keys
  // are read from key_dir/p<party>.keys, written by `secinfer deal` (deal_model_keys, key_files.h).
  Dealer dealer = Dealer::kInline;
  std::filesystem::path key_dir;  // Dealer::kFile
  std::uint64_t seed = 1;         // weights (seed), input (seed), inline dealer masks (seed)
  // The CLI's protocol version (apps::kProtocolVersion): part of the key files' config hash.
  std::uint32_t protocol_version = 0;
  // Party 0's weights: empty = seeded random weights; a secinfer weight file (models/README.md) or
  // a Hugging Face model.safetensors (checkpoint.h), told apart by content.
  std::filesystem::path weights_file;
  // Token ids (embedding.h): party 1's input, embedded with party 0's checkpoint tables by a
  // secure one-hot matmul. Party 0 reads it only for the accuracy report (its references need
  // the input in the clear, as they regenerate the seeded input today). Empty: embeddings
  // (make_input).
  std::filesystem::path input_file;
  std::optional<Schedule> schedule;  // default: layer-by-layer
  // Whether the weights are masked once, before the runs (the model input), or in every run; the
  // default is the model's (memory.h weights_masked_once). Set by tests, to run the per-run weight
  // input of the largest models on small ones; part of a key file's configuration.
  std::optional<bool> weights_once;
  bool compare_clear = true;             // party 0: ClearOps output vs the secure output
  bool compare_float = false;            // party 0: float reference vs the secure output
  int parties_on_host = 1;               // 2 in local mode: both parties share this memory
  std::uint64_t memory_limit_bytes = 0;  // 0: MemAvailable from /proc/meminfo
  // The accelerator's key budget (device memory for resident keys; 0: none). Where a step's keys
  // exceed it, the plan takes smaller micro-batches or row chunks if the host allows them: the
  // batches over it would be made on the CPU and uploaded inside the online phase.
  std::uint64_t device_key_budget_bytes = 0;
  // Where the party's FSS evaluations run (the CUDA backend's CudaAccelerator); null = the CPU.
  // Non-owning. With keys_on_device the dealer's DCF, DPF, SIGMA DCF and DPF-ET (lookup) key
  // generation runs there too (the CPU's keys bit for bit); the rest of the dealer (masks, share
  // splits) and the cleartext references stay on the CPU.
  const fss::Accelerator* accel = nullptr;
  // Called after each step of each run, on the party's thread (may be empty): progress lines.
  std::function<void(const StepDone&)> on_step;
  // With an accelerator: DCF / DPF key batches are generated on the device (Dealer::
  // set_accelerator) or moved there as the dealer makes them (offline), so the online phase reads
  // keys in device memory (fss::Accelerator::make_resident); batches over the accelerator's key
  // budget are made on the CPU and uploaded when evaluated. false: every batch is made on the CPU
  // and uploaded when evaluated (inside the online phase, scope KeyTransfer).
  bool keys_on_device = true;
};

struct ModelRunResult {
  profiling::Status status = profiling::Status::kOk;
  std::string reason;  // for "oom": needed vs available
  std::string model;
  Schedule schedule = Schedule::kLayerByLayer;
  std::vector<u64> output;           // revealed output of the last run (rows x hidden)
  std::vector<double> float_output;  // run_model_clear with compare_float
  MemoryEstimate memory;
  std::uint64_t available_bytes = 0;
  std::vector<double> online_ms;        // per run incl. warm-up (sum of the online steps)
  std::vector<double> keygen_ms;        // per run incl. warm-up
  std::uint64_t key_bytes_per_run = 0;  // this party's keys (measured)
  // The model input (weights_masked_once, memory.h): the weights masked once, before the runs, and
  // reused by every run; its wall time and this party's key bytes (the weight masks), outside
  // keygen_ms and key_bytes_per_run. false: each run masks its weights again.
  bool weights_once = false;
  double model_input_ms = 0;
  std::uint64_t model_input_key_bytes = 0;
  // Where the online phase found its FSS keys: "host" (CPU backend), "uploaded at evaluation"
  // (KeyTransfer scopes in the online time) or "device, uploaded offline".
  std::string key_mode = "host";
  // Sequences per micro-batch: the batch, unless the whole batch's keys per layer did not fit in
  // memory and the run took the sequences in equal groups (runner_impl.h run_party).
  std::size_t micro_batch = 0;
  // Rows per chunk when even one sequence's keys per layer did not fit: each layer in row chunks
  // (models/row_chunks.h), one sequence at a time; 0: whole sequences.
  std::size_t chunk_rows = 0;
  // What made the micro-batches or chunks smaller than the batch: "memory", or the accelerator's
  // key budget ("the GPU's key budget of 27.9 GiB"); empty when nothing did.
  std::string plan_limit;
  std::optional<Difference> vs_clear;  // secure vs ClearOps (expected: 0 differing)
  std::optional<Difference> vs_float;  // secure (or clear) vs the float reference
  // "tokens" (party 1's --input, embedded securely) or "embeddings" (make_input).
  std::string input = "embeddings";
  // Language models with a checkpoint: next-token logits (h W^T through the LM head, in double)
  // of the secure output against the float reference's, and the share of positions whose top-1
  // token agrees.
  std::optional<Difference> logits_vs_float;
  std::optional<double> top1_agreement;
  std::size_t top1_positions = 0;
  std::string accuracy_note;  // why an accuracy check was skipped (empty: none was)
  // Where the party's own host work went, per run, the model input's left out
  // (fss::engine::Party::host_time_summary).
  std::string host_time;

  nlohmann::json to_json() const;
};

// Checks everything about `o` that does not need a channel; throws std::invalid_argument.
void validate_options(const RunOptions& o);

// The gate suite of --system (fusefss: with --padding on|off, --lookup shared-mask|per-cut,
// --fusefss-act fused|precise and --fusefss-trunc dcf|sigma|dcf-max|sigma2; sigma has nothing to
// pad, no interval lookup, no fused truncation + activation and SIGMA's truncations, so it ignores
// all four); throws std::invalid_argument for a suite this build lacks.
const fss::engine::GateSuite& suite_for(System system, bool padding = true,
                                        Lookup lookup = Lookup::kSharedMask,
                                        FuseAct act = FuseAct::kFused,
                                        FuseTrunc trunc = FuseTrunc::kDcf);

// The party run described above. `rec` must be active on the calling thread (Recorder::activate)
// and idle (no run or offline phase open).
ModelRunResult run_model_party(const RunOptions& o, net::Channel& ch, profiling::Recorder& rec);

// ClearOps forward (same gates, same bit widths, no cryptography) of the same weights and input;
// with o.compare_float also the float reference and its difference.
ModelRunResult run_model_clear(const RunOptions& o);

// o.weights_once, else the model's default (memory.h weights_masked_once).
bool weights_once_for(const RunOptions& o, const ModelConfig& c);

// The shared dealer seed of both parties' inline dealers, derived from o.seed.
fss::Block dealer_seed(std::uint64_t seed);

// The separate dealer (`secinfer deal`, docs/design/separate-dealer.md): both parties' key files
// of o's runs (warm-up runs first, in the order the parties read them) under `dir`, p0.keys and
// p1.keys (key_files.h), from the dealer seed `seed` (dealer_seed(n) gives the keys of an inline
// run with --seed n, bit for bit). `vocab`: the token vocabulary of a token-input run (0:
// embeddings). Both files are written under temporary names and renamed only once both are
// complete; on any error they are removed and the error rethrown. o.party is ignored.
struct DealResult {
  std::filesystem::path files[2];
  std::uint64_t key_bytes[2] = {0, 0};  // key stream bytes (header and trailer excluded)
  std::uint64_t deal_id = 0;
  double ms = 0;
};
DealResult deal_model_keys(const RunOptions& o, std::size_t vocab, fss::Block seed,
                           std::uint64_t deal_id, const std::filesystem::path& dir);

}  // namespace secinfer::models
