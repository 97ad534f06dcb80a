#include "profiling/recorder.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <system_error>

#include "profiling/atomic_file.h"
#include "profiling/recorder_state.h"
#include "profiling/scope_names.h"

namespace secinfer::profiling {

using nlohmann::json;

std::string_view to_string(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kFailed:
      return "failed";
    case Status::kOom:
      return "oom";
  }
  return "failed";
}

namespace detail {

Tree::Tree() {
  nodes_.push_back(std::make_unique<Node>());
  nodes_.front()->name = "";
}

Node* Tree::child(Node* parent, std::string_view name) {
  if (parent->last_hit != nullptr && parent->last_hit->name == name) return parent->last_hit;
  for (Node* c : parent->children) {
    if (c->name == name) {
      parent->last_hit = c;
      return c;
    }
  }
  auto n = std::make_unique<Node>();
  n->name = std::string(name);
  n->parent = parent;
  n->id = nodes_.size();
  Node* raw = n.get();
  nodes_.push_back(std::move(n));
  parent->children.push_back(raw);
  parent->last_hit = raw;
  return raw;
}

Node* Tree::at_path(std::string_view path) {
  Node* n = root();
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (!part.empty()) n = child(n, part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return n;
}

Node* Tree::misc() {
  if (misc_ == nullptr) misc_ = child(root(), profiling::scopes::kMisc);
  return misc_;
}

std::string Tree::path(const Node* n) const {
  std::vector<const std::string*> parts;
  for (; n != nullptr && n->parent != nullptr; n = n->parent) parts.push_back(&n->name);
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '/';
    out += **it;
  }
  return out;
}

std::vector<const Node*> Tree::preorder() const {
  std::vector<const Node*> out;
  std::vector<const Node*> stack(root()->children.rbegin(), root()->children.rend());
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    out.push_back(n);
    stack.insert(stack.end(), n->children.rbegin(), n->children.rend());
  }
  return out;
}

void Tree::reset_metrics() {
  for (auto& n : nodes_) n->m = Metrics{};
}

}  // namespace detail

namespace {

using detail::Clock;
using detail::Mode;
using detail::PhaseRecord;
using detail::RecorderState;

double ns_to_ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

void add_totals(detail::Totals& a, const detail::Totals& b) {
  a.bytes_sent += b.bytes_sent;
  a.bytes_recv += b.bytes_recv;
  a.messages += b.messages;
  a.rounds += b.rounds;
  a.key_bytes += b.key_bytes;
  a.comm_wait_ms += b.comm_wait_ms;
}

void add_metrics(detail::Metrics& a, const detail::Metrics& b) {
  a.incl_ns += b.incl_ns;
  a.child_incl_ns += b.child_incl_ns;
  a.gpu_incl_ms += b.gpu_incl_ms;
  a.gpu_child_ms += b.gpu_child_ms;
  a.bytes_sent += b.bytes_sent;
  a.bytes_recv += b.bytes_recv;
  a.messages += b.messages;
  a.rounds += b.rounds;
  a.calls += b.calls;
  a.key_bytes += b.key_bytes;
  a.comm_wait_ms += b.comm_wait_ms;
}

// Sums offline phase r into `group` (scopes matched by node, kept in the tree's pre-order), so
// that the group's scopes still add up to its wall time.
void merge_phase(PhaseRecord& group, const PhaseRecord& r, const detail::Tree& tree) {
  group.wall_ms += r.wall_ms;
  group.top_level_incl_ms += r.top_level_incl_ms;
  add_totals(group.totals, r.totals);
  std::vector<detail::Metrics> by_id(tree.size());
  std::vector<bool> seen(tree.size(), false);
  for (const auto& n : group.nodes) by_id[n.id] = n.m, seen[n.id] = true;
  for (const auto& n : r.nodes) add_metrics(by_id[n.id], n.m), seen[n.id] = true;
  group.nodes.clear();
  for (const detail::Node* n : tree.preorder()) {
    if (seen[n->id]) group.nodes.push_back({n->id, by_id[n->id]});
  }
}

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kIdle:
      return "idle";
    case Mode::kRun:
      return "a run (begin_run)";
    case Mode::kOffline:
      return "an offline phase (begin_offline)";
  }
  return "?";
}

