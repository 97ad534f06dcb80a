// Helpers for the SIGMA nonlinear gate tests (tests/fss/gates/sigma/nonlinear_*_test.cpp): run a
// unary gate or a composite Ops function in two parties over loopback, unmask, compare with the
// cleartext face, and derive the expected online cost from a list of openings.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/gate.h"
#include "fss/engine/party_ops.h"
#include "fss/engine/two_party_runner.h"
#include "fss/gates/sigma/inverse.h"
#include "fss/gates/sigma/suite.h"
#include "fss/ring.h"

namespace secinfer::fss::sigma::test {

using engine::ClearCtx;
using engine::CommCounts;
using engine::GateArgs;
using engine::KeyMode;
using engine::Tensor;
using engine::TwoPartyOptions;
using engine::UnaryGate;

inline std::uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

inline TwoPartyOptions options(int n, int f, std::uint64_t seed, KeyMode mode = KeyMode::kInline,
                               const std::string& key_dir = {}) {
  TwoPartyOptions o;
  o.ring = make_ring(n);
  o.frac_bits = f;
  o.dealer_seed = Block{seed, seed ^ 0x9E3779B97F4A7C15ull};
  o.key_mode = mode;
  o.key_dir = key_dir;
  return o;
}

// One opening as seen on paper: `count` elements of `bits` bits (plus `extra_bytes` of other
// items packed into the same message), one frame each way.
struct Opening {
  std::size_t count;
  int bits;
  std::size_t extra_bytes = 0;
};
// SIGMA's lookup table (lut.h): the sign bit u and the masked value V + r_V of every element in
// one message, before the lookup's output is opened.
inline Opening lut_sign_value(std::size_t count, int bits) {
  return {count, bits, packed_bytes(count, 1)};
}

// nexp.h: 11 openings; inverse.h: 4; rsqrt.h: 5 (per element / row; each LUT opens its sign and
// value, lut.h).
inline std::vector<Opening> nexp_openings(std::size_t N, int n) {
  return {{N, 1},
          {N, 16},
          lut_sign_value(N, n),
          {N, n},
          {N, 1},
          {N, 8},
          lut_sign_value(N, n),
          {N, n},
          {N, n},
          {N, 1},
          {N, n}};
}
inline std::vector<Opening> inverse_openings(std::size_t R, int n, std::size_t cols) {
  return {{R, 1}, {R, inverse_table_bits(cols)}, lut_sign_value(R, n), {R, n}};
}
inline std::vector<Opening> rsqrt_openings(std::size_t R, int n) {
  return {{2 * R, n}, {R, n}, {R, 13}, lut_sign_value(R, n), {R, n}};
}

// Expected online counts per party for a list of sequential openings: each is one message of
// ceil(count bits / 8) bytes plus the 8-byte frame header, and one round.
struct Expected {
  std::uint64_t bytes = 0, messages = 0, rounds = 0;
};
inline Expected expected_cost(const std::vector<Opening>& opens) {
  Expected e;
  for (const auto& o : opens) {
    e.bytes += packed_bytes(o.count, o.bits) + o.extra_bytes + 8;
    e.messages += 1;
    e.rounds += 1;
  }
  return e;
}

inline void check_cost(const CommCounts& c, const Expected& e) {
  CHECK(c.bytes_sent == e.bytes);
  CHECK(c.bytes_recv == e.bytes);
  CHECK(c.messages == e.messages);
  CHECK(c.rounds == e.rounds);
}

struct UnaryRun {
  std::vector<u64> y[2];  // unmasked outputs seen by each party
  CommCounts comm[2];
  nlohmann::json log[2];  // each party's "secinfer.party/1" log
};

// Online rounds per scope path of the first run in a party log ("Softmax/nexp" -> 9); a path
// that was opened but charged nothing maps to 0.
inline std::map<std::string, std::uint64_t> scope_rounds(const nlohmann::json& log) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& sc : log.at("runs").at(0).at("scopes"))
    m[sc.at("path").get<std::string>()] = sc.at("rounds").get<std::uint64_t>();
  return m;
}

