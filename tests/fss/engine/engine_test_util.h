// Helpers for the engine and SIGMA gate tests: random inputs with edges, and running a gate's
// keygen / eval faces as two parties over loopback (fss/engine/two_party_runner.h).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"
#include "fss/engine/two_party_runner.h"
#include "fss/ring.h"

namespace secinfer::fss::engine::test {

// Bytes one opening of `count` elements of `bits` bits puts on the wire per party: the packed
// payload plus the channel's 8-byte frame header (net::kFrameHeaderBytes).
inline std::uint64_t open_bytes(std::size_t count, int bits) {
  return packed_bytes(count, bits) + 8;
}
inline std::uint64_t packed(std::size_t count, int bits) {
  return packed_bytes(count, bits);
}

// `count` test values of Z_{2^n}: first the edges 0, 1, -1, 2, -2, the most positive and most
// negative values (and their neighbours) that lie in [lo, hi] (signed), then uniform values in
// [lo, hi]. lo/hi default to the whole ring.
inline std::vector<u64> test_values(Ring ring, std::size_t count, std::uint64_t seed, i64 lo = 0,
                                    i64 hi = 0) {
  if (lo == 0 && hi == 0) {
    lo = ring.to_signed(u64{1} << (ring.bits - 1));
    hi = -(lo + 1);
  }
  std::vector<u64> v;
  const i64 edges[] = {0, 1, -1, 2, -2, hi, hi - 1, lo, lo + 1, hi / 2, lo / 2};
  for (i64 e : edges)
    if (e >= lo && e <= hi && v.size() < count) v.push_back(ring.from_signed(e));
  std::mt19937_64 g(seed);
  std::uniform_int_distribution<i64> dist(lo, hi);
  while (v.size() < count) v.push_back(ring.from_signed(dist(g)));
  return v;
}

inline std::vector<u64> unmask(Ring ring, std::span<const u64> yhat, std::span<const u64> r) {
  std::vector<u64> y(yhat.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = ring.sub(yhat[i], r[i]);
  return y;
}

// One gate run as both parties: the opened outputs unmasked, each party's online counters, and
// its key bytes (Dealer::key_bytes of its own key).
struct GateRun {
  std::vector<u64> y[2];
  CommCounts comm[2];
  std::uint64_t key_bytes[2] = {0, 0};
  // Elements of input 0 whose masked value wrapped around (x + r >= 2^in_bits, unsigned), and
  // those that did not: a test over random masks sees both (the wrap edge of every gate).
  std::size_t wraps = 0, no_wraps = 0;
};

// Runs a gate with `inputs.size()` masked inputs: masks are drawn by the dealer (fresh, uniform
// over in_bits), keygen(dealer, masks, r_out), eval(party, masked inputs, yhat); the outputs are
// unmasked in Z_{2^out_bits}.
using KeygenFn =
    std::function<void(Dealer&, const std::vector<std::vector<u64>>& r_in, std::span<u64> r_out)>;
using EvalFn =
    std::function<void(Party&, const std::vector<std::vector<u64>>& xhat, std::span<u64> yhat)>;

inline GateRun run_gate(const TwoPartyOptions& opt, const std::vector<std::vector<u64>>& inputs,
                        std::vector<int> in_bits, std::size_t out_count, int out_bits,
                        const KeygenFn& keygen, const EvalFn& eval) {
  GateRun res;
  auto runs = run_two_party_raw(opt, [&](PartyContext& c) {
    std::vector<std::vector<u64>> r(inputs.size()), xhat(inputs.size());
    std::vector<u64> r_out(out_count), yhat(out_count);
    for (std::size_t k = 0; k < inputs.size(); ++k)
      r[k] = c.dealer().random(inputs[k].size(), in_bits[k]);
    std::uint64_t before = 0;
    c.offline([&] {
      before = c.id() >= 0 ? c.dealer().key_bytes(c.id()) : 0;
      keygen(c.dealer(), r, r_out);
    });
    if (c.dealer_pass()) return;
    if (c.id() == 0 && !inputs.empty()) {
      for (std::size_t i = 0; i < inputs[0].size(); ++i) {
        const u64 m = ring_mask(in_bits[0]);
        ((inputs[0][i] & m) + r[0][i] > m ? res.wraps : res.no_wraps)++;
      }
    }
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      xhat[k].resize(inputs[k].size());
      for (std::size_t i = 0; i < inputs[k].size(); ++i)
        xhat[k][i] = (inputs[k][i] + r[k][i]) & ring_mask(in_bits[k]);
    }
    c.online([&] { eval(c.party(), xhat, yhat); });
    const int b = c.id();
    res.key_bytes[b] = c.dealer().key_bytes(b) - before;
    res.y[b].resize(out_count);
    for (std::size_t i = 0; i < out_count; ++i)
      res.y[b][i] = (yhat[i] - r_out[i]) & ring_mask(out_bits);
  });
  for (int b = 0; b < 2; ++b) res.comm[b] = comm_counts(runs[b].log);
  return res;
}

inline TwoPartyOptions options(int bits, std::uint64_t seed = 1) {
  TwoPartyOptions o;
  o.ring = make_ring(bits);
  o.frac_bits = 12;
  o.dealer_seed = Block{seed * 0x9E3779B97F4A7C15ull + 7, seed ^ 0xabcdef};
  return o;
}

}  // namespace secinfer::fss::engine::test
