// Multipoint DCF evaluation on the GPU (multipoint_dcf_cuda.h): a thread per (key, point) running
// dcf_eval_one, or a thread per key running the trie walk of multipoint_core.h. Payloads of
// L <= 4 accumulate in registers; longer ones (thread per point only) in the output row.
#include <stdexcept>
#include <string>

#include "fss/cuda/dcf_core.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/multipoint_core.h"
#include "fss/cuda/multipoint_dcf_cuda.h"

namespace secinfer::fss::cuda {
namespace {

template <class Tab, int kL>
__global__ void __launch_bounds__(512)
    multipoint_point_kernel(DcfKeysView keys, std::size_t P, const u64* points, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const int n = keys.shape.in_bits;
  const int L = kL > 0 ? kL : keys.shape.payload_len;
  const std::size_t vstride = keys.count * L;
  const std::size_t total = keys.count * P;
  for (std::size_t w = global_thread(); w < total; w += grid_threads()) {
    const std::size_t k = w / P;
    const std::size_t kl = k * static_cast<std::size_t>(L);
    const std::size_t wl = w * static_cast<std::size_t>(L);
    if constexpr (kL > 0) {
      RegVec<kL> v{};
      dcf_eval_one<kL>(prg, n, mask, L, keys.party, keys.root[k], keys.cw_seed + k, keys.count,
                       keys.cw_v + kl, vstride, keys.cw_final + kl, points[w], v);
      SECINFER_UNROLL
      for (int j = 0; j < kL; ++j) out[wl + j] = v[j];
    } else {
      dcf_eval_one<0>(prg, n, mask, L, keys.party, keys.root[k], keys.cw_seed + k, keys.count,
                      keys.cw_v + kl, vstride, keys.cw_final + kl, points[w], MemVec{out + wl});
    }
  }
}

template <class Tab, int kL>
__global__ void __launch_bounds__(512)
    multipoint_key_kernel(DcfKeysView keys, int P, const u64* points, u64* out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64 mask = ring_mask(keys.shape.out_bits);
  const std::size_t vstride = keys.count * kL;
  const std::size_t row = static_cast<std::size_t>(P) * kL;
  for (std::size_t k = global_thread(); k < keys.count; k += grid_threads()) {
    const std::size_t kl = k * kL;
    u64* o = out + k * row;
    dcf_multipoint_walk<kL, kMultipointMaxPoints>(
        prg, keys.shape.in_bits, mask, keys.party, keys.root[k], keys.cw_seed + k, keys.count,
        keys.cw_v + kl, vstride, keys.cw_final + kl, points + k * static_cast<std::size_t>(P), P,
        [&](int j, const RegVec<kL>& y) {
          SECINFER_UNROLL
          for (int e = 0; e < kL; ++e) o[j * kL + e] = y.v[e];
        });
  }
}

template <int kL>
void launch(const DcfKeysView& keys, std::size_t P, const u64* points, u64* out,
            cudaStream_t stream, const KernelConfig& cfg, bool per_key) {
  const std::string info = shape_info(keys.shape.in_bits, keys.shape.out_bits, keys.count) +
                           " L=" + std::to_string(keys.shape.payload_len) +
                           " P=" + std::to_string(P);
  // Replicated-Te0 for every L here (unlike DCF eval, config.h): at the GELU shape (L = 4,
  // P = 12) it measured 1.5x faster per point than replicated-Te0..3 and no slower in the trie.
  const AesVariant aes = cfg.aes.value_or(kDefaultAesVariant);
  with_aes_variant(aes, [&](auto tab) {
    using Tab = decltype(tab);
    if constexpr (kL > 0) {
      if (per_key) {
        auto k = multipoint_key_kernel<Tab, kL>;
        const unsigned grid = plan_grid<Tab>(k, cfg, keys.count, "multipoint_key_kernel");
        k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(keys, static_cast<int>(P),
                                                                          points, out);
        CUDA_CHECK_LAUNCH("multipoint_key_kernel", info);
        return;
      }
    }
    auto k = multipoint_point_kernel<Tab, kL>;
    const unsigned grid = plan_grid<Tab>(k, cfg, keys.count * P, "multipoint_point_kernel");
    k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(keys, P, points, out);
    CUDA_CHECK_LAUNCH("multipoint_point_kernel", info);
  });
}

}  // namespace

const char* to_string(MultipointWalk w) {
  switch (w) {
    case MultipointWalk::kAuto:
      return "auto";
    case MultipointWalk::kThreadPerPoint:
      return "thread per point";
    case MultipointWalk::kThreadPerKey:
      return "thread per key (trie)";
  }
  return "?";
}

bool multipoint_trie_supported(int payload_len, std::size_t points_per_key) {
  return payload_len >= 1 && payload_len <= kMultipointMaxPayload && points_per_key >= 1 &&
         points_per_key <= static_cast<std::size_t>(kMultipointMaxPoints);
}

void dcf_eval_multipoint_device(const DcfKeysView& keys, std::size_t P, const u64* points, u64* out,
                                cudaStream_t stream, const KernelConfig& cfg, MultipointWalk walk) {
  check_dcf_shape("dcf_eval_multipoint_device", keys.shape);
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument("dcf_eval_multipoint_device: party " + std::to_string(keys.party) +
                                " is not 0 or 1");
  const int L = keys.shape.payload_len;
  const bool trie = multipoint_trie_supported(L, P);
  if (walk == MultipointWalk::kThreadPerKey && !trie)
    throw std::invalid_argument(
        "dcf_eval_multipoint_device: the thread-per-key walk takes at most " +
        std::to_string(kMultipointMaxPoints) + " points per key and payloads of at most " +
        std::to_string(kMultipointMaxPayload) + " elements, got P = " + std::to_string(P) +
        ", L = " + std::to_string(L) + "; use MultipointWalk::kThreadPerPoint or kAuto");
  if (keys.count == 0 || P == 0) return;
  const bool per_key = trie && walk != MultipointWalk::kThreadPerPoint;
  switch (L) {
    case 1:
      return launch<1>(keys, P, points, out, stream, cfg, per_key);
    case 2:
      return launch<2>(keys, P, points, out, stream, cfg, per_key);
    case 3:
      return launch<3>(keys, P, points, out, stream, cfg, per_key);
    case 4:
      return launch<4>(keys, P, points, out, stream, cfg, per_key);
    default:
      return launch<0>(keys, P, points, out, stream, cfg, false);
  }
}

void dcf_eval_multipoint_cuda(const DcfKeys& keys, std::size_t P, std::span<const u64> points,
                              std::span<u64> out, const KernelConfig& cfg, MultipointWalk walk) {
  dcf_check_keys(keys);
  const auto L = static_cast<std::size_t>(keys.shape.payload_len);
  if (points.size() != keys.count * P || out.size() != points.size() * L)
    throw std::invalid_argument(
        "dcf_eval_multipoint_cuda: " + std::to_string(keys.count) + " keys x " + std::to_string(P) +
        " points need " + std::to_string(keys.count * P) + " points and " +
        std::to_string(keys.count * P * L) + " outputs, got " + std::to_string(points.size()) +
        " and " + std::to_string(out.size()));
  check_range("dcf_eval_multipoint_cuda", "points", points, keys.shape.in_bits);
  if (points.empty()) return;
  Stream s;
  const DcfKeysDevice d = upload(keys, s.get());
  DeviceBuffer<u64> dp(points.size()), dout(out.size());
  dp.upload(points, s.get());
  dcf_eval_multipoint_device(d.view(), P, dp.data(), dout.data(), s.get(), cfg, walk);
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
