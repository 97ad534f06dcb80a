// Per-scope accounting of the channel under nested scopes (docs/design/product-spec.md "Scopes and
// the breakdown"): bytes include the 8-byte frame header, a message per frame sent, a round per
// exchange and per plain recv, time blocked waiting for the peer as CommWait, all charged
// exclusively to the innermost scope.
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <thread>

#include "net/channel.h"
#include "net/netbench.h"
#include "net_test_util.h"
#include "profiling/recorder.h"
#include "profiling/scope.h"

namespace secinfer::net {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::map<std::string, json> scopes_of_run(const json& log, std::size_t run) {
  std::map<std::string, json> m;
  for (const auto& s : log["runs"][run]["scopes"]) m[s["path"].get<std::string>()] = s;
  return m;
}

// Both parties: run 0 opens A { exchange 100 B; B { send 10 B; exchange 50 B } ; recv 20 B }.
// P1 mirrors it; P1 waits 300 ms before its exchange in A so that P0 is blocked there.
void script(Channel& c, int party) {
  std::vector<std::uint8_t> b100(100), t100(100), b10(10), b50(50), t50(50), b20(20);
  profiling::Scope a("A");
  if (party == 1) std::this_thread::sleep_for(300ms);
  c.exchange(b100, t100);
  {
    profiling::Scope b("B");
    if (party == 0) {
      c.send(b10);
    } else {
      c.recv(b10);
    }
    c.exchange(b50, t50);
  }
  if (party == 0) {
    c.recv(b20);
  } else {
    c.send(b20);
  }
}

TEST_CASE("channel charges bytes, messages, rounds and CommWait to the innermost scope",
          "[net][accounting]") {
  json logs[2];
  auto party = [&logs](int p) {
    return [p, &logs](Channel& c) {
      profiling::Recorder rec(json{{"model", "test"}}, p);
      auto active = rec.activate();
      rec.begin_run(false);
      script(c, p);
      rec.end_run();
      logs[p] = rec.to_json();
    };
  };
  // The handshake happens before any run and is charged nowhere.
  auto out = testing::run_pair(testing::hello_for(0), testing::hello_for(1), party(0), party(1));
  INFO(testing::message_of(out.e0) << " / " << testing::message_of(out.e1));
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);

  auto s0 = scopes_of_run(logs[0], 0);
  auto s1 = scopes_of_run(logs[1], 0);
  REQUIRE(s0.count("A"));
  REQUIRE(s0.count("A/B"));
  // P0, scope A (exclusive): exchange 100 (sent 108, recv 108, 1 msg, 1 round) + recv 20 (28, 1
  // round).
  CHECK(s0["A"]["bytes_sent"] == 108);
  CHECK(s0["A"]["bytes_recv"] == 108 + 28);
  CHECK(s0["A"]["messages"] == 1);
  CHECK(s0["A"]["rounds"] == 2);
  // P0, scope A/B: send 10 (18 B, 1 msg, 0 rounds) + exchange 50 (58 each way, 1 msg, 1 round).
  CHECK(s0["A/B"]["bytes_sent"] == 18 + 58);
  CHECK(s0["A/B"]["bytes_recv"] == 58);
  CHECK(s0["A/B"]["messages"] == 2);
  CHECK(s0["A/B"]["rounds"] == 1);
  // P1 mirrors: a plain recv is one round, a plain send is none.
  CHECK(s1["A"]["bytes_sent"] == 108 + 28);
  CHECK(s1["A"]["bytes_recv"] == 108);
  CHECK(s1["A"]["messages"] == 2);
  CHECK(s1["A"]["rounds"] == 1);
  CHECK(s1["A/B"]["bytes_sent"] == 58);
  CHECK(s1["A/B"]["bytes_recv"] == 18 + 58);
  CHECK(s1["A/B"]["messages"] == 1);
  CHECK(s1["A/B"]["rounds"] == 2);
  // Every byte sent by one side is received by the other, scope by scope.
  for (const char* p : {"A", "A/B"}) {
    CHECK(s0[p]["bytes_sent"] == s1[p]["bytes_recv"]);
    CHECK(s1[p]["bytes_sent"] == s0[p]["bytes_recv"]);
  }
  // P0 waited ~300 ms for P1 in A's first exchange; P1 hardly waited there.
  CHECK(s0["A"]["comm_wait_ms"].get<double>() >= 150.0);
  CHECK(s0["A"]["comm_wait_ms"].get<double>() <= s0["A"]["exclusive_wall_ms"].get<double>());
  CHECK(s1["A"]["comm_wait_ms"].get<double>() < 0.5 * s0["A"]["comm_wait_ms"].get<double>());
  // Run totals: the handshake is not in them.
  const json& t0 = logs[0]["runs"][0]["totals"];
  CHECK(t0["bytes_sent"] == 108 + 18 + 58);
  CHECK(t0["rounds"] == 3);
  CHECK(logs[0]["outside_runs"]["bytes_sent"] == 0);
}