void start_phase(RecorderState& s, Mode mode, detail::Tree& tree, bool warmup, const char* what) {
  if (mode == Mode::kRun && s.run_paused) {
    throw std::logic_error(std::string("profiling::Recorder::") + what +
                           " called while a run is paused: resume_run() and end_run() it first");
  }
  if (s.mode != Mode::kIdle) {
    throw std::logic_error(std::string("profiling::Recorder::") + what + " called inside " +
                           mode_name(s.mode) + ": end it first");
  }
  s.mode = mode;
  s.live = &tree;
  s.current = tree.root();
  s.totals = {};
  s.phase_warmup = warmup;
  tree.reset_metrics();
  s.phase_start = Clock::now();
}

PhaseRecord finish_phase(RecorderState& s, Mode mode, const char* what) {
  const auto end = Clock::now();
  if (s.mode != mode) {
    throw std::logic_error(std::string("profiling::Recorder::") + what + " called while in " +
                           mode_name(s.mode) + ": calls must pair up");
  }
  detail::Tree& tree = *s.live;
  if (s.current != tree.root()) {
    throw std::logic_error(std::string("profiling::Recorder::") + what + " called while scope '" +
                           tree.path(s.current) +
                           "' is still open: close every Scope of the phase before ending it");
  }
  PhaseRecord rec;
  rec.warmup = s.phase_warmup;
  rec.wall_ms = std::chrono::duration<double, std::milli>(end - s.phase_start).count();
  if (mode == Mode::kRun) rec.wall_ms += ns_to_ms(s.run_active_ns);
  rec.top_level_incl_ms = static_cast<double>(tree.root()->m.child_incl_ns) / 1e6;
  rec.totals = s.totals;
  for (const detail::Node* n : tree.preorder()) {
    if (n->m.touched()) rec.nodes.push_back({n->id, n->m});
  }
  tree.reset_metrics();
  s.mode = Mode::kIdle;
  s.live = nullptr;
  s.current = nullptr;
  return rec;
}

// Time spent in the phase outside every top-level scope (>= 0 up to clock resolution).
double unattributed_ms(const PhaseRecord& r) {
  return std::max(0.0, r.wall_ms - r.top_level_incl_ms);
}

json run_scopes(const detail::Tree& tree, const PhaseRecord& r) {
  json scopes = json::array();
  for (const auto& [id, m] : r.nodes) {
    scopes.push_back({{"path", tree.path(tree.node(id))},
                      {"inclusive_wall_ms", ns_to_ms(m.incl_ns)},
                      {"exclusive_wall_ms", ns_to_ms(m.incl_ns - m.child_incl_ns)},
                      // Sums of doubles: a scope whose time is all its children's may come out a
                      // rounding error below zero.
                      {"gpu_ms", std::max(0.0, m.gpu_incl_ms - m.gpu_child_ms)},
                      {"inclusive_gpu_ms", m.gpu_incl_ms},
                      {"bytes_sent", m.bytes_sent},
                      {"bytes_recv", m.bytes_recv},
                      {"messages", m.messages},
                      {"rounds", m.rounds},
                      {"comm_wait_ms", m.comm_wait_ms},
                      {"calls", m.calls}});
  }
  const double u = unattributed_ms(r);
  scopes.push_back({{"path", profiling::scopes::kUnattributed},
                    {"inclusive_wall_ms", u},
                    {"exclusive_wall_ms", u},
                    {"gpu_ms", 0.0},
                    {"inclusive_gpu_ms", 0.0},
                    {"bytes_sent", 0},
                    {"bytes_recv", 0},
                    {"messages", 0},
                    {"rounds", 0},
                    {"comm_wait_ms", 0.0},
                    {"calls", 0}});
  return scopes;
}

