#include "apps/netem.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "profiling/atomic_file.h"

extern char** environ;

namespace secinfer::apps {

namespace {

constexpr const char* kProfileHelp =
    "use none (loopback), lan (1 GB/s, 0.5 ms one-way), wan (400 MB/s, 4 ms one-way) or "
    "rate=RATE,delay=DELAY (e.g. rate=1GB/s,delay=0.5ms; RATE in B/s, KB/s, MB/s, GB/s, KiB/s, "
    "MiB/s, GiB/s, kbit, Mbit or Gbit; DELAY in us, ms or s, one-way)";

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw std::invalid_argument("--net " + text + ": " + why + "; " + kProfileHelp);
}

// "400MB/s" -> (400, "MB/s"); the number must be finite.
std::pair<double, std::string> number_and_unit(const std::string& whole, const std::string& value) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    bad(whole, "expected a number with a unit, got \"" + value + "\"");
  }
  if (!std::isfinite(v)) bad(whole, "\"" + value + "\" is not a finite number");
  return {v, value.substr(used)};
}

double rate_bytes_per_s(const std::string& whole, const std::string& value) {
  const auto [v, unit] = number_and_unit(whole, value);
  static const std::vector<std::pair<std::string, double>> kUnits = {
      {"B/s", 1},        {"KB/s", 1e3},      {"MB/s", 1e6},      {"GB/s", 1e9},
      {"KiB/s", 1024.0}, {"MiB/s", 1 << 20}, {"GiB/s", 1 << 30}, {"kbit", 1e3 / 8},
      {"Mbit", 1e6 / 8}, {"Gbit", 1e9 / 8},  {"bit", 1.0 / 8}};
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    const double r = v * scale;
    if (!(r > 0)) bad(whole, "the rate must be > 0 (leave rate= out for no limit)");
    if (r > 1e12) bad(whole, "a rate over 1 TB/s is not a link netem can shape");
    return r;
  }
  bad(whole, unit.empty() ? "the rate \"" + value + "\" has no unit"
                          : "unknown rate unit \"" + unit + "\"");
}

double delay_ms(const std::string& whole, const std::string& value) {
  const auto [v, unit] = number_and_unit(whole, value);
  double ms = 0;
  if (unit == "us") {
    ms = v / 1e3;
  } else if (unit == "ms") {
    ms = v;
  } else if (unit == "s") {
    ms = v * 1e3;
  } else {
    bad(whole, unit.empty() ? "the delay \"" + value + "\" has no unit"
                            : "unknown delay unit \"" + unit + "\"");
  }
  if (ms < 0) bad(whole, "the delay must be >= 0");
  if (ms > 1e4) bad(whole, "a one-way delay over 10 s would time the parties out");
  return ms;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// tbf's bucket: 64 KiB (one GSO segment) or 100 us at the rate, whichever is larger (tbf's
// watchdog is a high-resolution timer).
double tbf_burst_bytes(double rate_bytes_per_s) {
  return std::max(65536.0, std::round(rate_bytes_per_s * 100e-6));
}

std::string rate_text(double bytes_per_s) {
  if (bytes_per_s <= 0) return "unlimited";
  if (bytes_per_s >= 1e9) return number_text(bytes_per_s / 1e9) + " GB/s";
  if (bytes_per_s >= 1e6) return number_text(bytes_per_s / 1e6) + " MB/s";
  if (bytes_per_s >= 1e3) return number_text(bytes_per_s / 1e3) + " KB/s";
  return number_text(bytes_per_s) + " B/s";
}

// `name` on PATH, then in /usr/sbin and /sbin (root's tools, often off a user's PATH).
std::string find_tool(const std::string& name) {
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin";
  std::stringstream in(dirs);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    const std::string p = dir + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

struct ToolResult {
  int status = -1;  // exit status, -1 if it could not be started or was killed
  std::string output;
};

// Runs args (args[0] a path) to completion, stdout and stderr captured together.
ToolResult run_tool(const std::vector<std::string>& args) {
  ToolResult r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.output = std::strerror(errno);
    return r;
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    r.output = "cannot start " + args[0] + ": " + std::strerror(rc);
    return r;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == ' '))
    r.output.pop_back();
  return r;
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Runs a setup step; throws std::runtime_error with the command and its output on failure.
void must(const std::vector<std::string>& args) {
  const ToolResult r = run_tool(args);
  if (r.status != 0) throw std::runtime_error("`" + joined(args) + "` failed: " + r.output);
}

constexpr const char* kNsPrefix = "secinfer-";
// Party 0 / party 1 veth addresses: a /30 private to the two namespaces (no route leaves them, so
// concurrent runs in their own namespaces cannot collide).
constexpr const char* kAddress[2] = {"10.213.0.1", "10.213.0.2"};

}  // namespace

