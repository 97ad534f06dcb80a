// SIGMA's lookup-table sums on the GPU (dpf_et_cuda.h): a thread per key walks its early-terminated
// tree (dpf_et_core.h) and adds the table entries under its set leaves.
#include <stdexcept>
#include <string>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_et_cuda.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/prg_core.h"
#include "fss/dpf_et_core.h"

namespace secinfer::fss::cuda {
namespace {

template <class Tab>
__global__ void __launch_bounds__(512)
    dpf_et_lut_kernel(DpfEtKeysView keys, const u64* xhat, const u64* table, u64 mask, u64 xor_mask,
                      u64* sum, u64* count) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const auto lookup = [table](std::size_t j) { return __ldg(table + j); };
  for (std::size_t i = global_thread(); i < keys.count; i += grid_threads()) {
    const Block l0 = keys.leaf_cw != nullptr ? keys.leaf_cw[i] : Block{};
    const Block l1 = keys.leaf_cw != nullptr ? keys.leaf_cw[keys.count + i] : Block{};
    u64 s = 0, c = 0;
    dpf_et_lut_one(prg, keys.in_bits, keys.party, keys.root[i],
                   keys.cw_seed != nullptr ? keys.cw_seed + i : nullptr,
                   keys.cw_t != nullptr ? keys.cw_t + i : nullptr, l0, l1, keys.count, xhat[i],
                   xor_mask, lookup, s, c);
    sum[i] = s & mask;
    count[i] = c;
  }
}

template <class T>
DeviceBuffer<T> up(std::span<const T> v, cudaStream_t stream) {
  DeviceBuffer<T> d(v.size());
  d.upload(v, stream);
  return d;
}

}  // namespace

void dpf_et_lut_eval_device(const DpfEtKeysView& keys, const u64* xhat, const u64* table,
                            int out_bits, u64* sum, u64* count, cudaStream_t stream,
                            const KernelConfig& cfg, u64 index_xor_mask) {
  if (keys.in_bits < 1 || keys.in_bits > kDpfEtMaxBits)
    throw std::invalid_argument("dpf_et_lut_eval_device: domain of " +
                                std::to_string(keys.in_bits) + " bits is outside [1, " +
                                std::to_string(kDpfEtMaxBits) + "]");
  if (keys.count == 0) return;
  using Tab = DefaultTab;
  auto k = dpf_et_lut_kernel<Tab>;
  const unsigned grid = plan_grid<Tab>(k, cfg, keys.count, "dpf_et_lut_kernel");
  k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(
      keys, xhat, table, ring_mask(out_bits), index_xor_mask, sum, count);
  CUDA_CHECK_LAUNCH("dpf_et_lut_kernel", shape_info(keys.in_bits, out_bits, keys.count));
}

void dpf_et_lut_eval_cuda(const DpfEtKeys& keys, std::span<const u64> xhat,
                          std::span<const u64> table, int out_bits, std::span<u64> sum,
                          std::span<u64> count, const KernelConfig& cfg, u64 index_xor_mask) {
  dpf_et_check_keys(keys);
  if (xhat.size() != keys.count || sum.size() != keys.count || count.size() != keys.count ||
      table.size() != (std::size_t{1} << keys.in_bits))
    throw std::invalid_argument("dpf_et_lut_eval_cuda: " + std::to_string(keys.count) +
                                " keys need as many xhat, sum and count entries and a table of "
                                "2^k entries");
  if (keys.count == 0) return;
  Stream s;
  const auto root = up(std::span<const Block>(keys.root), s.get());
  const auto cw_seed = up(std::span<const Block>(keys.cw_seed), s.get());
  const auto cw_t = up(std::span<const std::uint8_t>(keys.cw_t), s.get());
  const auto leaf = up(std::span<const Block>(keys.leaf_cw), s.get());
  const auto dx = up(xhat, s.get());
  const auto dt = up(table, s.get());
  DeviceBuffer<u64> dsum(keys.count), dcount(keys.count);
  DpfEtKeysView v{keys.in_bits, keys.party, keys.count};
  v.root = root.data();
  v.cw_seed = keys.cw_seed.empty() ? nullptr : cw_seed.data();
  v.cw_t = keys.cw_t.empty() ? nullptr : cw_t.data();
  v.leaf_cw = keys.leaf_cw.empty() ? nullptr : leaf.data();
  dpf_et_lut_eval_device(v, dx.data(), dt.data(), out_bits, dsum.data(), dcount.data(), s.get(),
                         cfg, index_xor_mask);
  dsum.download(sum, s.get());
  dcount.download(count, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
