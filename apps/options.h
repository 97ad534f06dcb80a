// The settings of one party run / one local run, as parsed from the command line (apps/cli.h), and
// what is derived from them: the shared configuration recorded in every log, its hash (checked
// by both parties at connect time) and the default output folder. The string-valued flags arrive
// parsed into enums (models/run_config.h: to_string() spells them in logs, JSON and file names);
// the model runner's options are derived from these in one function, to_model_options
// (apps/model_workload.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "models/run_config.h"
#include "net/channel.h"

namespace secinfer::apps {

// Bumped whenever the messages exchanged by the parties change shape.
// 3: the sigma suite's softmax max opens n - f + 2 bits (docs/design/sigma-softmax-max.md).
// 4: the masked weights are sent once, before the runs (the model input), not in every run.
inline constexpr std::uint32_t kProtocolVersion = 4;

struct RunOptions {
  int party = -1;  // 0 or 1 (`run`); -1 for `local`, which starts both
  net::Endpoint peer{"127.0.0.1", 7000};
  std::string bind_host = "0.0.0.0";  // where party 0 listens
  models::Workload workload = models::Workload::kModel;
  std::string model = "bert-base";  // canonical name (aliases resolved by the parser)
  int seq = 128;
  int batch = 1;
  models::System system = models::System::kFuseFss;
  bool padding = true;  // --padding on; false (off) only for the ablation (insecure)
  // fusefss interval lookup (fss/gates/fusefss/suite.h): shared-mask (one DCF key per element) or
  // per-cut (one DCF key per cut per element); the same outputs bit for bit. Ignored by sigma.
  models::Lookup lookup = models::Lookup::kSharedMask;
  // fusefss's GELU/SiLU after a truncation (fss/gates/fusefss/suite.h ActMode): fused (the fused
  // truncation + activation gate, SIGMA's approximation) or precise (the truncation, then the
  // whole-ring high-precision gate; the accuracy mode). Ignored by sigma.
  models::FuseAct fuse_act = models::FuseAct::kFused;
  // fusefss's rescaling truncations (fss/gates/fusefss/suite.h TruncMode): from ring-payload DCFs
  // (dcf: TrFloor in 1 exchange, ~1.8x the keys), SIGMA's own steps (sigma: 4 exchanges), or dcf
  // with the softmax max's ReLU from a DCF too (dcf-max), or dcf with TrFloor from SIGMA's
  // comparison keys in 2 exchanges (sigma2); the same outputs. Ignored by sigma.
  models::FuseTrunc fuse_trunc = models::FuseTrunc::kDcf;
  // sigma's table lookups (fss/gates/sigma/lut.h): SIGMA's own (default) or the ring-valued DPF
  // lookup ("improved sigma": not SIGMA, labelled so in results). Ignored by fusefss.
  models::SigmaLut sigma_lut = models::SigmaLut::kSigma;
  models::SigmaShares sigma_shares = models::SigmaShares::kWords;
  models::Backend backend = models::Backend::kCpu;  // resolved by the parser (auto: cuda if any)
  // --gpu: the CUDA device of this party (run), or of both parties ("N") or of each ("N,M") under
  // local; recorded in the party log's environment, not in the shared config.
  int gpu = 0;
  int gpu_party1 = -1;  // local: party 1's device; -1 = the same as gpu
  // --gate-vectors: where the gates' party-local vectors live under cuda (the same outputs and
  // messages either way; recorded in the party log's environment). Device by default: on the
  // H200 it took bert-base seq 128 from 1,977 to 1,546 ms (fusefss) and 2,779 to 2,073 ms (sigma).
  models::GateVectors gate_vectors = models::GateVectors::kDevice;
  // --gpu-wait: how the party's host threads wait for its GPU (recorded in the party log's
  // environment; CUDA's own heuristic by default).
  models::GpuWait gpu_wait = models::GpuWait::kAuto;
  int runs = 5;
  int warmup = 1;
  int threads = 0;            // resolved to the hardware concurrency by the parser
  std::filesystem::path out;  // resolved to default_out_dir() by the parser if empty
  double connect_timeout_s = 30;
  double io_timeout_s = 600;
  models::Dealer dealer = models::Dealer::kInline;
  // Model runs: layer-by-layer (keys of one layer, evaluate it; bounded key memory) or keys-first
  // (every key of the run before its online phase). models/runner.h.
  models::Schedule schedule = models::Schedule::kLayerByLayer;
  // Model runs, inline dealer: the memory a party may hold at once (keys, activations, weights;
  // models/memory.h). A run that needs more takes the batch's sequences in equal groups (the keys
  // of one group at a time), or is refused when one sequence does not fit. 0: the host's
  // available memory, shared by the parties on it.
  std::uint64_t key_memory = 0;
  std::filesystem::path key_dir;  // with --dealer file; `deal`: where it writes the key files
  std::uint64_t seed = 1;
  // `deal`: --seed was given (reproducible keys); else the dealer seed comes from the OS CSPRNG.
  bool seed_given = false;
  // `deal`: the token vocabulary of a token-input run (party 1's --input with party 0's
  // checkpoint tables), 0 for embedding input.
  std::uint64_t vocab = 0;
  // Model runs (models/runner.h): party 0's weights (a Hugging Face model.safetensors or a
  // secinfer weight file) and party 1's token ids; per party, not in the shared config. Strings:
  // CLI11 treats a std::filesystem::path target as a container.
  std::string weights_file;
  std::string input_file;
  std::uint64_t netbench_bytes = 1 << 20;
  int netbench_rounds = 10;
  // microbench (apps/microbench.h): one gate over micro_n elements in Z_{2^micro_bits} at
  // micro_frac fractional bits; rows of micro_cols for the row gates. 0 = the gate's default
  // (resolved by the parser: its BERT-base seq-128 size and row length).
  std::string gate = "gelu";
  std::uint64_t micro_n = 0;
  std::uint64_t micro_cols = 0;
  int micro_bits = 50;
  int micro_frac = 12;
  std::string log_level = "info";
  // local: the link between the two parties (apps/netem.h): none (loopback), lan, wan or
  // rate=...,delay=...; validated by the parser. Per run, not in the shared config.
  std::string net = "none";
};

// Settings both parties must share, recorded verbatim as the Recorder's config (the merge compares
// them key by key). Per-party values (party, peer, paths, threads) are not part of it.
nlohmann::json shared_config(const RunOptions& o);

// The --lookup setting as recorded in the shared config and logs: o.lookup under --system fusefss,
// "n/a" under sigma (which has no interval lookup, so the flag does not change its run).
std::string recorded_lookup(const RunOptions& o);
// The --fusefss-act setting as recorded: o.fuse_act ("fused" | "precise") under --system fusefss,
// "n/a" under sigma (which has no fused truncation + activation).
std::string recorded_fuse_act(const RunOptions& o);
// The --fusefss-trunc setting as recorded: "dcf" | "sigma" | "dcf-max" | "sigma2" under --system
// fusefss, "n/a" under sigma (whose truncations are SIGMA's).
std::string recorded_fuse_trunc(const RunOptions& o);
// The --sigma-lut setting as recorded: "sigma" or "nbit (improved sigma)" under --system sigma,
// "n/a" under fusefss (which has no such lookup).
std::string recorded_sigma_lut(const RunOptions& o);
// "words" / "packed (improved sigma)" for sigma, "n/a" for fusefss.
std::string recorded_sigma_shares(const RunOptions& o);

// FNV-1a 64 of the canonical dump of shared_config(): equal iff the shared configs are equal.
std::uint64_t config_hash(const RunOptions& o);

// One line naming the shared settings and the build, quoted in handshake mismatch messages.
std::string config_summary(const RunOptions& o);

// The Hello this party sends at connect time.
net::Hello make_hello(const RunOptions& o);

// results/<model>-s<seq>-b<batch>-<system>/ (with "-percut" under fusefss --lookup per-cut,
// "-precise" under fusefss --fusefss-act precise, "-nbitlut" under sigma --sigma-lut nbit and
// "-padoff" under --padding off, so none overwrites the default result);
// results/netbench-<bytes>B-r<rounds>/ for netbench; results/microbench/<gate>-<system>-n<N>/ for
// microbench.
std::filesystem::path default_out_dir(const RunOptions& o);

// Per-party log file in the output folder: p0.json / p1.json.
std::filesystem::path party_log_path(const RunOptions& o, int party);

}  // namespace secinfer::apps
