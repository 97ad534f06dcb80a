#include "profiling/merge.h"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "profiling/recorder.h"
#include "profiling/scope.h"

namespace prof = secinfer::profiling;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// tests/profiling/merge_test.cpp -> repository root -> fixtures and scripts/check_breakdown.py.
const fs::path kRepo = fs::path(__FILE__).parent_path().parent_path().parent_path();
const fs::path kFixtures = kRepo / "tests" / "fixtures" / "profiling";

json fixture(const char* name) {
  return prof::read_json_file(kFixtures / name);
}

const json& merged_scope(const json& merged, const std::string& path) {
  for (const json& s : merged.at("scopes")) {
    if (s.at("path") == path) return s;
  }
  FAIL("merged scope " << path << " missing");
  throw std::logic_error("unreachable");
}

json& run_scope(json& log, std::size_t run, const std::string& path) {
  for (json& s : log.at("runs").at(run).at("scopes")) {
    if (s.at("path") == path) return s;
  }
  FAIL("scope " << path << " missing from run " << run);
  throw std::logic_error("unreachable");
}

// Runs merge_party_logs and returns the MergeError message ("" if it did not throw).
std::string merge_error(const json& a, const json& b) {
  try {
    prof::merge_party_logs(a, b);
  } catch (const prof::MergeError& e) {
    return e.what();
  }
  return "";
}

