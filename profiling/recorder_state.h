// Internal to profiling/: the Recorder's state and its scope tree. Not for use outside profiling/.
//
// Scope paths are interned as a tree of nodes (children keyed by name, looked up by a linear scan
// with a last-hit cache), reused across runs, so opening a scope builds no string. Each node
// accumulates the metrics of the phase (run or offline phase) in progress; end_run()/end_offline()
// snapshots the nodes touched in that phase and resets them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiling/recorder.h"

namespace secinfer::profiling::detail {

using Clock = std::chrono::steady_clock;

// What one scope accumulated in one phase. Time is split into inclusive and the children's
// inclusive time (exclusive = incl - child_incl); the rest is charged exclusively.
struct Metrics {
  std::int64_t incl_ns = 0;
  std::int64_t child_incl_ns = 0;
  double gpu_incl_ms = 0;
  double gpu_child_ms = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_recv = 0;
  std::uint64_t messages = 0;
  std::uint64_t rounds = 0;
  std::uint64_t calls = 0;
  std::uint64_t key_bytes = 0;
  double comm_wait_ms = 0;

  bool touched() const {
    return calls != 0 || incl_ns != 0 || bytes_sent != 0 || bytes_recv != 0 || messages != 0 ||
           rounds != 0 || key_bytes != 0 || comm_wait_ms != 0 || gpu_incl_ms != 0;
  }
};

struct Node {
  std::string name;
  Node* parent = nullptr;
  std::size_t id = 0;  // creation index in its tree (0 = root)
  std::vector<Node*> children;
  Node* last_hit = nullptr;  // child found by the previous lookup
  Metrics m;
  Clock::time_point start;
  GpuTimer* gpu_timer = nullptr;  // timer that started gpu_handle (null: no GPU timing)
  void* gpu_handle = nullptr;
  bool open = false;
};

class Tree {
 public:
  Tree();
  Node* root() { return nodes_.front().get(); }
  const Node* root() const { return nodes_.front().get(); }
  // Finds or creates the child `name` of `parent`.
  Node* child(Node* parent, std::string_view name);
  // Finds or creates the node at "A/B/C" (empty components are skipped).
  Node* at_path(std::string_view path);
  // The synthetic top-level "Misc" node (created on first use).
  Node* misc();
  std::string path(const Node* n) const;
  // Nodes in depth-first pre-order, children in creation order (root excluded).
  std::vector<const Node*> preorder() const;
  const Node* node(std::size_t id) const { return nodes_[id].get(); }
  std::size_t size() const { return nodes_.size(); }
  void reset_metrics();

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  Node* misc_ = nullptr;
};

// Sums of all charges of one phase, counted independently of the tree (cross-check).
struct Totals {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_recv = 0;
  std::uint64_t messages = 0;
  std::uint64_t rounds = 0;
  std::uint64_t key_bytes = 0;
  double comm_wait_ms = 0;
};

struct NodeRecord {
  std::size_t id;
  Metrics m;
};

// One completed run or offline phase.
struct PhaseRecord {
  bool warmup = false;
  double wall_ms = 0;
  double top_level_incl_ms = 0;  // sum of the top-level scopes' inclusive time
  Totals totals;
  std::vector<NodeRecord> nodes;  // touched nodes, pre-order
};

enum class Mode { kIdle, kRun, kOffline };

struct RecorderState {
  nlohmann::json config;
  int party = 0;
  nlohmann::json environment;
  Status status = Status::kOk;
  nlohmann::json accuracy;     // null: none reported
  nlohmann::json memory_plan;  // null: none reported
  std::string reason;
  std::string run_id;  // set_run_id(); empty: not connected (the log has no "run_id")
  GpuTimer* gpu = nullptr;
  bool active = false;

  Mode mode = Mode::kIdle;
  Tree online;
  Tree offline;
  Tree* live = nullptr;     // tree of the phase in progress (null when idle)
  Node* current = nullptr;  // innermost open node; the live root when none is open
  Clock::time_point phase_start;
  bool phase_warmup = false;
  Totals totals;    // of the phase in progress
  Metrics outside;  // charges while idle

  // A run paused by pause_run(): its active time so far, its totals, and the offline phases held
  // inside it, summed into one offline phase that end_run() logs (one offline phase per run).
  bool run_paused = false;
  bool run_warmup = false;
  std::int64_t run_active_ns = 0;
  Totals run_totals;
  bool has_run_offline = false;
  PhaseRecord run_offline;

  std::vector<PhaseRecord> runs;
  std::vector<PhaseRecord> offline_phases;
  // The model input (begin_model_input): an offline phase of its own, once, before the runs.
  bool in_model_input = false;
  std::optional<PhaseRecord> model_input;
};

// Hot path, used by Scope and the charge_* functions (scope.cpp).
struct Hooks {
  static Node* open(Recorder& r, std::string_view name);
  static void close(Recorder& r, Node* n);
  // Metrics to charge now: the innermost open scope, else the live tree's Misc, else `outside`.
  // Adds to the phase totals via `totals` (null when idle).
  static Metrics& target(Recorder& r, Totals*& totals);
  static bool in_offline(const Recorder& r) { return r.s_->mode == Mode::kOffline; }
};

// The recorder active on this thread (null: none). Defined in scope.cpp.
extern thread_local Recorder* t_active;

}  // namespace secinfer::profiling::detail
