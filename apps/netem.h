// Network emulation for `secinfer local --net PROFILE`: the two parties in two Linux network
// namespaces joined by a veth pair (iproute2), each end shaped by `tc qdisc ... netem` (rate and
// delay), so each direction of the link gets the profile. docs/design/net-projection.md says what
// the profiles are, how the link is built and how a loopback breakdown projects onto one.
//
//   NetProfile p = parse_net_profile("lan");        // 1 GB/s each way, 0.5 ms one-way delay
//   NetemLink link(p);                              // namespaces up, or loopback with a warning
//   args = link.wrap(party, args);                  // `ip netns exec NS secinfer run ...`
//
// Where root, iproute2 / tc or namespaces are missing, NetemLink says so (a warning naming what is
// missing and what to do) and the run goes on over loopback; where only the netem qdisc is missing
// (a kernel without CONFIG_NET_SCH_NETEM), the rate is shaped with tbf and a warning says that the
// delay is not emulated. environment() records the link actually used, for the party logs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace secinfer::apps {

// A link profile. delay_ms is the ONE-WAY latency of each direction (netem delays every packet
// leaving either veth end by it), so the round-trip time is 2 * delay_ms. rate: bytes per second
// in each direction (full duplex), 0 = not limited.
struct NetProfile {
  std::string name = "none";  // none | lan | wan | custom
  double rate_bytes_per_s = 0;
  double delay_ms = 0;
  bool emulated() const { return name != "none"; }
};

// Parses --net: "none" (plain loopback, no emulation), "lan" (1 GB/s, 0.5 ms one-way), "wan"
// (400 MB/s, 4 ms one-way), or "rate=RATE,delay=DELAY" in either order, one of them may be left
// out (no limit / no delay): RATE a number with B/s, KB/s, MB/s, GB/s (decimal, bytes), KiB/s,
// MiB/s, GiB/s, or kbit, Mbit, Gbit (bits per second); DELAY a number with us, ms or s.
// Throws std::invalid_argument saying what is wrong and what is accepted: an unknown name or key,
// a number without a unit, a rate <= 0 or over 1 TB/s, a delay < 0 or over 10 s.
NetProfile parse_net_profile(const std::string& text);

// "lan: 1 GB/s each way, 0.5 ms one-way delay (RTT 1 ms)", "none: loopback, no emulation".
std::string describe(const NetProfile& p);

// The tools NetemLink runs; empty = looked up on PATH, then /usr/sbin and /sbin.
struct NetemTools {
  std::string ip;
  std::string tc;
};

// The emulated link of one local run. The constructor builds it (for an emulated profile) and the
// destructor removes it: namespaces secinfer-<pid>-p0 / -p1 (deleting a namespace deletes its
// veth end and qdisc). Idempotent: namespaces of this name left by an earlier attempt, and those
// of secinfer processes that are gone (killed with SIGKILL, which no cleanup survives), are
// deleted first. The destructor runs on every way out of run_local_parties, including stop
// signals (StopSignals records them; the children are stopped and the function returns).
// Never throws for a missing capability: active() is false and fallback_reason() says why.
class NetemLink {
 public:
  explicit NetemLink(const NetProfile& p, const NetemTools& tools = {});
  ~NetemLink();
  NetemLink(const NetemLink&) = delete;
  NetemLink& operator=(const NetemLink&) = delete;

  // True when the parties run in the namespaces over the shaped veth pair.
  bool active() const { return active_; }
  // Why an emulated profile runs over loopback instead (empty when active or profile none).
  const std::string& fallback_reason() const { return fallback_; }
  // The address party 0 listens on and party 1 connects to: party 0's veth address, or 127.0.0.1.
  std::string listen_host() const;
  // `args` (a party command line, args[0] the program) run in the party's namespace when active:
  // {ip, netns, exec, NS, args...}; rewrites 127.0.0.1 in its --peer / --bind values to
  // listen_host(). Unchanged when not active.
  std::vector<std::string> wrap(int party, const std::vector<std::string>& args) const;
  // What the party logs' environment records under "net": the requested profile, the one used
  // (rate, one-way delay, RTT), whether it was emulated, the namespaces, or the fallback reason.
  nlohmann::json environment() const;

 private:
  void build();
  void teardown() noexcept;

  NetProfile requested_;
  NetemTools tools_;
  bool active_ = false;
  std::string fallback_;
  std::string shaper_;         // "netem", or "tbf" (rate only) where the kernel lacks netem
  std::string netem_missing_;  // why tbf: the tc error
  std::string ns_[2];
  std::string veth_[2];
};

// Adds `net` to the "environment" of the party log at `log` (rewritten atomically); no-op if the
// file is missing or not JSON. (The party processes do not know they run in a namespace.)
void record_net_environment(const std::string& log, const nlohmann::json& net);

}  // namespace secinfer::apps