fs::path temp_dir(const char* tag) {
  auto d = fs::temp_directory_path() /
           (std::string("secinfer_prof_") + tag + "_" + std::to_string(std::random_device{}()));
  fs::create_directories(d);
  return d;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The repository's checker of merged breakdowns (scripts/check_breakdown.py), or
// $SECINFER_CHECK_BREAKDOWN.
fs::path checker_path() {
  const char* override_tool = std::getenv("SECINFER_CHECK_BREAKDOWN");
  return override_tool ? fs::path(override_tool) : kRepo / "scripts" / "check_breakdown.py";
}

bool have_python() {
  return std::system("python3 --version > /dev/null 2>&1") == 0;
}

// Runs the checker on a merged file; returns its exit status (0 ok, 1 a check failed) and what it
// printed in `said`.
int run_checker(const fs::path& merged, const std::string& args, std::string& said) {
  const fs::path tool = checker_path();
  REQUIRE(fs::exists(tool));
  const fs::path out = merged.parent_path() / "check.txt";
  const std::string cmd = "python3 '" + tool.string() + "' '" + merged.string() + "' " + args +
                          " > '" + out.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  said.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Runs scripts/check_breakdown.py on a merged file and expects it to pass; skips with a warning
// where python3 is missing.
void check_with_tool(const fs::path& merged, const std::string& args) {
  if (!have_python()) {
    WARN("python3 not found: skipping the check_breakdown.py check");
    return;
  }
  std::string said;
  const int rc = run_checker(merged, args, said);
  INFO("check_breakdown.py: " << said);
  CHECK(rc == 0);
  CHECK(contains(said, "ok:"));
}

}  // namespace

TEST_CASE("merge: hand-written fixture logs follow the rules of profiling/README.md") {
  const json m = prof::merge_party_logs(fixture("p0.json"), fixture("p1.json"));
  CHECK(m["schema"] == "secinfer.breakdown/1");
  CHECK(m["status"] == "ok");
  CHECK(m["config"]["model"] == "tiny");
  CHECK(m["run_count"]["measured"] == 3);
  CHECK(m["run_count"]["warmup"] == 1);

  // Totals per measured run: max(P0, P1) = 11, 20, 12 (the warm-up run 0 is skipped).
  const json& w = m["total"]["wall_ms"];
  CHECK(w["median"].get<double>() == Approx(12));
  CHECK(w["p25"].get<double>() == Approx(11.5));
  CHECK(w["p75"].get<double>() == Approx(16));
  CHECK(w["min"].get<double>() == Approx(11));
  CHECK(w["max"].get<double>() == Approx(20));
  CHECK(m["reconciliation"]["median_run"] == 3);

  // Linear: max per run 4, 9, 5; run 2's maxima sum to 21 > 20, so they are scaled by 20/21.
  const json& lin = merged_scope(m, "Linear");
  CHECK(lin["exclusive_wall_ms"]["median"].get<double>() == Approx(5));
  CHECK(lin["exclusive_wall_ms"]["p25"].get<double>() == Approx(4.5));
  CHECK(lin["exclusive_wall_ms"]["p75"].get<double>() == Approx((5 + 9 * 20.0 / 21) / 2));
  CHECK(lin["exclusive_wall_ms"]["min"].get<double>() == Approx(4));
  CHECK(lin["exclusive_wall_ms"]["max"].get<double>() == Approx(9 * 20.0 / 21));
  CHECK(lin["exclusive_wall_ms_max"]["max"].get<double>() == Approx(9));
  CHECK(lin["exclusive_wall_ms_max"]["p75"].get<double>() == Approx(7));
  CHECK(lin["bytes_sent"] == json({{"p0", 100}, {"p1", 200}}));
  CHECK(lin["bytes_recv"] == json({{"p0", 200}, {"p1", 100}}));
  CHECK(lin["bytes"] == 300);
  CHECK(lin["messages"] == 5);
  CHECK(lin["rounds"] == 1);
  CHECK(lin["comm_wait_ms"]["median"].get<double>() == Approx(1.0));

  // Softmax inclusive: max per run 6, 10, 6 (unscaled); the reported inclusive times carry the
  // same per-run reconciliation factors as the exclusive ones (never below them).
  const json& sm = merged_scope(m, "Softmax");
  CHECK(sm["inclusive_wall_ms_max"]["median"].get<double>() == Approx(6));
  CHECK(sm["inclusive_wall_ms_max"]["max"].get<double>() == Approx(10));
  CHECK(sm["inclusive_wall_ms"]["median"].get<double>() <= 6.0);
  CHECK(sm["inclusive_wall_ms"]["median"].get<double>() >=
        sm["exclusive_wall_ms"]["median"].get<double>());
  CHECK(sm["exclusive_wall_ms"]["median"].get<double>() == Approx(3));
  CHECK(sm["exclusive_wall_ms"]["median_of_runs"].get<double>() == Approx(4));
  CHECK(merged_scope(m, "Softmax/nexp")["exclusive_wall_ms"]["median"].get<double>() == Approx(3));
  CHECK(merged_scope(m, "Misc")["bytes"] == 16);
  CHECK(m["scopes"].back()["path"] == "Unattributed");
  CHECK(m["total"]["unattributed_ms"].get<double>() == Approx(1));

  // Exclusive medians add up to the total median; bytes, messages, rounds add up too.
  double sum = 0;
  std::uint64_t bytes = 0, messages = 0, rounds = 0;
  for (const json& s : m["scopes"]) {
    sum += s["exclusive_wall_ms"]["median"].get<double>();
    bytes += s["bytes"].get<std::uint64_t>();
    messages += s["messages"].get<std::uint64_t>();
    rounds += s["rounds"].get<std::uint64_t>();
  }
  CHECK(sum == Approx(12));
  CHECK(m["total"]["bytes"] == 436);
  CHECK(bytes == 436);
  CHECK(m["total"]["messages"] == 11);
  CHECK(messages == 11);
  CHECK(m["total"]["rounds"] == 5);
  CHECK(rounds == 5);

  // Offline: keygen = max of the parties, key bytes per party.
  CHECK(m["offline"]["keygen_ms"].get<double>() == Approx(30));
  CHECK(m["offline"]["key_bytes"] == json({{"p0", 1000}, {"p1", 1200}}));
  CHECK(m["offline_scopes"][0]["path"] == "Linear");
  CHECK(m["offline_scopes"][0]["key_bytes"] == json({{"p0", 400}, {"p1", 500}}));
  CHECK(m["environment"]["p1"]["host"] == "fixture-host-1");
  CHECK_FALSE(m.contains("padding_warning"));

  const fs::path dir = temp_dir("fixture");
  std::ofstream(dir / "breakdown_merged.json") << m.dump(2);
  check_with_tool(dir / "breakdown_merged.json", "--need Linear --need nexp");
  fs::remove_all(dir);

  // Order of the arguments does not matter.
  const json swapped = prof::merge_party_logs(fixture("p1.json"), fixture("p0.json"));
  CHECK(swapped == m);
}

TEST_CASE("merge: even run count reconciles to the interpolated median") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  for (json* log : {&a, &b}) (*log)["runs"].erase(3);  // measured totals 11 and 20
  const json m = prof::merge_party_logs(a, b);
  const double total = m["total"]["wall_ms"]["median"];
  CHECK(total == Approx(15.5));
  double sum = 0;
  for (const json& s : m["scopes"]) sum += s["exclusive_wall_ms"]["median"].get<double>();
  CHECK(sum == Approx(total));
  // The table does not pass the scaled values off as those of a real run.
  const std::string table = prof::format_breakdown_table(m);
  CHECK(contains(table, "no single run has these times"));
  CHECK_FALSE(contains(table, "the values of the median run (by total wall time)"));
}

