// KeyOrder (key_order.h): the keys' ids sorted by their sort keys with CUB.
#include <cub/device/device_radix_sort.cuh>
#include <stdexcept>
#include <string>

#include "fss/cuda/kernel_util.cuh"
#include "fss/cuda/key_order.h"

namespace secinfer::fss::cuda {
namespace {

__global__ void iota_kernel(std::uint32_t* out, std::size_t n) {
  for (std::size_t t = global_thread(); t < n; t += grid_threads())
    out[t] = static_cast<std::uint32_t>(t);
}

}  // namespace

KeyOrder::KeyOrder(const u64* keys, std::size_t n, int bits, cudaStream_t stream)
    : order_(n, stream, "the key order"),
      ids_(n, stream, "the key order's ids"),
      sorted_(n, stream, "the key order's sorted keys") {
  if (n > static_cast<std::size_t>(INT32_MAX))
    throw std::invalid_argument("key order: " + std::to_string(n) + " keys exceed 2^31 - 1");
  if (n == 0) return;
  const int items = static_cast<int>(n);
  iota_kernel<<<grid_for(iota_kernel, 256, 0, n, "iota_kernel"), 256, 0, stream>>>(ids_.get(), n);
  CUDA_CHECK_LAUNCH("iota_kernel", std::to_string(n) + " keys");
  std::size_t temp_bytes = 0;
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys, sorted_.get(), ids_.get(),
                                             order_.get(), items, 0, bits, stream),
             "key order: radix sort size");
  StreamArray<unsigned char> temp(temp_bytes, stream, "the key order's sort scratch");
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.get(), temp_bytes, keys, sorted_.get(),
                                             ids_.get(), order_.get(), items, 0, bits, stream),
             "key order: radix sort of " + std::to_string(n) + " keys");
}

}  // namespace secinfer::fss::cuda