NetProfile parse_net_profile(const std::string& text) {
  NetProfile p;
  if (text == "none" || text == "loopback") return p;
  if (text == "lan") return {"lan", 1e9, 0.5};
  if (text == "wan") return {"wan", 400e6, 4.0};
  if (text.find('=') == std::string::npos) bad(text, "unknown network profile \"" + text + "\"");
  p.name = "custom";
  bool have_rate = false;
  bool have_delay = false;
  for (std::size_t start = 0; start <= text.size();) {  // items between commas, empty ones too
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos) bad(text, "expected KEY=VALUE, got \"" + item + "\"");
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (key == "rate" && !have_rate) {
      p.rate_bytes_per_s = rate_bytes_per_s(text, value);
      have_rate = true;
    } else if (key == "delay" && !have_delay) {
      p.delay_ms = delay_ms(text, value);
      have_delay = true;
    } else if (key == "rate" || key == "delay") {
      bad(text, key + " given twice");
    } else {
      bad(text, "unknown key \"" + key + "\" (the keys are rate and delay)");
    }
  }
  if (!have_rate && !have_delay) bad(text, "no rate and no delay");
  return p;
}

std::string describe(const NetProfile& p) {
  if (!p.emulated()) return "none: loopback, no emulation";
  return p.name + ": " + rate_text(p.rate_bytes_per_s) + " each way, " + number_text(p.delay_ms) +
         " ms one-way delay (RTT " + number_text(2 * p.delay_ms) + " ms)";
}

NetemLink::NetemLink(const NetProfile& p, const NetemTools& tools) : requested_(p), tools_(tools) {
  if (!p.emulated()) return;
  if (tools_.ip.empty()) tools_.ip = find_tool("ip");
  if (tools_.tc.empty()) tools_.tc = find_tool("tc");
  const std::string pid = std::to_string(::getpid());
  for (int i = 0; i < 2; ++i) {
    ns_[i] = std::string(kNsPrefix) + pid + "-p" + std::to_string(i);
    veth_[i] = "sinf" + pid + (i == 0 ? "a" : "b");  // <= 15 characters (IFNAMSIZ)
  }
  if (::geteuid() != 0) {
    fallback_ = "network namespaces and tc need root (this process runs as uid " +
                std::to_string(::geteuid()) + "): run as root, or use --net none";
  } else if (tools_.ip.empty() || ::access(tools_.ip.c_str(), X_OK) != 0) {
    fallback_ = "iproute2's `ip` is not installed (" +
                (tools_.ip.empty() ? std::string("not on PATH") : tools_.ip) +
                "): apt-get install iproute2";
  } else if (tools_.tc.empty() || ::access(tools_.tc.c_str(), X_OK) != 0) {
    fallback_ = "`tc` is not installed (" +
                (tools_.tc.empty() ? std::string("not on PATH") : tools_.tc) +
                "): apt-get install iproute2";
  } else {
    try {
      build();
      active_ = true;
    } catch (const std::exception& e) {
      teardown();
      fallback_ = std::string("cannot build the emulated link: ") + e.what() +
                  " (namespaces or the netem qdisc may be unavailable here, e.g. in an "
                  "unprivileged container; modprobe sch_netem, or use --net none)";
    }
  }
  if (active_) {
    spdlog::info("net {}: party 0 in namespace {} ({}), party 1 in {} ({}), veth shaped by {}",
                 describe(requested_), ns_[0], kAddress[0], ns_[1], kAddress[1], shaper_);
    if (shaper_ != "netem" && requested_.delay_ms > 0) {
      spdlog::warn(
          "--net {}: {}: the rate is shaped with tbf, but the {} ms one-way delay is NOT "
          "emulated (recorded as delay 0 in the logs)",
          requested_.name, netem_missing_, number_text(requested_.delay_ms));
    }
  } else {
    spdlog::warn("--net {}: {}; running over loopback WITHOUT network emulation", requested_.name,
                 fallback_);
  }
}

NetemLink::~NetemLink() {
  if (active_) teardown();
}