TEST_CASE("merge: the wire block counts every byte sent, online, offline and control") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  // Offline traffic (the weight input, party 0 to party 1) in two phases of different sizes; the
  // handshake and verdict exchanges outside the runs.
  a["offline"]["phases"][0]["scopes"][0]["bytes_sent"] = 1000;
  a["offline"]["scopes"][0]["bytes_sent"] = 1000;
  json second = a["offline"]["phases"][0];
  second["scopes"][0]["bytes_sent"] = 3000;
  a["offline"]["phases"].push_back(second);
  a["outside_runs"]["bytes_sent"] = 50;
  b["outside_runs"]["bytes_sent"] = 70;
  const json m = prof::merge_party_logs(a, b);
  const json& w = m.at("wire");
  // Fixture runs: 4 (one warm-up, counted too: it was on the wire), P0 168 + P1 268 bytes each.
  CHECK(w["runs"] == 4);
  CHECK(w["online_bytes"] == 4 * (168 + 268));
  CHECK(w["offline_bytes"] == 1000 + 3000);
  CHECK(w["control_bytes"] == 50 + 70);
  CHECK(w["total_bytes"] == 4 * (168 + 268) + 4000 + 120);
  // The median offline phase's traffic beside its key bytes.
  CHECK(m["offline"]["bytes_sent"]["p0"] == 1000);
  CHECK(m["offline"]["bytes"] == 1000);
  CHECK(contains(prof::format_breakdown_table(m), "on the wire (4 runs, both parties)"));
  // Logs without the fields (older versions) merge with zeros.
  json old_a = fixture("p0.json"), old_b = fixture("p1.json");
  old_a.erase("outside_runs");
  old_b["offline"].erase("phases");
  const json o = prof::merge_party_logs(old_a, old_b);
  CHECK(o["wire"]["control_bytes"] == 0);
  CHECK(o["wire"]["offline_bytes"] == 0);
}

