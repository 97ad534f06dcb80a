// Framing, size checks, timeouts and failures of net::Channel (over loopback, in one process).
#include "net/channel.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "net_test_util.h"

namespace secinfer::net {
namespace {

using testing::hello_for;
using testing::message_of;
using testing::run_pair;
using namespace std::chrono_literals;

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

TEST_CASE("send/recv and exchange deliver frames of random sizes intact, in order", "[net]") {
  std::mt19937_64 rng(std::random_device{}());
  // Sizes: empty frames, tiny ones, around typical socket buffer sizes, and a few random ones.
  std::vector<std::size_t> sizes = {0, 1, 7, 8, 9, 65535, 65536, 65537, 1 << 20};
  for (int i = 0; i < 20; ++i) sizes.push_back(rng() % (3 << 20));
  std::vector<std::vector<std::uint8_t>> from0, from1;
  for (auto n : sizes) {
    from0.push_back(random_bytes(n, rng));
    from1.push_back(random_bytes(n, rng));
  }
  std::vector<std::vector<std::uint8_t>> got0(sizes.size()), got1(sizes.size()), ex0, ex1;
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [&](Channel& c) {
        for (std::size_t i = 0; i < sizes.size(); ++i) c.send(from0[i]);
        for (std::size_t i = 0; i < sizes.size(); ++i) {
          got0[i].resize(sizes[i]);
          c.recv(got0[i]);
        }
        for (std::size_t i = 0; i < sizes.size(); ++i) {
          std::vector<std::uint8_t> theirs(sizes[i]);
          c.exchange(from0[i], theirs);
          ex0.push_back(std::move(theirs));
        }
      },
      [&](Channel& c) {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
          got1[i].resize(sizes[i]);
          c.recv(got1[i]);
        }
        for (std::size_t i = 0; i < sizes.size(); ++i) c.send(from1[i]);
        for (std::size_t i = 0; i < sizes.size(); ++i) {
          std::vector<std::uint8_t> theirs(sizes[i]);
          c.exchange(from1[i], theirs);
          ex1.push_back(std::move(theirs));
        }
      });
  INFO(message_of(out.e0) << " / " << message_of(out.e1));
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);
  CHECK(got1 == from0);
  CHECK(got0 == from1);
  CHECK(ex1 == from0);
  CHECK(ex0 == from1);
}

TEST_CASE("wait_for_peer returns only once the peer has called it, and frames follow intact",
          "[net]") {
  std::atomic<bool> peer_called{false};
  bool seen_after_wait = false;
  std::vector<std::uint8_t> got(3);
  const std::vector<std::uint8_t> sent = {1, 2, 3};
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [&](Channel& c) {
        c.wait_for_peer();  // called first: must wait for party 1's call
        seen_after_wait = peer_called.load();
        c.recv(got);
      },
      [&](Channel& c) {
        std::this_thread::sleep_for(50ms);  // the slower dealer
        peer_called = true;
        c.wait_for_peer();
        c.send(sent);
      });
  INFO(message_of(out.e0) << " / " << message_of(out.e1));
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);
  CHECK(seen_after_wait);
  CHECK(got == sent);
}

TEST_CASE("the peer's Hello is available after connecting", "[net]") {
  Hello seen0, seen1;
  auto out = run_pair(
      hello_for(0, 7, "p0 summary"), hello_for(1, 7, "p1 summary"),
      [&](Channel& c) { seen0 = c.peer_hello(); }, [&](Channel& c) { seen1 = c.peer_hello(); });
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);
  CHECK(seen0.party == 1);
  CHECK(seen0.config_summary == "p1 summary");
  CHECK(seen1.party == 0);
  CHECK(seen1.config_hash == 7);
}

TEST_CASE("a frame of the wrong size is an error naming both sizes, on both sides", "[net]") {
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [](Channel& c) {
        std::vector<std::uint8_t> mine(100), theirs(100);
        c.exchange(mine, theirs);
      },
      [](Channel& c) {
        std::vector<std::uint8_t> mine(50), theirs(50);
        c.exchange(mine, theirs);
      });
  const std::string m0 = message_of(out.e0), m1 = message_of(out.e1);
  INFO(m0 << "\n" << m1);
  CHECK(m0.find("received a frame of 50 bytes but expected 100 bytes") != std::string::npos);
  CHECK(m1.find("received a frame of 100 bytes but expected 50 bytes") != std::string::npos);
}

TEST_CASE("recv of a frame with the wrong size fails, and the channel stays failed", "[net]") {
  std::string second;
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [&](Channel& c) {
        std::vector<std::uint8_t> buf(16);
        try {
          c.recv(buf);
        } catch (const NetError&) {
          try {
            c.recv(buf);
          } catch (const NetError& e) {
            second = e.what();
          }
          throw;
        }
      },
      [](Channel& c) {
        std::vector<std::uint8_t> buf(17);
        c.send(buf);
      });
  CHECK(message_of(out.e0).find("received a frame of 17 bytes but expected 16") !=
        std::string::npos);
  CHECK(second.find("channel unusable after an earlier error") != std::string::npos);
}

