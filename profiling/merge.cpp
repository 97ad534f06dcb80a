// merge_party_logs: two "secinfer.party/1" logs -> "secinfer.breakdown/1".
// Rules and the reconciliation of exclusive medians are documented in profiling/README.md.
#include "profiling/merge.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "profiling/scope_names.h"
#include "profiling/stats.h"

namespace secinfer::profiling {

using nlohmann::json;

namespace {

constexpr const char* kPartySchema = "secinfer.party/1";
constexpr const char* kMergedSchema = "secinfer.breakdown/1";

// One scope of one run of one party.
struct ScopeRun {
  double incl = 0, excl = 0, gpu = 0, wait = 0;
  std::uint64_t sent = 0, recv = 0, messages = 0, rounds = 0, calls = 0;
};

struct Run {
  bool warmup = false;
  double wall = 0;
  std::vector<std::string> order;  // paths in log order
  std::map<std::string, ScopeRun> scopes;
  json totals;  // as logged (null if absent); checked against the scopes
};

struct OfflineScope {
  std::string path;
  double keygen_ms = 0;
  std::uint64_t key_bytes = 0;
};

struct Party {
  std::string label;  // "P0 log" / "first log" in messages
  int party = -1;
  std::string status, reason;
  std::string run_id;  // empty: the log has none (the party never connected, or an older log)
  json config, environment, padding_warning;
  std::vector<Run> runs;
  bool has_offline = false;
  double keygen_ms = 0;
  std::uint64_t key_bytes = 0;
  std::uint64_t offline_phases = 0;
  std::vector<OfflineScope> offline_scopes;
  // Bytes this party sent outside the online scopes (0 in logs without the fields): in its
  // median offline phase, in all offline phases (the weight input), and outside every run and
  // phase (handshake, memory verdicts, input agreement, the exchange before each online step).
  std::uint64_t offline_sent = 0, offline_sent_all = 0, outside_sent = 0;
  // The model input (Recorder::begin_model_input; absent in older logs and in runs that mask
  // their weights in every run).
  bool has_model_input = false;
  double model_input_ms = 0;
  std::uint64_t model_input_key_bytes = 0, model_input_sent = 0;
};

// "P0" / "P1" (appended, not "P" + to_string(): GCC 12 -Wrestrict false positive at -O3).
std::string party_name(int party) {
  std::string s = "P";
  s += static_cast<char>('0' + party);
  return s;
}

std::string short_json(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Header fields every log has, whatever its status.
Party parse_header(const json& j, const std::string& label) {
  Party p;
  p.label = label;
  if (!j.is_object()) {
    throw MergeError(label + " is not a party log (expected a JSON object with \"schema\": \"" +
                     kPartySchema + "\"): pass the p0.json / p1.json written by `secinfer`");
  }
  const auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || *schema != kPartySchema) {
    throw MergeError(label + " is not a party log: \"schema\" is " +
                     (schema == j.end() ? std::string("missing") : short_json(*schema)) +
                     ", expected \"" + kPartySchema +
                     "\"; pass the p0.json / p1.json written by `secinfer` (not a merged file)");
  }
  try {
    p.party = j.at("party").get<int>();
    p.status = j.at("status").get<std::string>();
    p.reason = j.value("reason", std::string());
    p.run_id = j.value("run_id", std::string());
    p.config = j.at("config");
    p.environment = j.value("environment", json::object());
    p.padding_warning = j.value("padding_warning", json());
  } catch (const json::exception& e) {
    throw MergeError(label + " is malformed (" + e.what() + "); re-run the party to rewrite it");
  }
  if (p.party != 0 && p.party != 1) {
    throw MergeError(label + " has \"party\": " + std::to_string(p.party) +
                     "; party ids are 0 and 1");
  }
  if (p.status != "ok" && p.status != "failed" && p.status != "oom") {
    throw MergeError(label + " has unknown \"status\": \"" + p.status +
                     "\" (expected ok, failed or oom)");
  }
  p.label = party_name(p.party) + " log";
  return p;
}

void parse_offline(const json& j, Party& p) {
  const auto it = j.find("offline");
  if (it == j.end() || !it->is_object()) return;
  p.has_offline = true;
  p.keygen_ms = it->value("keygen_ms", 0.0);
  p.key_bytes = it->value("key_bytes", std::uint64_t{0});
  p.offline_phases = it->value("phase_count", std::uint64_t{0});
  for (const json& s : it->value("scopes", json::array())) {
    p.offline_scopes.push_back({s.at("path").get<std::string>(), s.value("keygen_ms", 0.0),
                                s.value("key_bytes", std::uint64_t{0})});
    p.offline_sent += s.value("bytes_sent", std::uint64_t{0});
  }
  for (const json& phase : it->value("phases", json::array())) {
    for (const json& s : phase.value("scopes", json::array()))
      p.offline_sent_all += s.value("bytes_sent", std::uint64_t{0});
  }
  const auto mi = j.find("model_input");
  if (mi == j.end() || !mi->is_object()) return;
  p.has_model_input = true;
  p.model_input_ms = mi->value("keygen_ms", 0.0);
  p.model_input_key_bytes = mi->value("key_bytes", std::uint64_t{0});
  for (const json& s : mi->value("scopes", json::array()))
    p.model_input_sent += s.value("bytes_sent", std::uint64_t{0});
}

void parse_outside_runs(const json& j, Party& p) {
  const auto it = j.find("outside_runs");
  if (it != j.end() && it->is_object()) p.outside_sent = it->value("bytes_sent", std::uint64_t{0});
}

// A time in a log: finite, not negative (a rounding error of a nanosecond below zero is kept: a
// difference of sums of doubles), below a century (a larger one is an edited log).
void check_time(const Party& p, std::size_t index, const std::string& what, double ms) {
  constexpr double kCenturyMs = 100.0 * 365.25 * 24 * 3600 * 1000;
  if (!std::isfinite(ms) || ms < -1e-6 || ms > kCenturyMs) {
    throw MergeError(p.label + ", run " + std::to_string(index) + ": " + what + " is " +
                     std::to_string(ms) +
                     " ms (not a time a run can take): the log was edited or corrupted; re-run "
                     "the party to rewrite it");
  }
}

// What the recorder guarantees of every run it writes: sane times, exclusive times that add up to
// the run's wall time (Unattributed holds the rest), totals that are the sums of the scopes.
void check_run_numbers(const Party& p, std::size_t index, const Run& run) {
  check_time(p, index, "wall_ms", run.wall);
  double excl_sum = 0;
  std::uint64_t sent = 0, recv = 0, messages = 0, rounds = 0;
  for (const auto& [path, s] : run.scopes) {
    check_time(p, index, "'" + path + "' inclusive_wall_ms", s.incl);
    check_time(p, index, "'" + path + "' exclusive_wall_ms", s.excl);
    check_time(p, index, "'" + path + "' comm_wait_ms", s.wait);
    check_time(p, index, "'" + path + "' gpu_ms", s.gpu);
    excl_sum += s.excl;
    sent += s.sent;
    recv += s.recv;
    messages += s.messages;
    rounds += s.rounds;
  }
  if (!run.scopes.empty() && std::abs(excl_sum - run.wall) > std::max(1.0, 0.01 * run.wall)) {
    throw MergeError(p.label + ", run " + std::to_string(index) +
                     ": the exclusive times add up to " + std::to_string(excl_sum) +
                     " ms but wall_ms is " + std::to_string(run.wall) +
                     " ms: the log was edited or corrupted; re-run the party to rewrite it");
  }
  if (!run.totals.is_object()) return;
  const json* totals = &run.totals;
  const std::pair<const char*, std::uint64_t> sums[] = {
      {"bytes_sent", sent}, {"bytes_recv", recv}, {"messages", messages}, {"rounds", rounds}};
  for (const auto& [key, sum] : sums) {
    const auto v = totals->find(key);
    if (v == totals->end()) continue;
    if (!v->is_number_unsigned() || v->get<std::uint64_t>() != sum) {
      throw MergeError(p.label + ", run " + std::to_string(index) + ": totals." + key + " is " +
                       short_json(*v) + " but its scopes add up to " + std::to_string(sum) +
                       ": the log was edited or corrupted; re-run the party to rewrite it");
    }
  }
}

void parse_body(const json& j, Party& p) {
  try {
    for (const json& r : j.at("runs")) {
      Run run;
      run.warmup = r.at("warmup").get<bool>();
      run.wall = r.at("wall_ms").get<double>();
      for (const json& s : r.at("scopes")) {
        ScopeRun sr;
        const auto path = s.at("path").get<std::string>();
        sr.incl = s.at("inclusive_wall_ms").get<double>();
        sr.excl = s.at("exclusive_wall_ms").get<double>();
        sr.gpu = s.value("gpu_ms", 0.0);
        sr.wait = s.at("comm_wait_ms").get<double>();
        sr.sent = s.at("bytes_sent").get<std::uint64_t>();
        sr.recv = s.at("bytes_recv").get<std::uint64_t>();
        sr.messages = s.at("messages").get<std::uint64_t>();
        sr.rounds = s.at("rounds").get<std::uint64_t>();
        sr.calls = s.value("calls", std::uint64_t{0});
        if (!run.scopes.emplace(path, sr).second) {
          throw MergeError(p.label + " lists scope '" + path +
                           "' twice in one run (a scope name containing '/'?)");
        }
        run.order.push_back(path);
      }
      run.totals = r.value("totals", json());
      p.runs.push_back(std::move(run));
    }
    parse_offline(j, p);
    parse_outside_runs(j, p);
  } catch (const json::exception& e) {
    throw MergeError(p.label + " is malformed (" + e.what() +
                     "); it was not written by this version of `secinfer` or was edited: re-run "
                     "the party to rewrite it");
  }
}

json zero_summary() {
  return {{"median", 0.0}, {"p25", 0.0}, {"p75", 0.0}, {"min", 0.0}, {"max", 0.0}};
}

json summary_json(const Summary& s) {
  return {{"median", s.median}, {"p25", s.p25}, {"p75", s.p75}, {"min", s.min}, {"max", s.max}};
}

json summary_json(const std::vector<double>& v) {
  return summary_json(summarize(v));
}

// Keys whose values differ between the two configs ("party" is ignored).
std::vector<std::string> config_differences(const json& a, const json& b) {
  std::vector<std::string> out;
  if (!a.is_object() || !b.is_object()) {
    if (a != b) out.push_back("config: P0 " + short_json(a) + ", P1 " + short_json(b));
    return out;
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  keys.erase("party");
  for (const std::string& k : keys) {
    const bool in_a = a.contains(k), in_b = b.contains(k);
    if (in_a && in_b && a[k] == b[k]) continue;
    out.push_back(k + ": P0 " + (in_a ? short_json(a[k]) : std::string("(absent)")) + ", P1 " +
                  (in_b ? short_json(b[k]) : std::string("(absent)")));
  }
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) out += (i ? sep : "") + v[i];
  if (v.size() > limit) out += sep + "... (" + std::to_string(v.size() - limit) + " more)";
  return out;
}

json offline_json(const Party& a, const Party& b) {
  json j = {{"keygen_ms", std::max(a.keygen_ms, b.keygen_ms)},
            {"key_bytes", {{"p0", a.key_bytes}, {"p1", b.key_bytes}}},
            {"keygen_ms_party", {{"p0", a.keygen_ms}, {"p1", b.keygen_ms}}},
            {"phase_count", {{"p0", a.offline_phases}, {"p1", b.offline_phases}}},
            {"bytes", a.offline_sent + b.offline_sent},
            {"bytes_sent", {{"p0", a.offline_sent}, {"p1", b.offline_sent}}}};
  if (a.has_model_input || b.has_model_input) {
    j["model_input"] = {
        {"ms",
         {{"p0", a.model_input_ms},
          {"p1", b.model_input_ms},
          {"max", std::max(a.model_input_ms, b.model_input_ms)}}},
        {"key_bytes", {{"p0", a.model_input_key_bytes}, {"p1", b.model_input_key_bytes}}},
        {"bytes_sent", {{"p0", a.model_input_sent}, {"p1", b.model_input_sent}}},
        {"what",
         "once per execution, before the runs: the model owner masks its weights and sends them; "
         "every run reuses them, so keygen_ms (a run's offline phase) leaves this out"}};
  }
  return j;
}

// Every byte both parties put on the channel in this execution (profiling/README.md, "Bytes on
// the wire"): the online runs (warm-up included), all offline phases, and the control messages
// outside them. Each byte counted once, by its sender.
json wire_json(const Party& a, const Party& b) {
  std::uint64_t online = 0;
  for (const Party* p : {&a, &b}) {
    for (const Run& r : p->runs) {
      for (const auto& [path, s] : r.scopes) online += s.sent;
    }
  }
  const std::uint64_t offline =
      a.offline_sent_all + b.offline_sent_all + a.model_input_sent + b.model_input_sent;
  const std::uint64_t control = a.outside_sent + b.outside_sent;
  return {{"online_bytes", online},
          {"offline_bytes", offline},
          {"control_bytes", control},
          {"total_bytes", online + offline + control},
          {"runs", a.runs.size()},
          {"offline_phases", a.offline_phases},
          {"what",
           "bytes sent by both parties over the whole execution, 8-byte frame headers included: "
           "online = every run (warm-up included), offline = every offline phase and the model "
           "input (party 0 sends its masked weights), control = outside the runs (handshake, "
           "memory verdicts, input agreement, the exchange before each online step); total_bytes "
           "is the TCP payload on the wire"}};
}

json offline_scopes_json(const Party& a, const Party& b) {
  std::vector<std::string> order;
  std::map<std::string, std::pair<const OfflineScope*, const OfflineScope*>> by_path;
  for (const auto& s : a.offline_scopes) {
    if (!by_path.count(s.path)) order.push_back(s.path);
    by_path[s.path].first = &s;
  }
  for (const auto& s : b.offline_scopes) {
    if (!by_path.count(s.path)) order.push_back(s.path);
    by_path[s.path].second = &s;
  }
  json out = json::array();
  for (const std::string& path : order) {
    const auto [x, y] = by_path[path];
    const double k0 = x ? x->keygen_ms : 0.0, k1 = y ? y->keygen_ms : 0.0;
    out.push_back({{"path", path},
                   {"keygen_ms", {{"p0", k0}, {"p1", k1}, {"max", std::max(k0, k1)}}},
                   {"key_bytes", {{"p0", x ? x->key_bytes : 0}, {"p1", y ? y->key_bytes : 0}}}});
  }
  return out;
}

json environments(const Party& a, const Party& b) {
  return {{"p0", a.environment}, {"p1", b.environment}};
}

json padding_warning(const Party& a, const Party& b) {
  if (!a.padding_warning.is_null()) return a.padding_warning;
  return b.padding_warning;
}

// A merged file for runs that did not complete: status and both reasons, no statistics.
json failed_merge(const Party& a, const Party& b) {
  const std::string status = (a.status == "failed" || b.status == "failed") ? "failed" : "oom";
  std::vector<std::string> reasons;
  for (const Party* p : {&a, &b}) {
    if (p->status != "ok") {
      reasons.push_back(party_name(p->party) + " " + p->status + ": " +
                        (p->reason.empty() ? std::string("(no reason given)") : p->reason));
    }
  }
  json m;
  m["schema"] = kMergedSchema;
  m["status"] = status;
  m["reason"] = join(reasons, "; ", 2);
  if (!a.run_id.empty() || !b.run_id.empty()) m["run_id"] = a.run_id.empty() ? b.run_id : a.run_id;
  m["config"] = a.config;
  if (!config_differences(a.config, b.config).empty()) m["config_p1"] = b.config;
  m["party_status"] = {{"p0", {{"status", a.status}, {"reason", a.reason}}},
                       {"p1", {{"status", b.status}, {"reason", b.reason}}}};
  m["environment"] = environments(a, b);
  if (auto w = padding_warning(a, b); !w.is_null()) m["padding_warning"] = w;
  m["total"] = {{"wall_ms", zero_summary()}, {"bytes", 0}, {"messages", 0}, {"rounds", 0}};
  m["scopes"] = json::array();
  m["offline"] = offline_json(a, b);
  m["offline_scopes"] = offline_scopes_json(a, b);
  return m;
}

void check_runs(const Party& a, const Party& b) {
  if (a.runs.size() != b.runs.size()) {
    throw MergeError("the logs hold different numbers of runs: P0 " +
                     std::to_string(a.runs.size()) + ", P1 " + std::to_string(b.runs.size()) +
                     "; they are not from the same session: merge the two logs of one session");
  }
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    const Run& x = a.runs[r];
    const Run& y = b.runs[r];
    if (x.warmup != y.warmup) {
      throw MergeError("run " + std::to_string(r) + " is a warm-up run in the P" +
                       (x.warmup ? "0" : "1") + " log but not in the other; the logs are not " +
                       "from the same session");
    }
    std::vector<std::string> only0, only1;
    for (const auto& [path, s] : x.scopes) {
      if (!y.scopes.count(path)) only0.push_back(path);
    }
    for (const auto& [path, s] : y.scopes) {
      if (!x.scopes.count(path)) only1.push_back(path);
    }
    if (!only0.empty() || !only1.empty()) {
      throw MergeError("run " + std::to_string(r) + ": the scope trees differ (only in P0: [" +
                       join(only0, ", ", 8) + "]; only in P1: [" + join(only1, ", ", 8) +
                       "]); the parties ran different code: check that both run the same "
                       "version and settings");
    }
    for (const std::string& path : x.order) {
      const ScopeRun& s0 = x.scopes.at(path);
      const ScopeRun& s1 = y.scopes.at(path);
      if (s0.sent != s1.recv || s1.sent != s0.recv) {
        throw MergeError("run " + std::to_string(r) + ", scope '" + path + "': P0 sent " +
                         std::to_string(s0.sent) + " bytes and P1 received " +
                         std::to_string(s1.recv) + "; P1 sent " + std::to_string(s1.sent) +
                         " and P0 received " + std::to_string(s0.recv) +
                         ". Sent must equal received: the logs are not from the same session, "
                         "or a message is charged to different scopes on the two sides");
      }
    }
  }
}

// Two logs of one execution carry the run id both parties agreed on at the handshake. A log of a
// party that never connected has none; two completed logs must both have it.
void check_same_execution(const Party& a, const Party& b) {
  if (!a.run_id.empty() && !b.run_id.empty() && a.run_id != b.run_id) {
    throw MergeError("the logs are from different executions (run id " + a.run_id +
                     " in the P0 log, " + b.run_id +
                     " in the P1 log): merge the p0.json and p1.json written by one run");
  }
  if (a.status == "ok" && b.status == "ok" && a.run_id.empty() != b.run_id.empty()) {
    const Party& without = a.run_id.empty() ? a : b;
    throw MergeError(without.label +
                     " has no run id, the other has one: they are not from the same execution "
                     "(or one was written by an older secinfer or edited); merge the two logs of "
                     "one run");
  }
}

std::vector<double> column(const std::vector<std::vector<double>>& rows, std::size_t i) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r[i]);
  return out;
}

