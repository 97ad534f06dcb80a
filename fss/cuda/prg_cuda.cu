// Kernels behind prg_cuda.h: grid-stride loops, one AES table per thread block.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "fss/cuda/aes_tables.cuh"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/prg_cuda.h"

namespace secinfer::fss::cuda {
namespace {

template <class Tab>
__global__ void __launch_bounds__(512)
    aes_encrypt_kernel(Block key, const Block* in, Block* out, std::size_t n) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, key);
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    out[i] = aes_encrypt(b.tab, b.seed_rk, in[i]);
}

template <class Tab>
__global__ void __launch_bounds__(512)
    aes_multikey_kernel(const Block* keys, const Block* in, Block* out, std::size_t n) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    out[i] = aes_encrypt_otf(b.tab, keys[i], in[i]);
}

template <class Tab>
__global__ void __launch_bounds__(512)
    prg_g_kernel(int j, const Block* in, Block* out, std::size_t n) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) out[i] = prg.g(j, in[i]);
}

template <class Tab>
__global__ void __launch_bounds__(512)
    seeded_prg_kernel(Block seed, u64 first, Block* out, std::size_t n) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  for (std::size_t i = global_thread(); i < n; i += grid_threads())
    out[i] = aes_encrypt(b.tab, b.seed_rk, Block{first + i, 0});
}

// Additive shares from a stream slice (fss/prg.h StreamSlice): value i is r_i & mask (party 0, v
// null) or (v[i] - r_i) & mask (party 1); thread k makes the pair of block first + k, thread 0
// the head and tail values too.
template <class Tab>
__global__ void __launch_bounds__(512)
    seeded_shares_kernel(Block seed, StreamSlice sl, u64 mask, const u64* v, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const auto share = [&](std::size_t i, u64 r) { out[i] = (v != nullptr ? v[i] - r : r) & mask; };
  const std::size_t at = sl.has_head ? 1 : 0;
  for (std::size_t k = global_thread(); k < sl.pairs; k += grid_threads()) {
    const Block r = aes_encrypt(b.tab, b.seed_rk, Block{sl.first_block + k, 0});
    share(at + 2 * k, r.lo);
    share(at + 2 * k + 1, r.hi);
  }
  if (global_thread() == 0) {
    if (sl.has_head) share(0, sl.head);
    if (sl.has_tail) share(sl.count - 1, sl.tail);
  }
}

template <class Tab>
__global__ void __launch_bounds__(512)
    convert_vec_kernel(const Block* in, std::size_t n, u64 mask, int L, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) {
    u64* o = out + i * L;
    prg.convert_vec(in[i], L, mask, [&](int j, u64 v) { o[j] = v; });
  }
}

template <class Tab, int kUnroll>
__global__ void __launch_bounds__(512)
    aes_throughput_kernel(std::size_t n_threads, u64 per_thread, Block* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const RoundKey* rk = b.fixed_rk;
  for (std::size_t i = global_thread(); i < n_threads; i += grid_threads()) {
    Block acc[kUnroll] = {};
    const u64 base = i * per_thread;
#pragma unroll 1
    for (u64 r = 0; r + kUnroll <= per_thread; r += kUnroll) {
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) acc[u] ^= aes_encrypt(b.tab, rk, Block{base + r + u, 0});
    }
    Block x{};
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) x ^= acc[u];
    out[i] = x;
  }
}

std::string n_info(std::size_t n) {
  return "n=" + std::to_string(n);
}

template <class Kernel>
void launch_info(Kernel k, const KernelConfig& cfg, std::size_t smem, std::size_t n,
                 const char* name, unsigned& grid) {
  check_block_size(cfg.threads_per_block);
  grid = grid_for(k, cfg.threads_per_block, smem, n, name);
}

void check_span_sizes(const char* what, std::size_t a, std::size_t b) {
  if (a != b)
    throw std::invalid_argument(std::string(what) + ": input has " + std::to_string(a) +
                                " elements but output has " + std::to_string(b));
}

}  // namespace

