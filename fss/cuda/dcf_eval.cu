// Batch DCF evaluation on the GPU, two work splits (cfg.dcf_lanes, compared in docs/perf.md):
//  1: a thread per key (dcf_core.h): per level the half-tree hash H(s) and the value block
//     (G_{2+c}, or G_2 where L = 1: dcf_value) on the same node, then ConvertVec.
//  2: a lane pair per key: per level lane 0 computes H(s) (the children) while lane 1 computes
//     the value block, they swap results by shuffle, lane 1 accumulates V. Half the
//     latency per key, the same AES count.
// Thread per key also comes with two keys per thread (cfg.dcf_keys_per_thread, L <= 4: two
// independent chains in flight). Payloads of L <= 4 accumulate in registers; longer ones in the
// output row (one key per thread only).
#include <stdexcept>
#include <string>

#include "fss/cuda/dcf_core.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"

namespace secinfer::fss::cuda {
namespace {

template <class Tab, int kL>
__global__ void __launch_bounds__(512) dcf_eval_kernel(DcfKeysView keys, const u64* x, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const int L = kL > 0 ? kL : keys.shape.payload_len;
  const std::size_t vstride = keys.count * L;
  for (std::size_t k = global_thread(); k < keys.count; k += grid_threads()) {
    const std::size_t kl = k * static_cast<std::size_t>(L);
    if constexpr (kL > 0) {
      RegVec<kL> v{};
      dcf_eval_one<kL>(prg, keys.shape.in_bits, mask, L, keys.party, keys.root[k], keys.cw_seed + k,
                       keys.count, keys.cw_v + kl, vstride, keys.cw_final + kl, x[k], v);
      SECINFER_UNROLL
      for (int j = 0; j < kL; ++j) out[kl + j] = v[j];
    } else {
      dcf_eval_one<0>(prg, keys.shape.in_bits, mask, L, keys.party, keys.root[k], keys.cw_seed + k,
                      keys.count, keys.cw_v + kl, vstride, keys.cw_final + kl, x[k],
                      MemVec{out + kl});
    }
  }
}

// Two keys per thread (L <= 4), k and k + (grid threads), levels interleaved: two independent
// AES chains in flight. A missing second key shadows the first (computed, not stored).
template <class Tab, int kL>
__global__ void __launch_bounds__(512) dcf_eval2_kernel(DcfKeysView keys, const u64* x, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const int n = keys.shape.in_bits;
  const int party = keys.party;
  const std::size_t vstride = keys.count * kL;
  const std::size_t step = grid_threads();
  for (std::size_t ka = global_thread(); ka < keys.count; ka += 2 * step) {
    const bool has_b = ka + step < keys.count;
    const std::size_t kk[2] = {ka, has_b ? ka + step : ka};
    Block s[2] = {keys.root[kk[0]], keys.root[kk[1]]};
    const u64 xx[2] = {x[kk[0]], x[kk[1]]};
    RegVec<kL> v[2] = {};
    for (int i = 0; i < n; ++i) {
#pragma unroll
      for (int q = 0; q < 2; ++q) {
        const int c = path_bit(xx[q], n, i);
        const int t = s[q].lsb();
        const Block vb = dcf_value(prg, kL, c, s[q]);
        const u64* cwv = keys.cw_v + i * vstride + kk[q] * kL;
        prg.convert_vec(vb, kL, mask,
                        [&](int j, u64 e) { v[q][j] += signed_by(party, e + (t ? cwv[j] : 0)); });
        s[q] = half_tree_step(prg, s[q], c, keys.cw_seed[i * keys.count + kk[q]]);
      }
    }
#pragma unroll
    for (int q = 0; q < 2; ++q) {
      if (q == 1 && !has_b) break;
      const u64* cwf = keys.cw_final + kk[q] * kL;
      const int t = s[q].lsb();
      prg.convert_vec(dcf_value(prg, kL, 0, s[q]), kL, mask,
                      [&](int j, u64 e) { v[q][j] += signed_by(party, e + (t ? cwf[j] : 0)); });
      SECINFER_UNROLL
      for (int j = 0; j < kL; ++j) out[kk[q] * kL + j] = v[q][j] & mask;
    }
  }
}

__device__ __forceinline__ Block shfl_xor_block(Block v, int mask) {
  return Block{__shfl_xor_sync(0xffffffffu, v.lo, mask), __shfl_xor_sync(0xffffffffu, v.hi, mask)};
}

template <class Tab, int kL>
__global__ void __launch_bounds__(512)
    dcf_eval_pair_kernel(DcfKeysView keys, const u64* x, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const int n = keys.shape.in_bits;
  const int party = keys.party;
  const std::size_t vstride = keys.count * kL;
  const unsigned lane = threadIdx.x & 31;
  const int q = static_cast<int>(lane & 1);
  const std::size_t total = keys.count * 2;
  for (std::size_t wbase = global_thread() - lane; wbase < total; wbase += grid_threads()) {
    const std::size_t w = wbase + lane;
    const bool valid = w < total;
    const std::size_t k = valid ? (w >> 1) : 0;  // idle lanes shadow key 0 for the shuffles
    const std::size_t kl = k * kL;
    const u64 xk = x[k];
    Block s = keys.root[k];
    RegVec<kL> v{};
    SECINFER_UNROLL
    for (int j = 0; j < kL; ++j) v[j] = 0;
    for (int i = 0; i < n; ++i) {
      const int c = path_bit(xk, n, i);
      const int t = s.lsb();
      // lane 0: H(s), lane 1: the value block (dcf_value)
      const Block mine = q ? dcf_value(prg, kL, c, s) : half_tree_hash(prg, s);
      const Block other = shfl_xor_block(mine, 1);
      const Block h = q ? other : mine;
      if (q) {
        const u64* cwv = keys.cw_v + i * vstride + kl;
        prg.convert_vec(mine, kL, mask,
                        [&](int j, u64 el) { v[j] += signed_by(party, el + (t ? cwv[j] : 0)); });
      }
      s = half_tree_child(h, s, static_cast<u64>(c), keys.cw_seed[i * keys.count + k]);
    }
    if (q && valid) {
      const u64* cwf = keys.cw_final + kl;
      const int t = s.lsb();
      prg.convert_vec(dcf_value(prg, kL, 0, s), kL, mask,
                      [&](int j, u64 el) { v[j] += signed_by(party, el + (t ? cwf[j] : 0)); });
      SECINFER_UNROLL
      for (int j = 0; j < kL; ++j) out[kl + j] = v[j] & mask;
    }
  }
}

template <int kL>
void launch_eval(const DcfKeysView& keys, const u64* x, u64* out, cudaStream_t stream,
                 const KernelConfig& cfg) {
  const std::string info = shape_info(keys.shape.in_bits, keys.shape.out_bits, keys.count) +
                           " L=" + std::to_string(keys.shape.payload_len);
  const AesVariant aes =
      cfg.aes.value_or(keys.shape.payload_len >= 2 ? kDcfVectorAesVariant : kDefaultAesVariant);
  if (cfg.dcf_lanes == 2) {
    if constexpr (kL > 0) {
      using Tab = DefaultTab;
      auto k = dcf_eval_pair_kernel<Tab, kL>;
      const LaunchShape ls = plan_launch<Tab>(k, cfg, keys.count * 2, "dcf_eval_pair_kernel");
      k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, x, out);
      CUDA_CHECK_LAUNCH("dcf_eval_pair_kernel", info);
      return;
    } else {
      throw std::invalid_argument("dcf_eval_device: dcf_lanes = 2 is built for L <= 4, not L = " +
                                  std::to_string(keys.shape.payload_len));
    }
  }
  if (cfg.dcf_lanes != 1)
    throw std::invalid_argument("dcf_eval_device: dcf_lanes " + std::to_string(cfg.dcf_lanes) +
                                " must be 1 or 2");
  if (cfg.dcf_keys_per_thread != 1 && cfg.dcf_keys_per_thread != 2)
    throw std::invalid_argument("dcf_eval_device: dcf_keys_per_thread " +
                                std::to_string(cfg.dcf_keys_per_thread) + " must be 1 or 2");
  if constexpr (kL > 0) {
    if (cfg.dcf_keys_per_thread == 2) {
      with_aes_variant(aes, [&](auto tab) {
        using Tab = decltype(tab);
        auto k = dcf_eval2_kernel<Tab, kL>;
        const LaunchShape ls = plan_launch<Tab>(k, cfg, (keys.count + 1) / 2, "dcf_eval2_kernel");
        k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, x, out);
        CUDA_CHECK_LAUNCH("dcf_eval2_kernel", info);
      });
      return;
    }
  }
  with_aes_variant(aes, [&](auto tab) {
    using Tab = decltype(tab);
    auto k = dcf_eval_kernel<Tab, kL>;
    const LaunchShape ls = plan_launch<Tab>(k, cfg, keys.count, "dcf_eval_kernel");
    k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(keys, x, out);
    CUDA_CHECK_LAUNCH("dcf_eval_kernel", info);
  });
}

}  // namespace

