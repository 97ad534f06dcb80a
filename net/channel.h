// A two-party TCP channel over Boost.Asio with per-scope accounting (the accounting rules of the
// party log: profiling/README.md).
//
//   auto ch = net::Channel::connect({"127.0.0.1", 7000}, hello, net::Timeouts{});   // party 1
//   auto ch = net::Channel::listen(7000, hello, net::Timeouts{});                   // party 0
//   ch.exchange(mine, theirs);   // one round: send mine, receive theirs, concurrently
//
// Frames are length-prefixed (8-byte little-endian length). Every send/recv charges bytes and
// messages to the current profiling scope; exchange() charges one round; time blocked waiting for
// the peer's bytes is charged as CommWait. Errors throw net::NetError with a message that names the
// problem and the fix (peer closed, timeout, wrong frame size with both sizes, handshake mismatch).
//
// Accounting per frame: send charges bytes (payload + 8-byte header) and one message; recv charges
// the received bytes, one round and its whole blocking time as CommWait; exchange charges both
// directions, one round, and the time until the peer's frame is in as CommWait. The handshake
// (connect / listen) charges its two frames and one round once it succeeded (no CommWait): with
// the recorder active and idle, as in `secinfer run`, they land in the log's "outside_runs".
// A channel is driven by one thread at a time (charges go to that thread's scope). After any
// error the framing is lost: every later call throws ("channel unusable after an earlier error").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace secinfer::net {

class NetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

// Exchanged and compared at connect time; any difference is refused on both sides.
// Party 1 greets first; party 0 answers only a well-formed greeting, so a program that is not a
// secinfer party learns nothing of party 0's configuration.
struct Hello {
  std::uint32_t protocol_version = 2;
  int party = 0;                  // 0 or 1; the peer must be the other one
  std::uint64_t config_hash = 0;  // hash of the run configuration (model, seq, batch, system, ...)
  std::string config_summary;     // human-readable, quoted in the mismatch message
  // Party 0 draws a fresh random id for each connection it accepts (a value set here is ignored);
  // party 1 sends 0. After the handshake Channel::run_id() is that id on both sides: both party
  // logs record it, and the merge refuses two logs of different executions.
  std::uint64_t run_id = 0;
};

// The longest peer config summary quoted in a message; longer ones are cut. Unprintable bytes
// (terminal escapes, newlines) of a peer's summary are replaced by '?' before anyone sees them.
inline constexpr std::size_t kMaxQuotedSummary = 512;

struct Timeouts {
  std::chrono::milliseconds connect{30000};  // total time to keep retrying connect / accept
  std::chrono::milliseconds io{600000};      // a single receive may block at most this long
};

// How long party 0 waits for the greeting of a connection before dropping it as a stray (a real
// party 1 greets as soon as it is connected).
inline constexpr std::chrono::milliseconds kStrayGreetingLimit{5000};

// Frames longer than this are refused before anything is allocated or read (a corrupt or foreign
// stream, not a real message: the largest activations of the supported models are far below it).
inline constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{1} << 36;  // 64 GiB
inline constexpr std::uint64_t kFrameHeaderBytes = 8;

// Parses "HOST:PORT" (IPv6 as "[::1]:7000"); throws NetError naming the bad text and the format.
Endpoint parse_endpoint(std::string_view text);

// True for a peer on this host (127.x.y.z, localhost, ::1): both parties then share its memory
// and its cores.
bool is_loopback(const Endpoint& e);

// A free TCP port on `host` right now (bind to port 0, read it back, close). Another process may
// take it before it is used; meant for tests and the local mode, which bind it a moment later.
std::uint16_t pick_free_port(const std::string& host = "127.0.0.1");

class Channel;

// The listening half of party 0, bound at construction: port 0 picks a free port (see port()),
// so a test can start listening first and tell the other side where to connect.
class Listener {
 public:
  explicit Listener(std::uint16_t port, const std::string& bind_host = "0.0.0.0");
  Listener(Listener&&) noexcept;
  Listener& operator=(Listener&&) noexcept;
  ~Listener();

  std::uint16_t port() const;
  // Waits (at most t.connect in all) for party 1 and runs the handshake. A connection that closes,
  // stalls (more than kStrayGreetingLimit) or sends anything but a secinfer greeting (a port
  // probe, a health check, a stray client) is dropped with a warning, and the wait goes on until
  // the deadline. A genuine secinfer party that fails the checks (version, party id, config) ends
  // the wait with NetError on both sides. Throws NetError.
  Channel accept(const Hello& mine, const Timeouts& t = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Channel {
 public:
  static Channel connect(const Endpoint& peer, const Hello& mine, const Timeouts& t = {});
  static Channel listen(std::uint16_t port, const Hello& mine, const Timeouts& t = {},
                        const std::string& bind_host = "0.0.0.0");
  Channel(Channel&&) noexcept;
  Channel& operator=(Channel&&) noexcept;
  ~Channel();

  // Sends one frame (waits, up to Timeouts::io, until the kernel has taken all of it).
  void send(std::span<const std::uint8_t> data);
  // Receives one frame into `out`; a frame whose size differs from out.size() is an error.
  void recv(std::span<std::uint8_t> out);
  // One round: sends `mine` and receives `theirs` concurrently (no deadlock for large buffers).
  void exchange(std::span<const std::uint8_t> mine, std::span<std::uint8_t> theirs);
  // Returns once the peer has called it too (one 1-byte exchange). The runners call it between an
  // offline phase and the online phase that uses its keys, so that neither party's online clock
  // runs while the other party's dealer still makes its keys.
  void wait_for_peer();

  const Hello& peer_hello() const;
  const Timeouts& timeouts() const;
  // The id of this execution, the same on both sides (see Hello::run_id); never 0.
  std::uint64_t run_id() const;

 private:
  friend class Listener;
  struct Impl;
  explicit Channel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace secinfer::net