// Masks of the first `edge_masks` elements are replaced by extreme ones: even i gets
// xhat = i / 2 (x + r wraps around 2^n whenever x > i / 2), odd i gets xhat = 2^n - 1 - i / 2.
inline void set_edge_masks(const Ring& ring, const std::vector<u64>& x, std::size_t edge_masks,
                           std::vector<u64>& r_in) {
  for (std::size_t i = 0; i < edge_masks && i < x.size(); ++i) {
    const u64 target = (i % 2 == 0) ? u64(i / 2) : ring.sub(ring.mask(), u64(i / 2));
    r_in[i] = ring.sub(target, ring.reduce(x[i]));
  }
}

// Keygen with fresh input masks (the first `edge_masks` made extreme, see set_edge_masks), the test
// plays the input owner (xhat = x + r_in), eval, unmask.
inline UnaryRun run_unary(const UnaryGate& g, const TwoPartyOptions& opt, const GateArgs& args,
                          const std::vector<u64>& x, std::size_t edge_masks = 0) {
  const Ring ring = opt.ring;
  auto res = engine::run_two_party<std::vector<u64>>(opt, [&](engine::PartyContext& c) {
    const std::size_t n = x.size();
    std::vector<u64> r_in = c.dealer().random(n), r_out(n), xhat(n), yhat(n);
    set_edge_masks(ring, x, edge_masks, r_in);
    c.offline([&] { g.keygen(c.dealer(), args, r_in, r_out); });
    for (std::size_t i = 0; i < n; ++i) xhat[i] = ring.add(ring.reduce(x[i]), r_in[i]);
    c.online([&] { g.eval(c.party(), args, xhat, yhat); });
    std::vector<u64> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = ring.sub(yhat[i], r_out[i]);
    return y;
  });
  UnaryRun out;
  for (int b = 0; b < 2; ++b) {
    out.y[b] = std::move(res[b].value);
    out.comm[b] = engine::comm_counts(res[b].log);
  }
  return out;
}

// A composite function over Ops, run as DealerOps (offline) then PartyOps (online) in both
// parties; inputs are secret tensors with fresh masks (the first `edge_masks` elements of the first
// input get extreme masks). Returns the unmasked outputs and the counters.
using OpsFn = std::function<Tensor(engine::Ops&, const std::vector<Tensor>&)>;

// Runs `g` on x with `runs` fresh dealer seeds (fresh masks, fresh keys; every other run with
// extreme input masks) and counts the runs whose key bytes, bytes sent, messages or rounds differ
// from the first run's, for either party: 0 when no size depends on a mask.
inline std::size_t size_changes_over_masks(const UnaryGate& g, int n, int f,
                                           const std::vector<u64>& x, std::mt19937_64& rng,
                                           int runs = 1000) {
  std::optional<CommCounts> first[2];
  std::size_t differ = 0;
  for (int i = 0; i < runs; ++i) {
    const auto run = run_unary(g, options(n, f, rng()), GateArgs{}, x, i % 2 == 0 ? x.size() : 0);
    for (int b = 0; b < 2; ++b) {
      const CommCounts& c = run.comm[b];
      if (!first[b]) first[b] = c;
      differ += c.key_bytes != first[b]->key_bytes || c.bytes_sent != first[b]->bytes_sent ||
                c.messages != first[b]->messages || c.rounds != first[b]->rounds;
    }
  }
  return differ;
}

