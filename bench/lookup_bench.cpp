// The fused truncation + activation gates' lookups (fss/gates/fusefss/trunc_act.h) on the CPU:
// SIGMA's LUT sums over early-terminated DPF keys, the leaves that read zero left out, at SIGMA's
// 128-bit leaves and the fused suite's 512-bit ones (docs/design/fused-trunc-act.md "Wider
// leaves"). One thread, 2^16 keys of fresh masks at fresh public indices; items/s = keys/s.
// Every benchmark first checks the two leaf widths' sums against each other's differences
// (party 0 minus party 1, the value the protocol reconstructs) and fails if they differ.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "fss/dpf_et.h"
#include "fss/gates/fusefss/trunc_act.h"
#include "fss/lut_support.h"

using namespace secinfer::fss;

namespace {

constexpr std::size_t kKeys = std::size_t{1} << 16;
constexpr int kRing = 50, kFrac = 12;

struct Setting {
  fusefss::FusedLookup lookup;
  std::vector<u64> xhat;
  std::pair<DpfEtKeys, DpfEtKeys> keys;
};

// Keys of one leaf width for the gate's table (0: GELU, 1: SiLU), the same alphas and indices for
// every width (fixed seeds).
Setting make_setting(int gate, bool sigma_leaf) {
  Setting s{gate == 0 ? fusefss::trunc_gelu_lookup(kRing, kFrac, false, sigma_leaf)
                      : fusefss::trunc_silu_lookup(kRing, kFrac, false, sigma_leaf),
            {},
            {}};
  const int k = s.lookup.k;
  std::mt19937_64 g(1);
  std::vector<u64> alpha(kKeys);
  s.xhat.resize(kKeys);
  for (std::size_t i = 0; i < kKeys; ++i) {
    alpha[i] = g() & ring_mask(k);
    s.xhat[i] = g() & ring_mask(k);
  }
  SeededPrg rng(Block{3, 4});
  s.keys = dpf_et_gen(k, alpha, rng, {}, s.lookup.leaf_log2);
  return s;
}

// Party 0's sums minus party 1's, the reconstructed +-T'' entries.
std::vector<u64> differences(const Setting& s, const BatchOptions& opt) {
  std::vector<u64> s0(kKeys), c0(kKeys), s1(kKeys), c1(kKeys), d(kKeys);
  const u64 mask = s.lookup.xor_mask | kLutSkipZeros;
  dpf_et_lut_eval(s.keys.first, s.xhat, s.lookup.table, kRing, s0, c0, opt, mask);
  dpf_et_lut_eval(s.keys.second, s.xhat, s.lookup.table, kRing, s1, c1, opt, mask);
  for (std::size_t i = 0; i < kKeys; ++i) d[i] = (s0[i] - s1[i]) & ring_mask(kRing);
  return d;
}

// Args: gate (0 GELU, 1 SiLU), leaf_log2 (0 SIGMA's 128-bit leaves, 2 the fused suite's).
void BM_FusedLookup(benchmark::State& state) {
  const int gate = static_cast<int>(state.range(0));
  const bool sigma_leaf = state.range(1) == 0;
  BatchOptions one;
  one.threads = 1;
  const Setting s = make_setting(gate, sigma_leaf);
  // The other width's keys share the alphas, so the reconstructed entries must agree (the sign
  // of each pair aside: compare up to negation).
  const Setting other = make_setting(gate, !sigma_leaf);
  const std::vector<u64> a = differences(s, one), b = differences(other, one);
  for (std::size_t i = 0; i < kKeys; ++i)
    if (a[i] != b[i] && a[i] != ((u64{0} - b[i]) & ring_mask(kRing))) {
      state.SkipWithError("the two leaf widths' lookups differ");
      return;
    }
  std::vector<u64> sum(kKeys), count(kKeys);
  const u64 mask = s.lookup.xor_mask | kLutSkipZeros;
  for (auto _ : state) {
    dpf_et_lut_eval(s.keys.first, s.xhat, s.lookup.table, kRing, sum, count, one, mask);
    benchmark::DoNotOptimize(sum.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kKeys));
  state.SetLabel(std::string(gate == 0 ? "trunc-gelu" : "trunc-silu") +
                 ", k=" + std::to_string(s.lookup.k) + ", leaves of " +
                 std::to_string(128 << s.lookup.leaf_log2) + " bits");
}
BENCHMARK(BM_FusedLookup)->ArgsProduct({{0, 1}, {0, 2}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
