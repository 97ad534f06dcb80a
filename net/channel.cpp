// Boost.Asio implementation of net::Channel (see channel.h). One io_context per channel, driven
// only by the calling thread: every operation starts its async reads / writes, then runs the
// io_context until they complete or the deadline passes. exchange() thus sends and receives
// concurrently on one thread (no send thread, no deadlock for large buffers both ways), and the
// profiling charges land on the caller's thread-local scope.
#include "net/channel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "profiling/scope.h"

namespace secinfer::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// The handshake frame starts with this magic, so a foreign program on the port is recognised.
constexpr std::array<std::uint8_t, 8> kHelloMagic = {'S', 'E', 'C', 'I', 'N', 'F', 'E', 'R'};
constexpr std::uint64_t kMaxHelloBytes = 1 << 20;

using Header = std::array<std::uint8_t, kFrameHeaderBytes>;

Header encode_length(std::uint64_t n) {
  Header h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(n >> (8 * i));
  return h;
}

std::uint64_t decode_length(const Header& h) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < h.size(); ++i) n |= std::uint64_t{h[i]} << (8 * i);
  return n;
}

std::string seconds(std::chrono::milliseconds ms) {
  const double s = static_cast<double>(ms.count()) / 1000.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

bool is_peer_gone(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::error::not_connected || ec == asio::error::shut_down;
}

// One pending async operation of an exchange.
struct Pending {
  bool active = false;
  bool done = false;
  error_code ec;
  std::string failure;  // a protocol failure found by us (e.g. wrong frame size), not by the OS
  Header header{};
  Clock::time_point finished{};
};

// Decides where a received frame of `length` bytes goes; sets `failure` to refuse it.
using FrameSink =
    std::function<std::span<std::uint8_t>(std::uint64_t length, std::string& failure)>;

// Hello wire format (version 2): magic | u32 version | i32 party | u64 config hash | u64 run id |
// u32 n | n bytes summary. Every version starts with magic | u32 version, so a peer of another
// version is named as such rather than as a foreign program.
std::vector<std::uint8_t> encode_hello(const Hello& h) {
  std::vector<std::uint8_t> out(kHelloMagic.begin(), kHelloMagic.end());
  auto put = [&out](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put(h.protocol_version, 4);
  put(static_cast<std::uint32_t>(h.party), 4);
  put(h.config_hash, 8);
  put(h.run_id, 8);
  put(h.config_summary.size(), 4);
  out.insert(out.end(), h.config_summary.begin(), h.config_summary.end());
  return out;
}

// A peer's text as it may appear in a message: printable ASCII only, at most kMaxQuotedSummary.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxQuotedSummary)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > kMaxQuotedSummary) out += "...";
  return out;
}

std::optional<Hello> decode_hello(std::span<const std::uint8_t> in, std::uint32_t my_version) {
  constexpr std::size_t kFixed = kHelloMagic.size() + 4 + 4 + 8 + 8 + 4;
  const std::size_t magic_and_version = kHelloMagic.size() + 4;
  if (in.size() < magic_and_version ||
      !std::equal(kHelloMagic.begin(), kHelloMagic.end(), in.begin())) {
    return std::nullopt;
  }
  std::size_t pos = kHelloMagic.size();
  auto get = [&](int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::uint64_t{in[pos++]} << (8 * i);
    return v;
  };
  Hello h;
  h.protocol_version = static_cast<std::uint32_t>(get(4));
  if (h.protocol_version != my_version) return h;  // the rest may be laid out differently
  if (in.size() < kFixed) return std::nullopt;
  h.party = static_cast<std::int32_t>(static_cast<std::uint32_t>(get(4)));
  h.config_hash = get(8);
  h.run_id = get(8);
  const std::uint64_t n = get(4);
  if (in.size() - pos != n) return std::nullopt;
  h.config_summary = printable(std::string_view(reinterpret_cast<const char*>(in.data() + pos), n));
  return h;
}

std::uint64_t fresh_run_id() {
  std::random_device rd;
  std::uint64_t id = 0;
  while (id == 0) id = (std::uint64_t{rd()} << 32) ^ rd();
  return id;
}

// The "key=value" words of two config summaries that differ, as "key: A vs B" (the settings to
// align), or "" when the summaries hold no such words.
std::string summary_differences(const std::string& mine, const std::string& theirs) {
  auto words = [](const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) {
      if (const auto eq = w.find('='); eq != std::string::npos && eq > 0)
        out[w.substr(0, eq)] = w.substr(eq + 1);
    }
    return out;
  };
  const auto a = words(mine), b = words(theirs);
  std::string out;
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    const std::string other = it == b.end() ? "(absent)" : it->second;
    if (other != value) out += (out.empty() ? "" : ", ") + key + ": " + value + " vs " + other;
  }
  for (const auto& [key, value] : b) {
    if (!a.count(key)) out += (out.empty() ? "" : ", ") + key + ": (absent) vs " + value;
  }
  return out;
}

