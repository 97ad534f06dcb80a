// Adds the wall time of its scope to an atomic nanosecond counter: the accelerator's call
// statistics, which other threads read without the accelerator's lock. (fss/engine/add_wall.h is
// the same timer for the single-threaded host-time tallies of a dealer and a party.)
//
//   { AddElapsed w(wait_ns_); cudaEventSynchronize(e); }
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace secinfer::fss::cuda {

class AddElapsed {
 public:
  explicit AddElapsed(std::atomic<std::uint64_t>& to)
      : to_(to), t0_(std::chrono::steady_clock::now()) {}
  AddElapsed(const AddElapsed&) = delete;
  AddElapsed& operator=(const AddElapsed&) = delete;
  ~AddElapsed() {
    to_ += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_)
            .count());
  }

 private:
  std::atomic<std::uint64_t>& to_;
  std::chrono::steady_clock::time_point t0_;
};

// A nanosecond counter as the logs print it: whole milliseconds, "123 ms".
inline std::string whole_ms(std::uint64_t ns) {
  return std::to_string(ns / 1000000) + " ms";
}

}  // namespace secinfer::fss::cuda
