// Padding (SPEC section 1, FUSEFSS.md "Compiling one gate instance"): with padding on, every fused
// gate's key size per instance and every message size are the same for >= 1000 masks; with
// padding off the key size differs for some masks (those with r = -a_j, where no interval wraps
// and the instance has one threshold less: probability m / 2^n per uniform mask, so the test
// includes them among the masks), which is the leak padding removes.
//
// Message sizes: the two openings carry N elements of H and n bits whatever the masks (checked for
// both padding modes on a batch of 1000 instances with the same masks).
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "fss/gates/fusefss/suf_gate.h"
#include "fss/gates/fusefss/suite.h"
#include "fusefss_test_util.h"

namespace secinfer::fss::fusefss::test {
namespace {

// Key bytes of each instance (one element per keygen call) for the given masks.
std::vector<std::uint64_t> per_instance_key_bytes(const SufGate& g, compile::Padding pad,
                                                  const std::vector<u64>& masks) {
  engine::KeyWriter w0 = engine::KeyWriter::discard(), w1 = engine::KeyWriter::discard();
  engine::Dealer d(make_ring(g.n), 12, Block{fresh_seed(), 3}, w0, w1);
  std::vector<std::uint64_t> out;
  for (u64 r : masks) {
    const std::uint64_t before = d.key_bytes(0);
    std::vector<u64> r_in{r}, r_out(1);
    suf_keygen(d, g, pad, engine::key_tag("TEST"), r_in, r_out);
    out.push_back(d.key_bytes(0) - before);
  }
  return out;
}

std::vector<u64> masks_for(const SufGate& g, std::size_t count, std::uint64_t seed) {
  std::vector<u64> zeros(count, 0);
  return edge_masks(g, zeros, seed);  // -a_j for every cut, 0, then uniform
}

}  // namespace

TEST_CASE("padding on: key size per instance is mask independent; off: it is not",
          "[fusefss][padding]") {
  for (int n : {50, 37}) {
    for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                          FunctionId::kInverse, FunctionId::kRsqrt}) {
      const SufGate& g = compile::compiled_gate(params(id, n));
      const std::size_t count = id == FunctionId::kRsqrt ? 1000 : 1200;
      const std::vector<u64> masks = masks_for(g, count, fresh_seed());
      INFO(g.name << " n=" << n << " " << compile::describe(g));
      const auto on = per_instance_key_bytes(g, compile::Padding::kOn, masks);
      const auto off = per_instance_key_bytes(g, compile::Padding::kOff, masks);
      const std::set<std::uint64_t> on_sizes(on.begin(), on.end());
      const std::set<std::uint64_t> off_sizes(off.begin(), off.end());
      CHECK(on_sizes.size() == 1);
      CHECK(off_sizes.size() >= 2);
      // The sizes under padding off tell the no-wrap masks apart: exactly the r = -a_j ones.
      const Ring ring{n};
      std::set<u64> no_wrap;
      for (u64 c : g.cuts) no_wrap.insert(ring.neg(c));
      std::size_t smaller = 0, expected = 0;
      for (std::size_t i = 0; i < masks.size(); ++i) {
        smaller += off[i] < *off_sizes.rbegin();
        expected += no_wrap.count(masks[i]);
      }
      CHECK(smaller == expected);
      CHECK(expected >= g.intervals());
      // Without padding the largest key is at most the padded one plus the clear counts
      // (2 x 16 bits per element); merged atoms make it smaller.
      CHECK(*off_sizes.rbegin() <= *on_sizes.begin() + 4);
    }
  }
}

TEST_CASE("message sizes depend on N only, padding on and off", "[fusefss][padding]") {
  const FunctionParams p = params(FunctionId::kGelu, 50);
  const SufGate& g = compile::compiled_gate(p);
  const std::uint64_t seed = fresh_seed();
  const std::vector<u64> masks = masks_for(g, 1000, seed);
  std::vector<u64> x = edge_and_random_inputs(g, 1000, seed, -6 << 12, 6 << 12);
  x.resize(1000);
  std::vector<u64> want(x.size());
  compile::eval_clear(g, x, want);
  std::map<int, std::uint64_t> sent;
  for (auto pad : {compile::Padding::kOn, compile::Padding::kOff}) {
    const FusedRun run = run_fused(suite(pad).gelu, args_for(p, pad), 50, seed, x, masks);
    CHECK(run.y[0] == want);
    CHECK(run.comm[0].bytes_sent == run.comm[1].bytes_sent);
    sent[pad == compile::Padding::kOn] = run.comm[0].bytes_sent;
  }
  CHECK(sent[0] == sent[1]);
  CHECK(sent[1] == packed_bytes(1000, g.poly_bits) + packed_bytes(1000, 50) + 16);
}

}  // namespace secinfer::fss::fusefss::test
