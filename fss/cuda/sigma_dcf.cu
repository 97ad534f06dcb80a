// SIGMA's DCF on the GPU (sigma_dcf_cuda.h): key generation a thread per key (sigma_dcf_core.h;
// the AES outlined, four calls a level), evaluation a thread per (key, point) with the AES inline
// (one call a level; the P threads of a key are neighbours, so its correction words are one
// broadcast load). Truth tables (n <= 7) need no AES at evaluation and one block per key at Gen.
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/keys_cuda.h"
#include "fss/cuda/sigma_dcf_core.h"
#include "fss/cuda/sigma_dcf_cuda.h"

namespace secinfer::fss::cuda {
namespace {

constexpr int kLeaf = kSigmaDcfLeafBitsCore;

void check_width(const char* what, int n) {
  if (n < 1 || n > 64)
    throw std::invalid_argument(std::string(what) + ": SIGMA DCF width n = " + std::to_string(n) +
                                " is outside [1, 64]");
}

std::size_t table_words(int n) {
  return sigma_dcf_table_words(n);
}

template <class Tab, int kBlocksPerSm>
__global__ void __launch_bounds__(512, kBlocksPerSm)
    sigma_dcf_gen_kernel(int n, std::size_t count, const u64* alpha, Block seed, u64 first,
                         Block* root0, Block* root1, Block* cw_seed, u64* cw_tr, Block* leaf0,
                         Block* leaf1) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const OutlinedPrg<Tab> prg{b.tab, b.fixed_rk};
  for (std::size_t k = global_thread(); k < count; k += grid_threads()) {
    const Block a = seeded_block(b, first, 2 * k);
    const Block c = seeded_block(b, first, 2 * k + 1);
    Block r0, r1;
    sigma_dcf_roots(a, c, r0, r1);
    root0[k] = r0;
    root1[k] = r1;
    Block* cw = cw_seed != nullptr ? cw_seed + k : nullptr;  // n = 8: no inner levels
    u64 tr = 0;
    Block l0, l1;
    sigma_dcf_gen_one(prg, n, r0, r1, alpha[k], cw, count, tr, l0, l1);
    cw_tr[k] = tr;
    leaf0[k] = l0;
    leaf1[k] = l1;
  }
}

template <class Tab>
__global__ void __launch_bounds__(512)
    sigma_dcf_table_gen_kernel(int n, std::size_t count, const u64* alpha, Block seed, u64 first,
                               u64* t0, u64* t1) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const std::size_t words = n >= 7 ? 2 : 1;
  for (std::size_t k = global_thread(); k < count; k += grid_threads()) {
    const Block r = seeded_block(b, first, k);
    sigma_dcf_table_gen(n, r, alpha[k], t0 + k * words, t1 + k * words);
  }
}

template <class Tab>
__global__ void __launch_bounds__(512)
    sigma_dcf_eval_kernel(SigmaDcfKeysView keys, std::size_t P, const u64* x, std::uint8_t* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const std::size_t total = keys.count * P;
  for (std::size_t q = global_thread(); q < total; q += grid_threads()) {
    const std::size_t k = q / P;
    const Block* cw = keys.cw_seed != nullptr ? keys.cw_seed + k : nullptr;
    out[q] = static_cast<std::uint8_t>(
        sigma_dcf_eval_one(prg, keys.in_bits, keys.party, keys.root[k], cw, keys.count,
                           keys.cw_tr[k], keys.leaf0 + k, keys.leaf1 + k, x[q]));
  }
}

// A thread per key, its P points in one walk (sigma_dcf_eval_shared).
template <class Tab>
__global__ void __launch_bounds__(512)
    sigma_dcf_eval_shared_kernel(SigmaDcfKeysView keys, int P, const u64* x, std::uint8_t* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  for (std::size_t k = global_thread(); k < keys.count; k += grid_threads()) {
    const Block* cw = keys.cw_seed != nullptr ? keys.cw_seed + k : nullptr;
    u64 pts[kSigmaDcfMaxSharedPoints];
    int bits[kSigmaDcfMaxSharedPoints];
    for (int j = 0; j < P; ++j) pts[j] = x[k * P + j];
    sigma_dcf_eval_shared(prg, keys.in_bits, keys.party, keys.root[k], cw, keys.count,
                          keys.cw_tr[k], keys.leaf0 + k, keys.leaf1 + k, pts, P, bits);
    for (int j = 0; j < P; ++j) out[k * P + j] = static_cast<std::uint8_t>(bits[j]);
  }
}

__global__ void __launch_bounds__(512)
    sigma_dcf_table_eval_kernel(SigmaDcfKeysView keys, std::size_t P, const u64* x,
                                std::uint8_t* out) {
  const std::size_t total = keys.count * P;
  const std::size_t words = keys.in_bits >= 7 ? 2 : 1;
  for (std::size_t q = global_thread(); q < total; q += grid_threads())
    out[q] = static_cast<std::uint8_t>(sigma_dcf_table_eval(keys.table + (q / P) * words, x[q]));
}