TEST_CASE("merge: the model input is reported on its own and counted on the wire") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  a["model_input"] = {{"keygen_ms", 120.5},
                      {"key_bytes", 4096},
                      {"scopes", json::array({{{"path", "WeightInput"}, {"bytes_sent", 9000}}})}};
  b["model_input"] = {{"keygen_ms", 80.0}, {"key_bytes", 16}, {"scopes", json::array()}};
  const json m = prof::merge_party_logs(a, b);
  const json& mi = m.at("offline").at("model_input");
  CHECK(mi["ms"]["max"] == Approx(120.5));
  CHECK(mi["key_bytes"]["p0"] == 4096);
  CHECK(mi["key_bytes"]["p1"] == 16);
  CHECK(mi["bytes_sent"]["p0"] == 9000);
  // A run's keygen is the runs' own; the wire counts the model input's bytes as offline bytes.
  CHECK(m["offline"]["keygen_ms"] ==
        prof::merge_party_logs(fixture("p0.json"), fixture("p1.json"))["offline"]["keygen_ms"]);
  CHECK(m["wire"]["offline_bytes"] == 9000);
  CHECK(contains(prof::format_breakdown_table(m), "model input (once, before the runs): 120.500"));
  // Logs without it: no model_input block.
  CHECK_FALSE(prof::merge_party_logs(fixture("p0.json"), fixture("p1.json"))["offline"].contains(
      "model_input"));
}

TEST_CASE("merge: both parties' memory plans are kept") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  CHECK_FALSE(prof::merge_party_logs(a, b).contains("memory_plan"));
  a["memory_plan"] = {{"micro_batch", 1}, {"chunk_rows", 128}};
  const json m = prof::merge_party_logs(a, b);
  CHECK(m["memory_plan"]["p0"]["chunk_rows"] == 128);
  CHECK(m["memory_plan"]["p1"].is_null());
}

TEST_CASE("merge: logs that do not belong together are refused") {
  const json a = fixture("p0.json"), b = fixture("p1.json");

  SECTION("different config names the differing keys") {
    json c = b;
    c["config"]["seq"] = 8;
    c["config"]["system"] = "fusefss";
    const std::string e = merge_error(a, c);
    CHECK(contains(e, "different configs"));
    CHECK(contains(e, "seq: P0 4, P1 8"));
    CHECK(contains(e, "system: P0 \"sigma\", P1 \"fusefss\""));
  }
  SECTION("different scope tree") {
    json c = b;
    auto& scopes = c["runs"][2]["scopes"];
    scopes.erase(2);  // Softmax/nexp
    const std::string e = merge_error(a, c);
    CHECK(contains(e, "run 2: the scope trees differ"));
    CHECK(contains(e, "only in P0: [Softmax/nexp]"));
  }
  SECTION("sent != received") {
    json c = b;
    run_scope(c, 1, "Softmax")["bytes_recv"] = 49;
    const std::string e = merge_error(a, c);
    CHECK(contains(e, "run 1, scope 'Softmax'"));
    CHECK(contains(e, "P0 sent 50 bytes and P1 received 49"));
  }
  SECTION("same party twice") {
    CHECK(contains(merge_error(a, a), "both logs are from party 0"));
    CHECK(contains(merge_error(b, b), "both logs are from party 1"));
  }
  SECTION("different number of runs") {
    json c = b;
    c["runs"].erase(1);
    CHECK(contains(merge_error(a, c), "different numbers of runs: P0 4, P1 3"));
  }
  SECTION("not a party log") {
    json c = b;
    c["schema"] = "secinfer.breakdown/1";
    CHECK(contains(merge_error(a, c), "not a party log"));
    CHECK(contains(merge_error(a, json::array()), "not a party log"));
    json d = b;
    d["party"] = 3;
    CHECK(contains(merge_error(a, d), "party ids are 0 and 1"));
  }
  SECTION("malformed run") {
    json c = b;
    run_scope(c, 1, "Linear").erase("bytes_sent");
    CHECK(contains(merge_error(a, c), "P1 log is malformed"));
  }
  SECTION("warm-up runs only") {
    json c = a, d = b;
    for (json* log : {&c, &d}) {
      for (json& r : (*log)["runs"]) r["warmup"] = true;
    }
    CHECK(contains(merge_error(c, d), "no measured run"));
  }
}