json totals_json(const detail::Totals& t) {
  return {{"bytes_sent", t.bytes_sent},
          {"bytes_recv", t.bytes_recv},
          {"messages", t.messages},
          {"rounds", t.rounds},
          {"comm_wait_ms", t.comm_wait_ms}};
}

json offline_phase_json(const detail::Tree& tree, const PhaseRecord& r) {
  json scopes = json::array();
  for (const auto& [id, m] : r.nodes) {
    scopes.push_back({{"path", tree.path(tree.node(id))},
                      {"keygen_ms", ns_to_ms(m.incl_ns - m.child_incl_ns)},
                      {"inclusive_keygen_ms", ns_to_ms(m.incl_ns)},
                      {"key_bytes", m.key_bytes},
                      {"bytes_sent", m.bytes_sent},
                      {"bytes_recv", m.bytes_recv},
                      {"messages", m.messages},
                      {"rounds", m.rounds},
                      {"calls", m.calls}});
  }
  const double u = unattributed_ms(r);
  scopes.push_back({{"path", profiling::scopes::kUnattributed},
                    {"keygen_ms", u},
                    {"inclusive_keygen_ms", u},
                    {"key_bytes", 0},
                    {"bytes_sent", 0},
                    {"bytes_recv", 0},
                    {"messages", 0},
                    {"rounds", 0},
                    {"calls", 0}});
  return {{"keygen_ms", r.wall_ms}, {"key_bytes", r.totals.key_bytes}, {"scopes", scopes}};
}

bool padding_off(const json& config) {
  if (!config.is_object()) return false;
  const auto it = config.find("padding");
  if (it == config.end()) return false;
  if (it->is_string()) return *it == "off";
  if (it->is_boolean()) return !it->get<bool>();
  return false;
}

}  // namespace

Recorder::Recorder(json config, int party) : s_(std::make_unique<detail::RecorderState>()) {
  if (party != 0 && party != 1) {
    throw std::invalid_argument("profiling::Recorder: party must be 0 or 1, got " +
                                std::to_string(party));
  }
  s_->config = std::move(config);
  s_->party = party;
}

Recorder::~Recorder() {
  if (detail::t_active == this) detail::t_active = nullptr;
}

Recorder::Activation::Activation(Recorder* self, Recorder* previous)
    : self_(self), previous_(previous) {}

Recorder::Activation::Activation(Activation&& other) noexcept
    : self_(other.self_), previous_(other.previous_) {
  other.self_ = nullptr;
}

Recorder::Activation::~Activation() {
  if (self_ == nullptr) return;
  self_->s_->active = false;
  detail::t_active = previous_;
}

Recorder::Activation Recorder::activate() {
  if (s_->active) {
    throw std::logic_error(
        "profiling::Recorder::activate: this recorder is already active (on this or another "
        "thread); a recorder is driven by one thread at a time");
  }
  s_->active = true;
  Recorder* previous = detail::t_active;
  detail::t_active = this;
  return Activation(this, previous);
}

void Recorder::begin_run(bool warmup) {
  start_phase(*s_, Mode::kRun, s_->online, warmup, "begin_run");
  s_->run_active_ns = 0;
  s_->has_run_offline = false;
  s_->run_offline = {};
}

void Recorder::end_run() {
  if (s_->run_paused) {
    throw std::logic_error(
        "profiling::Recorder::end_run called on a paused run: resume_run() before end_run()");
  }
  s_->runs.push_back(finish_phase(*s_, Mode::kRun, "end_run"));
  s_->run_active_ns = 0;
  if (s_->has_run_offline) {
    s_->offline_phases.push_back(std::move(s_->run_offline));
    s_->run_offline = {};
    s_->has_run_offline = false;
  }
}

