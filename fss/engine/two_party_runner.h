// Runs one function as party 0 and party 1 in two threads of this process, connected over a
// loopback net::Channel, each with its own dealer seeded with the same dealer seed (SIGMA's inline
// dealer), and a profiling::Recorder per party. For tests and local experiments.
//
//   TwoPartyOptions opt{.ring = make_ring(50), .frac_bits = 12};
//   auto res = run_two_party<std::vector<u64>>(opt, [&](PartyContext& c) {
//     std::vector<u64> r_in = c.dealer().random(n), r_out(n), yhat(n), xhat(n);
//     c.offline([&] { trunc_floor_keygen(c.dealer(), p, r_in, r_out); });
//     for (i...) xhat[i] = ring.add(x[i], r_in[i]);   // the test plays the input's owner
//     c.online([&] { trunc_floor_eval(c.party(), p, xhat, yhat); });
//     return unmask(yhat, r_out);
//   });
//   res[0].value, res[1].value;  res[b].log is party b's "secinfer.party/1" log (counts per run).
//
// Both dealers draw the same masks (same seed, same call sequence), so the function may use the
// masks it gets from its dealer to unmask and check outputs. Key modes:
//   * kInline: party b's dealer writes its own keys to memory, the other party's to discard.
//   * kFile:   first a dealer pass runs the function once with online() skipped, writing both
//              parties' key files (key_dir/p0.keys, p1.keys); then each party's dealer writes to
//              discard (it still yields the masks) and the party reads its key file.
// An exception in either party is rethrown (party 0's first) after both threads end.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "fss/block.h"
#include "fss/engine/dealer.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/party.h"
#include "fss/ring.h"

namespace secinfer::fss::engine {

enum class KeyMode { kInline, kFile };

struct TwoPartyOptions {
  Ring ring{50};
  int frac_bits = 12;
  Block dealer_seed{0x5eed5eed5eed5eedull, 0x0123456789abcdefull};
  int threads = 1;
  KeyMode key_mode = KeyMode::kInline;
  std::string key_dir;                 // kFile: where p0.keys / p1.keys are written
  std::uint64_t config_hash = 0x5ec1;  // written into key files and the channel hello
  std::string config_summary = "test";
  // The compiled fused gates (Dealer::gate_cache): null gives each party one cache, shared by its
  // dealer and its party; a test running many small gates passes one for all its runs.
  std::shared_ptr<compile::GateCache> gate_cache;
  // The gates' protocol choices (engine/gate_options.h), given to the dealers and both parties.
  GateOptions gate_options;
};

class PartyContext {
 public:
  // -1 in the dealer pass of kFile mode, else 0 / 1.
  int id() const { return id_; }
  bool dealer_pass() const { return id_ < 0; }
  Dealer& dealer() { return *dealer_; }
  // Throws std::logic_error in the dealer pass.
  Party& party();
  // Runs f inside an offline phase of this party's recorder (keygen time, key bytes per scope).
  void offline(const std::function<void()>& f);
  // Runs f inside one online run of this party's recorder; skipped in the dealer pass.
  void online(const std::function<void()>& f);

 private:
  friend struct TwoPartyAccess;
  int id_ = 0;
  Dealer* dealer_ = nullptr;
  Party* party_ = nullptr;
  void* recorder_ = nullptr;  // profiling::Recorder*
};

// Per party: its log (Recorder::to_json()).
struct PartyRun {
  nlohmann::json log;
};

// The non-template core: runs body in both parties (and the dealer pass in kFile mode).
std::array<PartyRun, 2> run_two_party_raw(const TwoPartyOptions& opt,
                                          const std::function<void(PartyContext&)>& body);

template <class R>
struct PartyResult {
  R value{};
  nlohmann::json log;
};

template <class R>
std::array<PartyResult<R>, 2> run_two_party(const TwoPartyOptions& opt,
                                            const std::function<R(PartyContext&)>& body) {
  std::array<std::optional<R>, 2> values;
  auto runs = run_two_party_raw(opt, [&](PartyContext& c) {
    R v = body(c);
    if (!c.dealer_pass()) values[c.id()] = std::move(v);
  });
  std::array<PartyResult<R>, 2> out;
  for (int b = 0; b < 2; ++b) {
    out[b].value = std::move(*values[b]);
    out[b].log = std::move(runs[b].log);
  }
  return out;
}

// Sums of the online counters over all runs of a party log: bytes_sent, bytes_recv, messages,
// rounds (from "runs"[*]["totals"]), and the offline key bytes (sum over offline phases).
struct CommCounts {
  std::uint64_t bytes_sent = 0, bytes_recv = 0, messages = 0, rounds = 0, key_bytes = 0;
};
CommCounts comm_counts(const nlohmann::json& party_log);

}  // namespace secinfer::fss::engine