TEST_CASE("a frame longer than the sane limit is refused before reading it", "[net]") {
  Listener l(0, "127.0.0.1");
  std::exception_ptr e0;
  std::thread t0([&] {
    try {
      Channel c = l.accept(hello_for(0), Timeouts{5s, 5s});
      std::vector<std::uint8_t> buf(8);
      c.recv(buf);
    } catch (...) {
      e0 = std::current_exception();
    }
  });
  testing::RawPeer peer(l.port());
  peer.write(testing::hello_frame(hello_for(1)));
  peer.read_hello();
  peer.write(testing::length_header(kMaxFrameBytes + 1));
  t0.join();
  const std::string m = message_of(e0);
  INFO(m);
  CHECK(m.find("refused a frame announcing " + std::to_string(kMaxFrameBytes + 1)) !=
        std::string::npos);
}

TEST_CASE("peer closing mid-frame gives a clear NetError", "[net]") {
  Listener l(0, "127.0.0.1");
  std::exception_ptr e0;
  std::thread t0([&] {
    try {
      Channel c = l.accept(hello_for(0), Timeouts{5s, 5s});
      std::vector<std::uint8_t> buf(1000);
      c.recv(buf);
    } catch (...) {
      e0 = std::current_exception();
    }
  });
  testing::RawPeer peer(l.port());
  peer.write(testing::hello_frame(hello_for(1)));
  peer.read_hello();
  auto part = testing::length_header(1000);
  part.resize(part.size() + 10, 0xab);  // 10 of the 1000 announced bytes, then close
  peer.write(part);
  peer.close();
  t0.join();
  const std::string m = message_of(e0);
  INFO(m);
  CHECK(m.find("peer closed the connection during recv") != std::string::npos);
  CHECK(m.find("the other party exited or crashed; see its log") != std::string::npos);
}

TEST_CASE("peer closing its channel during a large exchange gives a NetError", "[net]") {
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [](Channel& c) {
        std::vector<std::uint8_t> mine(64 << 20), theirs(64 << 20);
        c.exchange(mine, theirs);
      },
      [](Channel& c) {
        std::this_thread::sleep_for(50ms);
        // Read a part of P0's frame, then vanish: destroying the channel closes the socket.
        std::vector<std::uint8_t> wrong(1);
        try {
          c.recv(wrong);  // refused (size), which closes the socket mid-frame
        } catch (const NetError&) {
        }
      });
  const std::string m = message_of(out.e0);
  INFO(m);
  CHECK(m.find("peer closed the connection during exchange") != std::string::npos);
}

TEST_CASE("handshake refuses a peer with the same party id, on both sides", "[net]") {
  auto out = run_pair(
      hello_for(0, 1, "A"), hello_for(0, 1, "B"), [](Channel&) {}, [](Channel&) {});
  for (const auto& m : {message_of(out.e0), message_of(out.e1)}) {
    INFO(m);
    CHECK(m.find("both sides claim to be party 0") != std::string::npos);
    CHECK(m.find("--party 0") != std::string::npos);
    CHECK(m.find("\"A\"") != std::string::npos);
    CHECK(m.find("\"B\"") != std::string::npos);
  }
}

TEST_CASE("handshake refuses a different configuration hash, on both sides", "[net]") {
  auto out = run_pair(
      hello_for(0, 1, "model=bert-base seq=128"), hello_for(1, 2, "model=bert-base seq=512"),
      [](Channel&) {}, [](Channel&) {});
  for (const auto& m : {message_of(out.e0), message_of(out.e1)}) {
    INFO(m);
    CHECK(m.find("different configurations") != std::string::npos);
    CHECK(m.find("seq=128") != std::string::npos);
    CHECK(m.find("seq=512") != std::string::npos);
  }
}

TEST_CASE("handshake refuses a different protocol version, on both sides", "[net]") {
  Hello h1 = hello_for(1);
  h1.protocol_version = 99;
  auto out = run_pair(
      hello_for(0), h1, [](Channel&) {}, [](Channel&) {});
  for (const auto& m : {message_of(out.e0), message_of(out.e1)}) {
    INFO(m);
    CHECK(m.find("protocol version mismatch") != std::string::npos);
    CHECK(m.find("99") != std::string::npos);
  }
}

