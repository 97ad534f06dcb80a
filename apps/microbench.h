// `secinfer microbench`: ONE gate of a suite over N elements, as a real two-party run: its online
// time, bytes, messages, rounds and key bytes per gate and per element (docs/perf.md).
//
//   secinfer microbench --gate gelu --system sigma --n 393216            # both parties here
//   secinfer microbench --party 0 --gate gelu --system sigma --peer H:P  # one party
//   secinfer local --workload microbench --gate gelu --n 393216          # the same as the first
//   secinfer run --party 1 --workload microbench --gate gelu ...         # the same as the second
//
// First, key memory: each party estimates its peak from a small probe keygen; a setting that does
// not fit in MemAvailable (both parties counted when the peer is on loopback) is recorded as "oom"
// with what it needs, and nothing runs (exit status 5 from the local launcher).
// Then, per party and per run (warm-up runs included, each run with its own fresh keys):
//   offline phase (Recorder::begin_offline): DealerOps over the gate (inline dealer: a fresh mask
//     per element; this party keeps its own key), then the input delivery (party 1, the client,
//     sends x + r: the gate's input is public-masked before the online clock starts, as a wire
//     coming out of the previous layer would be);
//   online run (Recorder::begin_run): PartyOps over the gate, inside its scope
//     (Activation::GELU, Softmax/nexp, LayerNorm/rsqrt, TruncRescale, ...; sub-scopes included).
// After the runs, one unrecorded check pass (at most kCheckElements elements: the first rows of
// the same input) reveals the gate's output and party 0 compares it with ClearOps (the suite's
// cleartext reference): o.out/microbench_check.json ({vs_clear, approximation}). The local launcher
// merges both party logs (breakdown_merged.json), writes microbench.json (the summary below) and
// prints the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "apps/options.h"
#include "fss/accelerator.h"
#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::apps {

// Elements of the unrecorded correctness check after the runs (whole rows for row gates).
inline constexpr std::size_t kCheckElements = 4096;

struct MicrobenchGate {
  std::string_view name;      // --gate
  std::string_view scope;     // the scope path the gate runs in (profiling/README.md)
  std::uint64_t bert_base_n;  // elements of the gate's tensor in BERT-base at seq 128: default --n
  std::size_t default_cols;   // row length (--cols default); 0 for elementwise gates
  std::string_view input;     // the input distribution (logs, docs)
};

// gelu, silu, trunc-gelu, trunc-silu, nexp, inv, rsqrt, trunc, relu, softmax, layernorm.
std::span<const MicrobenchGate> microbench_gates();
// nullptr for an unknown name.
const MicrobenchGate* find_microbench_gate(std::string_view name);
// "gelu, silu, ..." (for messages and --help).
std::string microbench_gate_list();

// True if this binary has the fusefss suite (fss/gates/fusefss/suite.h at build time).
bool fusefss_suite_built();

// Checks the microbench settings of `o` and fills in the defaults (n = the gate's BERT-base size,
// cols = the gate's row length). Throws std::invalid_argument naming the flag and the fix: unknown
// gate, n = 0, n not a whole number of rows, bad bits / frac-bits, --dealer file (keys are drawn
// inline, fresh for every run), fusefss not built.
void resolve_microbench_options(RunOptions& o);

// One party's workload (the contract of run_workload in apps/workload.h). accel: where the
// party's FSS evaluations run (--backend cuda: the GPU; null = the CPU); the dealer, the input
// delivery and the cleartext check stay on the CPU.
void run_microbench_workload(const RunOptions& o, net::Channel& ch, profiling::Recorder& rec,
                             const fss::Accelerator* accel = nullptr);

// Both parties on this machine (two `run --party i --workload microbench` children over loopback),
// then breakdown_merged.json (+ .csv), microbench.json and the table on stdout. Returns the exit
// status (apps/exit_codes.h), as run_local does (both through run_local_parties, apps/local.h).
int run_microbench_local(const RunOptions& o, const std::filesystem::path& exe);

// The command line of one child: party_command_line (apps/local.h) plus the microbench flags.
std::vector<std::string> microbench_party_command_line(const RunOptions& o, int party,
                                                       std::uint16_t port, const std::string& exe);

// microbench.json ("secinfer.microbench/1") from the merged breakdown; `check` is party 0's
// microbench_check.json (null if absent). Fields: gate, system, padding, lookup (fusefss:
// shared-mask | per-cut; sigma: n/a), fusefss_act (fusefss: fused | precise; sigma: n/a),
// sigma_lut, sigma_shares, backend, n, rows, cols,
// bits, frac_bits, runs, warmup, status (+ reason), online_ms (median; a number, as
// scripts/report.py --microbench reads it), online_ms_p25/p75/min/max, gpu_ms (when measured),
// bytes, messages, rounds, key_bytes {p0, p1} (the gate's keys) and key_bytes_phase {p0, p1}
// (everything of the offline phase, input masks included), keygen_ms, per_element {online_us,
// bytes, key_bytes_p0, key_bytes_p1}, scopes [{path, exclusive_ms, inclusive_ms, bytes, messages,
// rounds, key_bytes {p0, p1}}], vs_clear, approximation (fusefss: compile::describe of each fused
// gate), breakdown (file name).
nlohmann::json microbench_summary(const nlohmann::json& merged, const RunOptions& o,
                                  const nlohmann::json& check);

// The summary as a few readable lines (after the breakdown table on stdout).
std::string format_microbench_summary(const nlohmann::json& summary);

}  // namespace secinfer::apps
