// Scope and charge_* (hot path): a thread-local pointer to the active Recorder is the only global
// mutable state (CONTRIBUTING.md); the current node lives in the recorder, which is driven by one
// thread at a time.
#include "profiling/scope.h"

#include "profiling/recorder.h"
#include "profiling/recorder_state.h"

namespace secinfer::profiling {
namespace detail {

thread_local Recorder* t_active = nullptr;

Node* Hooks::open(Recorder& r, std::string_view name) {
  RecorderState& s = *r.s_;
  if (s.live == nullptr) return nullptr;  // idle: neither a run nor an offline phase
  Node* n = s.live->child(s.current, name);
  n->open = true;
  ++n->m.calls;
  if (s.gpu != nullptr) {
    n->gpu_timer = s.gpu;
    n->gpu_handle = s.gpu->begin();
  }
  s.current = n;
  n->start = Clock::now();  // last, so that the bookkeeping above is not timed
  return n;
}

void Hooks::close(Recorder& r, Node* n) {
  const auto end = Clock::now();
  RecorderState& s = *r.s_;
  const std::int64_t ns = (end - n->start).count();
  n->m.incl_ns += ns;
  n->parent->m.child_incl_ns += ns;  // the root's child_incl_ns = sum of top-level inclusive
  if (n->gpu_timer != nullptr) {
    const double ms = n->gpu_timer->end(n->gpu_handle);
    n->m.gpu_incl_ms += ms;
    n->parent->m.gpu_child_ms += ms;
    n->gpu_timer = nullptr;
    n->gpu_handle = nullptr;
  }
  n->open = false;
  if (s.live != nullptr) s.current = n->parent;  // (idle after abort_phase: nothing to restore)
}

Metrics& Hooks::target(Recorder& r, Totals*& totals) {
  RecorderState& s = *r.s_;
  if (s.live == nullptr) {
    totals = nullptr;
    return s.outside;
  }
  totals = &s.totals;
  if (s.current == s.live->root()) return s.live->misc()->m;
  return s.current->m;
}

}  // namespace detail

Scope::Scope(std::string_view name) : recorder_(detail::t_active), node_(nullptr) {
  if (recorder_ == nullptr) return;
  node_ = detail::Hooks::open(*recorder_, name);
  if (node_ == nullptr) recorder_ = nullptr;
}

Scope::~Scope() {
  if (recorder_ != nullptr) detail::Hooks::close(*recorder_, static_cast<detail::Node*>(node_));
}

namespace {

// Applies f(metrics, totals_or_null) to the charge target of this thread's recorder, if any.
template <class F>
inline void charge(F&& f) {
  Recorder* r = detail::t_active;
  if (r == nullptr) return;
  detail::Totals* totals = nullptr;
  detail::Metrics& m = detail::Hooks::target(*r, totals);
  f(m, totals);
}

}  // namespace

void charge_send(std::uint64_t bytes) {
  charge([bytes](detail::Metrics& m, detail::Totals* t) {
    m.bytes_sent += bytes;
    if (t) t->bytes_sent += bytes;
  });
}

void charge_recv(std::uint64_t bytes) {
  charge([bytes](detail::Metrics& m, detail::Totals* t) {
    m.bytes_recv += bytes;
    if (t) t->bytes_recv += bytes;
  });
}

void charge_message() {
  charge([](detail::Metrics& m, detail::Totals* t) {
    ++m.messages;
    if (t) ++t->messages;
  });
}

void charge_round() {
  charge([](detail::Metrics& m, detail::Totals* t) {
    ++m.rounds;
    if (t) ++t->rounds;
  });
}

void charge_comm_wait(double wall_ms) {
  charge([wall_ms](detail::Metrics& m, detail::Totals* t) {
    m.comm_wait_ms += wall_ms;
    if (t) t->comm_wait_ms += wall_ms;
  });
}

void charge_key_bytes(std::uint64_t bytes) {
  Recorder* r = detail::t_active;
  if (r == nullptr || !detail::Hooks::in_offline(*r)) return;
  charge([bytes](detail::Metrics& m, detail::Totals* t) {
    m.key_bytes += bytes;
    if (t) t->key_bytes += bytes;
  });
}

}  // namespace secinfer::profiling
