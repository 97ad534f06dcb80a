// FSS core micro-benchmarks: AES (both paths), fixed-key MMO, DPF / DCF keygen and eval,
// full-domain DPF, SIGMA's LUT, the openings' bit packing and a thread pool's fork-join.
// Single-threaded, rates per CPU second, except the *Wall variants (thread scaling, wall-clock
// rates). Items/s = AES blocks, keys, evaluations, domain points or lookups as the label says.
// Results: docs/perf.md "FSS core (CPU)".
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <span>
#include <vector>

#include "fss/bit_pack_blocks.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/prg.h"
#include "fss/ring.h"
#include "fss/thread_pool.h"

using namespace secinfer::fss;

namespace {

constexpr std::size_t kBatch = 4096;  // keys per call: what a gate evaluates at once

std::vector<u64> random_vec(std::size_t n, int bits, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<u64> v(n);
  for (auto& x : v) x = g() & ring_mask(bits);
  return v;
}

AesImpl impl_arg(std::int64_t v) {
  return v == 0 ? AesImpl::kAesNi : AesImpl::kPortable;
}

void BM_Aes(benchmark::State& state) {
  const AesImpl impl = impl_arg(state.range(0));
  if (impl == AesImpl::kAesNi && !cpu_has_aesni()) {
    state.SkipWithError("no AES-NI");
    return;
  }
  const Aes128 aes(Block{1, 2}, impl);
  std::vector<Block> buf(1024);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = Block{i, 0};
  for (auto _ : state) {
    aes.encrypt_blocks(buf, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * buf.size()));
  state.SetLabel(impl == AesImpl::kAesNi ? "AES-NI blocks" : "portable blocks");
}
BENCHMARK(BM_Aes)->Arg(0)->Arg(1);

// G_j with one key per block (the DPF / DCF eval path).
void BM_MmoMulti(benchmark::State& state) {
  const AesImpl impl = impl_arg(state.range(0));
  const FixedKeyPrg& prg = fixed_key_prg(impl);
  std::vector<Block> buf(1024);
  std::vector<std::uint8_t> j(buf.size());
  for (std::size_t i = 0; i < buf.size(); ++i) {
    buf[i] = Block{i, 0};
    j[i] = static_cast<std::uint8_t>(i % 2);
  }
  for (auto _ : state) {
    prg.g_multi(j, buf, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * buf.size()));
  state.SetLabel(impl == AesImpl::kAesNi ? "AES-NI blocks" : "portable blocks");
}
BENCHMARK(BM_MmoMulti)->Arg(0)->Arg(1);

void BM_DpfGen(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto alpha = random_vec(kBatch, n, 1), beta = random_vec(kBatch, n, 2);
  SeededPrg rng(Block{3, 4});
  for (auto _ : state) {
    auto keys = dpf_gen({n, n}, alpha, beta, rng, {AesImpl::kAuto, 1});
    benchmark::DoNotOptimize(keys.first.cw_out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.SetLabel("keys (pairs)");
}
BENCHMARK(BM_DpfGen)->Arg(16)->Arg(37)->Arg(50)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_DpfEval(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto alpha = random_vec(kBatch, n, 1), beta = random_vec(kBatch, n, 2);
  const auto x = random_vec(kBatch, n, 5);
  SeededPrg rng(Block{3, 4});
  const auto keys = dpf_gen({n, n}, alpha, beta, rng);
  std::vector<u64> y(kBatch);
  for (auto _ : state) {
    dpf_eval(keys.first, x, y, {AesImpl::kAuto, threads});
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.SetLabel("evals");
}
BENCHMARK(BM_DpfEval)
    ->ArgsProduct({{16, 37, 50, 64}, {1}})
    ->ArgNames({"n", "threads"})
    ->Unit(benchmark::kMicrosecond);
// Thread scaling: wall-clock rates (CPU time would count the calling thread only).
void BM_DpfEvalWall(benchmark::State& state) {
  BM_DpfEval(state);
}
BENCHMARK(BM_DpfEvalWall)
    ->Args({64, 1})
    ->Args({64, 2})
    ->ArgNames({"n", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_DcfGen(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto alpha = random_vec(kBatch, n, 1), beta = random_vec(kBatch, n, 2);
  SeededPrg rng(Block{3, 4});
  for (auto _ : state) {
    auto keys = dcf_gen({n, n, 1}, alpha, beta, rng, {AesImpl::kAuto, 1});
    benchmark::DoNotOptimize(keys.first.cw_final.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.SetLabel("keys (pairs)");
}
BENCHMARK(BM_DcfGen)->Arg(16)->Arg(37)->Arg(50)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_DcfEval(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int L = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const auto alpha = random_vec(kBatch, n, 1);
  const auto beta = random_vec(kBatch * static_cast<std::size_t>(L), n, 2);
  const auto x = random_vec(kBatch, n, 5);
  SeededPrg rng(Block{3, 4});
  const auto keys = dcf_gen({n, n, L}, alpha, beta, rng);
  std::vector<u64> y(beta.size());
  for (auto _ : state) {
    dcf_eval(keys.first, x, y, {AesImpl::kAuto, threads});
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.SetLabel("evals");
}
BENCHMARK(BM_DcfEval)
    ->ArgsProduct({{16, 37, 50, 64}, {1}, {1}})
    ->Args({64, 3, 1})
    ->ArgNames({"n", "L", "threads"})
    ->Unit(benchmark::kMicrosecond);
void BM_DcfEvalWall(benchmark::State& state) {
  BM_DcfEval(state);
}
BENCHMARK(BM_DcfEvalWall)
    ->Args({64, 1, 1})
    ->Args({64, 1, 2})
    ->ArgNames({"n", "L", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_DpfFullDomain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<u64> alpha{5}, beta{1};
  SeededPrg rng(Block{3, 4});
  const auto keys = dpf_gen({n, 64}, alpha, beta, rng);
  std::vector<u64> y(std::size_t{1} << n);
  for (auto _ : state) {
    dpf_eval_full_domain(keys.first, 0, y, {AesImpl::kAuto, 1});
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * y.size()));
  state.SetLabel("domain points");
}
BENCHMARK(BM_DpfFullDomain)->DenseRange(8, 16, 2)->Unit(benchmark::kMicrosecond);

void BM_DpfLut(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::size_t count = n <= 8 ? 1024 : 64;
  const auto r = random_vec(count, n, 1), xhat = random_vec(count, n, 2);
  const auto table = random_vec(std::size_t{1} << n, 64, 3);
  std::vector<u64> one(count, 1), y(count);
  SeededPrg rng(Block{3, 4});
  const auto keys = dpf_gen({n, 64}, r, one, rng);
  for (auto _ : state) {
    dpf_lut_eval(keys.first, xhat, table, y, {AesImpl::kAuto, 1});
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
  state.SetLabel("lookups");
}
BENCHMARK(BM_DpfLut)->Arg(8)->Arg(13)->Unit(benchmark::kMicrosecond);

// The openings' wire format (fss/ring.h pack_bits / unpack_bits), one thread, 2^16 elements (one
// range of the threaded split): items = elements.
void BM_PackBits(benchmark::State& state) {
  const int bits = static_cast<int>(state.range(0));
  constexpr std::size_t kN = std::size_t{1} << 16;
  const auto v = random_vec(kN, bits, 4);
  std::vector<std::uint8_t> buf(packed_bytes(kN, bits));
  for (auto _ : state) {
    pack_bits(v, bits, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
  state.SetLabel("elements");
}
BENCHMARK(BM_PackBits)->Arg(1)->Arg(37)->Arg(40)->Arg(50)->Arg(64)->Unit(benchmark::kMicrosecond);

// 2^16 random `bits`-bit elements packed (the input of the unpack benchmarks).
constexpr std::size_t kUnpackN = std::size_t{1} << 16;
std::vector<std::uint8_t> packed_input(int bits) {
  const auto v = random_vec(kUnpackN, bits, 5);
  std::vector<std::uint8_t> buf(packed_bytes(kUnpackN, bits));
  pack_bits(v, bits, buf);
  return buf;
}

// Unpacks kUnpackN elements per iteration with `unpack`(buf, out); items = elements.
template <class Unpack>
void run_unpack(benchmark::State& state, Unpack unpack) {
  const int bits = static_cast<int>(state.range(0));
  const std::vector<std::uint8_t> buf = packed_input(bits);
  std::vector<u64> out(kUnpackN);
  for (auto _ : state) {
    unpack(bits, buf, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kUnpackN));
  state.SetLabel("elements");
}

void BM_UnpackBits(benchmark::State& state) {
  run_unpack(state, [](int bits, std::span<const std::uint8_t> buf, std::span<u64> out) {
    unpack_bits(buf, bits, out);
  });
}
BENCHMARK(BM_UnpackBits)
    ->DenseRange(4, 64, 4)
    ->Arg(1)
    ->Arg(37)
    ->Arg(57)
    ->Arg(58)
    ->Arg(63)
    ->Unit(benchmark::kMicrosecond);

// The whole-block unpack alone (fss/bit_pack_blocks.h) at every width, against BM_UnpackBits,
// which runs it only at the widths where it wins (ring.cpp unpack_bits) and the
// one-load-per-element loop elsewhere.
void BM_UnpackBlocks(benchmark::State& state) {
  run_unpack(state, [](int bits, std::span<const std::uint8_t> buf, std::span<u64> out) {
    const detail::UnpackBlockFn block = detail::kUnpackBlockFns[static_cast<std::size_t>(bits)];
    const std::size_t bytes = 8 * static_cast<std::size_t>(bits);
    for (std::size_t k = 0; k < out.size() / detail::kPackBlock; ++k)
      block(buf.data() + k * bytes, out.data() + k * detail::kPackBlock);
  });
}
BENCHMARK(BM_UnpackBlocks)
    ->DenseRange(4, 60, 4)
    ->Arg(1)
    ->Arg(37)
    ->Arg(57)
    ->Arg(58)
    ->Arg(63)
    ->Unit(benchmark::kMicrosecond);

// One fork-join of a 2-thread pool (fss/thread_pool.h) over 2 parts of 20 us each, after the
// calling thread alone has worked range(0) us (the gap between a gate's loops): manual time, the
// fork-join only. Ideal: 20 us; a worker asleep since the last loop adds its wake-up.
void BM_PoolForkJoinAfterGap(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const auto spin = [](std::chrono::microseconds d) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
    }
  };
  const std::chrono::microseconds gap(state.range(0)), work(20);
  ThreadPool pool(2);
  for (auto _ : state) {
    spin(gap);
    const auto t0 = Clock::now();
    pool.run(2, [&](std::size_t) { spin(work); });
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  state.SetLabel("fork-joins");
}
BENCHMARK(BM_PoolForkJoinAfterGap)
    ->Arg(50)
    ->Arg(150)
    ->Arg(2000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
