// Batch DCF key generation on the GPU: one thread per key (dcf_core.h), the root s0 and Delta from
// SeededPrg blocks first + 2k, first + 2k + 1. Payloads of L <= 4 keep Valpha in registers; longer
// ones use the key's cw_final slots as scratch (overwritten with the final words at the end). The
// AES is outlined: a level makes 4 calls for L = 1 (the half-tree hash and one value block a
// node), 6 + 4 ceil((L-1)/2) else.
#include <stdexcept>
#include <string>

#include "fss/cuda/dcf_core.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"

namespace secinfer::fss::cuda {
namespace {

template <class Tab, int kL, int kBlocksPerSm>
__global__ void __launch_bounds__(512, kBlocksPerSm)
    dcf_gen_kernel(DcfShape shape, std::size_t count, const u64* alpha, const u64* beta,
                   std::size_t beta_stride, Block seed, u64 first, Block* root0, Block* root1,
                   Block* cw_seed, u64* cw_v, u64* cw_final) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const OutlinedPrg<Tab> prg{b.tab, b.fixed_rk};
  const u64 mask = ring_mask(shape.out_bits);
  const int L = kL > 0 ? kL : shape.payload_len;
  for (std::size_t k = global_thread(); k < count; k += grid_threads()) {
    const Block s0 = seeded_block(b, first, 2 * k);
    const Block s1 = s0 ^ half_tree_delta(seeded_block(b, first, 2 * k + 1));
    root0[k] = s0;
    root1[k] = s1;
    const std::size_t kl = k * static_cast<std::size_t>(L);
    const u64* beta_k = beta + k * beta_stride;
    if constexpr (kL > 0) {
      RegVec<kL> valpha{};
      dcf_gen_one<kL>(prg, shape.in_bits, mask, L, s0, s1, alpha[k], beta_k, cw_seed + k, count,
                      cw_v + kl, count * L, cw_final + kl, valpha);
    } else {
      dcf_gen_one<0>(prg, shape.in_bits, mask, L, s0, s1, alpha[k], beta_k, cw_seed + k, count,
                     cw_v + kl, count * L, cw_final + kl, MemVec{cw_final + kl});
    }
  }
}

template <int kL>
void launch_gen(const u64* alpha, const u64* beta, std::size_t beta_stride, Block seed, u64 first,
                const DcfKeyPairView& out, cudaStream_t stream, const KernelConfig& cfg) {
  using Tab = DefaultTab;
  auto k = two_blocks_per_sm(cfg.gen_blocks_per_sm, "gen_blocks_per_sm")
               ? dcf_gen_kernel<Tab, kL, 2>
               : dcf_gen_kernel<Tab, kL, 1>;
  const LaunchShape ls = plan_launch<Tab>(k, cfg, out.count, "dcf_gen_kernel");
  k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(
      out.shape, out.count, alpha, beta, beta_stride, seed, first, out.root[0], out.root[1],
      out.cw_seed, out.cw_v, out.cw_final);
  CUDA_CHECK_LAUNCH("dcf_gen_kernel", shape_info(out.shape.in_bits, out.shape.out_bits, out.count) +
                                          " L=" + std::to_string(out.shape.payload_len));
}

}  // namespace

void dcf_gen_device(const u64* alpha, const u64* beta, std::size_t beta_stride, Block seed,
                    u64 first_block, const DcfKeyPairView& out, cudaStream_t stream,
                    const KernelConfig& cfg) {
  check_dcf_shape("dcf_gen_device", out.shape);
  if (beta_stride != 0 && beta_stride != static_cast<std::size_t>(out.shape.payload_len))
    throw std::invalid_argument("dcf_gen_device: beta_stride " + std::to_string(beta_stride) +
                                " must be L = " + std::to_string(out.shape.payload_len) +
                                " or 0 (one payload for every key)");
  if (out.count == 0) return;
  switch (out.shape.payload_len) {
    case 1:
      return launch_gen<1>(alpha, beta, beta_stride, seed, first_block, out, stream, cfg);
    case 2:
      return launch_gen<2>(alpha, beta, beta_stride, seed, first_block, out, stream, cfg);
    case 3:
      return launch_gen<3>(alpha, beta, beta_stride, seed, first_block, out, stream, cfg);
    case 4:
      return launch_gen<4>(alpha, beta, beta_stride, seed, first_block, out, stream, cfg);
    default:
      return launch_gen<0>(alpha, beta, beta_stride, seed, first_block, out, stream, cfg);
  }
}

std::pair<DcfKeys, DcfKeys> dcf_gen_cuda(DcfShape shape, std::span<const u64> alpha,
                                         std::span<const u64> beta, Block seed, u64 first_block,
                                         const KernelConfig& cfg) {
  check_dcf_shape("dcf_gen_cuda", shape);
  const std::size_t beta_stride = dcf_beta_stride(shape, alpha.size(), beta.size(), "dcf_gen_cuda");
  check_range("dcf_gen_cuda", "alpha", alpha, shape.in_bits);
  check_range("dcf_gen_cuda", "beta", beta, shape.out_bits);
  const std::size_t count = alpha.size();
  Stream s;
  DeviceBuffer<u64> da(count), db(beta.size());
  da.upload(alpha, s.get());
  db.upload(beta, s.get());
  DcfKeyPairDevice pair(shape, count);
  dcf_gen_device(da.data(), db.data(), beta_stride, seed, first_block, pair, s.get(), cfg);
  DcfKeys k0 = download(pair.view(0), s.get());
  DcfKeys k1 = download(pair.view(1), s.get());
  return {std::move(k0), std::move(k1)};
}

}  // namespace secinfer::fss::cuda
