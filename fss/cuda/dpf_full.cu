// Full-domain DPF evaluation and SIGMA's lookup table on the GPU.
//
// Work split: 2^g threads share one key (g = cfg.lanes_log2 or auto_lanes_log2). Thread l of a key
// walks the g-bit path l from the root (one AES per level, point-eval style), then the whole
// subtree below it depth-first with both children per inner node (dpf_subtree, 2 AES per inner
// node), so a key costs 2 (2^n - 2^g) + g 2^g AES against the tree's 2 (2^n - 1). g = 0 is
// thread-per-key; g = 5 a warp per key; g = 8 a 256-thread group per key. LUT partial sums are
// added mod 2^64 across the 2^g threads (warp shuffles, then 64-bit atomics beyond a warp: integer
// addition commutes, so the result does not depend on the order) and reduced mod 2^m at the end.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_core.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/kernel_util.cuh"

namespace secinfer::fss::cuda {
namespace {

inline constexpr int kMaxFullDomainBits = 24;

template <class Tab, bool kLut>
__global__ void __launch_bounds__(512)
    dpf_tree_kernel(DpfKeysView keys, std::size_t first, std::size_t num, int g, const u64* xhat,
                    const u64* table, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const int n = keys.shape.in_bits;
  const u64 mask = ring_mask(keys.shape.out_bits);
  const u64 dmask = ring_mask(n);
  const std::size_t lanes = std::size_t{1} << g;
  const std::size_t total = num << g;
  const unsigned lane = threadIdx.x & 31;
  // Warp-uniform loop: every lane reaches the shuffles below.
  for (std::size_t wbase = global_thread() - lane; wbase < total; wbase += grid_threads()) {
    const std::size_t w = wbase + lane;
    const bool valid = w < total;
    const std::size_t e = w >> g;
    const u64 l = w & (lanes - 1);
    u64 acc = 0;
    if (valid) {
      const std::size_t k = first + e;
      Block s = keys.root[k];
      int t = keys.party;
      for (int i = 0; i < g; ++i)
        s = dpf_step(prg, s, t, static_cast<int>((l >> (g - 1 - i)) & 1),
                     keys.cw_seed[i * keys.count + k], keys.cw_t[i * keys.count + k]);
      if constexpr (kLut) {
        const u64 xh = xhat[k];
        dpf_subtree(prg, n, keys.party, g, l, s, t, keys.cw_seed + k, keys.cw_t + k, keys.count,
                    keys.cw_out[k], mask,
                    [&](u64 j, u64 y) { acc += __ldg(table + ((xh - j) & dmask)) * y; });
      } else {
        u64* o = out + (e << n);
        dpf_subtree(prg, n, keys.party, g, l, s, t, keys.cw_seed + k, keys.cw_t + k, keys.count,
                    keys.cw_out[k], mask, [&](u64 j, u64 y) { o[j] = y & mask; });
      }
    }
    if constexpr (kLut) {
      const int group = g < 5 ? (1 << g) : 32;
      for (int off = 1; off < group; off <<= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
      if (valid && (l & (group - 1)) == 0) {
        if (g <= 5)
          out[first + e] = acc & mask;
        else
          atomicAdd(reinterpret_cast<unsigned long long*>(out + first + e),
                    static_cast<unsigned long long>(acc));
      }
    }
  }
}

__global__ void mask_kernel(u64* out, std::size_t n, u64 mask) {
  for (std::size_t i = global_thread(); i < n; i += grid_threads()) out[i] &= mask;
}

int pick_lanes(const KernelConfig& cfg, int n, std::size_t count, bool lut) {
  const int g = cfg.lanes_log2 < 0 ? auto_lanes_log2(n, count, lut) : cfg.lanes_log2;
  if (g > n || g > 20)
    throw std::invalid_argument("lanes_log2 " + std::to_string(g) + " exceeds the domain's " +
                                std::to_string(n) + " bits (or 20)");
  return g;
}

void check_domain(const char* what, DpfShape shape) {
  check_dpf_shape(what, shape);
  if (shape.in_bits > kMaxFullDomainBits)
    throw std::invalid_argument(std::string(what) + ": domain of " + std::to_string(shape.in_bits) +
                                " bits is over the " + std::to_string(kMaxFullDomainBits) +
                                "-bit full-domain limit");
}

// Key k of a batch as a batch of one (for the single-key CPU-style entry point).
DpfKeys single_key(const DpfKeys& keys, std::size_t k) {
  DpfKeys one;
  one.shape = keys.shape;
  one.party = keys.party;
  one.count = 1;
  one.root = {keys.root[k]};
  one.cw_out = {keys.cw_out[k]};
  for (int i = 0; i < keys.shape.in_bits; ++i) {
    one.cw_seed.push_back(keys.cw_seed[i * keys.count + k]);
    one.cw_t.push_back(keys.cw_t[i * keys.count + k]);
  }
  return one;
}

}  // namespace

int auto_lanes_log2(int n, std::size_t count, bool lut) {
  // Measured on an H100 (docs/perf.md): enough threads to keep every SM busy at this kernel's
  // occupancy (2^17), and subtrees deep enough that the g-level path prefix each thread walks
  // alone stays a small overhead (g 2^g AES against 2 (2^n - 2^g)): depth >= 8 for full-domain
  // output, >= 4 for LUTs (10 at most: the 64-bit atomics beyond a warp).
  constexpr std::size_t kTargetThreads = std::size_t{1} << 17;
  const int cap = lut ? std::min(std::max(n - 4, 0), 10) : std::max(n - 8, 0);
  int g = 0;
  while (g < cap && (count << g) < kTargetThreads) ++g;
  return g;
}

void dpf_eval_full_domain_device(const DpfKeysView& keys, std::size_t first, std::size_t num,
                                 u64* out, cudaStream_t stream, const KernelConfig& cfg) {
  check_domain("dpf_eval_full_domain_device", keys.shape);
  if (first + num > keys.count)
    throw std::invalid_argument("dpf_eval_full_domain_device: keys " + std::to_string(first) +
                                ".." + std::to_string(first + num) + " of a batch of " +
                                std::to_string(keys.count));
  if (num == 0) return;
  const int g = pick_lanes(cfg, keys.shape.in_bits, num, false);
  using Tab = DefaultTab;
  auto k = dpf_tree_kernel<Tab, false>;
  const unsigned grid = plan_grid<Tab>(k, cfg, num << g, "dpf_full_domain_kernel");
  k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(keys, first, num, g, nullptr,
                                                                    nullptr, out);
  CUDA_CHECK_LAUNCH("dpf_full_domain_kernel",
                    shape_info(keys.shape.in_bits, keys.shape.out_bits, num) +
                        " lanes_log2=" + std::to_string(g));
}

void dpf_lut_eval_device(const DpfKeysView& keys, const u64* xhat, const u64* table, u64* out,
                         cudaStream_t stream, const KernelConfig& cfg) {
  check_domain("dpf_lut_eval_device", keys.shape);
  if (keys.count == 0) return;
  const int g = pick_lanes(cfg, keys.shape.in_bits, keys.count, true);
  if (g > 5)
    CUDA_CHECK(cudaMemsetAsync(out, 0, keys.count * sizeof(u64), stream),
               std::to_string(keys.count) + " outputs");
  using Tab = DefaultTab;
  auto k = dpf_tree_kernel<Tab, true>;
  const unsigned grid = plan_grid<Tab>(k, cfg, keys.count << g, "dpf_lut_kernel");
  k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(keys, 0, keys.count, g, xhat,
                                                                    table, out);
  CUDA_CHECK_LAUNCH("dpf_lut_kernel",
                    shape_info(keys.shape.in_bits, keys.shape.out_bits, keys.count) +
                        " lanes_log2=" + std::to_string(g));
  if (g > 5) {
    const unsigned mg =
        static_cast<unsigned>(std::min<std::size_t>((keys.count + 255) / 256, 4096));
    mask_kernel<<<mg, 256, 0, stream>>>(out, keys.count, ring_mask(keys.shape.out_bits));
    CUDA_CHECK_LAUNCH("mask_kernel", "count=" + std::to_string(keys.count));
  }
}

void dpf_eval_full_domain_cuda(const DpfKeys& keys, std::size_t k, std::span<u64> out,
                               const KernelConfig& cfg) {
  dpf_check_keys(keys);
  check_domain("dpf_eval_full_domain_cuda", keys.shape);
  if (k >= keys.count)
    throw std::invalid_argument("dpf_eval_full_domain_cuda: key " + std::to_string(k) +
                                " of a batch of " + std::to_string(keys.count));
  const std::size_t domain = std::size_t{1} << keys.shape.in_bits;
  if (out.size() != domain)
    throw std::invalid_argument("dpf_eval_full_domain_cuda: output has " +
                                std::to_string(out.size()) + " entries, the domain " +
                                std::to_string(domain));
  Stream s;
  const DpfKeysDevice d = upload(single_key(keys, k), s.get());
  DeviceBuffer<u64> dout(domain);
  dpf_eval_full_domain_device(d.view(), 0, 1, dout.data(), s.get(), cfg);
  dout.download(out, s.get());
  s.sync();
}

void dpf_lut_eval_cuda(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                       std::span<u64> out, const KernelConfig& cfg) {
  dpf_check_keys(keys);
  check_domain("dpf_lut_eval_cuda", keys.shape);
  check_range("dpf_lut_eval_cuda", "xhat", xhat, keys.shape.in_bits);
  if (xhat.size() != keys.count || out.size() != keys.count)
    throw std::invalid_argument("dpf_lut_eval_cuda: " + std::to_string(keys.count) + " keys but " +
                                std::to_string(xhat.size()) + " inputs and " +
                                std::to_string(out.size()) + " outputs");
  const std::size_t domain = std::size_t{1} << keys.shape.in_bits;
  if (table.size() != domain)
    throw std::invalid_argument("dpf_lut_eval_cuda: table has " + std::to_string(table.size()) +
                                " entries, the " + std::to_string(keys.shape.in_bits) +
                                "-bit domain needs " + std::to_string(domain));
  Stream s;
  const DpfKeysDevice d = upload(keys, s.get());
  DeviceBuffer<u64> dx(xhat.size()), dt(table.size()), dout(out.size());
  dx.upload(xhat, s.get());
  dt.upload(table, s.get());
  dpf_lut_eval_device(d.view(), dx.data(), dt.data(), dout.data(), s.get(), cfg);
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
