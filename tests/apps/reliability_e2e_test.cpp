// The `secinfer` binary under faults a user or a supervisor causes: stop signals to `local`, its
// parent killed, re-runs into a folder holding earlier results, logs of two executions merged.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/exit_codes.h"
#include "process_util.h"

namespace secinfer::apps {
namespace {

using nlohmann::json;
using testing::Process;
using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

json read_json(const fs::path& p) {
  return json::parse(testing::read_file(p));
}

// The pids of the processes whose command line mentions `text` (the party processes of a run
// whose --out is a unique temp folder), other than `except`.
std::vector<pid_t> processes_mentioning(const std::string& text, pid_t except) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = testing::read_file(e.path() / "cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid != except && pid != ::getpid() && cmd.find(text) != std::string::npos)
      out.push_back(pid);
  }
  return out;
}

// True while the process runs (a zombie, or a pid that is gone, has ended).
bool running(pid_t pid) {
  const std::string stat = testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
         stat[close + 2] != 'X';
}

bool all_ended_within(const std::vector<pid_t>& pids, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool any = false;
    for (pid_t p : pids) any = any || running(p);
    if (!any) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

// A local netbench that runs for minutes unless stopped.
std::vector<std::string> long_local_netbench(const fs::path& out) {
  return {"local",  "--workload", "netbench", "--bytes", "65536", "--rounds",  "100000000",
          "--runs", "1",          "--warmup", "0",       "--out", out.string()};
}

std::vector<std::string> quick_local_netbench(const fs::path& out) {
  return {"local",  "--workload", "netbench", "--bytes", "64",    "--rounds",  "5",
          "--runs", "1",          "--warmup", "0",       "--out", out.string()};
}

TEST_CASE("SIGTERM or SIGINT to secinfer local stops both parties and leaves failed logs",
          "[apps][e2e][signals]") {
  const int sig = GENERATE(SIGTERM, SIGINT);
  TempDir dir;
  const fs::path out = dir.path() / ("run-sig" + std::to_string(sig));
  Process local(long_local_netbench(out), dir.path(), "local");
  REQUIRE(local.wait_for_stderr("connected; running", 30s));
  const std::vector<pid_t> parties = processes_mentioning(out.string(), -1);
  REQUIRE(parties.size() >= 2);  // the two `secinfer run` children (and local itself)
  local.kill(sig);
  const int code = local.wait(30s);
  INFO(local.err());
  const bool ended = all_ended_within(parties, 5s);
  for (pid_t p : parties) ::kill(p, SIGKILL);  // never leave an orphan behind, even on failure
  CHECK(ended);
  CHECK(code == 128 + sig);
  CHECK(local.err().find("stopped by signal") != std::string::npos);
  for (const char* f : {"p0.json", "p1.json", "breakdown_merged.json"}) {
    INFO(f);
    REQUIRE(fs::exists(out / f));
    CHECK(read_json(out / f)["status"] == "failed");
  }
}

TEST_CASE("the parties of secinfer local end when local itself is killed", "[apps][e2e][signals]") {
  TempDir dir;
  const fs::path out = dir.path() / "run-kill";
  Process local(long_local_netbench(out), dir.path(), "local");
  REQUIRE(local.wait_for_stderr("connected; running", 30s));
  const std::vector<pid_t> parties = processes_mentioning(out.string(), -1);
  REQUIRE(parties.size() >= 2);
  local.kill(SIGKILL);
  local.wait(10s);
  const bool ended = all_ended_within(parties, 10s);
  for (pid_t p : parties) ::kill(p, SIGKILL);
  CHECK(ended);
}

TEST_CASE("a re-run that fails keeps the earlier results until it has its own", "[apps][e2e]") {
  TempDir dir;
  const fs::path out = dir.path() / "keep";
  {
    Process ok(quick_local_netbench(out), dir.path(), "ok1");
    REQUIRE(ok.wait() == kExitOk);
  }
  const json good_merged = read_json(out / "breakdown_merged.json");
  REQUIRE(good_merged["status"] == "ok");

  SECTION("a setting refused before it starts") {
    Process refused({"local", "--model", "bert-tiny", "--seq", "100000", "--out", out.string()},
                    dir.path(), "refused");
    CHECK(refused.wait() == kExitUsage);
  }
  SECTION("a party whose peer never comes") {
    Process alone({"run", "--party", "1", "--workload", "netbench", "--peer", "127.0.0.1:9",
                   "--connect-timeout", "0.3", "--out", out.string()},
                  dir.path(), "alone");
    CHECK(alone.wait() == kExitNetwork);
    CHECK(read_json(out / "p1.json")["status"] == "failed");
    CHECK(read_json(out / "p1.previous.json")["status"] == "ok");
    return;
  }
  for (const char* f : {"p0", "p1", "breakdown_merged"}) {
    INFO(f);
    CHECK(read_json(out / (std::string(f) + ".json"))["status"] == "failed");
    REQUIRE(fs::exists(out / (std::string(f) + ".previous.json")));
    CHECK(read_json(out / (std::string(f) + ".previous.json"))["status"] == "ok");
  }
  CHECK(read_json(out / "breakdown_merged.previous.json") == good_merged);
  CHECK(fs::exists(out / "breakdown_merged.previous.csv"));

  // A run that completes replaces them, and the kept copies go.
  Process ok2(quick_local_netbench(out), dir.path(), "ok2");
  REQUIRE(ok2.wait() == kExitOk);
  for (const char* f : {"p0.previous.json", "p1.previous.json", "breakdown_merged.previous.json",
                        "breakdown_merged.previous.csv"}) {
    INFO(f);
    CHECK_FALSE(fs::exists(out / f));
  }
}

TEST_CASE("merge refuses the P0 log of one execution with the P1 log of another", "[apps][e2e]") {
  TempDir dir;
  const fs::path a = dir.path() / "a";
  const fs::path b = dir.path() / "b";
  for (const auto& out : {a, b}) {
    Process p(quick_local_netbench(out), dir.path(), "local-" + out.filename().string());
    REQUIRE(p.wait() == kExitOk);
  }
  const json a0 = read_json(a / "p0.json");
  REQUIRE(a0.contains("run_id"));
  CHECK(a0["run_id"] == read_json(a / "p1.json")["run_id"]);
  CHECK(a0["run_id"] == read_json(a / "breakdown_merged.json")["run_id"]);
  Process m({"merge", (a / "p0.json").string(), (b / "p1.json").string(), "-o",
             (dir.path() / "mixed.json").string()},
            dir.path(), "merge");
  CHECK(m.wait() == kExitMerge);
  CHECK(m.err().find("different executions") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "mixed.json"));
}

}  // namespace
}  // namespace secinfer::apps