// Both sides run the same checks on the same pair of Hellos, so both refuse a mismatch.
void check_hello(const Hello& mine, const Hello& peer) {
  auto quote = [&] {
    return "; this party (P" + std::to_string(mine.party) + "): \"" + mine.config_summary +
           "\"; peer (P" + std::to_string(peer.party) + "): \"" + peer.config_summary + "\"";
  };
  if (peer.protocol_version != mine.protocol_version) {
    throw NetError("handshake refused: protocol version mismatch (this party speaks version " +
                   std::to_string(mine.protocol_version) + ", the peer version " +
                   std::to_string(peer.protocol_version) +
                   "): run the same secinfer build on both machines" + quote());
  }
  if (peer.party != 1 - mine.party) {
    throw NetError("handshake refused: both sides claim to be party " + std::to_string(peer.party) +
                   " (this one is party " + std::to_string(mine.party) +
                   "): start one with --party 0 and the other with --party 1" + quote());
  }
  if (peer.config_hash != mine.config_hash) {
    const std::string diff = summary_differences(mine.config_summary, peer.config_summary);
    throw NetError("handshake refused: the two parties run different configurations (" +
                   (diff.empty() ? "config hash " + std::to_string(mine.config_hash) + " vs " +
                                       std::to_string(peer.config_hash)
                                 : "this party vs the peer: " + diff) +
                   "): start both with the same settings" + quote());
  }
}

}  // namespace

struct Channel::Impl {
  asio::io_context ioc;
  tcp::socket sock{ioc};
  Timeouts timeouts;
  Hello peer;
  std::string peer_name;  // "HOST:PORT" of the other side, for messages
  std::string broken;     // set after any failure: the framing is lost, the channel is unusable
  // The handshake frames of this connection (header included), charged once it succeeded.
  std::uint64_t hello_sent = 0, hello_recv = 0;

  void check_usable() const {
    if (!broken.empty()) {
      throw NetError("channel unusable after an earlier error (" + broken +
                     "): the run cannot continue");
    }
  }

  void start_send(Pending& p, std::span<const std::uint8_t> data) {
    p.active = true;
    p.header = encode_length(data.size());
    const std::array<asio::const_buffer, 2> bufs = {asio::buffer(p.header),
                                                    asio::buffer(data.data(), data.size())};
    asio::async_write(sock, bufs, [this, &p](const error_code& ec, std::size_t) { finish(p, ec); });
  }

  void start_recv(Pending& p, FrameSink sink) {
    p.active = true;
    asio::async_read(sock, asio::buffer(p.header),
                     [this, &p, sink = std::move(sink)](const error_code& ec, std::size_t) {
                       if (ec) return finish(p, ec);
                       const std::uint64_t length = decode_length(p.header);
                       const std::span<std::uint8_t> dst = sink(length, p.failure);
                       if (!p.failure.empty()) return finish(p, {});
                       asio::async_read(
                           sock, asio::buffer(dst.data(), dst.size()),
                           [this, &p](const error_code& ec2, std::size_t) { finish(p, ec2); });
                     });
  }

  void finish(Pending& p, const error_code& ec) {
    p.done = true;
    p.ec = ec;
    p.finished = Clock::now();
    if (ec || !p.failure.empty()) {
      error_code ignored;
      sock.cancel(ignored);  // abort the other direction: the exchange has failed anyway
    }
  }

