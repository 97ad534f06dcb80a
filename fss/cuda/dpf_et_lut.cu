// SIGMA's lookup-table sums on the GPU (dpf_et_cuda.h): a thread per key walks its early-terminated
// tree (dpf_et_core.h) and adds the table entries under its set leaves, or, where the table's
// entries spread over few bits, counts them against the table's bit planes (fss/lut_planes.h).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_et_cuda.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/key_order.h"
#include "fss/cuda/prg_core.h"
#include "fss/dpf_et_core.h"
#include "fss/lut_planes.h"

namespace secinfer::fss::cuda {
namespace {

// kMaxDepth: the walk's instantiation (dpf_et_core.h dpf_et_walk_bound of L - 1).
template <class Tab, int kMaxDepth>
__global__ void __launch_bounds__(512)
    dpf_et_lut_kernel(DpfEtKeysView keys, const u64* xhat, const u64* table, u64 mask, u64 xor_mask,
                      const __grid_constant__ LutSupport support, bool skip,
                      const std::uint32_t* order, u64* sum, u64* count) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const auto lookup = [table](std::size_t j) { return __ldg(table + j); };
  for (std::size_t t = global_thread(); t < keys.count; t += grid_threads()) {
    const std::size_t i = order != nullptr ? order[t] : t;
    u64 s = 0, c = 0;
    dpf_et_lut_one<kMaxDepth>(prg, keys.in_bits, keys.leaf_log2, keys.party, keys.root[i],
                              keys.cw_seed != nullptr ? keys.cw_seed + i : nullptr,
                              keys.cw_t != nullptr ? keys.cw_t + i : nullptr,
                              keys.leaf_cw != nullptr ? keys.leaf_cw + i : nullptr, keys.count,
                              xhat[i], xor_mask, lookup, s, c, skip ? &support : nullptr);
    sum[i] = s & mask;
    count[i] = c;
  }
}

// The same sums from the table's bit planes (dpf_et_core.h dpf_et_lut_planes_part), the plane
// words copied into shared memory after the AES tables (kShared) or read through the cache;
// 2^lanes_log2 lanes of a warp share a key (each walks one subtree; their sums meet by shuffles).
// kMaxDepth: the subtree walk's instantiation (dpf_et_walk_bound of L - 1 - lanes_log2).
template <class Tab, bool kShared, int kBlocksPerSm, int kMaxDepth>
__global__ void __launch_bounds__(512, kBlocksPerSm)
    dpf_et_lut_planes_kernel(DpfEtKeysView keys, const u64* xhat, LutPlanesView planes,
                             int lanes_log2, u64 mask, const __grid_constant__ LutSupport support,
                             bool skip, const std::uint32_t* order, u64* sum, u64* count) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const u64* w = planes.data;
  if constexpr (kShared) {
    extern __shared__ __align__(16) unsigned char secinfer_smem[];
    u64* sw = reinterpret_cast<u64*>(secinfer_smem + aes_smem_bytes<Tab>());
    for (std::size_t i = threadIdx.x; i < planes.words; i += blockDim.x) sw[i] = w[i];
    __syncthreads();
    w = sw;
  }
  const auto word = [w](std::size_t j) { return kShared ? w[j] : __ldg(w + j); };
  const unsigned lane = threadIdx.x & 31, r = lane & ((1u << lanes_log2) - 1);
  const std::size_t per_warp = std::size_t{32} >> lanes_log2;
  // Whole warps step together (the shuffles need every lane), a group of lanes per key.
  for (std::size_t first = (global_thread() >> 5) * per_warp; first < keys.count;
       first += (grid_threads() >> 5) * per_warp) {
    const std::size_t t = first + (lane >> lanes_log2);
    const bool live = t < keys.count;
    const std::size_t i = !live ? t : order != nullptr ? order[t] : t;
    u64 s = 0, c = 0;
    if (live)
      dpf_et_lut_planes_part<kMaxDepth>(
          prg, keys.in_bits, keys.leaf_log2, keys.party, keys.root[i],
          keys.cw_seed != nullptr ? keys.cw_seed + i : nullptr,
          keys.cw_t != nullptr ? keys.cw_t + i : nullptr,
          keys.leaf_cw != nullptr ? keys.leaf_cw + i : nullptr,  // k <= 7: none
          keys.count, xhat[i], planes, word, lanes_log2, r, s, c, skip ? &support : nullptr);
    for (unsigned m = 1; m < (1u << lanes_log2); m <<= 1) {
      s += __shfl_xor_sync(0xffffffffu, s, m);
      c += __shfl_xor_sync(0xffffffffu, c, m);
    }
    if (live && r == 0) {
      sum[i] = s & mask;
      count[i] = c;
    }
  }
}