namespace secinfer::apps {
namespace {

// tests/apps/reliability_e2e_test.cpp -> the repository root.
const fs::path kRepo = fs::path(__FILE__).parent_path().parent_path().parent_path();

// Runs scripts/run_matrix.sh on `config` into `out`; returns its exit status, stdout+stderr in
// `said`.
int run_matrix(const fs::path& config, const fs::path& out, const fs::path& log,
               std::string& said) {
  const std::string cmd = "SECINFER_BIN='" + testing::secinfer_binary().string() + "' bash '" +
                          (kRepo / "scripts" / "run_matrix.sh").string() + "' '" + config.string() +
                          "' '" + out.string() + "' > '" + log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  said = testing::read_file(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST_CASE("run_matrix names each failure with its exit status and reason", "[apps][e2e]") {
  TempDir dir;
  const fs::path config = dir.path() / "bad.json";
  std::ofstream(config) << R"({"models": ["nosuchmodel"], "seq": [16], "batch": [1],
    "system": ["sigma"], "padding": ["on"], "runs": 1, "warmup": 0})";
  std::string said;
  run_matrix(config, dir.path() / "out", dir.path() / "matrix.txt", said);
  INFO(said);
  CHECK(said.find("failed (exit 2): secinfer: ") != std::string::npos);
  CHECK(said.find("unknown model") != std::string::npos);
  CHECK(said.find("0 settings ok, 1 failed") != std::string::npos);
}

TEST_CASE("run_matrix refuses an unreadable config in one line, creating nothing", "[apps][e2e]") {
  TempDir dir;
  const fs::path broken = dir.path() / "broken.json";
  std::ofstream(broken) << "{\"models\": [";
  const fs::path partial = dir.path() / "partial.json";
  std::ofstream(partial) << R"({"models": ["bert-tiny"], "seq": [16]})";
  for (const auto& config : {broken, partial, dir.path() / "missing.json"}) {
    std::string said;
    const fs::path out = dir.path() / ("out-" + config.stem().string());
    CHECK(run_matrix(config, out, dir.path() / "matrix.txt", said) == 2);
    INFO(said);
    CHECK(said.find("run_matrix: ") != std::string::npos);
    CHECK(said.find("Traceback") == std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
}

}  // namespace
}  // namespace secinfer::apps
