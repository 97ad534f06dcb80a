// Batch DPF key generation on the GPU (the dealer's inline mode): one thread per key, roots from
// the counter-mode SeededPrg stream at blocks first + 2k, first + 2k + 1 (docs/design/fss-core.md
// "Randomness"), levels as in dpf_core.h. The AES is outlined (one copy per kernel): four calls a
// level would otherwise crowd the instruction cache.
#include <stdexcept>
#include <string>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_core.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/kernel_util.cuh"

namespace secinfer::fss::cuda {
namespace {

template <class Tab>
__global__ void __launch_bounds__(512)
    dpf_gen_kernel(DpfShape shape, std::size_t count, const u64* alpha, const u64* beta, Block seed,
                   u64 first, Block* root0, Block* root1, Block* cw_seed, std::uint8_t* cw_t,
                   u64* cw_out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const OutlinedPrg<Tab> prg{b.tab, b.fixed_rk};
  const u64 mask = ring_mask(shape.out_bits);
  for (std::size_t k = global_thread(); k < count; k += grid_threads()) {
    const Block s0 = seeded_block(b, first, 2 * k).clear_lsb();
    const Block s1 = seeded_block(b, first, 2 * k + 1).clear_lsb();
    root0[k] = s0;
    root1[k] = s1;
    cw_out[k] = dpf_gen_one(prg, shape.in_bits, mask, s0, s1, alpha[k], beta[k], cw_seed + k,
                            cw_t + k, count);
  }
}

}  // namespace

void dpf_gen_device(const u64* alpha, const u64* beta, Block seed, u64 first_block,
                    const DpfKeyPairView& out, cudaStream_t stream, const KernelConfig& cfg) {
  check_dpf_shape("dpf_gen_device", out.shape);
  if (out.count == 0) return;
  using Tab = DefaultTab;
  auto k = dpf_gen_kernel<Tab>;
  const LaunchShape ls = plan_launch<Tab>(k, cfg, out.count, "dpf_gen_kernel");
  k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(out.shape, out.count, alpha, beta, seed,
                                                          first_block, out.root[0], out.root[1],
                                                          out.cw_seed, out.cw_t, out.cw_out);
  CUDA_CHECK_LAUNCH("dpf_gen_kernel", shape_info(out.shape.in_bits, out.shape.out_bits, out.count));
}

std::pair<DpfKeys, DpfKeys> dpf_gen_cuda(DpfShape shape, std::span<const u64> alpha,
                                         std::span<const u64> beta, Block seed, u64 first_block,
                                         const KernelConfig& cfg) {
  check_dpf_shape("dpf_gen_cuda", shape);
  if (alpha.size() != beta.size())
    throw std::invalid_argument("dpf_gen_cuda: " + std::to_string(alpha.size()) + " alphas but " +
                                std::to_string(beta.size()) + " betas");
  check_range("dpf_gen_cuda", "alpha", alpha, shape.in_bits);
  check_range("dpf_gen_cuda", "beta", beta, shape.out_bits);
  const std::size_t count = alpha.size();
  Stream s;
  DeviceBuffer<u64> da(count), db(count);
  da.upload(alpha, s.get());
  db.upload(beta, s.get());
  DpfKeyPairDevice pair(shape, count);
  dpf_gen_device(da.data(), db.data(), seed, first_block, pair, s.get(), cfg);
  DpfKeys k0 = download(pair.view(0), s.get());
  DpfKeys k1 = download(pair.view(1), s.get());
  return {std::move(k0), std::move(k1)};
}

}  // namespace secinfer::fss::cuda
