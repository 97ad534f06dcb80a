// Scoped attribution of online wall time, GPU time and communication (SPEC section 3).
//
//   profiling::Scope s("Softmax");          // opens "Softmax" (nested: "Softmax/nexp")
//   ... channel.exchange(...)                // bytes, messages, rounds, CommWait charged here
//
// Scopes opened on a thread form a stack; the innermost open scope is the "current" one. Time,
// bytes, messages, rounds and time blocked in receive are charged *exclusively* to the innermost
// scope, so exclusive figures of all scopes add up to the run's total. When no Recorder is active
// on the thread, Scope and the charge_* functions do nothing (cheap no-ops).
#pragma once

#include <cstdint>
#include <string_view>

namespace secinfer::profiling {

class Recorder;

class Scope {
 public:
  explicit Scope(std::string_view name);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Recorder* recorder_;  // null when no recorder is active on this thread
  void* node_;          // opaque: the recorder's node for this scope
};

// Called by net/ for every frame: charged to the innermost open scope of this thread.
void charge_send(std::uint64_t bytes);
void charge_recv(std::uint64_t bytes);
void charge_message();                 // one message (frame) sent
void charge_round();                   // one blocking exchange with the peer
void charge_comm_wait(double wall_ms); // time blocked waiting for the peer's bytes

// GPU kernel time (SPEC "two clocks"): the CUDA backend installs a timer; scopes then record a
// pair of events around themselves and report the elapsed GPU ms per scope.
class GpuTimer {
 public:
  virtual ~GpuTimer() = default;
  virtual void* begin() = 0;               // record a start event, return a handle
  virtual double end(void* handle) = 0;    // record the stop event, synchronise, return ms
};

}  // namespace secinfer::profiling
