// The `secinfer` binary end to end: local netbench with merge and the breakdown checker, bad flags,
// a peer that never comes, a config mismatch, a party killed mid-run, a refused merge; and the
// faults of docs/reliability.md: stop signals to `local`, its parent killed, re-runs into a folder
// holding earlier results, logs of two executions merged, a disk that fills up, run_matrix.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/exit_codes.h"
#include "net/channel.h"
#include "process_util.h"
#include "profiling/file_size_limit.h"

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

void require_binary() {
  const fs::path bin = testing::secinfer_binary();
  INFO("the secinfer binary is needed: build the `secinfer` target (looked for " << bin << ")");
  REQUIRE(fs::exists(bin));
}

// A netbench party on a given port, quick to run.
std::vector<std::string> netbench_party(int party, std::uint16_t port, const fs::path& out,
                                        std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"run",
                                "--party",
                                std::to_string(party),
                                "--workload",
                                "netbench",
                                "--peer",
                                "127.0.0.1:" + std::to_string(port),
                                "--bind",
                                "127.0.0.1",
                                "--out",
                                out.string()};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// `secinfer merge P0 P1` must exit kExitMerge saying `why`, and write no merged file.
void check_merge_refused(const fs::path& p0, const fs::path& p1, const fs::path& dir,
                         const std::string& why) {
  const fs::path out = dir / "refused.json";
  Process m({"merge", p0.string(), p1.string(), "-o", out.string()}, dir, "merge-refused");
  CHECK(m.wait() == kExitMerge);
  INFO(m.err());
  CHECK(m.err().find(why) != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("secinfer local netbench writes both logs and a merged breakdown that checks out",
          "[apps][e2e]") {
  require_binary();
  TempDir dir;
  const fs::path out = dir.path() / "nb";
  Process p({"local", "--workload", "netbench", "--bytes", "1048576", "--rounds", "10", "--out",
             out.string()},
            dir.path(), "local");
  const int code = p.wait();
  INFO(p.err());
  REQUIRE(code == 0);
  CHECK(fs::exists(out / "p0.json"));
  CHECK(fs::exists(out / "p1.json"));
  REQUIRE(fs::exists(out / "breakdown_merged.json"));
  CHECK(fs::exists(out / "breakdown_merged.csv"));
  const json merged = read_json(out / "breakdown_merged.json");
  CHECK(merged["schema"] == "secinfer.breakdown/1");
  CHECK(merged["status"] == "ok");
  CHECK(merged["config"]["runs"] == 5);
  CHECK(merged["config"]["warmup"] == 1);
  CHECK(p.out().find("NetBench") != std::string::npos);  // the table on stdout
  // local merges the logs itself: party 0's "merge both parties' logs with" hint is not shown.
  CHECK(p.err().find("merge both parties' logs with") == std::string::npos);
  // Per run: 10 rounds, 10 frames of 1 MiB + 8 B each way.
  CHECK(merged["total"]["rounds"] == 10);
  CHECK(merged["total"]["bytes"] == 2 * 10 * (1048576 + 8));

  const fs::path checker =
      fs::path(__FILE__).parent_path().parent_path().parent_path() / "scripts/check_breakdown.py";
  if (fs::exists(checker) && std::system("python3 --version >/dev/null 2>&1") == 0) {
    const std::string cmd = "python3 " + checker.string() + " " +
                            (out / "breakdown_merged.json").string() + " --need NetBench > " +
                            (dir.path() / "check.txt").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    INFO(testing::read_file(dir.path() / "check.txt"));
    CHECK(rc == 0);
  } else {
    WARN("check_breakdown.py or python3 not found: schema check skipped");
  }

  SECTION("secinfer merge re-merges the two logs; merging a log with itself is refused") {
    Process m({"merge", (out / "p0.json").string(), (out / "p1.json").string(), "-o",
               (dir.path() / "again.json").string()},
              dir.path(), "merge");
    CHECK(m.wait() == 0);
    CHECK(fs::exists(dir.path() / "again.json"));
    CHECK(fs::exists(dir.path() / "again.csv"));
    CHECK(m.out().find("NetBench") != std::string::npos);

    check_merge_refused(out / "p0.json", out / "p0.json", dir.path(), "merge refused");
  }
}

TEST_CASE("bad flags exit with status 2 and a message", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  Process p({"--party", "0", "--model", "bert", "--seq", "0"}, dir.path(), "bad");
  CHECK(p.wait() == kExitUsage);
  CHECK(p.err().find("--seq: must be >= 1 (got 0)") != std::string::npos);
  Process q({"--party", "0", "--model", "nosuchmodel"}, dir.path(), "bad2");
  CHECK(q.wait() == kExitUsage);
  CHECK(q.err().find("unknown model") != std::string::npos);
}

TEST_CASE("a peer that never connects: failed log and exit status 3", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  const std::uint16_t port = net::pick_free_port();
  Process p0(netbench_party(0, port, dir.path(), {"--connect-timeout", "0.5"}), dir.path(), "p0");
  Process p1(
      netbench_party(1, net::pick_free_port(), dir.path() / "b", {"--connect-timeout", "0.5"}),
      dir.path(), "p1");
  CHECK(p0.wait() == kExitNetwork);
  CHECK(p1.wait() == kExitNetwork);
  const json l0 = read_json(dir.path() / "p0.json");
  CHECK(l0["status"] == "failed");
  CHECK(l0["reason"].get<std::string>().find("no peer connected") != std::string::npos);
  const json l1 = read_json(dir.path() / "b" / "p1.json");
  CHECK(l1["status"] == "failed");
  CHECK(l1["reason"].get<std::string>().find("could not connect") != std::string::npos);
  CHECK(p1.err().find("use --peer HOST:PORT") != std::string::npos);
}

TEST_CASE("party 0 says it listens only once it does; far too many threads get a warning",
          "[apps][e2e]") {
  require_binary();
  TempDir dir;
  net::Listener taken(0, "127.0.0.1");
  Process busy(netbench_party(0, taken.port(), dir.path(), {"--connect-timeout", "0.3"}),
               dir.path(), "busy");
  CHECK(busy.wait() == kExitNetwork);
  CHECK(busy.err().find("already in use") != std::string::npos);
  CHECK(busy.err().find("listening on") == std::string::npos);
  Process many(netbench_party(0, net::pick_free_port(), dir.path() / "many",
                              {"--connect-timeout", "0.2", "--threads", "100000"}),
               dir.path(), "many");
  CHECK(many.wait() == kExitNetwork);
  CHECK(many.err().find("--threads 100000 is more than twice") != std::string::npos);
}

TEST_CASE("parties with different configurations refuse each other", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  const std::uint16_t port = net::pick_free_port();
  Process p0(netbench_party(0, port, dir.path(), {"--bytes", "16"}), dir.path(), "p0");
  Process p1(netbench_party(1, port, dir.path(), {"--bytes", "32"}), dir.path(), "p1");
  CHECK(p0.wait() == kExitNetwork);
  CHECK(p1.wait() == kExitNetwork);
  for (const char* f : {"p0.json", "p1.json"}) {
    const json l = read_json(dir.path() / f);
    INFO(f << ": " << l["reason"]);
    CHECK(l["status"] == "failed");
    CHECK(l["reason"].get<std::string>().find("different configurations") != std::string::npos);
    CHECK(l["reason"].get<std::string>().find("bytes=16") != std::string::npos);
    CHECK(l["reason"].get<std::string>().find("bytes=32") != std::string::npos);
  }
}

TEST_CASE("a party killed mid-run leaves failed logs and a non-zero exit", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  const std::uint16_t port = net::pick_free_port();
  const std::vector<std::string> long_run = {"--bytes", "65536", "--rounds", "10000000",
                                             "--runs",  "1",     "--warmup", "0"};
  Process p0(netbench_party(0, port, dir.path(), long_run), dir.path(), "p0");
  Process p1(netbench_party(1, port, dir.path(), long_run), dir.path(), "p1");
  REQUIRE(p1.wait_for_stderr("connected; running", 20s));
  std::this_thread::sleep_for(200ms);
  p1.kill(SIGKILL);
  CHECK(p1.wait() == 128 + SIGKILL);
  const int code0 = p0.wait(30s);
  INFO(p0.err());
  CHECK(code0 == kExitNetwork);
  const json l0 = read_json(dir.path() / "p0.json");
  CHECK(l0["status"] == "failed");
  CHECK(l0["reason"].get<std::string>().find("peer closed the connection") != std::string::npos);
  // The killed party never wrote its final log: its placeholder says so.
  const json l1 = read_json(dir.path() / "p1.json");
  CHECK(l1["status"] == "failed");
  CHECK(l1["reason"].get<std::string>().find("did not finish") != std::string::npos);
}

TEST_CASE("a local model run records its accuracy against both references", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  Process p({"local", "--model", "bert-tiny", "--seq", "8", "--system", "sigma", "--runs", "1",
             "--warmup", "0", "--threads", "1", "--out", dir.path().string()},
            dir.path(), "local");
  INFO(p.err());
  REQUIRE(p.wait() == 0);
  const json merged = read_json(dir.path() / "breakdown_merged.json");
  REQUIRE(merged.contains("accuracy"));
  CHECK(merged["accuracy"]["vs_clear"]["differing"] == 0);
  CHECK(merged["accuracy"]["vs_float"]["count"] == 8 * 128);
  CHECK(merged["config"]["schedule"] == "layer-by-layer");
  CHECK(read_json(dir.path() / "p0.json").contains("accuracy"));
  // Progress at info level: the end of each run at least, with the layer count (bert-tiny: 2).
  CHECK(p.err().find("progress: run 1 of 1, output head done") != std::string::npos);
}

TEST_CASE("a sequence over the memory budget runs in row chunks, and the logs say so",
          "[apps][e2e][chunks]") {
  // bert-tiny seq 128: 600 MiB a party holds one layer in chunks of 64 rows, not whole
  // (docs/design/row-chunks.md).
  require_binary();
  TempDir dir;
  Process p({"local", "--model", "bert-tiny", "--seq", "128", "--runs", "1", "--warmup", "0",
             "--threads", "1", "--key-memory", "600MiB", "--out", dir.path().string()},
            dir.path(), "local");
  INFO(p.err());
  REQUIRE(p.wait() == 0);
  CHECK(p.err().find("chunks of 64 of its 128 rows") != std::string::npos);
  const json merged = read_json(dir.path() / "breakdown_merged.json");
  CHECK(merged["accuracy"]["vs_clear"]["differing"] == 0);
  for (const char* party : {"p0", "p1"}) {
    INFO(party);
    CHECK(merged["memory_plan"][party]["chunk_rows"] == 64);
    CHECK(merged["memory_plan"][party]["micro_batch"] == 1);
    CHECK(merged["memory_plan"][party]["estimate"]["chunk_rows"] == 64);
    // The host's memory ruled: the CPU backend keeps no keys on a device.
    CHECK(merged["memory_plan"][party]["limit"] == "memory");
    CHECK(merged["memory_plan"][party]["device_key_budget_bytes"] == 0);
  }
}

TEST_CASE("--padding off warns loudly and is recorded in the logs", "[apps][e2e]") {
  require_binary();
  TempDir dir;
  Process p({"local", "--workload", "netbench", "--bytes", "16", "--rounds", "1", "--runs", "1",
             "--warmup", "0", "--padding", "off", "--out", dir.path().string()},
            dir.path(), "local");
  CHECK(p.wait() == 0);
  CHECK(p.err().find("INSECURE") != std::string::npos);
  CHECK(read_json(dir.path() / "p0.json")["config"]["padding"] == "off");
  CHECK(read_json(dir.path() / "breakdown_merged.json")["config"]["padding"] == "off");
  // Every shared setting is recorded, --fusefss-act among them (its default under fusefss).
  CHECK(read_json(dir.path() / "p0.json")["config"]["fusefss_act"] == "fused");
}

}  // namespace
}  // namespace secinfer::apps