  // Runs the io_context until `a` and `b` complete or `limit` passes; throws NetError on failure.
  // `describe` names the operation for messages (called only on failure: no cost per frame).
  // `limit_name` names the flag behind `limit` in the timeout message.
  template <class Describe>
  void run(const Describe& describe, std::chrono::milliseconds limit, Pending& a, Pending& b,
           const char* limit_name = "the I/O timeout, --io-timeout") {
    ioc.restart();
    ioc.run_for(limit);
    const bool complete = (!a.active || a.done) && (!b.active || b.done);
    const bool failed =
        (a.active && (a.ec || !a.failure.empty())) || (b.active && (b.ec || !b.failure.empty()));
    if (complete && !failed) return;
    const std::string what = describe();
    if (!complete) {
      error_code ignored;
      sock.cancel(ignored);
      ioc.restart();
      ioc.run();  // let the cancelled handlers run before `a` and `b` go out of scope
      fail("timed out after " + seconds(limit) + " s waiting for the peer during " + what +
           ": the other party is stuck, far slower, or waiting for a different message; see its "
           "log (the limit is " +
           limit_name + ")");
    }
    for (const Pending* p : {&a, &b}) {
      if (p->active && !p->failure.empty()) fail(p->failure + " (during " + what + ")");
    }
    for (const Pending* p : {&a, &b}) {
      if (!p->active || !p->ec || p->ec == asio::error::operation_aborted) continue;
      if (is_peer_gone(p->ec)) {
        fail("peer closed the connection during " + what +
             ": the other party exited or crashed; see its log");
      }
      fail("network error during " + what + ": " + p->ec.message());
    }
    for (const Pending* p : {&a, &b}) {
      if (p->active && p->ec) fail("operation aborted during " + what);
    }
  }

  [[noreturn]] void fail(const std::string& message) {
    broken = message;
    error_code ignored;
    sock.close(ignored);
    throw NetError(message);
  }

  static FrameSink exact_sink(std::span<std::uint8_t> out) {
    return [out](std::uint64_t length, std::string& failure) {
      if (length > kMaxFrameBytes) {
        failure = "refused a frame announcing " + std::to_string(length) +
                  " bytes (above the limit of " + std::to_string(kMaxFrameBytes) +
                  "): the stream is corrupt or the peer is not a secinfer party of this version";
      } else if (length != out.size()) {
        failure = "received a frame of " + std::to_string(length) + " bytes but expected " +
                  std::to_string(out.size()) +
                  " bytes: the two parties disagree on a message size (different configurations "
                  "or builds?)";
      }
      return out;
    };
  }

  void configure_socket() {
    error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    const auto ep = sock.remote_endpoint(ignored);
    if (!ignored) peer_name = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  // Reads the peer's greeting (at most `limit`); nullopt if the peer closed, stalled or sent
  // something else (`why` then says what). The socket is left open.
  std::optional<Hello> read_hello(const Hello& mine, std::chrono::milliseconds limit,
                                  std::string& why) {
    std::vector<std::uint8_t> in;
    Pending r, none;
    start_recv(r, [&in](std::uint64_t length, std::string& failure) {
      if (length > kMaxHelloBytes) {
        failure = "the peer's greeting announces " + std::to_string(length) +
                  " bytes: the program at the other end is not a secinfer party (wrong port?)";
        return std::span<std::uint8_t>{};
      }
      in.resize(length);
      return std::span<std::uint8_t>(in);
    });
    try {
      run([this] { return "the handshake with " + peer_name; }, limit, r, none,
          "the connect timeout, --connect-timeout");
    } catch (const NetError& e) {
      why = is_peer_gone(r.ec)
                ? peer_name + " closed the connection before its greeting was complete"
                : std::string(e.what());
      return std::nullopt;
    }
    hello_recv = in.size() + kFrameHeaderBytes;
    std::optional<Hello> h = decode_hello(in, mine.protocol_version);
    if (!h) {
      why = "handshake refused: the program at " + peer_name +
            " is not a secinfer party (bad greeting): check --peer HOST:PORT";
    }
    return h;
  }

  void send_hello(const Hello& mine, std::chrono::milliseconds limit) {
    const std::vector<std::uint8_t> out = encode_hello(mine);
    Pending s, none;
    start_send(s, out);
    run([this] { return "the handshake with " + peer_name; }, limit, s, none,
        "the connect timeout, --connect-timeout");
    hello_sent = out.size() + kFrameHeaderBytes;
  }

  // The handshake's bytes go where every other frame's go: to the active recorder, outside its
  // runs ("outside_runs" of the party log) when connecting before the first run.
  void charge_handshake() const {
    profiling::charge_send(hello_sent);
    profiling::charge_message();
    profiling::charge_recv(hello_recv);
    profiling::charge_round();
  }

  void accept_hello(const Hello& mine, const Hello& theirs) {
    peer = theirs;
    try {
      check_hello(mine, peer);
    } catch (const NetError& e) {
      fail(e.what());
    }
  }

  // Party 1: greets first, then reads party 0's answer and runs the checks.
  void handshake_as_connector(const Hello& mine, std::chrono::milliseconds limit) {
    send_hello(mine, limit);
    std::string why;
    const std::optional<Hello> theirs = read_hello(mine, limit, why);
    if (!theirs) {
      fail("handshake failed: " + why +
           ": is a secinfer party 0 of this version listening there? see its log");
    }
    accept_hello(mine, *theirs);
  }
};

// ---- Endpoint helpers -------------------------------------------------------------------------

bool is_loopback(const Endpoint& e) {
  return e.host.rfind("127.", 0) == 0 || e.host == "localhost" || e.host == "::1" ||
         e.host == "[::1]";
}

Endpoint parse_endpoint(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return NetError("bad peer address \"" + std::string(text) + "\": " + why +
                    "; expected HOST:PORT, e.g. 127.0.0.1:7000 or [::1]:7000");
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw bad("unterminated IPv6 address");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw bad("no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) throw bad("empty host");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
    throw bad("the port must be a number in 1..65535");
  }
  return Endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

std::uint16_t pick_free_port(const std::string& host) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc);
  error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) throw NetError("pick_free_port: bad address \"" + host + "\": " + ec.message());
  acc.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) acc.bind(tcp::endpoint(addr, 0), ec);
  if (ec) throw NetError("could not find a free TCP port on " + host + ": " + ec.message());
  return acc.local_endpoint().port();
}