void Recorder::pause_run() {
  RecorderState& s = *s_;
  if (s.mode != Mode::kRun) {
    throw std::logic_error(std::string("profiling::Recorder::pause_run called while in ") +
                           mode_name(s.mode) + ": only a run in progress can be paused");
  }
  if (s.current != s.online.root()) {
    throw std::logic_error("profiling::Recorder::pause_run called while scope '" +
                           s.online.path(s.current) + "' is still open: close it first");
  }
  s.run_active_ns +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - s.phase_start).count();
  s.run_totals = s.totals;
  s.run_warmup = s.phase_warmup;
  s.run_paused = true;
  s.mode = Mode::kIdle;
  s.live = nullptr;
  s.current = nullptr;
}

void Recorder::resume_run() {
  RecorderState& s = *s_;
  if (!s.run_paused || s.mode != Mode::kIdle) {
    throw std::logic_error(std::string("profiling::Recorder::resume_run called while in ") +
                           mode_name(s.mode) + (s.run_paused ? "" : " with no paused run") +
                           ": pair it with pause_run");
  }
  s.run_paused = false;
  s.mode = Mode::kRun;
  s.live = &s.online;
  s.current = s.online.root();
  s.totals = s.run_totals;
  s.phase_warmup = s.run_warmup;
  s.phase_start = Clock::now();
}

void Recorder::begin_offline() {
  start_phase(*s_, Mode::kOffline, s_->offline, false, "begin_offline");
}

void Recorder::end_offline() {
  if (s_->in_model_input) {
    throw std::logic_error(
        "profiling::Recorder::end_offline called in the model input: end it with "
        "end_model_input()");
  }
  PhaseRecord r = finish_phase(*s_, Mode::kOffline, "end_offline");
  if (!s_->run_paused) {
    s_->offline_phases.push_back(std::move(r));
    return;
  }
  // Inside a paused run: one offline phase per run.
  r.warmup = s_->run_warmup;
  if (!s_->has_run_offline) {
    s_->run_offline = std::move(r);
    s_->has_run_offline = true;
  } else {
    merge_phase(s_->run_offline, r, s_->offline);
  }
}

void Recorder::begin_model_input() {
  if (s_->run_paused) {
    throw std::logic_error(
        "profiling::Recorder::begin_model_input called while a run is paused: the model input "
        "comes before the runs");
  }
  if (s_->model_input) {
    throw std::logic_error(
        "profiling::Recorder::begin_model_input called twice: the model input is recorded once");
  }
  start_phase(*s_, Mode::kOffline, s_->offline, false, "begin_model_input");
  s_->in_model_input = true;
}

void Recorder::end_model_input() {
  if (!s_->in_model_input) {
    throw std::logic_error(
        "profiling::Recorder::end_model_input called outside the model input: pair it with "
        "begin_model_input()");
  }
  s_->model_input = finish_phase(*s_, Mode::kOffline, "end_model_input");
  s_->in_model_input = false;
}

void Recorder::abort_phase() {
  RecorderState& s = *s_;
  if (s.mode != Mode::kIdle) s.live->reset_metrics();
  s.in_model_input = false;
  s.mode = Mode::kIdle;
  s.live = nullptr;
  s.current = nullptr;
  // A paused run (and the offline phases held inside it) goes too.
  if (s.run_paused) s.online.reset_metrics();
  s.run_paused = false;
  s.run_active_ns = 0;
  s.has_run_offline = false;
  s.run_offline = {};
}

void Recorder::add_key_bytes(std::string_view scope_path, std::uint64_t bytes) {
  if (s_->mode != Mode::kOffline) {
    throw std::logic_error(
        "profiling::Recorder::add_key_bytes called outside an offline phase: wrap key generation "
        "or key loading in begin_offline()/end_offline()");
  }
  detail::Node* n = s_->offline.at_path(scope_path);
  if (n == s_->offline.root()) n = s_->offline.misc();
  n->m.key_bytes += bytes;
  s_->totals.key_bytes += bytes;
}

