// exchange() of >= 256 MiB both ways at once must not deadlock (both sides send before either
// reads: a blocking send-then-receive would stall once the socket buffers are full).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

#include "net/channel.h"
#include "net_test_util.h"

namespace secinfer::net {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64: cheap content that can be re-derived
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void fill(std::vector<std::uint8_t>& v, std::uint64_t salt) {
  for (std::size_t i = 0; i + 8 <= v.size(); i += 8) {
    const std::uint64_t w = mix(i ^ salt);
    std::memcpy(v.data() + i, &w, 8);
  }
}

bool matches(const std::vector<std::uint8_t>& v, std::uint64_t salt) {
  for (std::size_t i = 0; i + 8 <= v.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, v.data() + i, 8);
    if (w != mix(i ^ salt)) return false;
  }
  return true;
}

TEST_CASE("exchange of 256 MiB both ways at once completes (no deadlock), data intact",
          "[net][big]") {
  constexpr std::size_t kBytes = std::size_t{256} << 20;  // 4 buffers of 256 MiB: 1 GiB in all
  bool ok0 = false, ok1 = false;
  const auto start = std::chrono::steady_clock::now();
  auto party = [](int p, bool& ok) {
    return [p, &ok](Channel& c) {
      std::vector<std::uint8_t> mine(kBytes), theirs(kBytes);
      fill(mine, static_cast<std::uint64_t>(p) + 1);
      c.exchange(mine, theirs);
      ok = matches(theirs, static_cast<std::uint64_t>(1 - p) + 1);
    };
  };
  auto out =
      testing::run_pair(testing::hello_for(0), testing::hello_for(1), party(0, ok0), party(1, ok1),
                        Timeouts{std::chrono::seconds(10), std::chrono::seconds(120)});
  INFO(testing::message_of(out.e0) << " / " << testing::message_of(out.e1));
  REQUIRE_FALSE(out.e0);
  REQUIRE_FALSE(out.e1);
  CHECK(ok0);
  CHECK(ok1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(120));
}

}  // namespace
}  // namespace secinfer::net