// Key pairs a thread per key: the two seed blocks of SeededPrg(seed), then dpf_et_gen_one (the
// CPU's code) with the AES outlined.
template <class Tab>
__global__ void __launch_bounds__(512)
    dpf_et_gen_kernel(int k, int leaf_log2, std::size_t count, const u64* alpha, Block seed,
                      u64 first, DpfEtKeyPairView out) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  load_seed_schedule(b, seed);
  const OutlinedPrg<Tab> prg{b.tab, b.fixed_rk};
  for (std::size_t i = global_thread(); i < count; i += grid_threads()) {
    const Block s0 = seeded_block(b, first, 2 * i);
    const Block s1 = seeded_block(b, first, 2 * i + 1);
    dpf_et_gen_one(prg, k, leaf_log2, s0, s1, alpha[i], out.root[0][i], out.root[1][i],
                   out.cw_seed != nullptr ? out.cw_seed + i : nullptr,
                   out.cw_t != nullptr ? out.cw_t + i : nullptr,
                   out.leaf_cw != nullptr ? out.leaf_cw + i : nullptr, count);
  }
}

// The planes kernel: plane words in shared memory or not; one block an SM (128 registers), the
// walk's stack in registers where its depth allows (reg), or two (64 registers: a register stack
// would only spill) with the generic walk.
template <class Tab>
auto planes_kernel(bool shared, bool two, bool reg) {
  constexpr int kReg = kDpfEtRegDepth, kMax = kDpfEtMaxLevels;
  if (two)
    return shared ? dpf_et_lut_planes_kernel<Tab, true, 2, kMax>
                  : dpf_et_lut_planes_kernel<Tab, false, 2, kMax>;
  if (reg)
    return shared ? dpf_et_lut_planes_kernel<Tab, true, 1, kReg>
                  : dpf_et_lut_planes_kernel<Tab, false, 1, kReg>;
  return shared ? dpf_et_lut_planes_kernel<Tab, true, 1, kMax>
                : dpf_et_lut_planes_kernel<Tab, false, 1, kMax>;
}

// Plane words up to this size go to shared memory (beside the AES tables' 33 KiB).
constexpr std::size_t kSharedPlaneBytes = 32 * 1024;

}  // namespace

DpfEtKeys download(const DpfEtKeysView& keys, cudaStream_t stream) {
  const std::size_t c = keys.count;
  const int levels = dpf_et_levels(keys.in_bits, keys.leaf_log2);
  const std::size_t inner = levels > 1 ? static_cast<std::size_t>(levels - 1) * c : 0;
  DpfEtKeys k;
  k.in_bits = keys.in_bits;
  k.leaf_log2 = keys.leaf_log2;
  k.party = keys.party;
  k.count = c;
  to_host(k.root, keys.root, c, stream);
  to_host(k.cw_seed, keys.cw_seed, inner, stream);
  to_host(k.cw_t, keys.cw_t, inner, stream);
  to_host(k.leaf_cw, keys.leaf_cw, levels > 0 ? (std::size_t{2} << keys.leaf_log2) * c : 0, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream), "DPF-ET keys down");
  return k;
}

void dpf_et_gen_device(const u64* alpha, Block seed, u64 first_block, const DpfEtKeyPairView& out,
                       cudaStream_t stream, const KernelConfig& cfg) {
  if (out.in_bits < 1 || out.in_bits > kDpfEtMaxBits ||
      !dpf_et_shape_ok(out.in_bits, out.leaf_log2))
    throw std::invalid_argument("dpf_et_gen_device: domain of " + std::to_string(out.in_bits) +
                                " bits with leaves of 2^" + std::to_string(out.leaf_log2) +
                                " blocks is outside the shapes fss/dpf_et.h takes");
  if (out.count == 0) return;
  using Tab = DefaultTab;
  auto k = dpf_et_gen_kernel<Tab>;
  const LaunchShape ls = plan_launch<Tab>(k, cfg, out.count, "dpf_et_gen_kernel");
  k<<<ls.grid, ls.block, aes_smem_bytes<Tab>(), stream>>>(out.in_bits, out.leaf_log2, out.count,
                                                          alpha, seed, first_block, out);
  CUDA_CHECK_LAUNCH("dpf_et_gen_kernel", shape_info(out.in_bits, 1, out.count));
}

