// A thread of a channel that writes one frame at a time while the channel's own thread receives
// the peer's frame: on loopback a party's sends and receives are both copies through the kernel,
// and one thread doing both (asio's single-threaded exchange) runs them one after the other.
//
//   SendWorker w(sock);
//   w.start(header, payload);       // returns at once; the write runs on the worker's thread
//   ... receive on this thread ...
//   error_code ec;
//   if (!w.wait(limit, ec)) ...     // false: still writing after `limit` (the peer stalls)
//
// The write is asio's synchronous one on the native socket: concurrent with an asynchronous
// receive on the owner's io_context, it shares no operation queue with it. A write that blocks on
// a stalled peer ends when the owner shuts the socket down (Channel's failure path does).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>

namespace secinfer::net {

class SendWorker {
 public:
  explicit SendWorker(boost::asio::ip::tcp::socket& sock);
  SendWorker(const SendWorker&) = delete;
  SendWorker& operator=(const SendWorker&) = delete;
  ~SendWorker();

  // Starts writing header then payload (both must stay valid until wait() returned true).
  void start(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload);
  // Waits at most `limit` for the write started last; true when it finished (ec: its result).
  bool wait(std::chrono::milliseconds limit, boost::system::error_code& ec);
  // Waits for a started write without a limit (after the socket was shut down it ends at once).
  void drain();
  bool busy() const;

 private:
  void loop();

  boost::asio::ip::tcp::socket& sock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::span<const std::uint8_t> header_, payload_;
  bool pending_ = false, done_ = true, stop_ = false;
  boost::system::error_code ec_;
  std::thread thread_;  // last: started once the rest is initialised
};

}  // namespace secinfer::net
