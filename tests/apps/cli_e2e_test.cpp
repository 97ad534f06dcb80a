// The `secinfer` binary end to end: local netbench with merge and the breakdown checker, bad flags,
// a peer that never comes, a config mismatch, a party killed mid-run, a refused merge.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "apps/exit_codes.h"
#include "net/channel.h"
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
  // Per run: 10 rounds, 10 frames of 1 MiB + 8 B each way.
  CHECK(merged["total"]["rounds"] == 10);
  CHECK(merged["total"]["bytes"] == 2 * 10 * (1048576 + 8));

  const fs::path checker = "/work/shared/tools/check_breakdown.py";
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

    Process bad({"merge", (out / "p0.json").string(), (out / "p0.json").string(), "-o",
                 (dir.path() / "bad.json").string()},
                dir.path(), "merge-bad");
    CHECK(bad.wait() == kExitMerge);
    CHECK(bad.err().find("merge refused") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path() / "bad.json"));
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
  }
  // A plain typo writes nothing (no junk result folders).
  const fs::path typo = dir.path() / "typo";
  Process q({"--party", "0", "--model", "bert-bsae", "--out", typo.string()}, dir.path(), "typo");
  CHECK(q.wait() == kExitUsage);
  CHECK_FALSE(fs::exists(typo));
}

}  // namespace
}  // namespace secinfer::apps
