// Padding (docs/design/product-spec.md "Padding", docs/design/fusefss-design.md "Compiling one gate
// instance"). The requirement: for >= 1000 random masks, with padding on, every fused gate's key
// size and every message size are identical; with padding off they differ for some masks.
//
// * Per-cut lookup (LookupMode::kPerCut, --lookup per-cut): the lookup's shape depends on the
//   mask unless padded. With padding on every gate's key size per instance is the same for >= 1000
//   masks; with padding off it differs for some masks (those with r = -a_j, where no interval
//   wraps and the instance has one threshold less: probability m / 2^n per uniform mask, so the
//   test includes them among the masks), which is the leak padding removes. This is the half of
//   the requirement that can only be shown with the per-cut lookup.
// * Shared-mask lookup (LookupMode::kSharedMask, the default): one DCF key per element whose shape
//   never depends on the mask, so the key size per instance is the same for every mask under BOTH
//   padding settings (padding has nothing to pad). rsqrt (H > n) keeps the per-cut lookup under
//   the default suite, so for it the per-cut half above applies.
//
// Message sizes: the two openings carry N elements of H and n bits whatever the masks (checked for
// both padding settings and both lookups on a batch of 1000 instances with the same masks, and for
// the default lookup on a second batch of other masks).
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "fss/gates/fusefss/fusefss_test_util.h"
#include "fss/gates/fusefss/suf_gate.h"
#include "fss/gates/fusefss/suite.h"

namespace secinfer::fss::fusefss::test {
namespace {

// Key bytes of each instance (one element per keygen call) for the given masks.
std::vector<std::uint64_t> per_instance_key_bytes(const SufGate& g, compile::Padding pad,
                                                  compile::LookupMode mode,
                                                  const std::vector<u64>& masks) {
  engine::KeyWriter w0 = engine::KeyWriter::discard(), w1 = engine::KeyWriter::discard();
  engine::Dealer d(make_ring(g.n), 12, Block{fresh_seed(), 3}, w0, w1);
  std::vector<std::uint64_t> out;
  for (u64 r : masks) {
    const std::uint64_t before = d.key_bytes(0);
    std::vector<u64> r_in{r}, r_out(1);
    suf_keygen(d, g, pad, engine::key_tag("TEST"), r_in, r_out, mode);
    out.push_back(d.key_bytes(0) - before);
  }
  return out;
}

std::vector<u64> masks_for(const SufGate& g, std::size_t count, std::uint64_t seed) {
  std::vector<u64> zeros(count, 0);
  return edge_masks(g, zeros, seed);  // -a_j for every cut, 0, then uniform
}

const FunctionId kAll[] = {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                           FunctionId::kInverse, FunctionId::kRsqrt};

}  // namespace

TEST_CASE(
    "per-cut lookup: padding on makes the key size per instance mask independent; off does "
    "not",
    "[fusefss][padding]") {
  const Gates gates = new_gates();
  for (int n : {50, 37}) {
    for (FunctionId id : kAll) {
      const SufGate& g = gates->get(params(id, n));
      const std::size_t count = id == FunctionId::kRsqrt ? 1000 : 1200;
      const std::vector<u64> masks = masks_for(g, count, fresh_seed());
      INFO(g.name << " n=" << n << " " << compile::describe(g));
      const auto on =
          per_instance_key_bytes(g, compile::Padding::kOn, compile::LookupMode::kPerCut, masks);
      const auto off =
          per_instance_key_bytes(g, compile::Padding::kOff, compile::LookupMode::kPerCut, masks);
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

TEST_CASE("shared-mask lookup: the key size per instance is mask independent, padding on and off",
          "[fusefss][padding]") {
  const Gates gates = new_gates();
  for (int n : {50, 37}) {
    for (FunctionId id : kAll) {
      const SufGate& g = gates->get(params(id, n));
      if (!compile::supports_shared_mask(g)) {
        // rsqrt: the default lookup is per-cut, whose padded shape the test above covers.
        CHECK(compile::default_lookup(g) == compile::LookupMode::kPerCut);
        continue;
      }
      const std::vector<u64> masks = masks_for(g, 1200, fresh_seed());
      INFO(g.name << " n=" << n << " " << compile::describe(g));
      std::set<std::uint64_t> sizes;
      for (auto pad : {compile::Padding::kOn, compile::Padding::kOff}) {
        const auto k = per_instance_key_bytes(g, pad, compile::LookupMode::kSharedMask, masks);
        sizes.insert(k.begin(), k.end());
      }
      CHECK(sizes.size() == 1);  // one size for every mask, whatever the padding setting
      // And well below the padded per-cut instance.
      const auto per_cut = per_instance_key_bytes(g, compile::Padding::kOn,
                                                  compile::LookupMode::kPerCut, {masks[0]});
      CHECK(*sizes.begin() < per_cut[0]);
    }
  }
}

TEST_CASE("message sizes depend on N only: padding on and off, both lookups",
          "[fusefss][padding]") {
  const Gates gates = new_gates();
  const FunctionParams p = params(FunctionId::kGelu, 50);
  const SufGate& g = gates->get(p);
  const std::uint64_t seed = fresh_seed();
  std::vector<u64> x = edge_and_random_inputs(g, 1000, seed, -6 << 12, 6 << 12);
  x.resize(1000);
  std::vector<u64> want(x.size());
  compile::eval_clear(g, x, want);
  const std::uint64_t expect = packed_bytes(1000, g.poly_bits) + packed_bytes(1000, 50) + 16;
  std::map<std::tuple<bool, bool, int>, std::uint64_t> sent;
  for (auto mode : {compile::LookupMode::kSharedMask, compile::LookupMode::kPerCut})
    for (auto pad : {compile::Padding::kOn, compile::Padding::kOff})
      for (int batch = 0; batch < 2; ++batch) {
        // Batch 0: the edge masks (r = -a_j, 0, wrapping x^) then uniform ones; batch 1 (the
        // default lookup only, to keep the test short): uniform masks only.
        if (batch == 1 && mode == compile::LookupMode::kPerCut) continue;
        std::vector<u64> masks = masks_for(g, 1000, seed + 1);
        if (batch == 1) {
          std::mt19937_64 gen(seed + 2);
          for (auto& r : masks) r = gen() & ring_mask(50);
        }
        INFO(lookup_name(mode) << " padding " << (pad == compile::Padding::kOn ? "on" : "off")
                               << " batch " << batch);
        const FusedRun run =
            run_fused(gates, suite(pad, mode).gelu, args_for(p, pad, mode), 50, seed, x, masks);
        CHECK(run.y[0] == want);
        CHECK(run.comm[0].bytes_sent == run.comm[1].bytes_sent);
        CHECK(run.comm[0].bytes_sent == expect);
        sent[{mode == compile::LookupMode::kSharedMask, pad == compile::Padding::kOn, batch}] =
            run.comm[0].bytes_sent;
      }
  CHECK(sent.size() == 6);
}

}  // namespace secinfer::fss::fusefss::test