int depth_of(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw MergeError("cannot read " + file.string() +
                     ": no such file (check the path; each party writes its log at the end of "
                     "its run)");
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw MergeError(file.string() +
                     " is a folder, not a log: pass the p0.json / p1.json file inside it");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw MergeError("cannot open " + file.string() + " for reading (permissions?)");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw MergeError(file.string() + " is empty: the run that writes it did not finish; re-run it");
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw MergeError(file.string() + " is not valid JSON (truncated or corrupt?): " + e.what() +
                     "; re-run the party that writes it");
  }
}

nlohmann::json merge_party_logs(const nlohmann::json& first, const nlohmann::json& second) {
  Party a = parse_header(first, "first log");
  Party b = parse_header(second, "second log");
  if (a.party == b.party) {
    throw MergeError("both logs are from party " + std::to_string(a.party) +
                     ": pass the log of P0 and the log of P1 (p0.json and p1.json)");
  }
  const json* ja = &first;
  const json* jb = &second;
  if (a.party == 1) {
    std::swap(a, b);
    std::swap(ja, jb);
  }

  check_same_execution(a, b);
  if (a.status != "ok" || b.status != "ok") {
    try {
      parse_offline(*ja, a);
      parse_offline(*jb, b);
    } catch (const json::exception&) {
      // Offline figures of a failed run are best effort.
    }
    return failed_merge(a, b);
  }

  if (const auto diff = config_differences(a.config, b.config); !diff.empty()) {
    throw MergeError("the two logs have different configs (" + join(diff, "; ", 10) +
                     "); they are from different settings: merge the P0 and P1 logs of the same "
                     "run");
  }
  parse_body(*ja, a);
  parse_body(*jb, b);
  check_runs(a, b);
  for (const Party* p : {&a, &b}) {
    for (std::size_t r = 0; r < p->runs.size(); ++r) check_run_numbers(*p, r, p->runs[r]);
  }

  std::vector<std::size_t> measured;  // indices of the non-warm-up runs
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    if (!a.runs[r].warmup) measured.push_back(r);
  }
  if (measured.empty()) {
    throw MergeError("the logs hold no measured run (" + std::to_string(a.runs.size()) +
                     " warm-up runs only): run with --runs 1 or more");
  }

  // Scope list: union over the measured runs, in log order (tree pre-order, Unattributed last).
  std::vector<std::string> paths;
  std::set<std::string> seen;
  for (std::size_t r : measured) {
    for (const std::string& p : a.runs[r].order) {
      if (seen.insert(p).second) paths.push_back(p);
    }
  }
  // Misc (with any sub-scopes) and then Unattributed go last, whatever the order of creation.
  std::stable_partition(paths.begin(), paths.end(), [](const std::string& p) {
    return p != profiling::scopes::kMisc && p.rfind("Misc/", 0) != 0 &&
           p != profiling::scopes::kUnattributed;
  });
  if (const auto it = std::find(paths.begin(), paths.end(), profiling::scopes::kUnattributed);
      it != paths.end()) {
    paths.erase(it);
    paths.push_back(profiling::scopes::kUnattributed);
  }
  const std::size_t n = measured.size(), m = paths.size();

  // Per measured run: total = max(p0, p1); per scope max(p0, p1) of each time.
  std::vector<double> total(n), wall0(n), wall1(n), wait_total(n);
  std::vector<std::vector<double>> excl(n, std::vector<double>(m)),
      incl = excl, gpu = excl, wait = excl, recon = excl, excl0 = excl, excl1 = excl;
  std::vector<double> overlap_scale(n, 1.0);
  static const ScopeRun kAbsent{};
  for (std::size_t i = 0; i < n; ++i) {
    const Run& x = a.runs[measured[i]];
    const Run& y = b.runs[measured[i]];
    wall0[i] = x.wall;
    wall1[i] = y.wall;
    total[i] = std::max(x.wall, y.wall);
    double sum = 0, w0 = 0, w1 = 0;
    for (std::size_t s = 0; s < m; ++s) {
      const auto fx = x.scopes.find(paths[s]);
      const auto fy = y.scopes.find(paths[s]);
      const ScopeRun& s0 = fx == x.scopes.end() ? kAbsent : fx->second;
      const ScopeRun& s1 = fy == y.scopes.end() ? kAbsent : fy->second;
      excl0[i][s] = s0.excl;
      excl1[i][s] = s1.excl;
      excl[i][s] = std::max(s0.excl, s1.excl);
      incl[i][s] = std::max(s0.incl, s1.incl);
      gpu[i][s] = std::max(s0.gpu, s1.gpu);
      wait[i][s] = std::max(s0.wait, s1.wait);
      sum += excl[i][s];
      w0 += s0.wait;
      w1 += s1.wait;
    }
    wait_total[i] = std::max(w0, w1);
    // Reconciliation: each party's exclusive times add up to its own wall time, but the sum of
    // the per-scope maxima exceeds the max of the totals wherever the parties' times differ. Scale
    // this run's maxima so that they add up to the run's total (README.md, "Reconciliation").
    if (sum > 0) overlap_scale[i] = total[i] / sum;
    for (std::size_t s = 0; s < m; ++s) recon[i][s] = excl[i][s] * overlap_scale[i];
  }

  const Summary total_stats = summarize(total);
  // The median run: the one whose total is closest to the median total (lower total on ties).
  std::size_t med = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const double di = std::abs(total[i] - total_stats.median);
    const double dm = std::abs(total[med] - total_stats.median);
    if (di < dm || (di == dm && total[i] < total[med])) med = i;
  }
  // For an even count the median total lies between two runs: scale the median run to it.
  const double even_scale = total[med] > 0 ? total_stats.median / total[med] : 1.0;
  const Run& x_med = a.runs[measured[med]];
  const Run& y_med = b.runs[measured[med]];

  json scopes = json::array();
  std::uint64_t total_bytes = 0, total_messages = 0, total_rounds = 0;
  std::uint64_t sent0 = 0, sent1 = 0, recv0 = 0, recv1 = 0, rounds0 = 0, rounds1 = 0;
  bool bytes_vary = false;
  std::vector<std::string> notes;
  for (std::size_t s = 0; s < m; ++s) {
    const auto fx = x_med.scopes.find(paths[s]);
    const auto fy = y_med.scopes.find(paths[s]);
    const ScopeRun& s0 = fx == x_med.scopes.end() ? kAbsent : fx->second;
    const ScopeRun& s1 = fy == y_med.scopes.end() ? kAbsent : fy->second;
    for (std::size_t r : measured) {
      const auto f = a.runs[r].scopes.find(paths[s]);
      const std::uint64_t sent = f == a.runs[r].scopes.end() ? 0 : f->second.sent;
      if (sent != s0.sent) bytes_vary = true;
    }
    json e;
    e["path"] = paths[s];
    json ex = summary_json(column(recon, s));
    ex["median_of_runs"] = ex["median"];  // the true median (does not add up over scopes)
    ex["median"] = recon[med][s] * even_scale;
    e["exclusive_wall_ms"] = ex;
    // Inclusive times get the same per-run factors as the exclusive ones, so that a scope's
    // reported exclusive time never exceeds its inclusive time.
    std::vector<double> incl_recon(n);
    for (std::size_t i = 0; i < n; ++i) incl_recon[i] = incl[i][s] * overlap_scale[i];
    e["inclusive_wall_ms"] = summary_json(incl_recon);
    e["inclusive_wall_ms"]["median"] = incl_recon[med] * even_scale;
    e["inclusive_wall_ms"]["median_of_runs"] = summary_json(incl_recon)["median"];
    e["inclusive_wall_ms"]["median_run"] = incl_recon[med] * even_scale;
    e["inclusive_wall_ms_max"] = summary_json(column(incl, s));
    e["exclusive_wall_ms_max"] = summary_json(column(excl, s));
    e["exclusive_wall_ms_party"] = {{"p0", median(column(excl0, s))},
                                    {"p1", median(column(excl1, s))}};
    e["gpu_ms"] = summary_json(column(gpu, s));
    e["gpu_ms"]["median_run"] = gpu[med][s];
    e["bytes_sent"] = {{"p0", s0.sent}, {"p1", s1.sent}};
    e["bytes_recv"] = {{"p0", s0.recv}, {"p1", s1.recv}};
    e["bytes"] = s0.sent + s1.sent;
    e["messages"] = s0.messages + s1.messages;
    e["rounds"] = std::max(s0.rounds, s1.rounds);
    e["rounds_party"] = {{"p0", s0.rounds}, {"p1", s1.rounds}};
    e["comm_wait_ms"] = summary_json(column(wait, s));
    e["comm_wait_ms"]["median_run"] = wait[med][s];
    e["calls"] = {{"p0", s0.calls}, {"p1", s1.calls}};
    total_bytes += s0.sent + s1.sent;
    total_messages += s0.messages + s1.messages;
    total_rounds += std::max(s0.rounds, s1.rounds);
    sent0 += s0.sent;
    sent1 += s1.sent;
    recv0 += s0.recv;
    recv1 += s1.recv;
    rounds0 += s0.rounds;
    rounds1 += s1.rounds;
    scopes.push_back(std::move(e));
  }
  double unattributed = 0;
  for (const json& e : scopes) {
    if (e["path"] == profiling::scopes::kUnattributed)
      unattributed = e["exclusive_wall_ms"]["median"].get<double>();
  }
  if (bytes_vary) {
    notes.push_back(
        "bytes differ between measured runs for some scope; bytes, messages and rounds are those "
        "of the median run");
  }
  if (overlap_scale[med] < 0.95) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 / overlap_scale[med] - 100.0);
    notes.push_back(std::string("in the median run the per-scope maxima of the two parties add up "
                                "to ") +
                    pct +
                    " more than the total (scaled down to it): the parties spend their time in "
                    "different scopes; see exclusive_wall_ms_party and exclusive_wall_ms_max");
  }

  json merged;
  merged["schema"] = kMergedSchema;
  merged["status"] = "ok";
  if (!a.run_id.empty()) merged["run_id"] = a.run_id;
  merged["config"] = a.config;
  merged["environment"] = environments(a, b);
  if (auto w = padding_warning(a, b); !w.is_null()) merged["padding_warning"] = w;
  if (ja->contains("accuracy")) merged["accuracy"] = (*ja)["accuracy"];  // P0 compares
  if (ja->contains("memory_plan") || jb->contains("memory_plan"))
    merged["memory_plan"] = {{"p0", ja->value("memory_plan", json())},
                             {"p1", jb->value("memory_plan", json())}};
  merged["run_count"] = {{"measured", n}, {"warmup", a.runs.size() - n}};
  json per_run = json::array();
  for (std::size_t i = 0; i < n; ++i) {
    per_run.push_back({{"index", measured[i]},
                       {"wall_ms", total[i]},
                       {"wall_ms_party", {{"p0", wall0[i]}, {"p1", wall1[i]}}},
                       {"overlap_scale", overlap_scale[i]}});
  }
  merged["total"] = {{"wall_ms", summary_json(total_stats)},
                     {"wall_ms_party", {{"p0", summary_json(wall0)}, {"p1", summary_json(wall1)}}},
                     {"bytes", total_bytes},
                     {"bytes_sent", {{"p0", sent0}, {"p1", sent1}}},
                     {"bytes_recv", {{"p0", recv0}, {"p1", recv1}}},
                     {"messages", total_messages},
                     {"rounds", total_rounds},
                     {"rounds_party", {{"p0", rounds0}, {"p1", rounds1}}},
                     {"comm_wait_ms", summary_json(wait_total)},
                     {"comm_wait_ms_median_run", wait_total[med]},
                     {"unattributed_ms", unattributed}};
  merged["scopes"] = std::move(scopes);
  merged["runs"] = std::move(per_run);
  merged["reconciliation"] = {
      {"median_run", measured[med]},
      {"overlap_scale", overlap_scale[med]},
      {"even_count_scale", even_scale},
      {"method",
       "per run and scope, latency = max(P0, P1); each run's per-scope maxima are scaled by "
       "overlap_scale = run total / their sum so that they add up to the run total; "
       "exclusive_wall_ms.median is the scaled value of the median run (times even_count_scale), "
       "so that the medians add up to the total median; median_of_runs, p25, p75, min and max "
       "are order statistics of the scaled values over the measured runs; "
       "exclusive_wall_ms_max holds the unscaled maxima; a party's run time counts from when "
       "both parties hold the keys of each online step (the runners' wait for the peer before "
       "each step is outside the runs, in the logs' outside_runs)"}};
  merged["offline"] = offline_json(a, b);
  merged["offline_scopes"] = offline_scopes_json(a, b);
  merged["wire"] = wire_json(a, b);
  merged["notes"] = notes;
  return merged;
}