TEST_CASE("the handshake is charged outside the runs of a recorder active while connecting",
          "[net][accounting]") {
  // As in `secinfer run`: the recorder is active (and idle) from before the connection, so the
  // two hello frames and their round land in "outside_runs", and every byte on the wire is in
  // the log. Both sides count the same bytes: what one sent, the other received.
  json logs[2];
  Listener l(0, "127.0.0.1");
  const std::uint16_t port = l.port();
  std::exception_ptr e1;
  std::thread t1([&] {
    try {
      profiling::Recorder rec(json{{"model", "test"}}, 1);
      auto active = rec.activate();
      Channel c = Channel::connect({"127.0.0.1", port}, testing::hello_for(1));
      logs[1] = rec.to_json();
    } catch (...) {
      e1 = std::current_exception();
    }
  });
  {
    profiling::Recorder rec(json{{"model", "test"}}, 0);
    auto active = rec.activate();
    Channel c = l.accept(testing::hello_for(0));
    logs[0] = rec.to_json();
  }
  t1.join();
  REQUIRE_FALSE(e1);
  const json& o0 = logs[0]["outside_runs"];
  const json& o1 = logs[1]["outside_runs"];
  // Each hello: 8-byte frame header + 36 fixed bytes + the config summary.
  CHECK(o0["bytes_sent"].get<std::uint64_t>() >= kFrameHeaderBytes + 36);
  CHECK(o0["bytes_sent"] == o1["bytes_recv"]);
  CHECK(o1["bytes_sent"] == o0["bytes_recv"]);
  CHECK(o0["messages"] == 1);
  CHECK(o1["messages"] == 1);
  CHECK(o0["rounds"] == 1);
  CHECK(o1["rounds"] == 1);
}

TEST_CASE("run_netbench charges its exchanges to NetBench/exchange", "[net][accounting]") {
  json logs[2];
  NetbenchResult results[2];
  auto party = [&logs, &results](int p) {
    return [p, &logs, &results](Channel& c) {
      profiling::Recorder rec(json{{"model", "netbench"}}, p);
      auto active = rec.activate();
      rec.begin_run(false);
      results[p] = run_netbench(c, 4096, 7);
      rec.end_run();
      logs[p] = rec.to_json();
    };
  };
  auto out = testing::run_pair(testing::hello_for(0), testing::hello_for(1), party(0), party(1));
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);
  for (int p = 0; p < 2; ++p) {
    CHECK(results[p].wall_ms > 0);
    CHECK(results[p].ms_per_round > 0);
    auto s = scopes_of_run(logs[p], 0);
    REQUIRE(s.count("NetBench/exchange"));
    CHECK(s["NetBench/exchange"]["bytes_sent"] == 7 * (4096 + 8));
    CHECK(s["NetBench/exchange"]["bytes_recv"] == 7 * (4096 + 8));
    CHECK(s["NetBench/exchange"]["messages"] == 7);
    CHECK(s["NetBench/exchange"]["rounds"] == 7);
    CHECK(s["NetBench"]["bytes_sent"] == 0);
  }
}

}  // namespace
}  // namespace secinfer::net
