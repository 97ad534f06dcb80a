#include "fss/thread_pool.h"

#include <chrono>

#include "fss/parallel.h"

namespace secinfer::fss {
namespace {

// How long an idle worker (or a caller waiting for the last part) spins before it sleeps. Longer
// spins were weighed on the device with both parties' dealers on one host (docs/perf.md,
// session 40): pausing 1 ms made fusefss's keygen a run 33% slower, yielding the core from 200 us
// to 2 ms gained nothing.
constexpr std::chrono::microseconds kSpin{200};

// Spins until done() or kSpin has passed; true when done() became true.
template <class Done>
bool spin_until(Done&& done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  const int t = resolve_threads(threads);
  workers_.reserve(static_cast<std::size_t>(t - 1));
  for (int i = 1; i < t; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain() {
  for (;;) {
    std::size_t part = 0;
    const std::function<void(std::size_t)>* job = nullptr;
    {
      std::lock_guard lock(mu_);
      if (job_ == nullptr || next_ >= parts_) return;
      part = next_++;
      job = job_;
    }
    std::exception_ptr err;
    try {
      (*job)(part);
    } catch (...) {
      err = std::current_exception();
    }
    std::lock_guard lock(mu_);
    if (err && !error_) error_ = err;
    if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts_ && caller_waits_)
      done_.notify_one();
  }
}

int ThreadPool::wakes_due(int fan_out) const {
  if (job_ == nullptr || next_ >= parts_) return 0;
  return sleepers_ < fan_out ? sleepers_ : fan_out;
}

void ThreadPool::wake(int count) {
  for (int i = 0; i < count; ++i) wake_.notify_one();
}

void ThreadPool::work() {
  // A woken worker passes the wake-up on to two more (a tree: the caller pays one wake-up call,
  // and seven workers are all up after three steps).
  constexpr int kFanOut = 2;
  unsigned long long seen = 0;
  for (;;) {
    spin_until([&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stop_.load(std::memory_order_relaxed);
    });
    int wakes = 0;
    {
      std::unique_lock lock(mu_);
      const auto ready = [&] { return stop_ || generation_ != seen; };
      if (!ready()) {
        ++sleepers_;
        wake_.wait(lock, ready);
        --sleepers_;
        if (!stop_) wakes = wakes_due(kFanOut);
      }
      if (stop_) return;
      seen = generation_;
    }
    wake(wakes);
    drain();
  }
}

void ThreadPool::run(std::size_t parts, const std::function<void(std::size_t)>& fn) {
  if (parts == 0) return;
  bool inline_run = parts == 1 || workers_.empty();
  int wakes = 0;
  if (!inline_run) {
    std::lock_guard lock(mu_);
    if (busy_) {
      inline_run = true;  // nested, or another thread's loop is running: no waiting on ourselves
    } else {
      busy_ = true;
      job_ = &fn;
      parts_ = parts;
      next_ = 0;
      finished_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
      // Spinning workers see the new generation by themselves; one sleeping worker is woken here,
      // and it wakes the others (work()).
      wakes = wakes_due(1);
    }
  }
  if (inline_run) {
    for (std::size_t p = 0; p < parts; ++p) fn(p);
    return;
  }
  wake(wakes);
  drain();
  spin_until([&] { return finished_.load(std::memory_order_acquire) == parts; });
  std::exception_ptr err;
  {
    std::unique_lock lock(mu_);
    caller_waits_ = true;
    done_.wait(lock, [&] { return finished_.load(std::memory_order_relaxed) == parts_; });
    caller_waits_ = false;
    job_ = nullptr;
    busy_ = false;
    err = error_;
    error_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

void parallel_for(ThreadPool& pool, std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  if (grain == 0) grain = 1;
  const std::size_t max_parts = (n + grain - 1) / grain;
  const std::size_t t = ThreadPool::kPartsPerThread * static_cast<std::size_t>(pool.size());
  const std::size_t parts = t < max_parts ? t : max_parts;
  if (parts <= 1 || pool.size() == 1) {
    fn(0, n);
    return;
  }
  pool.run(parts, [&](std::size_t p) {
    const PartRange r = part_range(n, parts, p);
    fn(r.begin, r.end);
  });
}

}  // namespace secinfer::fss
