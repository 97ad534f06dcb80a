// Helpers for gpu_check: a pass/fail tally that never stops at the first failure, readable
// mismatch reports, random test inputs with edge cases.
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fss/block.h"

namespace secinfer::fss::cuda::tools {

inline std::string hex(Block b) {
  char s[40];
  std::snprintf(s, sizeof s, "%016llx:%016llx", static_cast<unsigned long long>(b.hi),
                static_cast<unsigned long long>(b.lo));
  return s;
}
inline std::string hex(u64 v) {
  return std::to_string(v);
}
inline std::string hex(std::uint8_t v) {
  return std::to_string(static_cast<int>(v));
}

// "" when equal, else the sizes or the first differing index and both values. V: a contiguous
// container (std::vector, UninitVector).
template <class V>
std::string diff(const V& want, const V& got) {
  if (want.size() != got.size())
    return "size " + std::to_string(got.size()) + ", want " + std::to_string(want.size());
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (!(want[i] == got[i])) {
      if (bad++ == 0) first = i;
    }
  if (bad == 0) return "";
  return std::to_string(bad) + " of " + std::to_string(want.size()) + " differ, first at " +
         std::to_string(first) + ": got " + hex(got[first]) + ", want " + hex(want[first]);
}

class Tally {
 public:
  // Runs fn, which returns "" on success or a description of the mismatch; exceptions fail too.
  void run(const std::string& name, const std::function<std::string()>& fn) {
    std::string err;
    try {
      err = fn();
    } catch (const std::exception& e) {
      err = std::string("exception: ") + e.what();
    }
    if (err.empty()) {
      ++passed_;
      std::printf("[PASS] %s\n", name.c_str());
    } else {
      ++failed_;
      std::printf("[FAIL] %s: %s\n", name.c_str(), err.c_str());
    }
    std::fflush(stdout);
  }
  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  int passed_ = 0, failed_ = 0;
};

// Concatenates non-empty mismatch descriptions.
inline std::string join(std::initializer_list<std::pair<const char*, std::string>> parts) {
  std::string out;
  for (const auto& [name, msg] : parts)
    if (!msg.empty()) out += (out.empty() ? "" : "; ") + std::string(name) + ": " + msg;
  return out;
}

inline u64 mask_of(int bits) {
  return bits >= 64 ? ~u64{0} : ((u64{1} << bits) - 1);
}

// Uniform n-bit values with 0, 2^n - 1, 1 and 2^(n-1) mixed in (one in eight each is an edge).
inline u64 random_bits(std::mt19937_64& g, int bits) {
  const u64 m = mask_of(bits);
  switch (g() % 16) {
    case 0:
      return 0;
    case 1:
      return m;
    case 2:
      return 1 & m;
    case 3:
      return (u64{1} << (bits - 1)) & m;
    default:
      return g() & m;
  }
}

inline Block random_block(std::mt19937_64& g) {
  return Block{g(), g()};
}

}  // namespace secinfer::fss::cuda::tools
