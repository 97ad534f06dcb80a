// The shared-mask gate's party-local part on the GPU (shared_mask_cuda.h): the fused kernel (trie
// walk + combination + Horner, a thread per element) and the three-kernel path (points,
// thread-per-point multipoint DCF, combination).
#include <stdexcept>
#include <string>

#include "fss/cuda/dcf_core.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/multipoint_core.h"
#include "fss/cuda/shared_mask_cuda.h"

namespace secinfer::fss::cuda {
namespace {

template <class T>
DeviceBuffer<T> to_device(const std::vector<T>& v, cudaStream_t stream) {
  DeviceBuffer<T> d(v.size());
  d.upload(std::span<const T>(v), stream);
  return d;
}

__global__ void shared_mask_points_kernel(SharedMaskGateView g, const u64* xhat, std::size_t count,
                                          u64* points) {
  const u64 nmask = ring_mask(g.n);
  const std::size_t total = count * g.P;
  for (std::size_t w = global_thread(); w < total; w += grid_threads()) {
    const std::size_t i = w / g.P, k = w - i * g.P;
    points[w] = (xhat[i] - g.offsets[k]) & nmask;
  }
}

__global__ void __launch_bounds__(512)
    shared_mask_combine_kernel(SharedMaskGateView g, const u64* xhat, const u64* prod,
                               const u64* vsh, const u64* rv, std::size_t count, u64* v,
                               u64* rest) {
  const std::size_t row = g.P * static_cast<std::size_t>(g.W);
  for (std::size_t i = global_thread(); i < count; i += grid_threads()) {
    u64 vi, ri;
    shared_mask_local_one(g, xhat[i], prod + i * row, vsh + i * g.W, rv[i], vi, ri);
    v[i] = vi;
    rest[i] = ri;
  }
}

// A thread per element: the points x^ - p, the trie walk of its key (outputs kept in the
// thread), then the combination and Horner. W == kL.
template <class Tab, int kL>
__global__ void __launch_bounds__(512)
    shared_mask_fused_kernel(DcfKeysView keys, SharedMaskGateView g, const u64* xhat,
                             const u64* vsh, const u64* rv, u64* v, u64* rest) {
  const BlockAes<Tab> b = block_aes_setup<Tab>();
  const FixedPrg<Tab> prg = b.prg();
  const int n = g.n;
  const u64 nmask = ring_mask(n);
  const int P = static_cast<int>(g.P);
  const std::size_t vstride = keys.count * kL;
  for (std::size_t k = global_thread(); k < keys.count; k += grid_threads()) {
    const u64 xh = xhat[k] & nmask;
    u64 pts[kMultipointMaxPoints];
    for (int j = 0; j < P; ++j) pts[j] = (xh - g.offsets[j]) & nmask;
    u64 prod[kMultipointMaxPoints * kL];
    const std::size_t kl = k * kL;
    dcf_multipoint_walk<kL, kMultipointMaxPoints>(
        prg, n, nmask, keys.party, keys.root[k], keys.cw_seed + k, keys.count, keys.cw_v + kl,
        vstride, keys.cw_final + kl, pts, P, [&](int j, const RegVec<kL>& y) {
          SECINFER_UNROLL
          for (int e = 0; e < kL; ++e) prod[j * kL + e] = y.v[e];
        });
    u64 vs[kL];
    SECINFER_UNROLL
    for (int e = 0; e < kL; ++e) vs[e] = vsh[kl + e];
    u64 vi, ri;
    shared_mask_local_one(g, xh, prod, vs, rv[k], vi, ri);
    v[k] = vi;
    rest[k] = ri;
  }
}

template <int kL>
void launch_fused(const DcfKeysView& keys, const SharedMaskGateView& g, const u64* xhat,
                  const u64* vsh, const u64* rv, u64* v, u64* rest, cudaStream_t stream,
                  const KernelConfig& cfg) {
  const std::string info =
      shape_info(g.n, g.n, keys.count) + " W=" + std::to_string(kL) + " P=" + std::to_string(g.P);
  const AesVariant aes = cfg.aes.value_or(kDefaultAesVariant);  // as multipoint_dcf.cu
  with_aes_variant(aes, [&](auto tab) {
    using Tab = decltype(tab);
    auto k = shared_mask_fused_kernel<Tab, kL>;
    const unsigned grid = plan_grid<Tab>(k, cfg, keys.count, "shared_mask_fused_kernel");
    k<<<grid, cfg.threads_per_block, aes_smem_bytes<Tab>(), stream>>>(keys, g, xhat, vsh, rv, v,
                                                                      rest);
    CUDA_CHECK_LAUNCH("shared_mask_fused_kernel", info);
  });
}

void check_keys_for_gate(const char* what, const DcfKeysView& keys, const SharedMaskGateView& g) {
  if (keys.shape.in_bits != g.n || keys.shape.out_bits != g.n || keys.shape.payload_len != g.W)
    throw std::invalid_argument(
        std::string(what) + ": the gate needs DCF keys of shape n = m = " + std::to_string(g.n) +
        ", L = " + std::to_string(g.W) + ", got n = " + std::to_string(keys.shape.in_bits) +
        ", m = " + std::to_string(keys.shape.out_bits) +
        ", L = " + std::to_string(keys.shape.payload_len));
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument(std::string(what) + ": party " + std::to_string(keys.party) +
                                " is not 0 or 1");
}

void fail_table(const std::string& msg) {
  throw std::invalid_argument("shared-mask gate tables: " + msg +
                              " (build them with fusefss::shared_mask_gate_tables)");
}

}  // namespace

SharedMaskGateView SharedMaskGateDevice::view() const {
  return view_of(*this, P, m, T);
}

void check_tables(const SharedMaskGateTables& t) {
  if (t.n < 1 || t.n > 64) fail_table("n = " + std::to_string(t.n) + " is outside [1, 64]");
  if (t.W < 2 || t.W > kSharedMaskMaxPayload)
    fail_table("W = " + std::to_string(t.W) + " is outside [2, " +
               std::to_string(kSharedMaskMaxPayload) + "]");
  if (t.d1 < 1 || t.d1 > t.W)
    fail_table("degree + 1 = " + std::to_string(t.d1) +
               " is outside [1, W = " + std::to_string(t.W) + "]");
  const std::size_t P = t.offsets.size(), m = t.cut_lo.size(), T = t.h_alpha.size();
  if (P == 0 || t.zero_index >= P || t.offsets[t.zero_index] != 0)
    fail_table("the offsets must include 0 at zero_index");
  const auto d1 = static_cast<std::size_t>(t.d1);
  if (t.cut_len.size() != m || t.lo_index.size() != m || t.hi_index.size() != m ||
      t.konst.size() != m || t.coef.size() != m * d1 * d1)
    fail_table("the interval arrays do not all have m = " + std::to_string(m) + " entries");
  for (std::size_t j = 0; j < m; ++j)
    if (t.lo_index[j] >= P || t.hi_index[j] >= P)
      fail_table("interval " + std::to_string(j) + " names an offset index >= P");
  if (t.h_beta.size() != T || t.h_const.size() != T || t.h_rconst.size() != T ||
      t.h_first.size() != T + 1 || t.h_first[0] != 0)
    fail_table("the helper arrays do not all have T = " + std::to_string(T) + " entries");
  for (std::size_t h = 0; h < T; ++h)
    if (t.h_first[h + 1] < t.h_first[h]) fail_table("h_first is not non-decreasing");
  const std::size_t np = t.h_first[T];
  if (t.p_bound.size() != np || t.p_index.size() != np || t.p_sign.size() != np)
    fail_table("the predicate arrays do not have h_first[T] = " + std::to_string(np) + " entries");
  for (std::size_t p = 0; p < np; ++p)
    if (t.p_index[p] >= P) fail_table("predicate " + std::to_string(p) + " names an index >= P");
}

SharedMaskGateDevice upload(const SharedMaskGateTables& t, cudaStream_t stream) {
  check_tables(t);
  SharedMaskGateDevice d;
  d.n = t.n;
  d.W = t.W;
  d.d1 = t.d1;
  d.zero_index = t.zero_index;
  d.P = t.offsets.size();
  d.m = t.cut_lo.size();
  d.T = t.h_alpha.size();
  d.offsets = to_device(t.offsets, stream);
  d.cut_lo = to_device(t.cut_lo, stream);
  d.cut_len = to_device(t.cut_len, stream);
  d.coef = to_device(t.coef, stream);
  d.konst = to_device(t.konst, stream);
  d.lo_index = to_device(t.lo_index, stream);
  d.hi_index = to_device(t.hi_index, stream);
  d.h_const = to_device(t.h_const, stream);
  d.h_rconst = to_device(t.h_rconst, stream);
  d.h_alpha = to_device(t.h_alpha, stream);
  d.h_beta = to_device(t.h_beta, stream);
  d.h_first = to_device(t.h_first, stream);
  d.p_bound = to_device(t.p_bound, stream);
  d.p_sign = to_device(t.p_sign, stream);
  d.p_index = to_device(t.p_index, stream);
  return d;
}

void shared_mask_points_device(const SharedMaskGateView& g, const u64* xhat, std::size_t count,
                               u64* points, cudaStream_t stream) {
  if (count == 0 || g.P == 0) return;
  const KernelConfig cfg;
  const unsigned grid =
      grid_for(shared_mask_points_kernel, cfg.threads_per_block, 0, count * g.P, "points");
  shared_mask_points_kernel<<<grid, cfg.threads_per_block, 0, stream>>>(g, xhat, count, points);
  CUDA_CHECK_LAUNCH("shared_mask_points_kernel", shape_info(g.n, g.n, count));
}

void shared_mask_combine_device(const SharedMaskGateView& g, const u64* xhat, const u64* prod,
                                const u64* vsh, const u64* rv, std::size_t count, u64* v, u64* rest,
                                cudaStream_t stream, const KernelConfig& cfg) {
  if (count == 0) return;
  check_block_size(cfg.threads_per_block);
  const unsigned grid = grid_for(shared_mask_combine_kernel, cfg.threads_per_block, 0, count,
                                 "shared_mask_combine_kernel");
  shared_mask_combine_kernel<<<grid, cfg.threads_per_block, 0, stream>>>(g, xhat, prod, vsh, rv,
                                                                         count, v, rest);
  CUDA_CHECK_LAUNCH("shared_mask_combine_kernel", shape_info(g.n, g.n, count));
}

void shared_mask_eval_device(const DcfKeysView& keys, const SharedMaskGateView& g, const u64* xhat,
                             const u64* vsh, const u64* rv, u64* v, u64* rest, cudaStream_t stream,
                             const KernelConfig& cfg, MultipointWalk walk) {
  check_keys_for_gate("shared_mask_eval_device", keys, g);
  const bool fused_ok = multipoint_trie_supported(g.W, g.P);
  if (walk == MultipointWalk::kThreadPerKey && !fused_ok)
    throw std::invalid_argument(
        "shared_mask_eval_device: the fused thread-per-key kernel takes W <= " +
        std::to_string(kMultipointMaxPayload) +
        " and P <= " + std::to_string(kMultipointMaxPoints) + ", got W = " + std::to_string(g.W) +
        ", P = " + std::to_string(g.P) + "; use MultipointWalk::kThreadPerPoint or kAuto");
  if (keys.count == 0) return;
  if (fused_ok && walk != MultipointWalk::kThreadPerPoint) {
    switch (g.W) {
      case 2:
        return launch_fused<2>(keys, g, xhat, vsh, rv, v, rest, stream, cfg);
      case 3:
        return launch_fused<3>(keys, g, xhat, vsh, rv, v, rest, stream, cfg);
      default:
        return launch_fused<4>(keys, g, xhat, vsh, rv, v, rest, stream, cfg);
    }
  }
  const std::size_t N = keys.count;
  StreamArray<u64> points(N * g.P, stream, "shared-mask points"),
      prod(N * g.P * static_cast<std::size_t>(g.W), stream, "shared-mask products");
  shared_mask_points_device(g, xhat, N, points.get(), stream);
  dcf_eval_multipoint_device(keys, g.P, points.get(), prod.get(), stream, cfg,
                             MultipointWalk::kThreadPerPoint);
  shared_mask_combine_device(g, xhat, prod.get(), vsh, rv, N, v, rest, stream, cfg);
}

void shared_mask_eval_cuda(const DcfKeys& keys, const SharedMaskGateTables& g,
                           std::span<const u64> xhat, std::span<const u64> vsh,
                           std::span<const u64> rv, std::span<u64> v, std::span<u64> rest,
                           const KernelConfig& cfg, MultipointWalk walk) {
  dcf_check_keys(keys);
  check_tables(g);
  const std::size_t N = keys.count, W = static_cast<std::size_t>(g.W);
  if (xhat.size() != N || rv.size() != N || v.size() != N || rest.size() != N ||
      vsh.size() != N * W)
    throw std::invalid_argument("shared_mask_eval_cuda: " + std::to_string(N) +
                                " keys need as many x^, r_v shares, v " + "and rest entries and " +
                                std::to_string(N * W) + " V shares, got " +
                                std::to_string(xhat.size()) + ", " + std::to_string(rv.size()) +
                                ", " + std::to_string(v.size()) + ", " +
                                std::to_string(rest.size()) + " and " + std::to_string(vsh.size()));
  if (N == 0) return;
  Stream s;
  const DcfKeysDevice d = upload(keys, s.get());
  const SharedMaskGateDevice gd = upload(g, s.get());
  DeviceBuffer<u64> dx(N), dvsh(N * W), drv(N), dv(N), drest(N);
  dx.upload(xhat, s.get());
  dvsh.upload(vsh, s.get());
  drv.upload(rv, s.get());
  shared_mask_eval_device(d.view(), gd.view(), dx.data(), dvsh.data(), drv.data(), dv.data(),
                          drest.data(), s.get(), cfg, walk);
  dv.download(v, s.get());
  drest.download(rest, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
