// Scoped attribution of online wall time, GPU time and communication (profiling/README.md).
//
//   profiling::Scope s("Softmax");          // opens "Softmax" (nested: "Softmax/nexp")
//   ... channel.exchange(...)                // bytes, messages, rounds, CommWait charged here
//
// Scopes opened on a thread form a stack; the innermost open scope is the "current" one. Time,
// bytes, messages, rounds and time blocked in receive are charged *exclusively* to the innermost
// scope, so exclusive figures of all scopes add up to the run's total. When no Recorder is active
// on the thread, Scope and the charge_* functions do nothing (cheap no-ops). Inside a run but
// outside any scope, charges go to the synthetic top-level scope "Misc"; time spent outside any
// top-level scope is reported as the top-level entry "Unattributed" (see recorder.h, README.md).
// Scopes opened while the active recorder is neither in a run nor in an offline phase are no-ops;
// charges there are counted in the log's "outside_runs".
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
void charge_message();                  // one message (frame) sent
void charge_round();                    // one blocking exchange with the peer
void charge_comm_wait(double wall_ms);  // time blocked waiting for the peer's bytes

// Key bytes produced (or loaded) for the innermost open scope of the offline phase in progress
// (Recorder::begin_offline); no-op outside an offline phase. See Recorder::add_key_bytes for
// charging a scope by path.
void charge_key_bytes(std::uint64_t bytes);

// GPU kernel time (the second clock): the CUDA backend installs a timer; scopes then record a
// pair of events around themselves and report the elapsed GPU ms per scope.
class GpuTimer {
 public:
  virtual ~GpuTimer() = default;
  virtual void* begin() = 0;             // record a start event, return a handle
  virtual double end(void* handle) = 0;  // record the stop event, synchronise, return ms
};

}  // namespace secinfer::profiling