void NetemLink::build() {
  // Stale namespaces: ours from an earlier attempt, and those of secinfer processes that are gone.
  const ToolResult list = run_tool({tools_.ip, "netns", "list"});
  std::stringstream lines(list.output);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.rfind(kNsPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::strlen(kNsPrefix));
    const auto dash = rest.find("-p");
    if (dash == std::string::npos) continue;
    const long owner = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    const bool gone = owner > 0 && ::kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH;
    if (gone || name == ns_[0] || name == ns_[1]) run_tool({tools_.ip, "netns", "del", name});
  }
  run_tool({tools_.ip, "link", "del", veth_[0]});  // a half-built pair in the root namespace
  for (int i = 0; i < 2; ++i) must({tools_.ip, "netns", "add", ns_[i]});
  must({tools_.ip, "link", "add", veth_[0], "type", "veth", "peer", "name", veth_[1]});
  // netem queues a whole bandwidth-delay product: wan is 400 MB/s x 4 ms = 1.6 MB each way, over
  // the default limit of 1000 packets of small segments; a drop would add TCP retransmissions that
  // the profile does not describe.
  std::vector<std::string> netem = {"netem", "limit", "1000000"};
  if (requested_.delay_ms > 0) {
    netem.push_back("delay");
    netem.push_back(number_text(requested_.delay_ms * 1e3) + "us");
  }
  const std::string bits = number_text(std::round(requested_.rate_bytes_per_s * 8)) + "bit";
  if (requested_.rate_bytes_per_s > 0) {
    netem.push_back("rate");  // tc's "bps" means bytes per second: spell out bits
    netem.push_back(bits);
  }
  // Without netem (a kernel built without CONFIG_NET_SCH_NETEM): tbf shapes the rate; the delay
  // is not emulated. burst: tbf_burst_bytes; limit: 50 ms at the rate, so nothing is dropped.
  const double rate = requested_.rate_bytes_per_s;
  const std::vector<std::string> tbf = {"tbf",
                                        "rate",
                                        bits,
                                        "burst",
                                        number_text(tbf_burst_bytes(rate)),
                                        "limit",
                                        number_text(std::max(1048576.0, std::round(rate * 50e-3)))};
  for (int i = 0; i < 2; ++i) {
    must({tools_.ip, "link", "set", veth_[i], "netns", ns_[i]});
    must({tools_.ip, "-n", ns_[i], "addr", "add", std::string(kAddress[i]) + "/30", "dev",
          veth_[i]});
    must({tools_.ip, "-n", ns_[i], "link", "set", "lo", "up"});
    must({tools_.ip, "-n", ns_[i], "link", "set", veth_[i], "up"});
    auto qdisc = [&](const std::vector<std::string>& spec) {
      std::vector<std::string> tc = {tools_.ip, "netns",   "exec", ns_[i],   tools_.tc,
                                     "qdisc",   "replace", "dev",  veth_[i], "root"};
      tc.insert(tc.end(), spec.begin(), spec.end());
      return tc;
    };
    if (i == 0 || shaper_ == "netem") {
      const ToolResult r = run_tool(qdisc(netem));
      if (r.status == 0) {
        shaper_ = "netem";
        continue;
      }
      if (r.output.find("unknown") == std::string::npos)
        throw std::runtime_error("`" + joined(qdisc(netem)) + "` failed: " + r.output);
      std::string said = r.output;
      if (!said.empty() && said.back() == '.') said.pop_back();
      netem_missing_ = "the netem qdisc is not in this kernel (`tc qdisc ... netem`: " + said +
                       "; CONFIG_NET_SCH_NETEM)";
      if (rate <= 0) throw std::runtime_error(netem_missing_ + ", and the profile has no rate");
    }
    must(qdisc(tbf));
    shaper_ = "tbf";
  }
}

void NetemLink::teardown() noexcept {
  try {
    for (int i = 0; i < 2; ++i) {
      if (!ns_[i].empty()) run_tool({tools_.ip, "netns", "del", ns_[i]});
    }
    if (!veth_[0].empty()) run_tool({tools_.ip, "link", "del", veth_[0]});
  } catch (...) {  // NOLINT(bugprone-empty-catch): best effort in a destructor
  }
  active_ = false;
}

std::string NetemLink::listen_host() const {
  return active_ ? kAddress[0] : "127.0.0.1";
}

std::vector<std::string> NetemLink::wrap(int party, const std::vector<std::string>& args) const {
  if (!active_) return args;
  std::vector<std::string> a = {tools_.ip, "netns", "exec", ns_[party]};
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string v = args[i];
    if (i > 0 && (args[i - 1] == "--peer" || args[i - 1] == "--bind") &&
        v.rfind("127.0.0.1", 0) == 0)
      v = listen_host() + v.substr(std::strlen("127.0.0.1"));
    a.push_back(v);
  }
  return a;
}

nlohmann::json NetemLink::environment() const {
  NetProfile used = active_ ? requested_ : NetProfile{};
  if (active_ && shaper_ != "netem") used.delay_ms = 0;  // tbf: the rate only
  nlohmann::json j = {{"requested", requested_.name},
                      {"profile", used.name},
                      {"emulated", active_},
                      {"description", describe(used)},
                      {"rate_bytes_per_s", used.rate_bytes_per_s},
                      {"delay_ms_one_way", used.delay_ms},
                      {"rtt_ms", 2 * used.delay_ms}};
  if (requested_.name == "custom") {
    j["requested_rate_bytes_per_s"] = requested_.rate_bytes_per_s;
    j["requested_delay_ms_one_way"] = requested_.delay_ms;
  }
  if (active_) {
    j["namespaces"] = {ns_[0], ns_[1]};
    j["addresses"] = {kAddress[0], kAddress[1]};
    j["shaper"] = shaper_;
    j["tool"] = "iproute2 veth pair + tc qdisc " + shaper_ + " on both ends";
  }
  if (active_ && shaper_ != "netem") {
    j["delay_emulated"] = false;
    j["netem_missing"] = netem_missing_;
    // What tbf lets through at once: a lower bound on a run's wire time must leave it out.
    j["burst_bytes"] = tbf_burst_bytes(requested_.rate_bytes_per_s);
  }
  if (!fallback_.empty()) j["fallback_reason"] = fallback_;
  return j;
}

void record_net_environment(const std::string& log, const nlohmann::json& net) {
  std::ifstream in(log);
  if (!in) return;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  j["environment"]["net"] = net;
  profiling::write_file_atomic(log, j.dump(2) + "\n");
}

}  // namespace secinfer::apps