std::string info(int n, std::size_t count) {
  return "n=" + std::to_string(n) + " count=" + std::to_string(count);
}

}  // namespace

SigmaDcfKeysView SigmaDcfKeysDevice::view() const {
  return {in_bits,      party,        count,        root.data(), cw_seed.data(),
          cw_tr.data(), leaf0.data(), leaf1.data(), table.data()};
}

SigmaDcfKeyPairDevice::SigmaDcfKeyPairDevice(int n, std::size_t c)
    : in_bits((check_width("SigmaDcfKeyPairDevice", n), n)), count(c) {
  if (n <= kLeaf) {
    table[0] = DeviceBuffer<u64>(c * table_words(n));
    table[1] = DeviceBuffer<u64>(c * table_words(n));
    return;
  }
  root[0] = DeviceBuffer<Block>(c);
  root[1] = DeviceBuffer<Block>(c);
  cw_seed = DeviceBuffer<Block>(static_cast<std::size_t>(n - 8) * c);
  cw_tr = DeviceBuffer<u64>(c);
  leaf0 = DeviceBuffer<Block>(c);
  leaf1 = DeviceBuffer<Block>(c);
}

SigmaDcfKeysView SigmaDcfKeyPairDevice::view(int party) const {
  if (party != 0 && party != 1)
    throw std::invalid_argument("SigmaDcfKeyPairDevice::view: party " + std::to_string(party) +
                                " is not 0 or 1");
  return {in_bits,      party,        count,        root[party].data(), cw_seed.data(),
          cw_tr.data(), leaf0.data(), leaf1.data(), table[party].data()};
}

SigmaDcfKeysDevice upload(const SigmaDcfKeys& keys, cudaStream_t stream) {
  sigma_dcf_check_keys(keys);
  SigmaDcfKeysDevice d;
  d.in_bits = keys.in_bits;
  d.party = keys.party;
  d.count = keys.count;
  d.root = to_device(keys.root, stream);
  d.cw_seed = to_device(keys.cw_seed, stream);
  d.cw_tr = to_device(keys.cw_tr, stream);
  d.leaf0 = to_device(keys.leaf0, stream);
  d.leaf1 = to_device(keys.leaf1, stream);
  d.table = to_device(keys.table, stream);
  return d;
}

SigmaDcfKeys download(const SigmaDcfKeysView& keys, cudaStream_t stream) {
  check_width("download (SIGMA DCF)", keys.in_bits);
  const int n = keys.in_bits;
  const std::size_t c = keys.count;
  SigmaDcfKeys k;
  k.in_bits = n;
  k.party = keys.party;
  k.count = c;
  if (n <= kLeaf) {
    to_host(k.table, keys.table, c * table_words(n), stream);
  } else {
    to_host(k.root, keys.root, c, stream);
    to_host(k.cw_seed, keys.cw_seed, static_cast<std::size_t>(n - 8) * c, stream);
    to_host(k.cw_tr, keys.cw_tr, c, stream);
    to_host(k.leaf0, keys.leaf0, c, stream);
    to_host(k.leaf1, keys.leaf1, c, stream);
  }
  CUDA_CHECK(cudaStreamSynchronize(stream));
  return k;
}

void sigma_dcf_gen_device(const u64* alpha, Block seed, u64 first_block, SigmaDcfKeyPairDevice& out,
                          cudaStream_t stream, const KernelConfig& cfg) {
  check_width("sigma_dcf_gen_device", out.in_bits);
  SigmaDcfKeyPairView v{out.in_bits, out.count};
  if (out.in_bits <= kLeaf) {
    v.table[0] = out.table[0].data();
    v.table[1] = out.table[1].data();
  } else {
    v.root[0] = out.root[0].data();
    v.root[1] = out.root[1].data();
    v.cw_seed = out.cw_seed.data();
    v.cw_tr = out.cw_tr.data();
    v.leaf0 = out.leaf0.data();
    v.leaf1 = out.leaf1.data();
  }
  sigma_dcf_gen_device(alpha, seed, first_block, v, stream, cfg);
}

void sigma_dcf_gen_device(const u64* alpha, Block seed, u64 first_block,
                          const SigmaDcfKeyPairView& out, cudaStream_t stream,
                          const KernelConfig& cfg) {
  check_width("sigma_dcf_gen_device", out.in_bits);
  if (out.count == 0) return;
  using Tab = DefaultTab;
  if (out.in_bits <= kLeaf) {
    auto k = sigma_dcf_table_gen_kernel<Tab>;
    const LaunchShape ls = plan_launch<Tab>(k, cfg, out.count, "sigma_dcf_table_gen_kernel");
    k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(
        out.in_bits, out.count, alpha, seed, first_block, out.table[0], out.table[1]);
    CUDA_CHECK_LAUNCH("sigma_dcf_table_gen_kernel", info(out.in_bits, out.count));
    return;
  }
  auto k = two_blocks_per_sm(cfg.gen_blocks_per_sm, "gen_blocks_per_sm")
               ? sigma_dcf_gen_kernel<Tab, 2>
               : sigma_dcf_gen_kernel<Tab, 1>;
  const LaunchShape ls = plan_launch<Tab>(k, cfg, out.count, "sigma_dcf_gen_kernel");
  k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(
      out.in_bits, out.count, alpha, seed, first_block, out.root[0], out.root[1], out.cw_seed,
      out.cw_tr, out.leaf0, out.leaf1);
  CUDA_CHECK_LAUNCH("sigma_dcf_gen_kernel", info(out.in_bits, out.count));
}

