// Batch DPF point evaluation: one thread per key, one AES per level (dpf_core.h). Thread k reads
// level i's correction word at cw_seed[i * count + k]: consecutive threads, consecutive 16 bytes.
#include <stdexcept>
#include <string>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_core.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/kernel_util.cuh"

namespace secinfer::fss::cuda {
namespace {

template <class Tab>
__global__ void __launch_bounds__(512) dpf_eval_kernel(DpfKeysView keys, const u64* x, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  for (std::size_t k = global_thread(); k < keys.count; k += grid_threads())
    out[k] = dpf_eval_one(prg, keys.shape.in_bits, mask, keys.party, keys.root[k], keys.cw_seed + k,
                          keys.cw_t + k, keys.count, keys.cw_out[k], x[k]);
}

// Two keys per thread, k and k + (grid threads), levels interleaved: the two AES chains are
// independent, so the compiler overlaps their table lookups (ILP 2). A missing second key
// shadows the first (computed, not stored).
template <class Tab>
__global__ void __launch_bounds__(512) dpf_eval2_kernel(DpfKeysView keys, const u64* x, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const int n = keys.shape.in_bits;
  const std::size_t step = grid_threads();
  for (std::size_t ka = global_thread(); ka < keys.count; ka += 2 * step) {
    const bool has_b = ka + step < keys.count;
    const std::size_t kb = has_b ? ka + step : ka;
    Block sa = keys.root[ka], sb = keys.root[kb];
    int ta = keys.party, tb = keys.party;
    const u64 xa = x[ka], xb = x[kb];
    for (int i = 0; i < n; ++i) {
      const std::size_t ia = i * keys.count + ka, ib = i * keys.count + kb;
      sa = dpf_step(prg, sa, ta, path_bit(xa, n, i), keys.cw_seed[ia], keys.cw_t[ia]);
      sb = dpf_step(prg, sb, tb, path_bit(xb, n, i), keys.cw_seed[ib], keys.cw_t[ib]);
    }
    out[ka] = signed_by(keys.party, convert_one(sa, mask) + (ta ? keys.cw_out[ka] : 0)) & mask;
    if (has_b)
      out[kb] = signed_by(keys.party, convert_one(sb, mask) + (tb ? keys.cw_out[kb] : 0)) & mask;
  }
}

}  // namespace

void dpf_eval_device(const DpfKeysView& keys, const u64* x, u64* out, cudaStream_t stream,
                     const KernelConfig& cfg) {
  check_dpf_shape("dpf_eval_device", keys.shape);
  if (keys.count == 0) return;
  const std::string info = shape_info(keys.shape.in_bits, keys.shape.out_bits, keys.count);
  if (cfg.dpf_keys_per_thread == 2) {
    with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
      using Tab = decltype(tab);
      auto k = dpf_eval2_kernel<Tab>;
      const LaunchShape ls = plan_launch<Tab>(k, cfg, (keys.count + 1) / 2, "dpf_eval2_kernel");
      k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, x, out);
      CUDA_CHECK_LAUNCH("dpf_eval2_kernel", info);
    });
    return;
  }
  if (cfg.dpf_keys_per_thread != 1)
    throw std::invalid_argument("dpf_eval_device: dpf_keys_per_thread " +
                                std::to_string(cfg.dpf_keys_per_thread) + " must be 1 or 2");
  with_aes_variant(cfg.aes.value_or(kDefaultAesVariant), [&](auto tab) {
    using Tab = decltype(tab);
    auto k = dpf_eval_kernel<Tab>;
    const LaunchShape ls = plan_launch<Tab>(k, cfg, keys.count, "dpf_eval_kernel");
    k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, x, out);
    CUDA_CHECK_LAUNCH("dpf_eval_kernel", info);
  });
}

void dpf_eval_cuda(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out,
                   const KernelConfig& cfg) {
  dpf_check_keys(keys);
  check_range("dpf_eval_cuda", "x", x, keys.shape.in_bits);
  if (x.size() != keys.count || out.size() != keys.count)
    throw std::invalid_argument("dpf_eval_cuda: " + std::to_string(keys.count) + " keys but " +
                                std::to_string(x.size()) + " inputs and " +
                                std::to_string(out.size()) + " outputs");
  Stream s;
  const DpfKeysDevice d = upload(keys, s.get());
  DeviceBuffer<u64> dx(x.size()), dout(out.size());
  dx.upload(x, s.get());
  dpf_eval_device(d.view(), dx.data(), dout.data(), s.get(), cfg);
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