void aes_encrypt_device(Block key, const Block* in, Block* out, std::size_t n, cudaStream_t stream,
                        const KernelConfig& cfg) {
  if (n == 0) return;
  with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
    using Tab = decltype(tab);
    auto k = aes_encrypt_kernel<Tab>;
    unsigned grid;
    const std::size_t smem = aes_smem_bytes<Tab>();
    launch_info(k, cfg, smem, n, "aes_encrypt_kernel", grid);
    k<<<grid, cfg.threads_per_block, smem, stream>>>(key, in, out, n);
    CUDA_CHECK_LAUNCH("aes_encrypt_kernel", n_info(n));
  });
}

void aes_encrypt_multikey_device(const Block* keys, const Block* in, Block* out, std::size_t n,
                                 cudaStream_t stream, const KernelConfig& cfg) {
  if (n == 0) return;
  using Tab = DefaultTab;
  auto k = aes_multikey_kernel<Tab>;
  unsigned grid;
  const std::size_t smem = aes_smem_bytes<Tab>();
  launch_info(k, cfg, smem, n, "aes_multikey_kernel", grid);
  k<<<grid, cfg.threads_per_block, smem, stream>>>(keys, in, out, n);
  CUDA_CHECK_LAUNCH("aes_multikey_kernel", n_info(n));
}

void prg_g_device(int j, const Block* in, Block* out, std::size_t n, cudaStream_t stream,
                  const KernelConfig& cfg) {
  if (j < 0 || j >= kPrgFixedKeys)
    throw std::invalid_argument("prg_g_device: key index " + std::to_string(j) +
                                " is outside [0, 5)");
  if (n == 0) return;
  using Tab = DefaultTab;
  auto k = prg_g_kernel<Tab>;
  unsigned grid;
  const std::size_t smem = aes_smem_bytes<Tab>();
  launch_info(k, cfg, smem, n, "prg_g_kernel", grid);
  k<<<grid, cfg.threads_per_block, smem, stream>>>(j, in, out, n);
  CUDA_CHECK_LAUNCH("prg_g_kernel", n_info(n));
}

void seeded_prg_device(Block seed, u64 first_block, Block* out, std::size_t n, cudaStream_t stream,
                       const KernelConfig& cfg) {
  if (n == 0) return;
  using Tab = DefaultTab;
  auto k = seeded_prg_kernel<Tab>;
  unsigned grid;
  const std::size_t smem = aes_smem_bytes<Tab>();
  launch_info(k, cfg, smem, n, "seeded_prg_kernel", grid);
  k<<<grid, cfg.threads_per_block, smem, stream>>>(seed, first_block, out, n);
  CUDA_CHECK_LAUNCH("seeded_prg_kernel", n_info(n));
}

void seeded_shares_device(Block seed, const StreamSlice& slice, int bits, const u64* v, u64* out,
                          cudaStream_t stream, const KernelConfig& cfg) {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument("seeded_shares_device: bit width " + std::to_string(bits) +
                                " is outside [1, 64]");
  if (slice.count == 0) return;
  using Tab = DefaultTab;
  auto k = seeded_shares_kernel<Tab>;
  unsigned grid;
  const std::size_t smem = aes_smem_bytes<Tab>();
  const std::size_t threads = std::max<std::size_t>(slice.pairs, 1);
  launch_info(k, cfg, smem, threads, "seeded_shares_kernel", grid);
  k<<<grid, cfg.threads_per_block, smem, stream>>>(seed, slice, ring_mask(bits), v, out);
  CUDA_CHECK_LAUNCH("seeded_shares_kernel", n_info(slice.count));
}

void convert_vec_device(const Block* in, std::size_t n, int m, int L, u64* out, cudaStream_t stream,
                        const KernelConfig& cfg) {
  if (m < 1 || m > 64 || L < 1)
    throw std::invalid_argument("convert_vec_device: m = " + std::to_string(m) +
                                ", L = " + std::to_string(L) + ": need m in [1, 64] and L >= 1");
  if (n == 0) return;
  using Tab = DefaultTab;
  auto k = convert_vec_kernel<Tab>;
  unsigned grid;
  const std::size_t smem = aes_smem_bytes<Tab>();
  launch_info(k, cfg, smem, n, "convert_vec_kernel", grid);
  k<<<grid, cfg.threads_per_block, smem, stream>>>(in, n, ring_mask(m), L, out);
  CUDA_CHECK_LAUNCH("convert_vec_kernel", n_info(n) + ", L=" + std::to_string(L));
}