namespace secinfer::apps {
namespace {

TEST_CASE("a setting the model refuses still leaves failed logs (matrix runs go on)",
          "[apps][e2e]") {
  require_binary();
  TempDir dir;
  Process p({"local", "--model", "bert-base", "--seq", "4096", "--out", dir.path().string()},
            dir.path(), "local");
  CHECK(p.wait() == kExitUsage);
  CHECK(p.err().find("maximum positions") != std::string::npos);
  for (const char* f : {"p0.json", "p1.json", "breakdown_merged.json"}) {
    INFO(f);
    REQUIRE(fs::exists(dir.path() / f));
    CHECK(read_json(dir.path() / f)["status"] == "failed");
    if (std::string(f) != "breakdown_merged.json")  // the real thread count, not 0
      CHECK(read_json(dir.path() / f)["environment"]["threads"].get<int>() > 0);
  }
  // A plain typo writes nothing (no junk result folders).
  const fs::path typo = dir.path() / "typo";
  Process q({"--party", "0", "--model", "bert-bsae", "--out", typo.string()}, dir.path(), "typo");
  CHECK(q.wait() == kExitUsage);
  CHECK_FALSE(fs::exists(typo));
}

// ---- faults a user or a supervisor causes (docs/reliability.md) ----

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

TEST_CASE("a party whose final log cannot be written never reports status ok", "[apps][e2e]") {
  // A file size limit, inherited by the parties, lets their small placeholder logs (and stderr)
  // through and stops the final logs (about 50 KB here), as a disk that fills up during the run
  // would.
  TempDir dir;
  const fs::path out = dir.path() / "full";
  const std::uint16_t port = net::pick_free_port();
  auto party = [&](int p) {
    return std::vector<std::string>{"run",        "--party",   std::to_string(p),
                                    "--workload", "netbench",  "--bytes",
                                    "64",         "--rounds",  "5",
                                    "--runs",     "30",        "--warmup",
                                    "0",          "--peer",    "127.0.0.1:" + std::to_string(port),
                                    "--bind",     "127.0.0.1", "--out",
                                    out.string()};
  };
  std::optional<secinfer::testing::FileSizeLimit> full(std::in_place, 20000);
  Process p0(party(0), dir.path(), "p0");
  Process p1(party(1), dir.path(), "p1");
  full.reset();
  for (Process* p : {&p0, &p1}) {
    const int code = p->wait();
    INFO(p->out() << p->err());
    CHECK(code == kExitFailed);
    CHECK(p->out().find("status ok") == std::string::npos);
    CHECK(p->out().find("status failed") != std::string::npos);
    CHECK(p->err().find("the party log could not be written") != std::string::npos);
  }
  for (const auto& e : fs::directory_iterator(out)) {
    INFO(e.path());
    CHECK(e.path().string().find(".tmp.") == std::string::npos);
    CHECK(read_json(e.path())["status"] == "failed");
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
  check_merge_refused(a / "p0.json", b / "p1.json", dir.path(), "different executions");
}

// tests/apps/cli_e2e_test.cpp -> the repository root.

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
  const int rc = run_matrix(config, dir.path() / "out", dir.path() / "matrix.txt", said);
  INFO(said);
  CHECK(rc == 1);  // a setting failed
  CHECK(said.find("failed (exit 2): secinfer: ") != std::string::npos);
  CHECK(said.find("unknown model") != std::string::npos);
  CHECK(said.find("0 settings finished (0 before this call; oom ones included), 1 failed") !=
        std::string::npos);
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

// A merged breakdown with only the fields scripts/report.py reads: Linear and Softmax times.
void write_breakdown(const fs::path& dir, const std::string& system, double linear_ms,
                     double softmax_ms) {
  auto scope = [](const char* path, double ms) {
    return json{
        {"path", path}, {"exclusive_wall_ms", {{"median", ms}}}, {"bytes", 100}, {"rounds", 2}};
  };
  const json merged = {
      {"schema", "secinfer.breakdown/1"},
      {"status", "ok"},
      {"config",
       {{"model", "bert-tiny"}, {"seq", 16}, {"batch", 1}, {"system", system}, {"padding", "on"}}},
      {"total", {{"wall_ms", {{"median", linear_ms + softmax_ms}}}, {"bytes", 200}, {"rounds", 4}}},
      {"scopes", {scope("Linear", linear_ms), scope("Softmax", softmax_ms)}}};
  fs::create_directories(dir);
  std::ofstream(dir / "breakdown_merged.json") << merged.dump();
}

// Runs scripts/report.py on `results` with `extra` arguments; returns its exit status.
int run_report(const fs::path& results, const std::string& extra, std::string& said) {
  const fs::path log = results / "report.txt";
  const std::string cmd = "python3 '" + (kRepo / "scripts" / "report.py").string() + "' '" +
                          results.string() + "' " + extra + " > '" + log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  said = testing::read_file(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST_CASE("report.py words a FuseFSS slowdown as one, and reads secinfer microbench.json",
          "[apps][e2e]") {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) {
    WARN("python3 not found: report.py not tested");
    return;
  }
  TempDir dir;
  const fs::path results = dir.path() / "results";
  write_breakdown(results / "sigma", "sigma", 20, 80);       // nonlinear share 80%
  write_breakdown(results / "fusefss", "fusefss", 20, 350);  // 3.7x slower, share 95%
  // The microbench.json of `secinfer microbench`, one per system (D9).
  for (const auto& [system, ms] :
       {std::pair<std::string, double>{"sigma", 10.0}, {"fusefss", 20.0}}) {
    std::ofstream(dir.path() / (system + ".json")) << json{
        {"schema", "secinfer.microbench/1"},
        {"gate", "gelu"},
        {"system", system},
        {"status", "ok"},
        {"online_ms", ms}}.dump();
  }
  std::string said;
  REQUIRE(run_report(results,
                     "--microbench '" + (dir.path() / "sigma.json").string() + "' '" +
                         (dir.path() / "fusefss.json").string() + "'",
                     said) == 0);
  INFO(said);
  CHECK(said.find("Traceback") == std::string::npos);
  const std::string sentence = testing::read_file(results / "report" / "reconciliation.txt");
  INFO(sentence);
  CHECK(sentence.find("raised to") != std::string::npos);
  CHECK(sentence.find("slowdown") != std::string::npos);
  CHECK(sentence.find("speedup") == std::string::npos);
  CHECK(sentence.find("reduced") == std::string::npos);
  // One system's file alone gives no ratio: said, and s comes from the scopes.
  REQUIRE(run_report(results, "--microbench '" + (dir.path() / "sigma.json").string() + "'",
                     said) == 0);
  CHECK(said.find("no completed sigma and fusefss pair") != std::string::npos);
}

}  // namespace
}  // namespace secinfer::apps