// ---- Listener ---------------------------------------------------------------------------------

struct Listener::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::string bind_host;
};

Listener::Listener(std::uint16_t port, const std::string& bind_host)
    : impl_(std::make_unique<Impl>()) {
  impl_->bind_host = bind_host;
  error_code ec;
  const auto addr = asio::ip::make_address(bind_host, ec);
  if (ec) {
    throw NetError("cannot listen on \"" + bind_host + "\": not an IP address (" + ec.message() +
                   ")");
  }
  auto& acc = impl_->acceptor;
  acc.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(tcp::endpoint(addr, port), ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string hint = ec == asio::error::address_in_use
                           ? ": the port is already in use (another secinfer party or program?); "
                             "stop it or choose another port with --peer HOST:PORT"
                           : "";
    throw NetError("cannot listen on " + bind_host + ":" + std::to_string(port) + ": " +
                   ec.message() + hint);
  }
}

Listener::Listener(Listener&&) noexcept = default;
Listener& Listener::operator=(Listener&&) noexcept = default;
Listener::~Listener() = default;

std::uint16_t Listener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

Channel Listener::accept(const Hello& mine, const Timeouts& t) {
  const auto deadline = Clock::now() + t.connect;
  auto& ioc = impl_->ioc;
  int dropped = 0;
  std::string last_dropped;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto ch = std::make_unique<Channel::Impl>();
    ch->timeouts = t;
    std::optional<error_code> result;
    if (left.count() > 0) {
      impl_->acceptor.async_accept(ch->ioc, [&](const error_code& ec, tcp::socket s) {
        result = ec;
        if (!ec) ch->sock = std::move(s);
      });
      ioc.restart();
      ioc.run_for(left);
    }
    if (!result) {
      error_code ignored;
      impl_->acceptor.cancel(ignored);
      ioc.restart();
      ioc.run();
      throw NetError("no peer connected to port " + std::to_string(port()) + " within " +
                     seconds(t.connect) +
                     " s: is party 1 running with --peer THIS_HOST:" + std::to_string(port()) +
                     ", and can it reach this machine (firewall)? raise --connect-timeout if it "
                     "starts later" +
                     (dropped == 0 ? std::string()
                                   : " (dropped " + std::to_string(dropped) +
                                         " connection(s) that were not a secinfer party, the "
                                         "last: " +
                                         last_dropped + ")"));
    }
    if (*result) throw NetError("accepting the peer's connection failed: " + result->message());
    ch->configure_socket();
    // Party 1 greets first; a connection that does not (a probe, a health check, a foreign
    // client) is dropped and the wait goes on. Only a well-formed greeting gets ours.
    const auto greeting_limit =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                   std::chrono::milliseconds(1), kStrayGreetingLimit);
    std::string why;
    const std::optional<Hello> theirs = ch->read_hello(mine, greeting_limit, why);
    if (!theirs) {
      spdlog::warn(
          "dropped a connection from {} that is not a secinfer party ({}); still waiting "
          "for party 1",
          ch->peer_name, why);
      ++dropped;
      last_dropped = why;
      continue;
    }
    Hello answer = mine;
    answer.run_id = fresh_run_id();
    ch->send_hello(answer, t.connect);
    ch->accept_hello(answer, *theirs);
    ch->peer.run_id = answer.run_id;
    ch->charge_handshake();
    return Channel(std::move(ch));
  }
}

// ---- Channel ----------------------------------------------------------------------------------

Channel::Channel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Channel::Channel(Channel&&) noexcept = default;
Channel& Channel::operator=(Channel&&) noexcept = default;
Channel::~Channel() = default;

