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
    if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts_) done_.notify_all();
  }
}

void ThreadPool::work() {
  unsigned long long seen = 0;
  for (;;) {
    spin_until([&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stop_.load(std::memory_order_relaxed);
    });
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain();
  }
}

void ThreadPool::run(std::size_t parts, const std::function<void(std::size_t)>& fn) {
  if (parts == 0) return;
  bool inline_run = parts == 1 || workers_.empty();
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
    }
  }
  if (inline_run) {
    for (std::size_t p = 0; p < parts; ++p) fn(p);
    return;
  }
  wake_.notify_all();
  drain();
  spin_until([&] { return finished_.load(std::memory_order_acquire) == parts; });
  std::exception_ptr err;
  {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return finished_.load(std::memory_order_relaxed) == parts_; });
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
  const auto t = static_cast<std::size_t>(pool.size());
  const std::size_t parts = t < max_parts ? t : max_parts;
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  // The same ranges as parallel_for's (fss/parallel.cpp): the first n % parts get one more.
  pool.run(parts, [&](std::size_t p) {
    const std::size_t base = n / parts, extra = n % parts;
    const std::size_t begin = p * base + (p < extra ? p : extra);
    fn(begin, begin + base + (p < extra ? 1 : 0));
  });
}

}  // namespace secinfer::fss