TEST_CASE("party 0 drops connections that are not party 1 and keeps waiting for it", "[net]") {
  // A port probe (connect + close), an HTTP health check, garbage with a huge length prefix, a
  // greeting cut short: each is dropped with a warning, then the real party 1 gets through.
  Listener l(0, "127.0.0.1");
  std::exception_ptr e0;
  std::vector<std::uint8_t> got(3);
  std::thread t0([&] {
    try {
      Channel c = l.accept(hello_for(0), Timeouts{20s, 5s});
      c.recv(got);
    } catch (...) {
      e0 = std::current_exception();
    }
  });
  { testing::RawPeer probe(l.port()); }
  {
    testing::RawPeer http(l.port());
    const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    http.write(std::vector<std::uint8_t>(get.begin(), get.end()));
  }
  {
    testing::RawPeer huge(l.port());
    huge.write(testing::length_header(std::uint64_t{1} << 62));
  }
  {
    testing::RawPeer cut(l.port());
    auto frame = testing::hello_frame(hello_for(1));
    frame.resize(frame.size() / 2);
    cut.write(frame);
  }
  std::string m1 = "<no exception>";
  try {
    Channel c = Channel::connect({"127.0.0.1", l.port()}, hello_for(1), Timeouts{20s, 5s});
    c.send(std::vector<std::uint8_t>{7, 8, 9});
  } catch (const NetError& e) {
    m1 = e.what();
  }
  t0.join();
  CHECK(m1 == "<no exception>");
  CHECK(message_of(e0) == "<no exception>");
  CHECK(got == std::vector<std::uint8_t>{7, 8, 9});
}

TEST_CASE("party 0 answers no stray with its configuration, and times out naming the strays",
          "[net]") {
  Listener l(0, "127.0.0.1");
  const std::string m0 =
      testing::accept_error(l, hello_for(0, 42, "secret-ish summary"), Timeouts{1500ms, 1s}, [&] {
        testing::RawPeer peer(l.port());
        const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        peer.write(std::vector<std::uint8_t>(http.begin(), http.end()));
      });
  INFO(m0);
  CHECK(m0.find("no peer connected to port") != std::string::npos);
  CHECK(m0.find("dropped 1 connection(s) that were not a secinfer party") != std::string::npos);
  CHECK(m0.find("not a secinfer party") != std::string::npos);
}

TEST_CASE("both parties agree on a fresh run id at every handshake", "[net]") {
  std::uint64_t id0 = 0, id1 = 0;
  auto out = run_pair(
      hello_for(0), hello_for(1), [&](Channel& c) { id0 = c.run_id(); },
      [&](Channel& c) { id1 = c.run_id(); });
  REQUIRE(message_of(out.e0) == "<no exception>");
  REQUIRE(message_of(out.e1) == "<no exception>");
  CHECK(id0 != 0);
  CHECK(id0 == id1);
  std::uint64_t again = 0;
  run_pair(
      hello_for(0), hello_for(1), [&](Channel& c) { again = c.run_id(); }, [](Channel&) {});
  CHECK(again != id0);
}

TEST_CASE("a config mismatch names the differing settings", "[net]") {
  auto out = run_pair(
      hello_for(0, 1, "model=bert-tiny seq=16 system=sigma seed=1"),
      hello_for(1, 2, "model=bert-tiny seq=32 system=sigma seed=1"), [](Channel&) {},
      [](Channel&) {});
  for (const auto& m : {message_of(out.e0), message_of(out.e1)}) {
    INFO(m);
    CHECK(m.find("seq: ") != std::string::npos);
    CHECK(m.find("system:") == std::string::npos);
  }
}

TEST_CASE("a peer's config summary is quoted printable and short", "[net]") {
  Listener l(0, "127.0.0.1");
  const std::string forged =
      "x\n[00:00:00] [P0] [info] P0: status ok\x1b[31m" + std::string(4000, 'A');
  const std::string m0 = testing::accept_error(l, hello_for(0, 1, "mine"), Timeouts{5s, 5s}, [&] {
    testing::RawPeer peer(l.port());
    peer.write(testing::hello_frame(hello_for(1, 2, forged)));
    peer.read_hello();  // party 0 answers a real greeting before refusing it
  });
  INFO(m0);
  CHECK(m0.find("different configurations") != std::string::npos);
  CHECK(m0.find('\n') == std::string::npos);
  CHECK(m0.find('\x1b') == std::string::npos);
  CHECK(m0.size() < 2000);
}

TEST_CASE("a greeting that stalls names the connect timeout, not the I/O timeout", "[net]") {
  // Party 1's side: party 0 (a raw peer here) reads the greeting and never answers.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acc(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  std::string m;
  std::thread t1([&] {
    try {
      Channel::connect({"127.0.0.1", acc.local_endpoint().port()}, hello_for(1),
                       Timeouts{300ms, 10s});
    } catch (const NetError& e) {
      m = e.what();
    }
  });
  boost::asio::ip::tcp::socket s = acc.accept();
  t1.join();
  INFO(m);
  CHECK(m.find("timed out after 0.3 s") != std::string::npos);
  CHECK(m.find("--connect-timeout") != std::string::npos);
}

