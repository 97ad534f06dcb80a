#include "net/send_worker.h"

#include <array>
#include <boost/asio/write.hpp>

namespace secinfer::net {

namespace asio = boost::asio;

SendWorker::SendWorker(asio::ip::tcp::socket& sock) : sock_(sock), thread_([this] { loop(); }) {}

SendWorker::~SendWorker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SendWorker::start(std::span<const std::uint8_t> header,
                       std::span<const std::uint8_t> payload) {
  {
    std::lock_guard lock(mu_);
    header_ = header;
    payload_ = payload;
    pending_ = true;
    done_ = false;
    ec_ = {};
  }
  cv_.notify_all();
}

bool SendWorker::wait(std::chrono::milliseconds limit, boost::system::error_code& ec) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, limit, [this] { return done_; })) return false;
  ec = ec_;
  return true;
}

void SendWorker::drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return done_; });
}

bool SendWorker::busy() const {
  std::lock_guard lock(mu_);
  return !done_;
}

void SendWorker::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    const std::array<asio::const_buffer, 2> bufs = {asio::buffer(header_.data(), header_.size()),
                                                    asio::buffer(payload_.data(), payload_.size())};
    lock.unlock();
    boost::system::error_code ec;
    asio::write(sock_, bufs, ec);
    lock.lock();
    ec_ = ec;
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace secinfer::net
