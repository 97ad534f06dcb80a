// Helpers for the FuseFSS tests (tests/fss/gates/fusefss/, tests/fss/compile/): test inputs that
// hit every edge of a compiled gate, masks that hit the wrap edges, and a two-party run of a fused
// gate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "fss/compile/functions.h"
#include "fss/compile/gate_cache.h"
#include "fss/compile/instance.h"
#include "fss/compile/suf.h"
#include "fss/engine/gate.h"
#include "fss/engine/two_party_runner.h"
#include "fss/gates/fusefss/nonlinear.h"
#include "fss/ring.h"

namespace secinfer::fss::fusefss::test {

using compile::FunctionId;
using compile::FunctionParams;
using compile::SufGate;

// The compiled gates of one test case (compile::GateCache), shared with its two-party runs so that
// each gate is fitted once per test case.
using Gates = std::shared_ptr<compile::GateCache>;
inline Gates new_gates() {
  return std::make_shared<compile::GateCache>();
}

inline const char* lookup_name(compile::LookupMode mode) {
  return mode == compile::LookupMode::kPerCut ? "per-cut" : "shared-mask";
}

inline std::uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

inline FunctionParams params(FunctionId id, int n, std::size_t cols = 0) {
  FunctionParams p;
  p.id = id;
  p.n = n;
  p.frac_bits = 12;
  p.cols = cols ? cols : (id == FunctionId::kInverse ? 128 : id == FunctionId::kRsqrt ? 768 : 0);
  return p;
}

inline engine::GateArgs args_for(const FunctionParams& p, compile::Padding pad,
                                 compile::LookupMode mode = compile::LookupMode::kSharedMask) {
  engine::GateArgs a;
  a.cols = p.cols;
  a.param = param_of(pad, mode);
  return a;
}

// Inputs: every cut of the gate and its neighbours, every predicate bound and its neighbours,
// 0, +-1, the most negative and most positive values, then `random` values of which half are
// uniform over the fitted (signed) range [lo, hi] and half uniform over the whole ring.
// With max_cuts > 0 only that many cuts (evenly spread, the first and last included) are used.
inline std::vector<u64> edge_and_random_inputs(const SufGate& g, std::size_t random,
                                               std::uint64_t seed, i64 lo, i64 hi,
                                               std::size_t max_cuts = 0) {
  const Ring r{g.n};
  std::vector<u64> v;
  auto add = [&](u64 x) {
    for (i64 d : {-1, 0, 1}) v.push_back(r.add(x, r.from_signed(d)));
  };
  const std::size_t m = g.cuts.size();
  const std::size_t use = max_cuts ? std::min(max_cuts, m) : m;
  for (std::size_t k = 0; k < use; ++k) add(g.cuts[use > 1 ? k * (m - 1) / (use - 1) : 0]);
  for (const compile::Predicate& p : g.preds) add(p.bound);
  add(0);
  add(u64{1} << (g.n - 1));  // most negative; its -1 neighbour is the most positive
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<i64> in_range(lo, hi);
  for (std::size_t i = 0; i < random; ++i)
    v.push_back(i % 2 ? r.reduce(gen()) : r.from_signed(in_range(gen)));
  return v;
}

// Input masks: uniform, except that the first ones are chosen to hit the edges of the instance
// compilation: r = -a_j (the shifted cut j lands on 0: no interval wraps, the padding's dummy
// split), r = 0, and masks with x^ = 0 or x^ = 2^n - 1 (x + r wraps, or just does not).
inline std::vector<u64> edge_masks(const SufGate& g, std::span<const u64> x, std::uint64_t seed) {
  const Ring r{g.n};
  std::mt19937_64 gen(seed);
  std::vector<u64> m(x.size());
  for (auto& v : m) v = r.reduce(gen());
  std::size_t i = 0;
  for (u64 c : g.cuts)
    if (i < m.size()) m[i++] = r.neg(c);
  if (i < m.size()) m[i++] = 0;
  for (std::size_t k = 0; k < 16 && i < m.size(); ++k, ++i)
    m[i] = r.sub(k % 2 ? r.mask() : 0, r.reduce(x[i]));
  return m;
}

// A fused gate run as both parties with the given masks.
struct FusedRun {
  std::vector<u64> y[2];
  engine::CommCounts comm[2];
  std::uint64_t key_bytes[2] = {0, 0};
  nlohmann::json log[2];
};

inline FusedRun run_fused(const Gates& gates, const engine::UnaryGate& gate,
                          const engine::GateArgs& args, int n, std::uint64_t seed,
                          const std::vector<u64>& x, const std::vector<u64>& masks) {
  engine::TwoPartyOptions opt;
  opt.gate_cache = gates;
  opt.ring = make_ring(n);
  opt.frac_bits = 12;
  opt.dealer_seed = Block{seed, seed ^ 0x9E3779B97F4A7C15ull};
  const Ring ring = opt.ring;
  FusedRun out;
  std::uint64_t kb[2] = {0, 0};
  auto res = engine::run_two_party<std::vector<u64>>(opt, [&](engine::PartyContext& c) {
    const std::size_t N = x.size();
    std::vector<u64> r_out(N), xhat(N), yhat(N);
    const std::uint64_t before = c.id() >= 0 ? c.dealer().key_bytes(c.id()) : 0;
    c.offline([&] { gate.keygen(c.dealer(), args, masks, r_out); });
    if (c.id() >= 0) kb[c.id()] = c.dealer().key_bytes(c.id()) - before;
    for (std::size_t i = 0; i < N; ++i) xhat[i] = ring.add(ring.reduce(x[i]), masks[i]);
    c.online([&] { gate.eval(c.party(), args, xhat, yhat); });
    std::vector<u64> y(N);
    for (std::size_t i = 0; i < N; ++i) y[i] = ring.sub(yhat[i], r_out[i]);
    return y;
  });
  for (int b = 0; b < 2; ++b) {
    out.y[b] = std::move(res[b].value);
    out.comm[b] = engine::comm_counts(res[b].log);
    out.key_bytes[b] = kb[b];
    out.log[b] = std::move(res[b].log);
  }
  return out;
}

}  // namespace secinfer::fss::fusefss::test
