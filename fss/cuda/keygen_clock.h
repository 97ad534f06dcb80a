// Where the dealer's GPU time goes, by kind of generation call: an event pair on the stream
// around each call's queued work (its inputs' copies and its kernels), read once the offline
// phase has waited for the stream. Key generation runs on while the dealer's host work goes on
// (CudaAccelerator::gen_launched), so a scope's wall clock does not show it; these pairs do.
// With both parties' processes on one GPU the pairs also span the slices the peer's kernels take,
// so the totals say which calls hold the stream, not how long each would run alone.
//
//   KeygenClock clock;                 // under the accelerator's lock
//   { auto t = clock.time(stream, "DCF n=50 m=12 L=1", keys);  ...queue the call's work... }
//   (the stream waited for)  clock.collect();  log(clock.summary());
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace secinfer::fss::cuda {

class KeygenClock {
 public:
  struct Total {
    std::uint64_t calls = 0;
    std::uint64_t ns = 0;
    std::uint64_t elements = 0;  // keys, shares or values the calls made
  };

  KeygenClock() = default;
  ~KeygenClock();
  KeygenClock(const KeygenClock&) = delete;
  KeygenClock& operator=(const KeygenClock&) = delete;

  // One call's pair: the start recorded now, the end when the Call goes (its work queued).
  class Call {
   public:
    Call(KeygenClock& clock, cudaStream_t stream) : clock_(&clock), stream_(stream) {}
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    ~Call() { clock_->stop(stream_); }

   private:
    KeygenClock* clock_;
    cudaStream_t stream_;
  };
  // elements: what the call makes (keys of a generation, values of a share split or a copy), so
  // that a kind's total divides into a rate.
  [[nodiscard]] Call time(cudaStream_t stream, std::string kind, std::uint64_t elements);
  // The pending pairs' times onto the totals (waits for each pair's end, which the caller's wait
  // for the stream has passed), their events back to the pool.
  void collect();
  // "DCF n=50 m=12 L=1 312 ms (1234 calls, 9.4M elements), ..." largest first, at most `top`
  // kinds and the rest summed; empty when nothing was timed.
  std::string summary(std::size_t top = 8) const;

 private:
  struct Pair {
    cudaEvent_t begin, end;
    std::string kind;
    std::uint64_t elements;
  };
  cudaEvent_t take();
  void release(const Pair& p);  // its events back to the pool
  // The open pair's end (a failed record drops the pair: a destructor cannot throw).
  void stop(cudaStream_t stream) noexcept;

  std::vector<cudaEvent_t> pool_;
  std::vector<Pair> pending_;
  bool open_ = false;  // a Call not yet gone
  std::map<std::string, Total> totals_;
};

}  // namespace secinfer::fss::cuda
