// Engine micro-benchmarks: the ring matrix product of SIGMA's linear layers (ring_matmul.h) on
// BERT's shapes, per kernel and thread count, against the plain i-k-j loop the engine used
// before (kernel "naive"). Items/s = u64 multiply-adds (MACs) per second; GMAC/s is the counter
// "gmacs". Every benchmark first checks its kernel against the naive loop on its own shape
// (bit for bit) and fails if they differ. Results: docs/perf.md "End to end on the CPU".
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "fss/gates/sigma/ring_matmul.h"
#include "fss/parallel.h"

using namespace secinfer::fss;
using sigma::detail::MatmulKernel;

namespace {

std::vector<u64> random_vec(std::size_t n, int bits, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<u64> v(n);
  for (auto& x : v) x = g() & ring_mask(bits);
  return v;
}

struct Shape {
  const char* name;
  std::size_t batches, m, k, n;
  bool transpose_b, shared_b;
};

// bert-base seq 128: the four projections (shared weights) and the two attention products
// (12 heads). bert-tiny's are the same with hidden 128.
const Shape kShapes[] = {
    {"qkv 128x768x2304", 1, 128, 768, 2304, false, true},
    {"up 128x768x3072", 1, 128, 768, 3072, false, true},
    {"down 128x3072x768", 1, 128, 3072, 768, false, true},
    {"out 128x768x768", 1, 128, 768, 768, false, true},
    {"QK^T 12x128x64x128", 12, 128, 64, 128, true, false},
    {"PV 12x128x128x64", 12, 128, 128, 64, false, false},
};

// The engine's previous kernel (i-k-j with a row accumulator; j-inner dot products when B is
// transposed), one thread: the "before" of docs/perf.md and the reference of every check.
void naive(const Shape& s, int bits, std::span<const u64> a, std::span<const u64> b,
           std::span<u64> c) {
  const u64 mask = ring_mask(bits);
  std::vector<u64> row(s.n);
  for (std::size_t bt = 0; bt < s.batches; ++bt) {
    const u64* ab = a.data() + bt * s.m * s.k;
    const u64* bb = b.data() + (s.shared_b ? 0 : bt * s.k * s.n);
    for (std::size_t i = 0; i < s.m; ++i) {
      std::fill(row.begin(), row.end(), 0);
      const u64* ai = ab + i * s.k;
      if (s.transpose_b) {
        for (std::size_t j = 0; j < s.n; ++j) {
          u64 acc = 0;
          for (std::size_t t = 0; t < s.k; ++t) acc += ai[t] * bb[j * s.k + t];
          row[j] = acc;
        }
      } else {
        for (std::size_t t = 0; t < s.k; ++t)
          for (std::size_t j = 0; j < s.n; ++j) row[j] += ai[t] * bb[t * s.n + j];
      }
      for (std::size_t j = 0; j < s.n; ++j) c[(bt * s.m + i) * s.n + j] = row[j] & mask;
    }
  }
}

// Args: shape index, kernel (-1 = naive, else MatmulKernel), threads, ring bits.
void BM_RingMatmul(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  const int kernel = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const int bits = static_cast<int>(state.range(3));
  const auto a = random_vec(s.batches * s.m * s.k, bits, 1);
  const auto b = random_vec((s.shared_b ? 1 : s.batches) * s.k * s.n, bits, 2);
  std::vector<u64> c(s.batches * s.m * s.n), ref(c.size());
  sigma::detail::RingMatmulArgs g;
  g.bits = bits;
  g.batches = s.batches;
  g.m = s.m;
  g.k = s.k;
  g.n = s.n;
  g.transpose_b = s.transpose_b;
  g.shared_b = s.shared_b;
  g.threads = threads;
  g.kernel = static_cast<MatmulKernel>(kernel < 0 ? 0 : kernel);
  std::string label = std::string(s.name) + " " +
                      (kernel < 0 ? "naive" : sigma::detail::matmul_kernel_name(g.kernel)) +
                      " threads:" + std::to_string(threads) + " bits:" + std::to_string(bits);
  if (kernel >= 0) {
    if (!sigma::detail::matmul_kernel_available(g.kernel, bits)) {
      state.SkipWithError((label + ": kernel not available on this CPU").c_str());
      return;
    }
    naive(s, bits, a, b, ref);
    sigma::detail::ring_matmul_batched(g, a, b, c);
    if (c != ref) {
      state.SkipWithError((label + ": result differs from the naive loop").c_str());
      return;
    }
  }
  for (auto _ : state) {
    if (kernel < 0) {
      naive(s, bits, a, b, c);
    } else {
      sigma::detail::ring_matmul_batched(g, a, b, c);
    }
    benchmark::DoNotOptimize(c.data());
  }
  const double macs = static_cast<double>(s.batches * s.m * s.k * s.n);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * macs));
  state.counters["gmacs"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * macs * 1e-9, benchmark::Counter::kIsRate);
  state.SetLabel(label);
}

void matmul_args(benchmark::internal::Benchmark* b) {
  const int kNaive = -1, kScalar = static_cast<int>(MatmulKernel::kScalar),
            kAvx = static_cast<int>(MatmulKernel::kAvx512),
            kIfma = static_cast<int>(MatmulKernel::kIfma);
  for (int shape = 0; shape < static_cast<int>(std::size(kShapes)); ++shape) {
    b->Args({shape, kNaive, 1, 50});
    for (int k : {kScalar, kAvx, kIfma})
      for (int t : {1, 2}) b->Args({shape, k, t, 50});
  }
  // A 64-bit ring (no IFMA): the kernels the tests' 64-bit rings run.
  for (int k : {kNaive, kScalar, kAvx}) b->Args({1, k, 1, 64});
}
BENCHMARK(BM_RingMatmul)->Apply(matmul_args)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