void dpf_et_lut_eval_device(const DpfEtKeysView& keys, const u64* xhat, const u64* table,
                            int out_bits, u64* sum, u64* count, cudaStream_t stream,
                            const KernelConfig& cfg, u64 index_xor_mask,
                            const LutPlanesView* planes, const LutSupport* support) {
  if (keys.in_bits < 1 || keys.in_bits > kDpfEtMaxBits ||
      !dpf_et_shape_ok(keys.in_bits, keys.leaf_log2))
    throw std::invalid_argument("dpf_et_lut_eval_device: domain of " +
                                std::to_string(keys.in_bits) + " bits with leaves of 2^" +
                                std::to_string(keys.leaf_log2) +
                                " blocks is outside the shapes fss/dpf_et.h takes");
  if (keys.count == 0) return;
  using Tab = DefaultTab;
  const LutSupport sup = support != nullptr ? *support : LutSupport{};
  const bool skip = support != nullptr;
  // Skipping makes a key's work depend on its public index: walk the keys sorted by it.
  std::optional<KeyOrder> order;
  if (skip && cfg.lut_sort_by_index && keys.count >= kKeyOrderMinKeys)
    order.emplace(xhat, keys.count, keys.in_bits, stream);
  const std::uint32_t* ord = order ? order->get() : nullptr;
  const int levels = dpf_et_levels(keys.in_bits, keys.leaf_log2);
  // The walks keep their stack in registers up to kDpfEtRegDepth inner levels.
  const auto reg = [&cfg](int depth) {
    return cfg.lut_register_walk && dpf_et_walk_bound(depth) == kDpfEtRegDepth;
  };
  if (planes != nullptr) {
    const std::size_t words = planes->words;
    const bool shared = words * sizeof(u64) <= kSharedPlaneBytes;
    const bool two = two_blocks_per_sm(cfg.lut_blocks_per_sm, "lut_blocks_per_sm");
    // Lanes per key: at most 2^(L - 1) (one inner level's nodes a lane) and 32.
    const int lanes_log2 = std::clamp(cfg.lut_lanes_log2, 0, std::max(0, std::min(5, levels - 1)));
    auto k = planes_kernel<Tab>(shared, two, reg(levels - 1 - lanes_log2));
    const std::size_t smem = aes_smem_bytes<Tab>() + (shared ? words * sizeof(u64) : 0);
    check_block_size(cfg.threads_per_block);
    const unsigned grid =
        grid_for(k, cfg.threads_per_block, smem, keys.count, "dpf_et_lut_planes_kernel");
    k<<<grid, cfg.threads_per_block, smem, stream>>>(
        keys, xhat, *planes, lanes_log2, ring_mask(out_bits), sup, skip, ord, sum, count);
    CUDA_CHECK_LAUNCH("dpf_et_lut_planes_kernel", shape_info(keys.in_bits, out_bits, keys.count) +
                                                      " plane words=" + std::to_string(words));
    return;
  }
  auto k = reg(levels - 1) ? dpf_et_lut_kernel<Tab, kDpfEtRegDepth>
                           : dpf_et_lut_kernel<Tab, kDpfEtMaxLevels>;
  const unsigned grid = plan_grid<Tab>(k, cfg, keys.count, "dpf_et_lut_kernel");
  k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(
      keys, xhat, table, ring_mask(out_bits), index_xor_mask, sup, skip, ord, sum, count);
  CUDA_CHECK_LAUNCH("dpf_et_lut_kernel", shape_info(keys.in_bits, out_bits, keys.count));
}

void dpf_et_lut_eval_cuda(const DpfEtKeys& keys, std::span<const u64> xhat,
                          std::span<const u64> table, int out_bits, std::span<u64> sum,
                          std::span<u64> count, const KernelConfig& cfg, u64 index_xor_mask,
                          bool use_planes) {
  dpf_et_check_keys(keys);
  if (xhat.size() != keys.count || sum.size() != keys.count || count.size() != keys.count ||
      table.size() != (std::size_t{1} << keys.in_bits))
    throw std::invalid_argument("dpf_et_lut_eval_cuda: " + std::to_string(keys.count) +
                                " keys need as many xhat, sum and count entries and a table of "
                                "2^k entries");
  if (keys.count == 0) return;
  Stream s;
  const auto root = to_device(keys.root, s.get());
  const auto cw_seed = to_device(keys.cw_seed, s.get());
  const auto cw_t = to_device(keys.cw_t, s.get());
  const auto leaf = to_device(keys.leaf_cw, s.get());
  const auto dx = to_device(xhat, s.get());
  const auto dt = to_device(table, s.get());
  const std::optional<LutPlanes> planes =
      use_planes ? make_lut_planes(table, keys.in_bits, out_bits, index_xor_mask) : std::nullopt;
  const std::optional<LutSupport> support =
      lut_support_if_asked(table, keys.in_bits, out_bits, index_xor_mask);
  const auto dw =
      to_device(planes ? std::span<const u64>(planes->words) : std::span<const u64>{}, s.get());
  LutPlanesView pv = planes ? planes->view() : LutPlanesView{};
  pv.data = dw.data();
  DeviceBuffer<u64> dsum(keys.count), dcount(keys.count);
  DpfEtKeysView v{keys.in_bits, keys.leaf_log2, keys.party, keys.count};
  v.root = root.data();
  v.cw_seed = keys.cw_seed.empty() ? nullptr : cw_seed.data();
  v.cw_t = keys.cw_t.empty() ? nullptr : cw_t.data();
  v.leaf_cw = keys.leaf_cw.empty() ? nullptr : leaf.data();
  dpf_et_lut_eval_device(v, dx.data(), dt.data(), out_bits, dsum.data(), dcount.data(), s.get(),
                         cfg, index_xor_mask, planes ? &pv : nullptr,
                         support ? &*support : nullptr);
  dsum.download(sum, s.get());
  dcount.download(count, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