// ---- renderings --------------------------------------------------------------------------------

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string human_bytes(double b) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt("%.0f B", b) : fmt("%.2f ", b) + units[u];
}

std::string pad(std::string s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

double num(const json& j, const char* key, const char* sub = nullptr) {
  const auto it = j.find(key);
  if (it == j.end()) return 0;
  if (sub == nullptr) return it->is_number() ? it->get<double>() : 0;
  const auto jt = it->find(sub);
  return jt != it->end() && jt->is_number() ? jt->get<double>() : 0;
}

std::string config_line(const json& config) {
  std::string out;
  if (!config.is_object()) return config.dump();
  for (const auto& [k, v] : config.items()) {
    if (v.is_structured()) continue;
    if (!out.empty()) out += ' ';
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

}  // namespace

std::string format_breakdown_table(const nlohmann::json& merged) {
  std::ostringstream out;
  out << "secinfer breakdown: " << config_line(merged.value("config", json::object())) << "\n";
  if (merged.contains("padding_warning")) {
    out << "!!! " << merged["padding_warning"].get<std::string>() << "\n";
  }
  const std::string status = merged.value("status", std::string("?"));
  if (status != "ok") {
    out << "status: " << status << ": " << merged.value("reason", std::string()) << "\n";
    return out.str();
  }
  const json& total = merged.at("total");
  const double total_ms = num(total, "wall_ms", "median");
  if (merged.contains("run_count")) {
    const double even_scale =
        merged.value("reconciliation", json::object()).value("even_count_scale", 1.0);
    out << "median of " << merged["run_count"].value("measured", 0) << " runs ("
        << merged["run_count"].value("warmup", 0) << " warm-up discarded): the values of the "
        << (even_scale == 1.0
                ? std::string("median run (by total wall time)")
                : "run nearest the median, times " + fmt("%.3f", even_scale) +
                      " (an even run count: the median total lies between two runs; no single "
                      "run has these times)")
        << ", latency = max over the parties, exclusive times reconciled to add up to the total\n";
  }
  constexpr std::size_t kName = 34;
  auto row = [&](const std::string& name, double excl, double share, const std::string& inc,
                 double bytes, double msgs, double rounds, double wait) {
    out << pad(name, kName, false) << pad(fmt("%.3f", excl), 11, true)
        << pad(fmt("%.1f%%", share), 8, true) << pad(inc, 11, true)
        << pad(human_bytes(bytes), 13, true) << pad(fmt("%.0f", msgs), 9, true)
        << pad(fmt("%.0f", rounds), 8, true) << pad(fmt("%.3f", wait), 10, true) << "\n";
  };
  out << pad("scope", kName, false) << pad("excl ms", 11, true) << pad("share", 8, true)
      << pad("incl ms", 11, true) << pad("bytes", 13, true) << pad("msgs", 9, true)
      << pad("rounds", 8, true) << pad("wait ms", 10, true) << "\n";
  out << std::string(kName + 70, '-') << "\n";
  const json* unattributed = nullptr;
  double sum = 0;
  for (const json& s : merged.at("scopes")) {
    const std::string path = s.at("path").get<std::string>();
    const double excl = num(s, "exclusive_wall_ms", "median");
    sum += excl;
    if (path == profiling::scopes::kUnattributed) {
      unattributed = &s;
      continue;
    }
    const auto slash = path.rfind('/');
    const std::string name = std::string(2 * depth_of(path), ' ') +
                             (slash == std::string::npos ? path : path.substr(slash + 1));
    row(name, excl, total_ms > 0 ? 100.0 * excl / total_ms : 0.0,
        fmt("%.3f", num(s, "inclusive_wall_ms", "median_run")), num(s, "bytes"), num(s, "messages"),
        num(s, "rounds"), num(s, "comm_wait_ms", "median_run"));
  }
  const double u = unattributed ? num(*unattributed, "exclusive_wall_ms", "median") : 0.0;
  row("(unattributed: outside any scope)", u, total_ms > 0 ? 100.0 * u / total_ms : 0.0, "", 0, 0,
      0, 0);
  out << std::string(kName + 70, '-') << "\n";
  row("total", total_ms, 100.0, "", num(total, "bytes"), num(total, "messages"),
      num(total, "rounds"), num(total, "comm_wait_ms_median_run"));
  out << "total wall ms: median " << fmt("%.3f", total_ms) << ", p25 "
      << fmt("%.3f", num(total, "wall_ms", "p25")) << ", p75 "
      << fmt("%.3f", num(total, "wall_ms", "p75")) << ", min "
      << fmt("%.3f", num(total, "wall_ms", "min")) << ", max "
      << fmt("%.3f", num(total, "wall_ms", "max")) << "; scopes sum to " << fmt("%.3f", sum)
      << "\n";
  if (merged.contains("offline")) {
    const json& off = merged["offline"];
    out << "offline: keygen " << fmt("%.3f", num(off, "keygen_ms")) << " ms, key bytes P0 "
        << human_bytes(num(off, "key_bytes", "p0")) << ", P1 "
        << human_bytes(num(off, "key_bytes", "p1")) << "\n";
    if (off.contains("model_input")) {
      const json& mi = off["model_input"];
      out << "model input (once, before the runs): " << fmt("%.3f", num(mi, "ms", "max"))
          << " ms, key bytes P0 " << human_bytes(num(mi, "key_bytes", "p0")) << ", P1 "
          << human_bytes(num(mi, "key_bytes", "p1")) << ", sent P0 "
          << human_bytes(num(mi, "bytes_sent", "p0")) << "\n";
    }
  }
  if (merged.contains("wire")) {
    const json& w = merged["wire"];
    out << "on the wire (" << num(w, "runs") << " runs, both parties): online "
        << human_bytes(num(w, "online_bytes")) << " + offline "
        << human_bytes(num(w, "offline_bytes")) << " + control "
        << human_bytes(num(w, "control_bytes")) << " = " << human_bytes(num(w, "total_bytes"))
        << "\n";
  }
  for (const json& note : merged.value("notes", json::array())) {
    out << "note: " << note.get<std::string>() << "\n";
  }
  return out.str();
}

std::string format_breakdown_csv(const nlohmann::json& merged) {
  std::ostringstream out;
  out << "path,depth,exclusive_ms_median,exclusive_ms_p25,exclusive_ms_p75,exclusive_ms_min,"
         "exclusive_ms_max,share_pct,inclusive_ms_median,gpu_ms_median,bytes,bytes_sent_p0,"
         "bytes_sent_p1,bytes_recv_p0,bytes_recv_p1,messages,rounds,comm_wait_ms_median\n";
  if (merged.value("status", std::string()) != "ok") return out.str();
  const json& total = merged.at("total");
  const double total_ms = num(total, "wall_ms", "median");
  auto f6 = [](double v) { return fmt("%.6f", v); };
  auto i0 = [](double v) { return fmt("%.0f", v); };
  double gpu_sum = 0;
  for (const json& s : merged.at("scopes")) {
    const std::string path = s.at("path").get<std::string>();
    const double excl = num(s, "exclusive_wall_ms", "median");
    gpu_sum += num(s, "gpu_ms", "median");
    out << csv_field(path) << ',' << depth_of(path) << ',' << f6(excl) << ','
        << f6(num(s, "exclusive_wall_ms", "p25")) << ',' << f6(num(s, "exclusive_wall_ms", "p75"))
        << ',' << f6(num(s, "exclusive_wall_ms", "min")) << ','
        << f6(num(s, "exclusive_wall_ms", "max")) << ','
        << fmt("%.3f", total_ms > 0 ? 100.0 * excl / total_ms : 0.0) << ','
        << f6(num(s, "inclusive_wall_ms", "median")) << ',' << f6(num(s, "gpu_ms", "median")) << ','
        << i0(num(s, "bytes")) << ',' << i0(num(s, "bytes_sent", "p0")) << ','
        << i0(num(s, "bytes_sent", "p1")) << ',' << i0(num(s, "bytes_recv", "p0")) << ','
        << i0(num(s, "bytes_recv", "p1")) << ',' << i0(num(s, "messages")) << ','
        << i0(num(s, "rounds")) << ',' << f6(num(s, "comm_wait_ms", "median")) << '\n';
  }
  out << "TOTAL,0," << f6(total_ms) << ',' << f6(num(total, "wall_ms", "p25")) << ','
      << f6(num(total, "wall_ms", "p75")) << ',' << f6(num(total, "wall_ms", "min")) << ','
      << f6(num(total, "wall_ms", "max")) << ",100.000," << f6(total_ms) << ',' << f6(gpu_sum)
      << ',' << i0(num(total, "bytes")) << ',' << i0(num(total, "bytes_sent", "p0")) << ','
      << i0(num(total, "bytes_sent", "p1")) << ',' << i0(num(total, "bytes_recv", "p0")) << ','
      << i0(num(total, "bytes_recv", "p1")) << ',' << i0(num(total, "messages")) << ','
      << i0(num(total, "rounds")) << ',' << f6(num(total, "comm_wait_ms", "median")) << '\n';
  return out.str();
}

}  // namespace secinfer::profiling