TEST_CASE("connect gives up after the connect timeout with a clear message", "[net]") {
  const std::uint16_t port = pick_free_port();
  const auto start = std::chrono::steady_clock::now();
  std::string m;
  try {
    Channel::connect({"127.0.0.1", port}, hello_for(1), Timeouts{300ms, 1s});
  } catch (const NetError& e) {
    m = e.what();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(m);
  CHECK(m.find("could not connect to 127.0.0.1:" + std::to_string(port) + " within 0.3 s") !=
        std::string::npos);
  CHECK(m.find("is party 0 running and listening on that port? use --peer HOST:PORT") !=
        std::string::npos);
  CHECK(took >= 300ms);
  CHECK(took < 5s);
}

TEST_CASE("connect retries until party 0 starts listening", "[net]") {
  const std::uint16_t port = pick_free_port();
  std::exception_ptr e0;
  std::thread t0([&] {
    try {
      std::this_thread::sleep_for(300ms);
      Channel c = Channel::listen(port, hello_for(0), Timeouts{5s, 5s}, "127.0.0.1");
      std::vector<std::uint8_t> b(4);
      c.recv(b);
    } catch (...) {
      e0 = std::current_exception();
    }
  });
  std::string m;
  try {
    Channel c = Channel::connect({"127.0.0.1", port}, hello_for(1), Timeouts{5s, 5s});
    std::vector<std::uint8_t> b = {1, 2, 3, 4};
    c.send(b);
  } catch (const NetError& e) {
    m = e.what();
  }
  t0.join();
  CHECK(m.empty());
  CHECK(message_of(e0) == "<no exception>");
}

TEST_CASE("accept gives up after the connect timeout", "[net]") {
  Listener l(0, "127.0.0.1");
  std::string m;
  try {
    l.accept(hello_for(0), Timeouts{200ms, 1s});
  } catch (const NetError& e) {
    m = e.what();
  }
  INFO(m);
  CHECK(m.find("no peer connected to port " + std::to_string(l.port()) + " within 0.2 s") !=
        std::string::npos);
}

TEST_CASE("listening on a port in use is a clear error", "[net]") {
  Listener a(0, "127.0.0.1");
  std::string m;
  try {
    Listener b(a.port(), "127.0.0.1");
  } catch (const NetError& e) {
    m = e.what();
  }
  INFO(m);
  CHECK(m.find("already in use") != std::string::npos);
}

TEST_CASE("a receive that waits longer than the I/O timeout fails", "[net]") {
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [](Channel& c) {
        std::vector<std::uint8_t> b(4);
        c.recv(b);
      },
      [](Channel&) { std::this_thread::sleep_for(600ms); }, Timeouts{5s, 200ms});
  const std::string m = message_of(out.e0);
  INFO(m);
  CHECK(m.find("timed out after 0.2 s waiting for the peer during recv") != std::string::npos);
}

TEST_CASE("a large exchange whose peer never reads ends at the I/O timeout", "[net]") {
  // 64 MiB cannot sit in the socket buffers: the send blocks on the peer that reads nothing,
  // and the exchange must still end with the I/O timeout naming the exchange.
  auto out = run_pair(
      hello_for(0), hello_for(1),
      [](Channel& c) {
        std::vector<std::uint8_t> mine(64 << 20), theirs(16);
        c.exchange(mine, theirs);
      },
      [](Channel&) { std::this_thread::sleep_for(900ms); }, Timeouts{5s, 200ms});
  const std::string m = message_of(out.e0);
  INFO(m);
  CHECK(m.find("timed out after 0.2 s") != std::string::npos);
  CHECK(m.find("exchange (sending 67108864 bytes") != std::string::npos);
}

TEST_CASE("parse_endpoint accepts HOST:PORT and rejects the rest", "[net]") {
  CHECK(parse_endpoint("127.0.0.1:7000").host == "127.0.0.1");
  CHECK(parse_endpoint("127.0.0.1:7000").port == 7000);
  CHECK(parse_endpoint("example.org:1").host == "example.org");
  CHECK(parse_endpoint("[::1]:65535").host == "::1");
  CHECK(parse_endpoint("[::1]:65535").port == 65535);
  for (const char* bad :
       {"", "host", "host:", ":7000", "host:0", "host:65536", "host:7x", "[::1"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_endpoint(bad), NetError);
  }
  try {
    parse_endpoint("nohost");
  } catch (const NetError& e) {
    CHECK(std::string(e.what()).find("expected HOST:PORT") != std::string::npos);
  }
}

}  // namespace
}  // namespace secinfer::net
