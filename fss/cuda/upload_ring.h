// Host-to-device copies that the offline phase queues without waiting for the stream
// (docs/design/gpu-online-phase.md "The dealer's uploads"): the source is copied into one of a few
// page-locked slots at memcpy speed (small copies side by side in one slot), the DMA is queued on
// the stream, and an event marks when the slot is free again. The caller's memory may be released
// as soon as put() returns, and the host waits only where every slot still has a copy queued, i.e.
// where the stream is that far behind.
//
//   UploadRing ring(8, 32 << 20);
//   ring.put(device_dst, host_src, bytes, stream, pool);   // queued; host_src may go now
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fss/cuda/device_buffer.h"
#include "fss/thread_pool.h"

namespace secinfer::fss::cuda {

// memcpy split over the pool's threads from 256 KiB on (one thread copies a few GB/s).
void copy_bytes(ThreadPool& pool, void* dst, const void* src, std::size_t bytes);

class UploadRing {
 public:
  // `slots` page-locked slots of `slot_bytes` each, allocated on the first put (the device must
  // be current then and at every later call).
  UploadRing(std::size_t slots, std::size_t slot_bytes);
  UploadRing(const UploadRing&) = delete;
  UploadRing& operator=(const UploadRing&) = delete;
  ~UploadRing();

  // Queues the copy of `bytes` bytes from host `src` to device `dst` on `stream`, in pieces of at
  // most one slot; copies into the slots on `pool`'s threads.
  void put(void* dst, const void* src, std::size_t bytes, cudaStream_t stream, ThreadPool& pool);
  // Wall time put() spent waiting for a slot, in nanoseconds.
  std::uint64_t wait_ns() const { return wait_ns_.load(); }

 private:
  std::size_t slot_bytes_;
  std::vector<PinnedBuffer<std::uint8_t>> slots_;
  std::vector<cudaEvent_t> done_;          // recorded after each slot's last copy
  std::vector<bool> queued_;               // whether done_[i] marks a copy not yet waited for
  std::size_t next_ = 0;                   // the slot being filled
  std::size_t used_ = 0;                   // its bytes taken by queued copies
  std::atomic<std::uint64_t> wait_ns_{0};  // read by the statistics without the caller's lock
};

}  // namespace secinfer::fss::cuda
