// Adds the wall time of its scope to a nanosecond counter: the host-time tallies of a party's and
// a dealer's work (Party::host_time, Dealer::host_time).
//
//   { AddWall w(host_time_.pack_ns); pack(...); }
#pragma once

#include <chrono>
#include <cstdint>

namespace secinfer::fss::engine {

class AddWall {
 public:
  explicit AddWall(std::uint64_t& ns) : ns_(ns), t0_(Clock::now()) {}
  AddWall(const AddWall&) = delete;
  AddWall& operator=(const AddWall&) = delete;
  ~AddWall() {
    ns_ += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count());
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t& ns_;
  Clock::time_point t0_;
};

}  // namespace secinfer::fss::engine