void Recorder::set_status(Status s, std::string reason) {
  s_->status = s;
  s_->reason = std::move(reason);
}

void Recorder::set_run_id(std::string id) {
  s_->run_id = std::move(id);
}

void Recorder::set_accuracy(json accuracy) {
  s_->accuracy = std::move(accuracy);
}

void Recorder::set_memory_plan(json plan) {
  s_->memory_plan = std::move(plan);
}

void Recorder::set_gpu_timer(GpuTimer* t) {
  s_->gpu = t;
}

void Recorder::set_environment(json env) {
  s_->environment = std::move(env);
}

json Recorder::to_json() const {
  const RecorderState& s = *s_;
  json j;
  j["schema"] = "secinfer.party/1";
  j["status"] = std::string(to_string(s.status));
  j["reason"] = s.reason;
  j["party"] = s.party;
  if (!s.run_id.empty()) j["run_id"] = s.run_id;
  j["config"] = s.config;
  if (s.environment.is_null()) {
    int threads = 0;
    if (s.config.is_object() && s.config.contains("threads") &&
        s.config["threads"].is_number_integer()) {
      threads = s.config["threads"].get<int>();
    }
    j["environment"] = default_environment(threads);
  } else {
    j["environment"] = s.environment;
  }
  if (padding_off(s.config)) j["padding_warning"] = std::string(kPaddingWarning);
  if (!s.accuracy.is_null()) j["accuracy"] = s.accuracy;
  if (!s.memory_plan.is_null()) j["memory_plan"] = s.memory_plan;

  json runs = json::array();
  for (std::size_t i = 0; i < s.runs.size(); ++i) {
    const PhaseRecord& r = s.runs[i];
    runs.push_back({{"index", i},
                    {"warmup", r.warmup},
                    {"wall_ms", r.wall_ms},
                    {"totals", totals_json(r.totals)},
                    {"scopes", run_scopes(s.online, r)}});
  }
  j["runs"] = std::move(runs);

  // Offline summary = the phase with the median keygen time (lower median for an even count), so
  // that its scopes add up to its total; every phase is kept under "phases".
  json phases = json::array();
  for (const PhaseRecord& r : s.offline_phases) phases.push_back(offline_phase_json(s.offline, r));
  json offline = {{"phase_count", s.offline_phases.size()}};
  if (s.offline_phases.empty()) {
    offline["median_phase"] = nullptr;
    offline["keygen_ms"] = 0.0;
    offline["key_bytes"] = 0;
    offline["scopes"] = json::array();
  } else {
    std::vector<std::size_t> idx(s.offline_phases.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return s.offline_phases[a].wall_ms < s.offline_phases[b].wall_ms;
    });
    const std::size_t med = idx[(idx.size() - 1) / 2];
    offline["median_phase"] = med;
    offline["keygen_ms"] = phases[med]["keygen_ms"];
    offline["key_bytes"] = phases[med]["key_bytes"];
    offline["scopes"] = phases[med]["scopes"];
  }
  offline["phases"] = std::move(phases);
  j["offline"] = std::move(offline);
  // The model input (begin_model_input), with the bytes it sent; null when there was none.
  j["model_input"] = nullptr;
  if (s.model_input) {
    j["model_input"] = offline_phase_json(s.offline, *s.model_input);
    j["model_input"]["totals"] = totals_json(s.model_input->totals);
  }

  j["outside_runs"] = {{"bytes_sent", s.outside.bytes_sent},
                       {"bytes_recv", s.outside.bytes_recv},
                       {"messages", s.outside.messages},
                       {"rounds", s.outside.rounds},
                       {"comm_wait_ms", s.outside.comm_wait_ms}};
  return j;
}

void Recorder::write(const std::filesystem::path& file) const {
  write_file_atomic(file, to_json().dump(2) + "\n");
}

}  // namespace secinfer::profiling