void dcf_eval_device(const DcfKeysView& keys, const u64* x, u64* out, cudaStream_t stream,
                     const KernelConfig& cfg) {
  check_dcf_shape("dcf_eval_device", keys.shape);
  if (keys.count == 0) return;
  switch (keys.shape.payload_len) {
    case 1:
      return launch_eval<1>(keys, x, out, stream, cfg);
    case 2:
      return launch_eval<2>(keys, x, out, stream, cfg);
    case 3:
      return launch_eval<3>(keys, x, out, stream, cfg);
    case 4:
      return launch_eval<4>(keys, x, out, stream, cfg);
    default:
      return launch_eval<0>(keys, x, out, stream, cfg);
  }
}

void dcf_eval_cuda(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out,
                   const KernelConfig& cfg) {
  dcf_check_keys(keys);
  check_range("dcf_eval_cuda", "x", x, keys.shape.in_bits);
  const auto L = static_cast<std::size_t>(keys.shape.payload_len);
  if (x.size() != keys.count || out.size() != keys.count * L)
    throw std::invalid_argument("dcf_eval_cuda: " + std::to_string(keys.count) +
                                " keys of L = " + std::to_string(L) + " need as many inputs and " +
                                std::to_string(keys.count * L) + " outputs, got " +
                                std::to_string(x.size()) + " and " + std::to_string(out.size()));
  Stream s;
  const DcfKeysDevice d = upload(keys, s.get());
  DeviceBuffer<u64> dx(x.size()), dout(out.size());
  dx.upload(x, s.get());
  dcf_eval_device(d.view(), dx.data(), dout.data(), s.get(), cfg);
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
