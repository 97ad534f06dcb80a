#include "fss/cuda/upload_ring.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "fss/cuda/add_elapsed.h"
#include "fss/cuda/cuda_check.h"
#include "fss/parallel.h"

namespace secinfer::fss::cuda {

void copy_bytes(ThreadPool& pool, void* dst, const void* src, std::size_t bytes) {
  constexpr std::size_t kGrain = std::size_t{4} << 20;
  if (bytes < 2 * kGrain) {
    std::memcpy(dst, src, bytes);
    return;
  }
  parallel_for(pool, bytes, kGrain, [&](std::size_t b, std::size_t e) {
    std::memcpy(static_cast<std::uint8_t*>(dst) + b, static_cast<const std::uint8_t*>(src) + b,
                e - b);
  });
}

UploadRing::UploadRing(std::size_t slots, std::size_t slot_bytes)
    : slot_bytes_(slot_bytes), done_(slots, nullptr), queued_(slots, false) {
  slots_.resize(slots);
}

UploadRing::~UploadRing() {
  for (cudaEvent_t e : done_)
    if (e != nullptr) cudaEventDestroy(e);  // cannot report from a destructor
}

void UploadRing::put(void* dst, const void* src, std::size_t bytes, cudaStream_t stream,
                     ThreadPool& pool) {
  for (std::size_t at = 0; at < bytes;) {
    const std::size_t i = next_;
    next_ = (next_ + 1) % slots_.size();
    if (slots_[i].size() == 0) {
      slots_[i] = PinnedBuffer<std::uint8_t>(slot_bytes_);
      CUDA_CHECK(cudaEventCreateWithFlags(&done_[i], cudaEventDisableTiming));
    }
    if (queued_[i]) {
      AddElapsed w(wait_ns_);
      CUDA_CHECK(cudaEventSynchronize(done_[i]), "an upload slot's last copy");
    }
    const std::size_t n = std::min(slot_bytes_, bytes - at);
    copy_bytes(pool, slots_[i].data(), static_cast<const std::uint8_t*>(src) + at, n);
    CUDA_CHECK(cudaMemcpyAsync(static_cast<std::uint8_t*>(dst) + at, slots_[i].data(), n,
                               cudaMemcpyHostToDevice, stream),
               std::to_string(n) + " bytes up through an upload slot");
    CUDA_CHECK(cudaEventRecord(done_[i], stream));
    queued_[i] = true;
    at += n;
  }
}

}  // namespace secinfer::fss::cuda
