#include "fss/cuda/upload_ring.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "fss/cuda/add_elapsed.h"
#include "fss/cuda/cuda_check.h"
#include "fss/parallel.h"

namespace secinfer::fss::cuda {

void copy_bytes(ThreadPool& pool, void* dst, const void* src, std::size_t bytes) {
  // The dealer's uploads are mostly 0.5-4 MiB (a gate's shares at seq 128); one thread copies
  // them at a few GB/s, so they are split from 256 KiB on (docs/perf.md, session 35: the copies
  // below 1 MiB, made on one thread, held the dealer's host).
  constexpr std::size_t kGrain = std::size_t{128} << 10;
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
  constexpr std::size_t kAlign = 256;  // each piece's start in its slot
  for (std::size_t at = 0; at < bytes;) {
    const std::size_t n = std::min(slot_bytes_, bytes - at);
    // Small pieces share a slot (the dealer uploads thousands of a few KiB): the next slot is taken
    // only when this one has no room left, so the ring holds up to slots x slot_bytes of queued
    // copies however small they are, and the host waits only where the stream is that far behind.
    if (used_ != 0 && used_ + n > slot_bytes_) {
      next_ = (next_ + 1) % slots_.size();
      used_ = 0;
    }
    const std::size_t i = next_;
    if (slots_[i].size() == 0) {
      slots_[i] = PinnedBuffer<std::uint8_t>(slot_bytes_);
      CUDA_CHECK(cudaEventCreateWithFlags(&done_[i], cudaEventDisableTiming));
    }
    if (used_ == 0 && queued_[i]) {  // entering a slot: its earlier copies must be done
      AddElapsed w(wait_ns_);
      CUDA_CHECK(cudaEventSynchronize(done_[i]), "an upload slot's last copy");
      queued_[i] = false;
    }
    std::uint8_t* h = slots_[i].data() + used_;
    copy_bytes(pool, h, static_cast<const std::uint8_t*>(src) + at, n);
    CUDA_CHECK(
        cudaMemcpyAsync(static_cast<std::uint8_t*>(dst) + at, h, n, cudaMemcpyHostToDevice, stream),
        std::to_string(n) + " bytes up through an upload slot");
    CUDA_CHECK(cudaEventRecord(done_[i], stream));  // re-recorded: marks the slot's last copy
    queued_[i] = true;
    used_ = std::min(slot_bytes_, (used_ + n + kAlign - 1) / kAlign * kAlign);
    at += n;
  }
}

}  // namespace secinfer::fss::cuda