Channel Channel::listen(std::uint16_t port, const Hello& mine, const Timeouts& t,
                        const std::string& bind_host) {
  Listener l(port, bind_host);
  return l.accept(mine, t);
}

Channel Channel::connect(const Endpoint& peer, const Hello& mine, const Timeouts& t) {
  auto ch = std::make_unique<Impl>();
  ch->timeouts = t;
  const std::string name = peer.host + ":" + std::to_string(peer.port);
  const auto deadline = Clock::now() + t.connect;
  tcp::resolver resolver(ch->ioc);
  error_code ec;
  const auto endpoints = resolver.resolve(peer.host, std::to_string(peer.port), ec);
  if (ec) {
    throw NetError("cannot resolve the peer host \"" + peer.host + "\": " + ec.message() +
                   ": use --peer HOST:PORT with a reachable host name or IP address");
  }
  std::string last_error = "no attempt";
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    std::optional<error_code> result;
    asio::async_connect(ch->sock, endpoints,
                        [&](const error_code& e, const tcp::endpoint&) { result = e; });
    ch->ioc.restart();
    ch->ioc.run_for(left);
    if (!result) {  // this attempt hung until the deadline (e.g. packets dropped by a firewall)
      error_code ignored;
      ch->sock.close(ignored);
      ch->ioc.restart();
      ch->ioc.run();
      last_error = "connection attempt timed out";
      break;
    }
    if (!*result) {
      ch->configure_socket();
      ch->peer_name = name;
      Hello greeting = mine;
      greeting.run_id = 0;  // party 0 picks it
      ch->handshake_as_connector(greeting, t.connect);
      ch->charge_handshake();
      return Channel(std::move(ch));
    }
    last_error = result->message();
    error_code ignored;
    ch->sock.close(ignored);
    // Party 0 may not be listening yet: retry until the deadline.
    const auto pause =
        std::min<Clock::duration>(std::chrono::milliseconds(100), deadline - Clock::now());
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  throw NetError("could not connect to " + name + " within " + seconds(t.connect) +
                 " s: is party 0 running and listening on that port? use --peer HOST:PORT (last "
                 "error: " +
                 last_error + ")");
}

void Channel::send(std::span<const std::uint8_t> data) {
  impl_->check_usable();
  Pending s, none;
  impl_->start_send(s, data);
  impl_->run([&] { return "send of a " + std::to_string(data.size()) + "-byte frame"; },
             impl_->timeouts.io, s, none);
  profiling::charge_send(data.size() + kFrameHeaderBytes);
  profiling::charge_message();
}

void Channel::recv(std::span<std::uint8_t> out) {
  impl_->check_usable();
  const auto start = Clock::now();
  Pending r, none;
  impl_->start_recv(r, Impl::exact_sink(out));
  impl_->run([&] { return "recv of a " + std::to_string(out.size()) + "-byte frame"; },
             impl_->timeouts.io, r, none);
  // A plain receive blocks on the peer: it is one round, and all of its time is waiting.
  profiling::charge_recv(out.size() + kFrameHeaderBytes);
  profiling::charge_round();
  profiling::charge_comm_wait(
      std::chrono::duration<double, std::milli>(r.finished - start).count());
}

void Channel::exchange(std::span<const std::uint8_t> mine, std::span<std::uint8_t> theirs) {
  impl_->check_usable();
  const auto start = Clock::now();
  Pending s, r;
  impl_->start_send(s, mine);
  impl_->start_recv(r, Impl::exact_sink(theirs));
  impl_->run(
      [&] {
        return "exchange (sending " + std::to_string(mine.size()) + " bytes, receiving " +
               std::to_string(theirs.size()) + " bytes)";
      },
      impl_->timeouts.io, s, r);
  profiling::charge_send(mine.size() + kFrameHeaderBytes);
  profiling::charge_message();
  profiling::charge_recv(theirs.size() + kFrameHeaderBytes);
  profiling::charge_round();
  // Blocked until the peer's frame is in: that is the wait (the send overlaps it).
  profiling::charge_comm_wait(
      std::chrono::duration<double, std::milli>(r.finished - start).count());
}

void Channel::wait_for_peer() {
  const std::uint8_t mine[1] = {1};
  std::uint8_t theirs[1] = {0};
  exchange(mine, theirs);
}

const Hello& Channel::peer_hello() const {
  return impl_->peer;
}
const Timeouts& Channel::timeouts() const {
  return impl_->timeouts;
}
std::uint64_t Channel::run_id() const {
  return impl_->peer.run_id;
}

}  // namespace secinfer::net