TEST_CASE("merge: logs of two different executions are refused (run id)") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  a["run_id"] = "00000000000000aa";
  b["run_id"] = "00000000000000aa";
  CHECK(prof::merge_party_logs(a, b).at("run_id") == "00000000000000aa");
  SECTION("different ids") {
    b["run_id"] = "00000000000000bb";
    const std::string e = merge_error(a, b);
    CHECK(contains(e, "different executions"));
    CHECK(contains(e, "00000000000000aa"));
    CHECK(contains(e, "00000000000000bb"));
  }
  SECTION("one completed log without an id") {
    b.erase("run_id");
    CHECK(contains(merge_error(a, b), "P1 log has no run id"));
  }
  SECTION("a failed party that never connected has no id: merged as failed") {
    b.erase("run_id");
    b["status"] = "failed";
    b["reason"] = "could not connect";
    CHECK(prof::merge_party_logs(a, b).at("status") == "failed");
  }
}

TEST_CASE("merge: numbers a run cannot produce are refused") {
  const json a = fixture("p0.json"), b = fixture("p1.json");
  SECTION("negative wall time") {
    json c = b;
    c["runs"][1]["wall_ms"] = -5.0;
    CHECK(contains(merge_error(a, c), "wall_ms is -5"));
  }
  SECTION("a rounding error below zero is not refused") {
    json c = b;
    run_scope(c, 1, "Softmax")["gpu_ms"] = -1e-12;
    CHECK(merge_error(a, c).empty());
  }
  SECTION("absurd wall time") {
    json c = b;
    c["runs"][1]["wall_ms"] = 1e308;
    CHECK(contains(merge_error(a, c), "not a time a run can take"));
  }
  SECTION("scope times that do not add up to the wall time") {
    json c = b;
    c["runs"][1]["wall_ms"] = c["runs"][1]["wall_ms"].get<double>() * 3 + 10;
    CHECK(contains(merge_error(a, c), "exclusive times add up to"));
  }
  SECTION("totals that are not the sums of the scopes") {
    json c = b;
    c["runs"][1]["totals"]["bytes_sent"] = "lots";
    CHECK(contains(merge_error(a, c), "totals.bytes_sent is \"lots\""));
  }
}

TEST_CASE("merge: a failed or OOM party gives a merged file with status and both reasons") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  b["status"] = "failed";
  b["reason"] = "peer closed the connection during run 2";
  b["config"]["seq"] = 999;  // not checked for failed runs: the mismatch may be the failure
  json m = prof::merge_party_logs(a, b);
  CHECK(m["status"] == "failed");
  CHECK(contains(m["reason"], "P1 failed: peer closed the connection during run 2"));
  CHECK(m["party_status"]["p0"]["status"] == "ok");
  CHECK(m["scopes"].empty());
  CHECK(m.contains("config_p1"));
  CHECK(contains(prof::format_breakdown_table(m), "status: failed"));

  a["status"] = "oom";
  a["reason"] = "needed 90 GiB, 78 GiB available";
  b["status"] = "oom";
  b["reason"] = "needed 90 GiB, 78 GiB available";
  m = prof::merge_party_logs(a, b);
  CHECK(m["status"] == "oom");
  CHECK(contains(m["reason"], "P0 oom: needed 90 GiB"));
}

