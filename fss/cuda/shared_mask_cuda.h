// The party-local part of the FuseFSS shared-mask gate on the GPU (shared_mask_core.h): after the
// packed compare (one DCF key per element at the P public points x^ - p), the interval lookup's
// combination and the local Horner, giving this party's share of v^ = P(x) + r_v and of `rest`
// (konst + helper terms), bit-identical to suf_eval's CPU path (compile::shared_mask_combine, then
// fusefss::shared_mask_local). The public tables come from fusefss::shared_mask_gate_tables(g).
//
//   SharedMaskGateDevice gd = upload(shared_mask_gate_tables(g), stream);
//   shared_mask_eval_device(keys, gd.view(), xhat, vsh, rv, v, rest, stream);   // all on device
//   shared_mask_eval_cuda(keys, tables, xhat, vsh, rv, v, rest);                 // host spans
//
// MultipointWalk picks the packed compare: kThreadPerKey (and kAuto where it applies, W <= 4 and
// P <= 32) runs ONE fused kernel, a thread per element: the trie walk's outputs stay in the
// thread and feed the combination directly. kThreadPerPoint runs three: the points, the
// thread-per-point multipoint DCF into a [count][P][W] buffer (stream-ordered allocation), and
// the combination (shared_mask_combine_device).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "fss/cuda/config.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/cuda/multipoint_dcf_cuda.h"
#include "fss/cuda/shared_mask_core.h"
#include "fss/dcf.h"

namespace secinfer::fss::cuda {

struct SharedMaskGateDevice {
  int n = 0, W = 0, d1 = 0;
  u64 zero_index = 0;
  std::size_t P = 0, m = 0, T = 0;
  DeviceBuffer<u64> offsets, cut_lo, cut_len, coef, konst;
  DeviceBuffer<std::uint32_t> lo_index, hi_index;
  DeviceBuffer<u64> h_const, h_rconst, h_alpha, h_beta;
  DeviceBuffer<std::uint32_t> h_first;
  DeviceBuffer<u64> p_bound, p_sign;
  DeviceBuffer<std::uint32_t> p_index;

  SharedMaskGateView view() const;
};

// Checks the tables (sizes, indices, W and d1 within kSharedMaskMaxPayload; std::invalid_argument
// naming the field) and copies them to the device.
void check_tables(const SharedMaskGateTables& t);
SharedMaskGateDevice upload(const SharedMaskGateTables& t, cudaStream_t stream = nullptr);

// points[i * P + k] = (xhat[i] - offsets[k]) mod 2^n for `count` elements.
void shared_mask_points_device(const SharedMaskGateView& g, const u64* xhat, std::size_t count,
                               u64* points, cudaStream_t stream);
// The combination and Horner from the DCF outputs prod [count][P][W], vsh [count][W], rv [count].
void shared_mask_combine_device(const SharedMaskGateView& g, const u64* xhat, const u64* prod,
                                const u64* vsh, const u64* rv, std::size_t count, u64* v, u64* rest,
                                cudaStream_t stream, const KernelConfig& cfg = {});
// Everything after reading the keys: keys.count elements, keys of shape {n, n, W}.
void shared_mask_eval_device(const DcfKeysView& keys, const SharedMaskGateView& g, const u64* xhat,
                             const u64* vsh, const u64* rv, u64* v, u64* rest, cudaStream_t stream,
                             const KernelConfig& cfg = {},
                             MultipointWalk walk = MultipointWalk::kAuto);

// Host spans, synchronous: xhat, rv, v, rest [keys.count]; vsh [keys.count * W].
void shared_mask_eval_cuda(const DcfKeys& keys, const SharedMaskGateTables& g,
                           std::span<const u64> xhat, std::span<const u64> vsh,
                           std::span<const u64> rv, std::span<u64> v, std::span<u64> rest,
                           const KernelConfig& cfg = {},
                           MultipointWalk walk = MultipointWalk::kAuto);

}  // namespace secinfer::fss::cuda
