// Helpers for the net tests: a connected pair of channels in one process, over loopback on a
// free port (port 0, read back), so tests can run in parallel.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/channel.h"

namespace secinfer::net::testing {

inline Hello hello_for(int party, std::uint64_t hash = 42, std::string summary = "test config") {
  Hello h;
  h.party = party;
  h.config_hash = hash;
  h.config_summary = std::move(summary);
  return h;
}

// Runs f0 on party 0 (listener) and f1 on party 1 (connector), each on its own thread with its
// own channel; rethrows nothing: returns the two exceptions (if any) for the test to inspect.
struct PairOutcome {
  std::exception_ptr e0;
  std::exception_ptr e1;
};

inline PairOutcome run_pair(const Hello& h0, const Hello& h1,
                            const std::function<void(Channel&)>& f0,
                            const std::function<void(Channel&)>& f1, Timeouts t = {}) {
  Listener l(0, "127.0.0.1");
  const std::uint16_t port = l.port();
  PairOutcome out;
  std::thread t1([&] {
    try {
      Channel c = Channel::connect({"127.0.0.1", port}, h1, t);
      f1(c);
    } catch (...) {
      out.e1 = std::current_exception();
    }
  });
  try {
    Channel c = l.accept(h0, t);
    f0(c);
  } catch (...) {
    out.e0 = std::current_exception();
  }
  t1.join();
  return out;
}

inline std::string message_of(const std::exception_ptr& e) {
  if (!e) return "<no exception>";
  try {
    std::rethrow_exception(e);
  } catch (const NetError& n) {
    return n.what();
  } catch (const std::exception& x) {
    return std::string("<not a NetError> ") + x.what();
  }
  return "<unknown>";
}

// Runs l.accept(mine, t) on a thread while `peer` (on this thread) plays the other side; returns
// the NetError message of accept ("" if it succeeded).
inline std::string accept_error(Listener& l, const Hello& mine, Timeouts t,
                                const std::function<void()>& peer) {
  std::string m;
  std::thread t0([&] {
    try {
      l.accept(mine, t);
    } catch (const NetError& e) {
      m = e.what();
    }
  });
  peer();
  t0.join();
  return m;
}

// The wire bytes of a Hello frame, written independently of channel.cpp (a raw peer speaks it).
inline std::vector<std::uint8_t> hello_frame(const Hello& h) {
  std::vector<std::uint8_t> body = {'S', 'E', 'C', 'I', 'N', 'F', 'E', 'R'};
  auto put = [&body](std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) body.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put(h.protocol_version, 4);
  put(static_cast<std::uint32_t>(h.party), 4);
  put(h.config_hash, 8);
  put(h.run_id, 8);
  put(h.config_summary.size(), 4);
  body.insert(body.end(), h.config_summary.begin(), h.config_summary.end());
  std::vector<std::uint8_t> frame;
  for (int i = 0; i < 8; ++i) frame.push_back(static_cast<std::uint8_t>(body.size() >> (8 * i)));
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

inline std::vector<std::uint8_t> length_header(std::uint64_t n) {
  std::vector<std::uint8_t> h;
  for (int i = 0; i < 8; ++i) h.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  return h;
}

// A hand-driven peer (plain blocking socket) that plays party 1 against a Listener.
class RawPeer {
 public:
  explicit RawPeer(std::uint16_t port) : sock_(ioc_) {
    boost::asio::ip::tcp::resolver r(ioc_);
    boost::asio::connect(sock_, r.resolve("127.0.0.1", std::to_string(port)));
  }
  void write(const std::vector<std::uint8_t>& bytes) {
    boost::asio::write(sock_, boost::asio::buffer(bytes));
  }
  // Reads the other side's Hello frame (header + body) and discards it.
  void read_hello() {
    std::uint8_t hdr[8];
    boost::asio::read(sock_, boost::asio::buffer(hdr));
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t{hdr[i]} << (8 * i);
    std::vector<std::uint8_t> body(n);
    boost::asio::read(sock_, boost::asio::buffer(body));
  }
  void close() { sock_.close(); }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket sock_;
};

}  // namespace secinfer::net::testing
