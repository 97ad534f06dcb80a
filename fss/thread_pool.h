// A fixed set of worker threads for the fork-join loops of one owner (a party's gates, an
// accelerator's staging copies): started once, so a loop costs a wake-up of sleeping workers
// instead of creating threads per call (fss::parallel_for's default), which on a busy host with
// both parties on it sat on the critical path of every gate step.
//
//   ThreadPool pool(8);                                   // 7 workers + the calling thread
//   parallel_for(pool, n, 1 << 16, [&](std::size_t b, std::size_t e) { ... });
//
// Between loops the workers spin for a short while (thread_pool.cpp) before they sleep, and so does
// the caller waiting for the last part: a sleeping thread's wake-up costs tens of microseconds
// (more in a virtual machine), and a gate's loops and openings come back to back, each paying it.
// Sleeping workers are woken as a tree, not all by the caller: the caller wakes one, each woken
// worker up to two more while parts are left, so the caller pays one wake-up call and starts on
// its own parts at once, and a loop of few parts wakes no more workers than it has parts.
// parallel_for on a pool splits a loop into up to kPartsPerThread parts a thread, taken in turn
// by whichever thread is free, so a worker that wakes late takes fewer parts instead of holding
// the loop's end.
//
// One loop at a time per pool: a call made from inside a running loop (nested), or from another
// thread while one runs, runs inline on its caller. Results never depend on the pool: each part
// writes only its own outputs, whichever thread takes it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace secinfer::fss {

class ThreadPool {
 public:
  // threads >= 1 (0 = the hardware concurrency): threads - 1 workers; the caller is the last one.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // The most parts a thread that parallel_for makes on a pool (fewer where the grain says so).
  static constexpr std::size_t kPartsPerThread = 4;
  // Calls fn(part) once for every part in [0, parts) on the workers and the calling thread and
  // returns when all are done; the first exception thrown by a part is rethrown here.
  void run(std::size_t parts, const std::function<void(std::size_t)>& fn);

 private:
  void work();
  // Takes and runs parts of the current job until none is left.
  void drain();
  // Under mu_: how many sleeping workers a thread that starts on the current job should wake
  // (at most `fan_out`, none once every part is taken).
  int wakes_due(int fan_out) const;
  void wake(int count);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t parts_ = 0, next_ = 0;
  // Written under mu_; read without it by the spinning threads.
  std::atomic<std::size_t> finished_{0};
  std::atomic<unsigned long long> generation_{0};
  std::atomic<bool> stop_{false};
  bool busy_ = false;
  int sleepers_ = 0;           // workers waiting on wake_ (under mu_)
  bool caller_waits_ = false;  // the caller waits on done_ (under mu_)
  std::exception_ptr error_;
};

// parallel_for (fss/parallel.h) on `pool`: min(kPartsPerThread * pool.size(), ceil(n / grain))
// ranges split as part_range does, each run on whichever of the pool's threads takes it.
void parallel_for(ThreadPool& pool, std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& fn);

}  // namespace secinfer::fss