std::size_t aes_throughput_device(u64 per_thread, int unroll, Block* out, std::size_t out_size,
                                  cudaStream_t stream, const KernelConfig& cfg) {
  if (unroll != 1 && unroll != 2 && unroll != 4)
    throw std::invalid_argument("aes_throughput_device: unroll " + std::to_string(unroll) +
                                " must be 1, 2 or 4");
  return with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
    using Tab = decltype(tab);
    auto k = unroll == 1   ? aes_throughput_kernel<Tab, 1>
             : unroll == 2 ? aes_throughput_kernel<Tab, 2>
                           : aes_throughput_kernel<Tab, 4>;
    const std::size_t smem = aes_smem_bytes<Tab>();
    check_block_size(cfg.threads_per_block);
    // Exactly the resident threads (every SM full, no tail wave).
    const unsigned grid =
        grid_for(k, cfg.threads_per_block, smem, ~std::size_t{0} >> 8, "aes_throughput_kernel");
    const std::size_t n_threads = static_cast<std::size_t>(grid) * cfg.threads_per_block;
    if (n_threads > out_size)
      throw std::invalid_argument("aes_throughput_device: output of " + std::to_string(out_size) +
                                  " blocks, " + std::to_string(n_threads) + " threads");
    k<<<grid, cfg.threads_per_block, smem, stream>>>(n_threads, per_thread, out);
    CUDA_CHECK_LAUNCH("aes_throughput_kernel",
                      n_info(n_threads) + ", per_thread=" + std::to_string(per_thread));
    return n_threads;
  });
}

// ---- host convenience ----

void aes_encrypt_cuda(Block key, std::span<const Block> in, std::span<Block> out,
                      const KernelConfig& cfg) {
  check_span_sizes("aes_encrypt_cuda", in.size(), out.size());
  DeviceBuffer<Block> d(in.size());
  Stream s;
  d.upload(in, s.get());
  aes_encrypt_device(key, d.data(), d.data(), in.size(), s.get(), cfg);
  d.download(out, s.get());
  s.sync();
}

void aes_encrypt_multikey_cuda(std::span<const Block> keys, std::span<const Block> in,
                               std::span<Block> out, const KernelConfig& cfg) {
  check_span_sizes("aes_encrypt_multikey_cuda", in.size(), out.size());
  check_span_sizes("aes_encrypt_multikey_cuda (keys)", keys.size(), in.size());
  DeviceBuffer<Block> dk(keys.size()), d(in.size());
  Stream s;
  dk.upload(keys, s.get());
  d.upload(in, s.get());
  aes_encrypt_multikey_device(dk.data(), d.data(), d.data(), in.size(), s.get(), cfg);
  d.download(out, s.get());
  s.sync();
}

void prg_g_cuda(int j, std::span<const Block> in, std::span<Block> out, const KernelConfig& cfg) {
  check_span_sizes("prg_g_cuda", in.size(), out.size());
  DeviceBuffer<Block> d(in.size());
  Stream s;
  d.upload(in, s.get());
  prg_g_device(j, d.data(), d.data(), in.size(), s.get(), cfg);
  d.download(out, s.get());
  s.sync();
}

void seeded_prg_cuda(Block seed, u64 first_block, std::span<Block> out, const KernelConfig& cfg) {
  DeviceBuffer<Block> d(out.size());
  Stream s;
  seeded_prg_device(seed, first_block, d.data(), out.size(), s.get(), cfg);
  d.download(out, s.get());
  s.sync();
}

void convert_vec_cuda(std::span<const Block> in, int m, int L, std::span<u64> out,
                      const KernelConfig& cfg) {
  if (L < 1) throw std::invalid_argument("convert_vec_cuda: L = " + std::to_string(L) + " < 1");
  check_span_sizes("convert_vec_cuda (out = in * L)", in.size() * static_cast<std::size_t>(L),
                   out.size());
  DeviceBuffer<Block> d(in.size());
  DeviceBuffer<u64> o(out.size());
  Stream s;
  d.upload(in, s.get());
  convert_vec_device(d.data(), in.size(), m, L, o.data(), s.get(), cfg);
  o.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