void sigma_dcf_eval_device(const SigmaDcfKeysView& keys, std::size_t points_per_key, const u64* x,
                           std::uint8_t* out, cudaStream_t stream, const KernelConfig& cfg) {
  check_width("sigma_dcf_eval_device", keys.in_bits);
  if (points_per_key < 1) throw std::invalid_argument("sigma_dcf_eval_device: points_per_key is 0");
  const std::size_t total = keys.count * points_per_key;
  if (total == 0) return;
  if (keys.in_bits <= kLeaf) {
    check_block_size(cfg.threads_per_block);
    auto k = sigma_dcf_table_eval_kernel;
    const unsigned grid =
        grid_for(k, cfg.threads_per_block, 0, total, "sigma_dcf_table_eval_kernel");
    k<<<grid, cfg.threads_per_block, 0, stream>>>(keys, points_per_key, x, out);
    CUDA_CHECK_LAUNCH("sigma_dcf_table_eval_kernel", info(keys.in_bits, keys.count));
    return;
  }
  if (keys.share_prefixes && points_per_key > 1) {
    if (points_per_key > static_cast<std::size_t>(kSigmaDcfMaxSharedPoints))
      throw std::invalid_argument("sigma_dcf_eval_device: one walk takes at most " +
                                  std::to_string(kSigmaDcfMaxSharedPoints) + " points, not " +
                                  std::to_string(points_per_key));
    const int P = static_cast<int>(points_per_key);
    with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
      using Tab = decltype(tab);
      auto k = sigma_dcf_eval_shared_kernel<Tab>;
      const LaunchShape ls = plan_launch<Tab>(k, cfg, keys.count, "sigma_dcf_eval_shared_kernel");
      k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, P, x, out);
      CUDA_CHECK_LAUNCH("sigma_dcf_eval_shared_kernel", info(keys.in_bits, keys.count));
    });
    return;
  }
  with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
    using Tab = decltype(tab);
    auto k = sigma_dcf_eval_kernel<Tab>;
    const LaunchShape ls = plan_launch<Tab>(k, cfg, total, "sigma_dcf_eval_kernel");
    k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, points_per_key, x, out);
    CUDA_CHECK_LAUNCH("sigma_dcf_eval_kernel", info(keys.in_bits, keys.count));
  });
}

std::pair<SigmaDcfKeys, SigmaDcfKeys> sigma_dcf_gen_cuda(int in_bits, std::span<const u64> alpha,
                                                         Block seed, u64 first_block,
                                                         const KernelConfig& cfg) {
  check_width("sigma_dcf_gen_cuda", in_bits);
  check_range("sigma_dcf_gen_cuda", "alpha", alpha, in_bits);
  const std::size_t count = alpha.size();
  Stream s;
  DeviceBuffer<u64> da(count);
  da.upload(alpha, s.get());
  SigmaDcfKeyPairDevice pair(in_bits, count);
  sigma_dcf_gen_device(da.data(), seed, first_block, pair, s.get(), cfg);
  SigmaDcfKeys k0 = download(pair.view(0), s.get());
  SigmaDcfKeys k1 = download(pair.view(1), s.get());
  return {std::move(k0), std::move(k1)};
}

void sigma_dcf_eval_cuda(const SigmaDcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> x, std::span<std::uint8_t> out,
                         const KernelConfig& cfg) {
  sigma_dcf_check_keys(keys);
  if (points_per_key < 1) throw std::invalid_argument("sigma_dcf_eval_cuda: points_per_key is 0");
  const std::size_t total = keys.count * points_per_key;
  if (x.size() != total || out.size() != total)
    throw std::invalid_argument("sigma_dcf_eval_cuda: " + std::to_string(keys.count) + " keys at " +
                                std::to_string(points_per_key) + " points need " +
                                std::to_string(total) + " inputs and outputs, got " +
                                std::to_string(x.size()) + " and " + std::to_string(out.size()));
  check_range("sigma_dcf_eval_cuda", "x", x, keys.in_bits);
  Stream s;
  const SigmaDcfKeysDevice d = upload(keys, s.get());
  DeviceBuffer<u64> dx(total);
  DeviceBuffer<std::uint8_t> dout(total);
  dx.upload(x, s.get());
  SigmaDcfKeysView v = d.view();
  v.share_prefixes = keys.share_prefixes;
  sigma_dcf_eval_device(v, points_per_key, dx.data(), dout.data(), s.get(), cfg);
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
