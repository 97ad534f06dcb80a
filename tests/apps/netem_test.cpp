// --net profiles (apps/netem.h): parsing, refusal of bad ones with a clear message, the loopback
// fallback where the tools are missing, and (as root, where namespaces work) the emulated link:
// built, used by a local netbench, recorded in the logs, removed afterwards.
#include "apps/netem.h"

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/cli.h"
#include "process_util.h"

namespace secinfer::apps {
namespace {

namespace fs = std::filesystem;
using testing::Process;
using testing::TempDir;

std::string refusal(const std::string& text) {
  try {
    parse_net_profile(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<accepted>";
}

std::string usage_error(std::vector<std::string> args) {
  args.insert(args.begin(), "secinfer");
  try {
    parse_command_line(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "<accepted>";
}

// The names of the network namespaces that exist now ("" if `ip` cannot list them).
std::string namespaces() {
  std::string out;
  if (FILE* f = ::popen("ip netns list 2>/dev/null", "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
    ::pclose(f);
  }
  return out;
}

// Why the emulated link cannot be built here, or "" when it can.
std::string netem_unavailable() {
  if (::geteuid() != 0) return "not root";
  NetemLink probe(parse_net_profile("rate=1GB/s,delay=0.1ms"));
  return probe.active() ? "" : probe.fallback_reason();
}

TEST_CASE("named --net profiles: none, lan, wan", "[apps][netem]") {
  const NetProfile none = parse_net_profile("none");
  CHECK_FALSE(none.emulated());
  CHECK(parse_net_profile("loopback").name == "none");
  const NetProfile lan = parse_net_profile("lan");
  CHECK(lan.name == "lan");
  CHECK(lan.rate_bytes_per_s == 1e9);
  CHECK(lan.delay_ms == 0.5);
  const NetProfile wan = parse_net_profile("wan");
  CHECK(wan.rate_bytes_per_s == 400e6);
  CHECK(wan.delay_ms == 4.0);
  CHECK(describe(lan) == "lan: 1 GB/s each way, 0.5 ms one-way delay (RTT 1 ms)");
  CHECK(describe(none) == "none: loopback, no emulation");
}

TEST_CASE("user-defined --net profiles: rate and delay with units, either order", "[apps][netem]") {
  NetProfile p = parse_net_profile("rate=1GB/s,delay=0.5ms");
  CHECK(p.name == "custom");
  CHECK(p.rate_bytes_per_s == 1e9);
  CHECK(p.delay_ms == 0.5);
  p = parse_net_profile("delay=4ms,rate=400MB/s");
  CHECK(p.rate_bytes_per_s == 400e6);
  CHECK(p.delay_ms == 4.0);
  p = parse_net_profile("rate=10Gbit");
  CHECK(p.rate_bytes_per_s == Approx(1.25e9));
  CHECK(p.delay_ms == 0);
  p = parse_net_profile("delay=250us");
  CHECK(p.rate_bytes_per_s == 0);
  CHECK(p.delay_ms == Approx(0.25));
  CHECK(parse_net_profile("rate=1MiB/s,delay=1s").rate_bytes_per_s == 1048576.0);
  CHECK(parse_net_profile("rate=1MiB/s,delay=1s").delay_ms == 1000.0);
}

TEST_CASE("bad --net profiles are refused saying what is wrong and what is accepted",
          "[apps][netem]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fast", "unknown network profile \"fast\""},
      {"LAN", "unknown network profile"},
      {"", "unknown network profile"},
      {"rate=1GB", "unknown rate unit \"GB\""},
      {"rate=100", "has no unit"},
      {"delay=5", "has no unit"},
      {"delay=5min", "unknown delay unit"},
      {"rate=0MB/s", "the rate must be > 0"},
      {"rate=-1MB/s", "the rate must be > 0"},
      {"rate=2TB/s", "unknown rate unit"},
      {"rate=2000GB/s", "over 1 TB/s"},
      {"delay=-1ms", "the delay must be >= 0"},
      {"delay=20s", "over 10 s"},
      {"rate=nanMB/s", "not a finite number"},
      {"rate=fastMB/s", "expected a number with a unit"},
      {"rate=1GB/s,rate=2GB/s", "rate given twice"},
      {"loss=1%", "unknown key \"loss\""},
      {"rate=1GB/s;delay=1ms", "unknown rate unit"},
      {"rate=1GB/s,", "expected KEY=VALUE"},
  };
  for (const auto& [text, why] : cases) {
    INFO("--net " << text);
    const std::string msg = refusal(text);
    CHECK_THAT(msg, Catch::Contains(why));
    CHECK_THAT(msg, Catch::Contains("--net " + text + ": "));
    CHECK_THAT(msg, Catch::Contains("rate=RATE,delay=DELAY"));  // what is accepted
  }
}

TEST_CASE("secinfer local --net: parsed at the boundary, refused before anything starts",
          "[apps][netem][cli]") {
  CHECK(parse_command_line({"secinfer", "local", "--workload", "netbench"}).run.net == "none");
  CHECK(
      parse_command_line({"secinfer", "local", "--workload", "netbench", "--net", "wan"}).run.net ==
      "wan");
  const std::string msg = usage_error({"local", "--workload", "netbench", "--net", "fast"});
  CHECK_THAT(msg, Catch::Contains("--net fast: unknown network profile"));
  CHECK_THAT(msg, Catch::Contains("secinfer local --help"));
  // One party process does not place itself in a namespace: --net is a flag of local only.
  CHECK_THAT(usage_error({"run", "--party", "0", "--net", "lan"}), Catch::Contains("--net"));
}

TEST_CASE("without ip or tc, an emulated profile falls back to loopback and says why",
          "[apps][netem]") {
  const NetemLink link(parse_net_profile("lan"), {"/nonexistent/ip", "/nonexistent/tc"});
  CHECK_FALSE(link.active());
  const std::string why = link.fallback_reason();
  if (::geteuid() == 0) {
    CHECK_THAT(why, Catch::Contains("`ip` is not installed (/nonexistent/ip)"));
  } else {
    CHECK_THAT(why, Catch::Contains("need root"));
  }
  CHECK(link.listen_host() == "127.0.0.1");
  const std::vector<std::string> args = {"secinfer", "run", "--peer", "127.0.0.1:7000"};
  CHECK(link.wrap(1, args) == args);
  const nlohmann::json env = link.environment();
  CHECK(env["requested"] == "lan");
  CHECK(env["profile"] == "none");  // what was actually used
  CHECK(env["emulated"] == false);
  CHECK(env["fallback_reason"] == why);
}

TEST_CASE("profile none: no namespaces, loopback, recorded as such", "[apps][netem]") {
  const NetemLink link(parse_net_profile("none"));
  CHECK_FALSE(link.active());
  CHECK(link.fallback_reason().empty());
  CHECK(link.environment()["profile"] == "none");
  CHECK_FALSE(link.environment().contains("fallback_reason"));
}

TEST_CASE("as root: the emulated link is built, used by the parties, and removed",
          "[apps][netem]") {
  if (const std::string why = netem_unavailable(); !why.empty()) {
    WARN("skipped: network namespaces cannot be made here: " << why);
    return;
  }
  const std::string ns0 = "secinfer-" + std::to_string(::getpid()) + "-p0";
  {
    const NetemLink link(parse_net_profile("wan"));
    REQUIRE(link.active());
    CHECK(link.listen_host() == "10.213.0.1");
    CHECK_THAT(namespaces(), Catch::Contains(ns0));
    const std::vector<std::string> wrapped =
        link.wrap(0, {"secinfer", "run", "--peer", "127.0.0.1:7000", "--bind", "127.0.0.1"});
    CHECK(wrapped[1] == "netns");
    CHECK(wrapped[3] == ns0);
    CHECK(wrapped[7] == "10.213.0.1:7000");
    CHECK(wrapped[9] == "10.213.0.1");
    // Idempotent: a second link of this process replaces the first one's namespaces.
    const NetemLink again(parse_net_profile("lan"));
    CHECK(again.active());
  }
  CHECK_THAT(namespaces(), !Catch::Contains(ns0));

  const TempDir dir;
  const fs::path out = dir.path() / "nb";
  Process p({"local", "--workload", "netbench", "--bytes", "1000000", "--rounds", "4", "--runs",
             "1", "--warmup", "0", "--net", "rate=100MB/s,delay=2ms", "--out", out.string()},
            dir.path(), "local-net");
  REQUIRE(p.wait(std::chrono::seconds(60)) == 0);
  const auto log = nlohmann::json::parse(testing::read_file(out / "p1.json"));
  const auto& net = log["environment"]["net"];
  CHECK(net["emulated"] == true);
  CHECK(net["profile"] == "custom");
  CHECK(net["rate_bytes_per_s"] == 100e6);
  // netem: the delay as asked; tbf (a kernel without netem): the rate only, recorded as delay 0.
  const bool netem = net["shaper"] == "netem";
  CHECK(net["delay_ms_one_way"] == (netem ? 2.0 : 0.0));
  CHECK(net.contains("netem_missing") == !netem);
  // 4 rounds of 1 MB each way at 100 MB/s: at least 4 x 10 ms on the wire (+ 4 x 2 ms of delay
  // with netem). tbf lets its bucket through at once, so under tbf the bound leaves it out.
  const double burst = netem ? 0.0 : net["burst_bytes"].get<double>();
  CHECK(burst == (netem ? 0.0 : 65536.0));
  const double wire_ms = (1e6 - burst) / 100e6 * 1e3;
  const auto merged = nlohmann::json::parse(testing::read_file(out / "breakdown_merged.json"));
  CHECK(merged["total"]["wall_ms"]["median"].get<double>() > 4 * ((netem ? 2.0 : 0.0) + wire_ms));
}

// The namespace of party 0 named in a `local --net` run's stderr ("namespace secinfer-P-p0").
std::string namespace_of(Process& p) {
  REQUIRE(p.wait_for_stderr("in namespace secinfer-", std::chrono::seconds(30)));
  const std::string err = p.err();
  const auto at = err.find("secinfer-", err.find("in namespace secinfer-"));
  return err.substr(at, err.find(' ', at) - at);
}

TEST_CASE("as root: the link is removed after a stop signal, and a stale one by the next run",
          "[apps][netem]") {
  if (const std::string why = netem_unavailable(); !why.empty()) {
    WARN("skipped: network namespaces cannot be made here: " << why);
    return;
  }
  const TempDir dir;
  // 200 exchanges of 1 MB at 10 MB/s: 40 s, far longer than the test waits.
  const std::vector<std::string> slow = {
      "local",  "--workload", "netbench", "--bytes", "1000000", "--rounds",   "200",
      "--runs", "1",          "--warmup", "0",       "--net",   "rate=10MB/s"};
  {
    auto args = slow;
    args.insert(args.end(), {"--out", (dir.path() / "term").string()});
    Process p(args, dir.path(), "term");
    const std::string ns = namespace_of(p);
    CHECK_THAT(namespaces(), Catch::Contains(ns));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    p.kill(SIGTERM);
    CHECK(p.wait(std::chrono::seconds(30)) == 128 + SIGTERM);
    CHECK_THAT(namespaces(), !Catch::Contains(ns));
  }
  {
    auto args = slow;
    args.insert(args.end(), {"--out", (dir.path() / "kill").string()});
    Process p(args, dir.path(), "kill");
    const std::string ns = namespace_of(p);
    p.kill(SIGKILL);  // nothing cleans up after SIGKILL ...
    p.wait(std::chrono::seconds(30));
    CHECK_THAT(namespaces(), Catch::Contains(ns));
    const NetemLink next(parse_net_profile("lan"));  // ... but the next link removes it
    CHECK_THAT(namespaces(), !Catch::Contains(ns));
  }
}

}  // namespace
}  // namespace secinfer::apps