inline UnaryRun run_ops(const TwoPartyOptions& opt, const std::vector<Tensor>& inputs,
                        const OpsFn& fn, std::size_t edge_masks = 0) {
  const Ring ring = opt.ring;
  auto res = engine::run_two_party<std::vector<u64>>(opt, [&](engine::PartyContext& c) {
    std::vector<Tensor> masks, hats;
    for (std::size_t t = 0; t < inputs.size(); ++t) {
      Tensor m{inputs[t].shape, c.dealer().random(inputs[t].size())};
      if (t == 0) set_edge_masks(ring, inputs[t].data, edge_masks, m.data.mut());
      Tensor h{inputs[t].shape, std::vector<u64>(inputs[t].size())};
      for (std::size_t i = 0; i < h.size(); ++i)
        h.data[i] = ring.add(ring.reduce(inputs[t].data[i]), m.data[i]);
      masks.push_back(std::move(m));
      hats.push_back(std::move(h));
    }
    engine::DealerOps dops(c.dealer(), suite(), c.id() < 0 ? 0 : c.id());
    Tensor mout;
    c.offline([&] { mout = fn(dops, masks); });
    engine::PartyOps pops(c.party(), suite());
    Tensor yhat;
    c.online([&] { yhat = fn(pops, hats); });
    std::vector<u64> y(yhat.size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = ring.sub(yhat.data[i], mout.data[i]);
    return y;
  });
  UnaryRun out;
  for (int b = 0; b < 2; ++b) {
    out.y[b] = std::move(res[b].value);
    out.comm[b] = engine::comm_counts(res[b].log);
    out.log[b] = std::move(res[b].log);
  }
  return out;
}

inline std::vector<u64> run_ops_clear(int n, int f, const std::vector<Tensor>& inputs,
                                      const OpsFn& fn) {
  engine::ClearOps cops(make_ring(n), f, suite());
  return fn(cops, inputs).data;
}

inline std::vector<u64> run_clear(const UnaryGate& g, int n, int f, const GateArgs& args,
                                  const std::vector<u64>& x) {
  std::vector<u64> y(x.size());
  g.clear(ClearCtx{make_ring(n), f}, args, x, y);
  return y;
}

// Counts the mismatches and reports the first few (index, input, secure, clear).
inline std::size_t mismatches(const std::vector<u64>& x, const std::vector<u64>& got,
                              const std::vector<u64>& want, const char* what) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      if (bad < 5)
        std::fprintf(stderr, "%s mismatch at %zu: x=%llu secure=%llu clear=%llu\n", what, i,
                     static_cast<unsigned long long>(x[i % x.size()]),
                     static_cast<unsigned long long>(got[i]),
                     static_cast<unsigned long long>(want[i]));
      ++bad;
    }
  }
  return bad;
}

// Runs `g` on x twice from the dealer seed `dseed` (16 extreme input masks), the keys once through
// files in a fresh temporary folder (KeyMode::kFile, as a separate dealer writes them) and once
// inline, and counts the outputs where the file run differs from the inline one (either party)
// or from the cleartext reference: 0 when the key file carries everything the gate reads.
inline std::size_t file_mode_differences(const UnaryGate& g, int n, int f,
                                         const std::vector<u64>& x, std::uint64_t dseed,
                                         const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("secinfer_" + name + "_keys_" + std::to_string(dseed));
  std::filesystem::create_directories(dir);
  const auto file =
      run_unary(g, options(n, f, dseed, KeyMode::kFile, dir.string()), GateArgs{}, x, 16);
  const auto mem = run_unary(g, options(n, f, dseed), GateArgs{}, x, 16);
  std::filesystem::remove_all(dir);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    differ += file.y[0][i] != mem.y[0][i] || file.y[1][i] != mem.y[0][i];
  return differ +
         mismatches(x, file.y[0], run_clear(g, n, f, GateArgs{}, x), (name + "/file").c_str());
}

// Signed fixed-point helpers.
inline u64 enc(const Ring& r, std::int64_t v) {
  return r.from_signed(v);
}
inline double dec(const Ring& r, u64 v, int f) {
  return std::ldexp(static_cast<double>(r.to_signed(r.reduce(v))), -f);
}

// Uniform signed integers in [lo, hi] encoded in the ring.
inline std::vector<u64> uniform(const Ring& r, std::mt19937_64& g, std::size_t n, std::int64_t lo,
                                std::int64_t hi) {
  std::uniform_int_distribution<std::int64_t> d(lo, hi);
  std::vector<u64> v(n);
  for (auto& e : v) e = r.from_signed(d(g));
  return v;
}

}  // namespace secinfer::fss::sigma::test
