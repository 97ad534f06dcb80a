// Each DCF key evaluated at P points on the GPU: fusefss::dcf_eval_multipoint (FuseFSS's
// shared-mask lookup and packed compare, fss/gates/fusefss/multipoint_dcf.h) with output
// identical to the CPU for every key and point. Two work splits (MultipointWalk):
//   kThreadPerPoint: a thread per (key, point) walks that point's path alone (dcf_core.h), P n
//                    levels per key; neighbouring threads share a key's loads (broadcast).
//   kThreadPerKey:   a thread per key walks the trie of its P points once (multipoint_core.h):
//                    the points of one element share their top levels, so far fewer AES. Needs
//                    P <= kMultipointMaxPoints and L <= kMultipointMaxPayload.
//   kAuto:           thread per key where it applies, else thread per point.
// Measured (gpu_bench, H200, 2^20 keys): the GELU gate's points (n = 50, L = 4, P = 12, 959
// instead of 2424 AES per key) 23.7 M keys/s per key against 11.8 M per point; uniform random
// points (n = 64, L = 1, P = 8: nothing shared) 25.0 M against 28.9 M, the trie's overhead.
//
//   dcf_eval_multipoint_cuda(keys, P, points, out);   // == fusefss::dcf_eval_multipoint
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>

#include "fss/cuda/config.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/dcf.h"

namespace secinfer::fss::cuda {

enum class MultipointWalk { kAuto, kThreadPerPoint, kThreadPerKey };
const char* to_string(MultipointWalk w);

// Whether the thread-per-key trie walk takes this shape (else kAuto walks per point and an
// explicit kThreadPerKey throws std::invalid_argument).
bool multipoint_trie_supported(int payload_len, std::size_t points_per_key);

// out[(k * P + j) * L + e] = this party's share of f_k(points[k * P + j])_e. points: device
// [count * P] (values < 2^n), out: device [count * P * L]. Asynchronous on `stream`.
void dcf_eval_multipoint_device(const DcfKeysView& keys, std::size_t points_per_key,
                                const u64* points, u64* out, cudaStream_t stream,
                                const KernelConfig& cfg = {},
                                MultipointWalk walk = MultipointWalk::kAuto);

// Host spans, synchronous; the CPU's size checks, plus points < 2^n.
void dcf_eval_multipoint_cuda(const DcfKeys& keys, std::size_t points_per_key,
                              std::span<const u64> points, std::span<u64> out,
                              const KernelConfig& cfg = {},
                              MultipointWalk walk = MultipointWalk::kAuto);

// AES calls per key when each point walks alone (the thread-per-point kernel; the trie walk's
// count depends on the points: dcf_multipoint_trie_aes in multipoint_core.h).
inline long long dcf_multipoint_point_aes(int n, int L, std::size_t points_per_key) {
  const long long cv = L / 2;
  return static_cast<long long>(points_per_key) * (static_cast<long long>(n) * (2 + cv) + cv);
}

}  // namespace secinfer::fss::cuda
