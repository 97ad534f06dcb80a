// The order in which a kernel's threads take their keys: a stable radix sort of a public sort key
// per key (CUB's DeviceRadixSort on the low `bits` bits), so that the lanes of a warp get keys that
// do the same work and diverge less; each thread still writes its outputs at its key's own
// position, so the order changes which lane computes what, not the results. The LUT sums sort by
// the public index (dpf_et_lut.cu), the fused range test's shared walk by the levels where its
// points part (sigma_dcf.cu).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "fss/cuda/device_buffer.h"
#include "fss/ring.h"

namespace secinfer::fss::cuda {

// Below this many keys the sort costs more than the divergence it saves (the LUT sums' threshold,
// which the range test's sorted walk takes too).
inline constexpr std::size_t kKeyOrderMinKeys = std::size_t{1} << 14;

class KeyOrder {
 public:
  // keys: device [n] sort keys, of which the low `bits` bits are read; enqueued on `stream`.
  // Throws std::invalid_argument beyond 2^31 - 1 keys (CUB's item count).
  KeyOrder(const u64* keys, std::size_t n, int bits, cudaStream_t stream);
  // order[t] = the key thread t takes (device [n]), valid for work enqueued on the stream after.
  const std::uint32_t* get() const { return order_.get(); }

 private:
  StreamArray<std::uint32_t> order_, ids_;
  StreamArray<u64> sorted_;
};

}  // namespace secinfer::fss::cuda