TEST_CASE("read_json_file: missing, empty and truncated files name the file") {
  const fs::path dir = temp_dir("read");
  const fs::path missing = dir / "nope.json";
  try {
    prof::read_json_file(missing);
    FAIL("no error");
  } catch (const prof::MergeError& e) {
    CHECK(contains(e.what(), missing.string()));
    CHECK(contains(e.what(), "no such file"));
  }
  const fs::path empty = dir / "empty.json";
  std::ofstream(empty) << "  \n";
  CHECK_THROWS_WITH(prof::read_json_file(empty), Catch::Contains("is empty"));

  std::ifstream in(kFixtures / "p1.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path truncated = dir / "p1.json";
  std::ofstream(truncated) << text.substr(0, text.size() / 2);
  try {
    prof::read_json_file(truncated);
    FAIL("no error");
  } catch (const prof::MergeError& e) {
    CHECK(contains(e.what(), truncated.string()));
    CHECK(contains(e.what(), "not valid JSON"));
  }
  try {
    prof::read_json_file(dir);
    FAIL("no error");
  } catch (const prof::MergeError& e) {
    CHECK(contains(e.what(), "is a folder, not a log"));
  }
  fs::remove_all(dir);
}

TEST_CASE("merge: table and CSV renderings") {
  json a = fixture("p0.json"), b = fixture("p1.json");
  a["config"]["padding"] = "off";
  b["config"]["padding"] = "off";
  a["padding_warning"] = std::string(prof::kPaddingWarning);
  const json m = prof::merge_party_logs(a, b);
  const std::string table = prof::format_breakdown_table(m);
  CHECK(contains(table, "INSECURE"));
  CHECK(contains(table, "Linear"));
  CHECK(contains(table, "\n  nexp"));  // sub-scope indented
  CHECK(contains(table, "(unattributed: outside any scope)"));
  CHECK(contains(table, "total"));
  CHECK(contains(table, "41.7%"));  // Linear: 5 of 12 ms

  const std::string csv = prof::format_breakdown_csv(m);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  CHECK(line.rfind("path,depth,exclusive_ms_median", 0) == 0);
  std::getline(lines, line);
  CHECK(line.rfind("Linear,0,5.000000,", 0) == 0);
  int rows = 1;
  std::string last;
  while (std::getline(lines, line)) {
    ++rows;
    last = line;
  }
  CHECK(rows == 5 + 1);  // 5 scopes + TOTAL
  CHECK(last.rfind("TOTAL,0,12.000000,", 0) == 0);
  CHECK(contains(last, ",436,"));
}

// ---- a synthetic two-party run ------------------------------------------------------------------

namespace {

// In-process stand-in for net::Channel: one blocking exchange, charged like the real one.
class Pipe {
 public:
  void send(int from, std::size_t bytes) {
    prof::charge_send(bytes);
    prof::charge_message();
    std::lock_guard lock(mu_);
    queue_[1 - from].push_back(bytes);
    cv_.notify_all();
  }
  void recv(int me) {
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_[me].empty(); });
    const std::size_t bytes = queue_[me].front();
    queue_[me].erase(queue_[me].begin());
    lock.unlock();
    prof::charge_recv(bytes);
    prof::charge_round();
    prof::charge_comm_wait(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  void exchange(int me, std::size_t bytes) {
    send(me, bytes);
    recv(me);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::size_t> queue_[2];
};

void busy_ms(double ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
  while (std::chrono::steady_clock::now() < end) {
  }
}

void party_main(prof::Recorder& rec, Pipe& pipe, int me, int warmup, int runs) {
  auto active = rec.activate();
  rec.begin_offline();
  {
    prof::Scope s("Softmax");
    prof::charge_key_bytes(1000 + 10 * me);
  }
  rec.add_key_bytes("Linear", 4096);
  rec.end_offline();
  for (int r = 0; r < warmup + runs; ++r) {
    rec.begin_run(r < warmup);
    pipe.exchange(me, 16);  // outside any scope: Misc
    {
      prof::Scope s("Linear");
      busy_ms(me == 0 ? 0.6 : 0.3);  // the parties' times differ: the merge must reconcile
      pipe.exchange(me, 4096);
    }
    {
      prof::Scope s("Softmax");
      busy_ms(0.2);
      for (int i = 0; i < 3; ++i) {
        prof::Scope n("nexp");
        busy_ms(me == 1 ? 0.3 : 0.1);
        pipe.exchange(me, 128 * (i + 1));
      }
      pipe.exchange(me, 64);
    }
    busy_ms(0.1);  // unattributed
    rec.end_run();
  }
}

}  // namespace

TEST_CASE("merge: a synthetic two-recorder run passes check_breakdown.py") {
  const json config = {
      {"model", "synthetic"}, {"seq", 8},  {"batch", 1},  {"system", "sigma"}, {"padding", "on"},
      {"backend", "cpu"},     {"runs", 5}, {"warmup", 1}, {"threads", 1}};
  prof::Recorder r0(config, 0), r1(config, 1);
  Pipe pipe;
  std::thread t0(party_main, std::ref(r0), std::ref(pipe), 0, 1, 5);
  std::thread t1(party_main, std::ref(r1), std::ref(pipe), 1, 1, 5);
  t0.join();
  t1.join();

  const fs::path dir = temp_dir("synthetic");
  r0.write(dir / "p0.json");
  r1.write(dir / "p1.json");
  const json m = prof::merge_party_logs(prof::read_json_file(dir / "p0.json"),
                                        prof::read_json_file(dir / "p1.json"));
  REQUIRE(m["status"] == "ok");
  CHECK(m["run_count"]["measured"] == 5);
  CHECK(merged_scope(m, "Misc")["bytes"] == 32);  // 16 bytes each way
  CHECK(merged_scope(m, "Linear")["bytes"] == 2 * 4096);
  CHECK(merged_scope(m, "Softmax/nexp")["rounds"] == 3);
  CHECK(m["offline"]["key_bytes"] == json({{"p0", 5096}, {"p1", 5106}}));
  double sum = 0;
  for (const json& s : m["scopes"]) sum += s["exclusive_wall_ms"]["median"].get<double>();
  CHECK(sum == Approx(m["total"]["wall_ms"]["median"].get<double>()).epsilon(1e-9));

  const fs::path merged = dir / "breakdown_merged.json";
  std::ofstream(merged) << m.dump(2);
  INFO(prof::format_breakdown_table(m));

  check_with_tool(merged, "--need Linear --need Softmax --need nexp --need Misc");

  // The checker refuses what breaks a rule, saying which (exit status 1).
  if (have_python()) {
    struct Broken {
      const char* what;
      std::function<void(json&)> edit;
      const char* says;
    };
    const std::vector<Broken> broken = {
        {"status", [](json& j) { j["status"] = "failed"; }, "status='failed'"},
        {"a party missing", [](json& j) { j["total"]["bytes_sent"].erase("p1"); },
         "party p1 missing"},
        {"scope bytes", [](json& j) { j["scopes"][0]["bytes"] = 7; }, "P0 sent + P1 sent"},
        {"total bytes", [](json& j) { j["total"]["bytes"] = j["total"]["bytes"].get<int>() + 1; },
         "total bytes"},
        {"negative messages", [](json& j) { j["scopes"][0]["messages"] = -1; },
         "non-negative integer"},
        {"fractional rounds", [](json& j) { j["scopes"][0]["rounds"] = 1.5; },
         "non-negative integer"},
        {"total rounds",
         [](json& j) { j["total"]["rounds"] = j["total"]["rounds"].get<int>() + 1; },
         "total rounds"},
        {"exclusive times",
         [](json& j) {
           j["total"]["wall_ms"]["median"] = 1.5 * j["total"]["wall_ms"]["median"].get<double>();
         },
         "exclusive scope times sum to"},
        {"sent/recv", [](json& j) { j["scopes"][0]["bytes_recv"]["p1"] = 12345; },
         "sent/recv mismatch"},
    };
    for (const Broken& b : broken) {
      INFO(b.what);
      json bad = m;
      b.edit(bad);
      const fs::path file = dir / "broken.json";
      std::ofstream(file) << bad.dump(2);
      std::string said;
      CHECK(run_checker(file, "", said) == 1);
      INFO(said);
      CHECK(contains(said, b.says));
    }
    std::string said;
    CHECK(run_checker(merged, "--need NoSuchScope", said) == 1);
    CHECK(contains(said, "missing scope NoSuchScope"));
    CHECK(run_checker(merged, "--tol 0", said) == 0);  // the merge reconciles exactly
  }
  fs::remove_all(dir);
}
