// The fused suite's per-element compilation by the dealer (fss/compile/instance.h): one gate
// instance from one element's fresh masks, for the gates whose dealers compile instances (the
// per-cut lookup: rsqrt at BERT-base's row length, 216 intervals; the inverse at seq 128). One
// thread; items/s = instances.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "fss/compile/functions.h"
#include "fss/compile/instance.h"

using namespace secinfer::fss;
using namespace secinfer::fss::compile;

namespace {

constexpr int kRing = 50, kFrac = 12;

void BM_CompileInstance(benchmark::State& state) {
  FunctionParams p;
  p.id = state.range(0) == 0 ? FunctionId::kRsqrt : FunctionId::kInverse;
  p.n = kRing;
  p.frac_bits = kFrac;
  p.cols = p.id == FunctionId::kRsqrt ? 768 : 128;
  const SufGate g = compile_function(p);
  std::mt19937_64 rng(1);
  std::size_t thresholds = 0;
  for (auto _ : state) {
    const InstanceKey k =
        compile_instance(g, rng() & ring_mask(kRing), rng() & ring_mask(g.poly_bits), Padding::kOn,
                         rng() & ring_mask(kRing));
    thresholds += k.lookup_alpha.size();
    benchmark::DoNotOptimize(k.lookup_beta.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(function_name(p.id)) + ", " + std::to_string(g.intervals()) +
                 " intervals, L = " + std::to_string(g.payload_len()));
  benchmark::DoNotOptimize(thresholds);
}
BENCHMARK(BM_CompileInstance)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
