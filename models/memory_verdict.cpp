#include "models/memory_verdict.h"

#include <cstring>

namespace secinfer::models {

MemoryVerdict exchange_verdict(net::Channel& ch, const MemoryVerdict& mine) {
  std::uint8_t out[17], in[17];
  out[0] = static_cast<std::uint8_t>((mine.ok ? 1 : 0) | (mine.device_ok ? 2 : 0));
  std::memcpy(out + 1, &mine.needed, 8);
  std::memcpy(out + 9, &mine.available, 8);
  ch.exchange(out, in);
  MemoryVerdict v;
  v.ok = (in[0] & 1) != 0;
  v.device_ok = (in[0] & 2) != 0;
  std::memcpy(&v.needed, in + 1, 8);
  std::memcpy(&v.available, in + 9, 8);
  return v;
}

std::uint64_t exchange_count(net::Channel& ch, std::uint64_t mine) {
  std::uint8_t out[8], in[8];
  std::memcpy(out, &mine, 8);
  ch.exchange(out, in);
  std::uint64_t theirs = 0;
  std::memcpy(&theirs, in, 8);
  return theirs;
}

}  // namespace secinfer::models
