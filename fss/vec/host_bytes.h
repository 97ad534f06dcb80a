// Host memory for an opening's messages, owned by the party that sends and receives them: plain
// memory from the host Space, page-locked memory from a device Space (vec::Space::host_bytes),
// which that Space's pack and unpack_add then copy to and from without staging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace secinfer::fss::vec {

class HostBytes {
 public:
  HostBytes() = default;
  // n bytes of plain host memory.
  explicit HostBytes(std::size_t n)
      : p_(n ? std::make_shared<std::uint8_t[]>(n) : nullptr), n_(n) {}
  // n bytes at p, released by `release` when the last copy goes.
  HostBytes(std::uint8_t* p, std::size_t n, void (*release)(std::uint8_t*))
      : p_(p, release), n_(n) {}

  std::size_t size() const { return n_; }
  // The first `bytes` of the memory (bytes <= size()).
  std::span<std::uint8_t> first(std::size_t bytes) const { return {p_.get(), bytes}; }

 private:
  std::shared_ptr<std::uint8_t[]> p_;
  std::size_t n_ = 0;
};

}  // namespace secinfer::fss::vec
