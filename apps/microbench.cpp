#include "apps/microbench.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "apps/child_process.h"
#include "apps/exit_codes.h"
#include "apps/local.h"
#include "apps/logging.h"
#include "apps/merge_cmd.h"
#include "apps/previous_results.h"
#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/party.h"
#include "fss/engine/party_ops.h"
#include "fss/gates/sigma/suite.h"
#include "models/memory.h"
#include "models/memory_verdict.h"
#include "models/runner.h"
#include "profiling/atomic_file.h"
#include "profiling/merge.h"

// The fusefss suite is bound as soon as its header is in the tree (as models/runner.cpp does).
#if __has_include("fss/gates/fusefss/suite.h")
#include "fss/compile/suf.h"
#include "fss/gates/fusefss/nonlinear.h"
#include "fss/gates/fusefss/suite.h"
#include "profiling/scope_names.h"
#define SECINFER_MICROBENCH_HAVE_FUSEFSS 1
#endif

namespace secinfer::apps {

using fss::u64;
using fss::engine::GateSuite;
using fss::engine::Ops;
using fss::engine::Tensor;
using nlohmann::json;

namespace {

// Sizes at BERT-base (hidden 768, 12 heads, FFN 3072) and seq 128; GPT-2 (124M) has the same.
// trunc-gelu / trunc-silu: the truncation that precedes the activation in the models, then the
// activation (one fused gate under fusefss --fusefss-act fused, TrFloor then the gate otherwise),
// in the activation's scope; trunc-silu at LLaMA-7B's size (128 x 11008).
constexpr std::array<MicrobenchGate, 11> kGates = {{
    {"gelu", profiling::scopes::kGelu, 128 * 3072, 0, "uniform in [-6, 6]"},
    {"silu", profiling::scopes::kSilu, 128 * 3072, 0, "uniform in [-8, 8]"},
    {"trunc-gelu", profiling::scopes::kGelu, 128 * 3072, 0,
     "matmul outputs at scale 2f (before the rescale), uniform in [-6, 6]"},
    {"trunc-silu", profiling::scopes::kSilu, 128 * 11008, 0,
     "matmul outputs at scale 2f (before the rescale), uniform in [-8, 8]"},
    {"nexp", "Softmax/nexp", 12 * 128 * 128, 0, "uniform in [0, 16] (max - x of a softmax row)"},
    {"inv", "Softmax/inv", 12 * 128, 128,
     "softmax row sums: 1 + the sum of cols - 1 terms exp(-d), d uniform in [0, t], "
     "t per row uniform in [0.25, 16]"},
    {"rsqrt", "LayerNorm/rsqrt", 128, 768,
     "sums of cols squares (scale 2f) of N(0, s^2) values, s per row log-uniform in [0.05, 8]"},
    {"trunc", profiling::scopes::kTruncRescale, 128 * 768, 0,
     "TrFloor by f of matmul outputs at scale 2f, uniform in [-64, 64]"},
    {"relu", profiling::scopes::kRelu, 128 * 3072, 0, "uniform in [-6, 6]"},
    {"softmax", profiling::scopes::kSoftmax, 12 * 128 * 128, 128,
     "rows of attention scores uniform in [-8, 8]"},
    {"layernorm", profiling::scopes::kLayerNorm, 128 * 768, 768,
     "rows of N(mu, s^2), mu per row uniform in [-1, 1], s in [0.5, 4]; "
     "gamma uniform in [0.5, 1.5], beta in [-0.5, 0.5]"},
}};

bool row_gate(const MicrobenchGate& g) {
  return g.name == "softmax" || g.name == "layernorm";
}

// ---- the suite of --system ----

const GateSuite& suite_of(const RunOptions& o) {
  return models::suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
}

// ---- inputs ----

struct Inputs {
  std::vector<std::size_t> shape;
  std::vector<u64> x;            // cleartext fixed point, the client's (party 1's) input
  std::vector<u64> gamma, beta;  // layernorm weights (party 0's), cols each
};

std::uint64_t name_hash(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Deterministic in (seed, gate, n, cols, bits, f): both parties draw the same values.
Inputs make_inputs(const RunOptions& o, const MicrobenchGate& g) {
  const fss::Ring ring = fss::make_ring(o.micro_bits);
  const int f = o.micro_frac;
  const fss::FixedPoint fx{ring, f};
  const std::size_t n = o.micro_n, cols = o.micro_cols;
  std::mt19937_64 rng(o.seed ^ name_hash(g.name));
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  Inputs in;
  in.shape = row_gate(g) ? std::vector<std::size_t>{n / cols, cols} : std::vector<std::size_t>{n};
  in.x.resize(n);
  const double one = std::ldexp(1.0, f);
  if (g.name == "gelu" || g.name == "relu") {
    for (auto& v : in.x) v = fx.encode(uni(-6, 6));
  } else if (g.name == "silu") {
    for (auto& v : in.x) v = fx.encode(uni(-8, 8));
  } else if (g.name == "nexp") {
    for (auto& v : in.x) v = fx.encode(uni(0, 16));
  } else if (g.name == "inv") {
    // A softmax row sum: the max term is exactly 1 (2^f), every other term exp(-d) <= 1.
    for (auto& v : in.x) {
      const double t = uni(0.25, 16);
      u64 s = u64{1} << f;
      for (std::size_t j = 1; j < cols; ++j)
        s += static_cast<u64>(std::floor(std::exp(-uni(0, t)) * one));
      v = ring.reduce(s);
    }
  } else if (g.name == "rsqrt") {
    // sum_j d_j^2 at scale 2f, d_j at scale f: the variance gate's output for one row.
    for (auto& v : in.x) {
      const double s = std::exp(uni(std::log(0.05), std::log(8.0)));
      std::normal_distribution<double> nd(0.0, s);
      u64 acc = 0;
      for (std::size_t j = 0; j < cols; ++j) {
        const auto d = static_cast<std::int64_t>(std::llround(nd(rng) * one));
        acc += static_cast<u64>(d * d);
      }
      v = ring.reduce(acc);
    }
  } else if (g.name == "trunc" || g.name == "trunc-gelu" || g.name == "trunc-silu") {
    const fss::FixedPoint fx2{ring, 2 * f};
    const double r = g.name == "trunc" ? 64 : g.name == "trunc-gelu" ? 6 : 8;
    for (auto& v : in.x) v = fx2.encode(uni(-r, r));
  } else if (g.name == "softmax") {
    for (auto& v : in.x) v = fx.encode(uni(-8, 8));
  } else if (g.name == "layernorm") {
    for (std::size_t r = 0; r < n / cols; ++r) {
      std::normal_distribution<double> nd(uni(-1, 1), uni(0.5, 4));
      for (std::size_t j = 0; j < cols; ++j) in.x[r * cols + j] = fx.encode(nd(rng));
    }
    in.gamma.resize(cols);
    in.beta.resize(cols);
    for (auto& v : in.gamma) v = fx.encode(uni(0.5, 1.5));
    for (auto& v : in.beta) v = fx.encode(uni(-0.5, 0.5));
  }
  return in;
}

// The first `elements` inputs (whole rows), for the check pass.
Inputs head_of(const Inputs& in, std::size_t elements) {
  Inputs h = in;
  const std::size_t row = in.shape.size() == 2 ? in.shape[1] : 1;
  const std::size_t rows = std::max<std::size_t>(1, std::min(in.x.size(), elements) / row);
  h.x.resize(rows * row);
  h.shape =
      in.shape.size() == 2 ? std::vector<std::size_t>{rows, row} : std::vector<std::size_t>{rows};
  return h;
}

// ---- the gate, in its scope (profiling/README.md), identical for ClearOps, DealerOps, PartyOps
// ----

struct GateOperands {
  Tensor x, gamma, beta;
};

Tensor apply_gate(Ops& ops, const MicrobenchGate& g, const GateOperands& a, std::size_t cols,
                  int frac_bits) {
  using fss::engine::TruncKind;
  if (g.name == "gelu") return ops.gelu(a.x);
  if (g.name == "silu") return ops.silu(a.x);
  if (g.name == "relu") return ops.relu(a.x, 0);
  if (g.name == "trunc") return ops.truncate(a.x, frac_bits, TruncKind::kFloor);  // the rescale
  if (g.name == "trunc-gelu") {
    Ops::Region r(ops, profiling::scopes::kGelu);
    return ops.trunc_gelu(a.x, frac_bits);
  }
  if (g.name == "trunc-silu") {
    Ops::Region r(ops, profiling::scopes::kSilu);
    return ops.trunc_silu(a.x, frac_bits);
  }
  if (g.name == "softmax") return ops.softmax(a.x, cols, {});
  if (g.name == "layernorm") return ops.layernorm(a.x, a.gamma, a.beta, cols);
  // Leaf gates of a composite: inside the composite's category, as in a model.
  if (g.name == "nexp") {
    Ops::Region r(ops, profiling::scopes::kSoftmax);
    return ops.nexp(a.x);
  }
  if (g.name == "inv") {
    Ops::Region r(ops, profiling::scopes::kSoftmax);
    return ops.inverse(a.x, cols);
  }
  if (g.name == "rsqrt") {
    Ops::Region r(ops, profiling::scopes::kLayerNorm);
    return ops.rsqrt(a.x, cols);
  }
  throw std::logic_error("microbench: gate " + std::string(g.name) + " has no dispatch");
}

// Offline: the dealer's call sequence (masks), in the order the party consumes the keys: weights,
// input, gate [, reveal].
void deal(fss::engine::DealerOps& d, const MicrobenchGate& g, const Inputs& in, std::size_t cols,
          int f, bool reveal) {
  GateOperands m;
  if (g.name == "layernorm") {
    m.gamma = d.weight({cols}, {});
    m.beta = d.weight({cols}, {});
  }
  m.x = d.input(1, in.shape, {});
  const Tensor y = apply_gate(d, g, m, cols, f);
  if (reveal) d.reveal(y);
}

// The masked operands of this party: party 0 masks the weights, party 1 the input.
GateOperands deliver(fss::engine::PartyOps& p, int me, const MicrobenchGate& g, const Inputs& in,
                     std::size_t cols) {
  GateOperands a;
  if (g.name == "layernorm") {
    a.gamma = p.weight({cols}, me == 0 ? std::span<const u64>(in.gamma) : std::span<const u64>{});
    a.beta = p.weight({cols}, me == 0 ? std::span<const u64>(in.beta) : std::span<const u64>{});
  }
  a.x = p.input(1, in.shape, me == 1 ? std::span<const u64>(in.x) : std::span<const u64>{});
  return a;
}

// The fused gates' approximation parameters (m, d, n, H, f, s, ...: compile::describe), which
// reviewers ask for; empty for the sigma suite. `gates`: the run's compiled gates.
json approximation(const RunOptions& o, std::string_view gate, fss::compile::GateCache& gates) {
  json out = json::object();
#ifdef SECINFER_MICROBENCH_HAVE_FUSEFSS
  if (o.system != models::System::kFuseFss) return out;
  using fss::compile::FunctionId;
  std::vector<std::pair<const char*, FunctionId>> ids;
  const bool fused = o.fuse_act != models::FuseAct::kPrecise;
  if (fused && (gate == "trunc-gelu" || gate == "trunc-silu"))
    out[std::string(gate)] =
        "fused TrFloor + SIGMA's ReLU-minus-activation table (docs/design/fused-trunc-act.md)";
  if (gate == "gelu" || (!fused && gate == "trunc-gelu")) ids = {{"gelu", FunctionId::kGelu}};
  if (gate == "silu" || (!fused && gate == "trunc-silu")) ids = {{"silu", FunctionId::kSilu}};
  // The fused mode's nExp and row inverse are SIGMA's functions (fusefss/suite.h), not compiled.
  if (fused && (gate == "nexp" || gate == "softmax"))
    out["nexp"] = "fused nExp: SIGMA's nExp function in 5 exchanges (docs/design/fused-nexp.md)";
  if (fused && (gate == "inv" || gate == "softmax")) out["inv"] = "SIGMA's inverse lookup";
  if (!fused && gate == "nexp") ids = {{"nexp", FunctionId::kNexp}};
  if (!fused && gate == "inv") ids = {{"inv", FunctionId::kInverse}};
  if (gate == "rsqrt" || gate == "layernorm") ids = {{"rsqrt", FunctionId::kRsqrt}};
  if (!fused && gate == "softmax")
    ids = {{"nexp", FunctionId::kNexp}, {"inv", FunctionId::kInverse}};
  fss::engine::GateArgs args;
  args.cols = o.micro_cols;
  for (const auto& [name, id] : ids) {
    out[name] = fss::compile::describe(
        fss::fusefss::gate_for(gates, id, fss::make_ring(o.micro_bits), o.micro_frac, args));
  }
#else
  (void)o;
  (void)gate;
  (void)gates;
#endif
  return out;
}

// ---- key memory, before any work ----

bool loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// This party's peak memory for one run, extrapolated from a probe keygen of the first
// 1024 inputs with a throwaway dealer (its keys are counted, never stored): 4 times the
// serialised key of a run (the key buffer, plus the dealer's in-memory keys of both parties while
// it builds a batch; measured: sigma GELU at n = 393,216 peaks at 1.18 GB RSS for 339 MB of key,
// 3.5x), plus the tensors. Key sizes are linear in the elements (rows for the row gates).
double estimate_party_bytes(const RunOptions& o, const MicrobenchGate& g, const GateSuite& suite,
                            fss::engine::Dealer& run_dealer) {
  using namespace fss::engine;
  // The probe's inputs only (the full inputs may not fit either): the first whole rows.
  RunOptions p = o;
  const std::uint64_t row = row_gate(g) ? o.micro_cols : 1;
  constexpr std::uint64_t kProbeElements = 1024;
  p.micro_n =
      std::min<std::uint64_t>(o.micro_n, row * std::max<std::uint64_t>(1, kProbeElements / row));
  const Inputs probe = make_inputs(p, g);
  KeyWriter w0 = KeyWriter::discard(), w1 = KeyWriter::discard();
  Dealer d(fss::make_ring(o.micro_bits), o.micro_frac, fss::Block{0x70726f6265ull, 0x6d656dull}, w0,
           w1);
  d.set_gate_cache(run_dealer.shared_gate_cache());  // the run's compiled gates
  d.set_gate_options(run_dealer.gate_options());
  DealerOps ops(d, suite, o.party);
  deal(ops, g, probe, o.micro_cols, o.micro_frac, false);
  const double n = static_cast<double>(o.micro_n);
  const double key = static_cast<double>(std::max(d.key_bytes(0), d.key_bytes(1))) * n /
                     static_cast<double>(p.micro_n);
  const double tensors = 16.0 * 8.0 * n;
  return 4.0 * key + tensors;
}

void check_drained(const fss::engine::KeyBuffer& b, const std::string& when) {
  if (b.available() != 0)
    throw std::logic_error("microbench: " + std::to_string(b.available()) +
                           " key bytes left after " + when +
                           ": the dealer's and the party's call sequences diverged");
}

json compare_with_clear(const std::vector<u64>& secure, const std::vector<u64>& clear,
                        fss::Ring ring) {
  std::uint64_t differing = 0, max_abs = 0;
  for (std::size_t i = 0; i < secure.size(); ++i) {
    if (secure[i] == clear[i]) continue;
    ++differing;
    const std::int64_t d = ring.to_signed(ring.sub(secure[i], clear[i]));
    max_abs = std::max<std::uint64_t>(max_abs, static_cast<std::uint64_t>(d < 0 ? -d : d));
  }
  return {{"elements", secure.size()}, {"differing", differing}, {"max_abs_diff_ulp", max_abs}};
}

// ---- the local launcher ----

double num(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return 0.0;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<double>() : 0.0;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::span<const MicrobenchGate> microbench_gates() {
  return kGates;
}

const MicrobenchGate* find_microbench_gate(std::string_view name) {
  for (const auto& g : kGates)
    if (g.name == name) return &g;
  return nullptr;
}

std::string microbench_gate_list() {
  std::string s;
  for (const auto& g : kGates) (s += s.empty() ? "" : ", ") += g.name;
  return s;
}

bool fusefss_suite_built() {
#ifdef SECINFER_MICROBENCH_HAVE_FUSEFSS
  return true;
#else
  return false;
#endif
}

void resolve_microbench_options(RunOptions& o) {
  const MicrobenchGate* g = find_microbench_gate(o.gate);
  if (!g) {
    throw std::invalid_argument("--gate " + o.gate + ": unknown gate; choose one of " +
                                microbench_gate_list());
  }
  if (o.micro_bits < 8 || o.micro_bits > 64) {
    throw std::invalid_argument("--bits " + std::to_string(o.micro_bits) +
                                ": the ring width must be in [8, 64] (default 50)");
  }
  if (o.micro_frac < 1 || o.micro_frac >= o.micro_bits) {
    throw std::invalid_argument("--frac-bits " + std::to_string(o.micro_frac) +
                                ": must be in [1, " + std::to_string(o.micro_bits - 1) +
                                "] for --bits " + std::to_string(o.micro_bits) + " (default 12)");
  }
  if (o.dealer != models::Dealer::kInline) {
    throw std::invalid_argument("--dealer " + to_string(o.dealer) +
                                ": the microbench draws fresh keys for every run inline (a key is "
                                "used once); pass --dealer inline");
  }
  if (g->default_cols == 0 && o.micro_cols != 0) {  // it would be recorded (and hashed) for nothing
    throw std::invalid_argument("--cols " + std::to_string(o.micro_cols) + ": " +
                                std::string(g->name) +
                                " works element by element and has no rows; leave --cols out");
  }
  if (o.micro_n == 0) o.micro_n = g->bert_base_n;
  if (o.micro_cols == 0) o.micro_cols = g->default_cols;
  if (row_gate(*g) && o.micro_n % o.micro_cols != 0) {
    throw std::invalid_argument("--n " + std::to_string(o.micro_n) + ": " + std::string(g->name) +
                                " works on whole rows of --cols " + std::to_string(o.micro_cols) +
                                " elements; pass a multiple of " + std::to_string(o.micro_cols));
  }
  if (o.system == models::System::kFuseFss) {
    if (!fusefss_suite_built()) {
      throw std::invalid_argument(
          "--system fusefss: the fusefss suite is not built into this binary "
          "(fss/gates/fusefss/suite.h was not in the tree at build time); use --system sigma, or "
          "rebuild once the suite is there");
    }
  }
}

std::vector<std::string> microbench_party_command_line(const RunOptions& o, int party,
                                                       std::uint16_t port, const std::string& exe) {
  std::vector<std::string> a = party_command_line(o, party, port, exe);
  auto add = [&a](const char* flag, const std::string& value) {
    a.push_back(flag);
    a.push_back(value);
  };
  add("--gate", o.gate);
  add("--n", std::to_string(o.micro_n));
  if (o.micro_cols > 0) add("--cols", std::to_string(o.micro_cols));  // 0: elementwise gate
  add("--bits", std::to_string(o.micro_bits));
  add("--frac-bits", std::to_string(o.micro_frac));
  return a;
}

void run_microbench_workload(const RunOptions& opt, net::Channel& ch, profiling::Recorder& rec,
                             const fss::Accelerator* accel) {
  using namespace fss::engine;
  RunOptions o = opt;
  resolve_microbench_options(o);
  const MicrobenchGate& g = *find_microbench_gate(o.gate);
  const GateSuite& suite = suite_of(o);
  const fss::Ring ring = fss::make_ring(o.micro_bits);
  const int f = o.micro_frac;
  const int me = o.party;
  const std::size_t cols = o.micro_cols;

  // Inline dealer (as the model runner): both parties' dealers draw the same masks from the shared
  // seed; this party keeps its own key, the other party's is counted and dropped.
  auto buffer = std::make_shared<KeyBuffer>();
  if (accel != nullptr) keep_batches_on(*buffer, *accel);  // keys to the device offline
  KeyWriter own = KeyWriter::memory(buffer);
  KeyWriter other = KeyWriter::discard();
  Dealer dealer(ring, f, models::dealer_seed(o.seed), me == 0 ? own : other, me == 0 ? other : own);
  dealer.set_accelerator(accel);  // DCF/DPF keys generated on the GPU (the CPU's keys bit for bit)
  dealer.set_gate_options(models::gate_options_for(o));
  dealer.set_threads(o.threads);  // the party's threads (half the host's under local)
  DealerOps dops(dealer, suite, me);
  KeyReader reader = KeyReader::memory(buffer);
  Party party(me, ring, f, ch, reader, o.threads, accel);
  party.set_gate_options(dealer.gate_options());
  party.set_gate_cache(dealer.shared_gate_cache());  // compiled once for the whole run
  PartyOps pops(party, suite);

  // Memory first: a run that cannot fit is recorded as "oom" with what it needs, never started.
  const int on_host = loopback(o.peer.host) ? 2 : 1;
  const double needed = estimate_party_bytes(o, g, suite, dealer) * on_host;
  const models::MemoryVerdict mine = models::MemoryVerdict::of(
      needed >= 1.8e19 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(needed),
      models::available_memory_bytes());
  const models::MemoryVerdict peer = models::exchange_verdict(ch, mine);
  if (!mine.ok || !peer.ok) {
    const models::MemoryVerdict& v = mine.ok ? peer : mine;
    const std::string reason =
        std::string(g.name) + " on " + to_string(o.system) +
        " with n = " + std::to_string(o.micro_n) + ": party " +
        std::to_string(mine.ok ? 1 - me : me) + " needs about " + models::format_bytes(v.needed) +
        (on_host > 1 ? " (both parties on this host)" : "") + " for the keys of one run but " +
        models::format_bytes(v.available) +
        " are available; nothing was run. Pass a smaller --n (the per-element figures do not "
        "depend on it) or use a machine with more memory";
    spdlog::error("{}", reason);
    rec.set_status(profiling::Status::kOom, reason);
    return;
  }

  const Inputs in = make_inputs(o, g);
  // Each run's openings one by one (Party::trace_openings), written to openings-pN.json.
  json trace_runs = json::array();
  try {
    for (int run = 0; run < o.warmup + o.runs; ++run) {
      const bool warm = run < o.warmup;
      rec.begin_offline();  // fresh keys for every run: a key is used once
      deal(dops, g, in, cols, f, false);
      const GateOperands a = deliver(pops, me, g, in, cols);
      dops.dealer().finish_keys();
      rec.end_offline();
      ch.wait_for_peer();  // the run starts when both hold its keys
      party.trace_openings(true);
      rec.begin_run(warm);
      const std::int64_t begin_ns = Party::clock_ns();
      apply_gate(pops, g, a, cols, f);
      const std::int64_t end_ns = Party::clock_ns();
      rec.end_run();
      party.trace_openings(false);
      json openings = json::array();
      for (const Party::OpeningTiming& t : party.take_opening_trace())
        openings.push_back({{"start_ns", t.start_ns},
                            {"packed_ns", t.packed_ns},
                            {"exchanged_ns", t.exchanged_ns},
                            {"unpacked_ns", t.unpacked_ns},
                            {"bytes", t.bytes}});
      trace_runs.push_back({{"warmup", warm},
                            {"begin_ns", begin_ns},
                            {"end_ns", end_ns},
                            {"openings", std::move(openings)}});
      check_drained(*buffer, "run " + std::to_string(run));
      spdlog::info("microbench {} {} {}: done", g.name, warm ? "warm-up" : "run",
                   warm ? run + 1 : run - o.warmup + 1);
    }
  } catch (...) {
    rec.abort_phase();
    throw;
  }
  const auto measured = static_cast<std::size_t>(o.warmup + o.runs);
  spdlog::info("party {}: {}; {}", me, party.host_time_summary(measured),
               dealer.host_time_summary(measured));
  profiling::write_file_atomic(
      o.out / ("openings-p" + std::to_string(me) + ".json"),
      json{{"party", me},
           {"gate", o.gate},
           {"system", to_string(o.system)},
           {"n", o.micro_n},
           {"clock",
            "steady_clock nanoseconds since its epoch: one clock for both parties of a host"},
           {"runs", std::move(trace_runs)}}
              .dump(1) +
          "\n");

  // Unrecorded check: the opened output of the first rows against the cleartext reference.
  const Inputs head = head_of(in, kCheckElements);
  deal(dops, g, head, cols, f, true);
  const GateOperands a = deliver(pops, me, g, head, cols);
  const std::vector<u64> opened = pops.reveal(apply_gate(pops, g, a, cols, f));
  check_drained(*buffer, "the check");
  if (me == 0) {
    ClearOps clear(ring, f, suite, dealer.shared_gate_cache());
    GateOperands c;
    c.x = clear.input(1, head.shape, head.x);
    if (g.name == "layernorm") {
      c.gamma = clear.weight({cols}, head.gamma);
      c.beta = clear.weight({cols}, head.beta);
    }
    const Tensor expect = apply_gate(clear, g, c, cols, f);
    const json vs = compare_with_clear(opened, expect.data.host(), ring);
    const json check{{"vs_clear", vs},
                     {"approximation", approximation(o, g.name, dealer.gate_cache())}};
    profiling::write_file_atomic(o.out / "microbench_check.json", check.dump(2) + "\n");
    if (vs["differing"].get<std::uint64_t>() != 0) {
      spdlog::warn(
          "microbench check: {} of {} opened outputs differ from the cleartext reference "
          "(max {} ULP)",
          vs["differing"].get<std::uint64_t>(), opened.size(),
          vs["max_abs_diff_ulp"].get<std::uint64_t>());
    }
  }
}

json microbench_summary(const json& merged, const RunOptions& o, const json& check) {
  const MicrobenchGate* g = find_microbench_gate(o.gate);
  const std::string scope = g ? std::string(g->scope) : std::string();
  const std::string top = scope.substr(0, scope.find('/'));
  const double n = static_cast<double>(o.micro_n);
  json s{{"schema", "secinfer.microbench/1"},
         {"gate", o.gate},
         {"system", to_string(o.system)},
         {"padding", models::padding_name(o.padding)},
         {"lookup", recorded_lookup(o)},
         {"fusefss_act", recorded_fuse_act(o)},
         {"fusefss_trunc", recorded_fuse_trunc(o)},
         {"sigma_lut", recorded_sigma_lut(o)},
         {"sigma_shares", recorded_sigma_shares(o)},
         {"backend", to_string(o.backend)},
         {"n", o.micro_n},
         {"cols", o.micro_cols},
         {"rows", g && row_gate(*g) && o.micro_cols ? o.micro_n / o.micro_cols : o.micro_n},
         {"bits", o.micro_bits},
         {"frac_bits", o.micro_frac},
         {"runs", o.runs},
         {"warmup", o.warmup},
         {"threads", o.threads},
         {"scope", scope},
         {"input", g ? std::string(g->input) : std::string()},
         {"breakdown", "breakdown_merged.json"},
         {"status", merged.value("status", std::string("failed"))}};
  if (!o.padding) s["padding_warning"] = std::string(profiling::kPaddingWarning);
  if (s["status"] != "ok") {
    s["reason"] = merged.value("reason", std::string());
    return s;
  }
  const json& total = merged.at("total");
  const double ms = num(total, {"wall_ms", "median"});
  s["online_ms"] = ms;
  for (const char* q : {"p25", "p75", "min", "max"})
    s[std::string("online_ms_") + q] = num(total, {"wall_ms", q});
  s["bytes"] = total.value("bytes", std::uint64_t{0});
  s["messages"] = total.value("messages", std::uint64_t{0});
  s["rounds"] = total.value("rounds", std::uint64_t{0});

  // Key bytes of the gate's scopes (the input masks live in Misc), from the median offline phase.
  std::uint64_t key0 = 0, key1 = 0;
  double keygen = 0;
  std::map<std::string, json> key_by_path;
  for (const json& k : merged.value("offline_scopes", json::array())) {
    const std::string path = k.value("path", std::string());
    key_by_path[path] = k.value("key_bytes", json::object());
    if (path == top || path.rfind(top + "/", 0) == 0) {
      key0 += k["key_bytes"].value("p0", std::uint64_t{0});
      key1 += k["key_bytes"].value("p1", std::uint64_t{0});
      keygen += num(k, {"keygen_ms", "max"});
    }
  }
  s["key_bytes"] = {{"p0", key0}, {"p1", key1}};
  s["key_bytes_phase"] = merged.contains("offline")
                             ? merged["offline"].value("key_bytes", json::object())
                             : json::object();
  s["keygen_ms"] = keygen;
  s["per_element"] = {{"online_us", 1000.0 * ms / n},
                      {"bytes", s["bytes"].get<double>() / n},
                      {"key_bytes_p0", key0 / n},
                      {"key_bytes_p1", key1 / n}};

  double gpu = 0;
  json scopes = json::array();
  for (const json& sc : merged.at("scopes")) {
    const std::string path = sc.value("path", std::string());
    if (path == profiling::scopes::kUnattributed) continue;
    gpu += num(sc, {"gpu_ms", "median"});
    json row{{"path", path},
             {"exclusive_ms", num(sc, {"exclusive_wall_ms", "median"})},
             {"inclusive_ms", num(sc, {"inclusive_wall_ms", "median_run"})},
             {"bytes", sc.value("bytes", std::uint64_t{0})},
             {"messages", sc.value("messages", std::uint64_t{0})},
             {"rounds", sc.value("rounds", std::uint64_t{0})},
             {"comm_wait_ms", num(sc, {"comm_wait_ms", "median_run"})}};
    // The second clock only where it was measured (CUDA backend): never a 0 for "not measured".
    if (num(sc, {"gpu_ms", "median"}) > 0) row["gpu_ms"] = num(sc, {"gpu_ms", "median"});
    const auto k = key_by_path.find(path);
    row["key_bytes"] = k != key_by_path.end() ? k->second : json{{"p0", 0}, {"p1", 0}};
    scopes.push_back(std::move(row));
  }
  if (gpu > 0) s["gpu_ms"] = gpu;
  s["scopes"] = std::move(scopes);
  if (check.is_object()) {
    if (check.contains("vs_clear")) s["vs_clear"] = check["vs_clear"];
    if (!check.value("approximation", json::object()).empty())
      s["approximation"] = check["approximation"];
  }
  return s;
}

std::string format_microbench_summary(const json& s) {
  std::ostringstream out;
  out << "microbench " << s.value("gate", "?") << " system=" << s.value("system", "?")
      << " padding=" << s.value("padding", "?");
  if (s.value("lookup", std::string("n/a")) != "n/a") out << " lookup=" << s.value("lookup", "?");
  if (s.value("fusefss_act", std::string("n/a")) != "n/a")
    out << " fusefss_act=" << s.value("fusefss_act", "?");
  if (s.value("fusefss_trunc", std::string("n/a")) != "n/a")
    out << " fusefss_trunc=" << s.value("fusefss_trunc", "?");
  out << " n=" << s.value("n", 0) << " (" << s.value("scope", "") << ")\n";
  if (s.value("status", std::string()) != "ok") {
    out << "  status " << s.value("status", "?") << ": " << s.value("reason", "") << "\n";
    return out.str();
  }
  const double mb = 1e-6;
  out << "  online " << fmt("%.3f", s["online_ms"].get<double>()) << " ms (p25 "
      << fmt("%.3f", s["online_ms_p25"].get<double>()) << ", p75 "
      << fmt("%.3f", s["online_ms_p75"].get<double>()) << "), "
      << fmt("%.4f", s["per_element"]["online_us"].get<double>()) << " us/element\n";
  out << "  comm " << fmt("%.3f", s["bytes"].get<double>() * mb) << " MB ("
      << fmt("%.2f", s["per_element"]["bytes"].get<double>()) << " B/element), "
      << s["messages"].get<std::uint64_t>() << " messages, " << s["rounds"].get<std::uint64_t>()
      << " rounds\n";
  out << "  keys P0 " << fmt("%.3f", s["key_bytes"]["p0"].get<double>() * mb) << " MB, P1 "
      << fmt("%.3f", s["key_bytes"]["p1"].get<double>() * mb) << " MB ("
      << fmt("%.1f", s["per_element"]["key_bytes_p0"].get<double>()) << " / "
      << fmt("%.1f", s["per_element"]["key_bytes_p1"].get<double>()) << " B/element), keygen "
      << fmt("%.3f", s["keygen_ms"].get<double>()) << " ms\n";
  if (s.contains("vs_clear")) {
    const json& c = s["vs_clear"];
    out << "  check vs cleartext reference: " << c.value("differing", 0) << " of "
        << c.value("elements", 0) << " outputs differ";
    if (c.value("differing", 0) > 0) out << " (max " << c.value("max_abs_diff_ulp", 0) << " ULP)";
    out << "\n";
  }
  const json approx = s.value("approximation", json::object());
  for (const auto& [name, text] : approx.items())
    out << "  fused " << name << ": " << text.get<std::string>() << "\n";
  return out.str();
}

int run_microbench_local(const RunOptions& o, const std::filesystem::path& exe) {
  // A stale summary or check of an earlier run must not be mistaken for this one's: kept aside if
  // that run completed, else removed.
  const std::filesystem::path summary_file = o.out / "microbench.json";
  const std::filesystem::path check_file = o.out / "microbench_check.json";
  const std::vector<std::filesystem::path> companions = {check_file, o.out / "openings-p0.json",
                                                         o.out / "openings-p1.json"};
  if (!keep_previous_results(summary_file, companions)) {
    std::error_code ec;
    std::filesystem::remove(summary_file, ec);
    for (const auto& f : companions) std::filesystem::remove(f, ec);
  }
  return run_local_parties(
      o, "microbench " + o.gate + " on " + to_string(o.system),
      [&](int party, std::uint16_t port) {
        return microbench_party_command_line(o, party, port, exe.string());
      },
      [&](const json& merged) {
        json check;
        if (std::filesystem::exists(check_file)) check = profiling::read_json_file(check_file);
        const json summary = microbench_summary(merged, o, check);
        profiling::write_file_atomic(summary_file, summary.dump(2) + "\n");
        std::cout << profiling::format_breakdown_table(merged) << format_microbench_summary(summary)
                  << "merged: " << (o.out / "breakdown_merged.json").string()
                  << "\nsummary: " << summary_file.string() << "\n";
        std::cout.flush();
        const std::string status = summary.value("status", "failed");
        if (status == "ok") drop_previous_results(summary_file, companions);
        return status == "ok" ? kExitOk : status == "oom" ? kExitOom : kExitFailed;
      });
}

}  // namespace secinfer::apps
