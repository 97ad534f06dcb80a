// The keygen loops that run on the dealer's threads (Dealer::for_range) write only their own
// range's outputs, so both parties' key bytes and the output masks are the same whatever the
// dealer's thread count: mul, mul_rowwise, sumsq and DReLU keygen at sizes above the dealer's
// grain, 1 thread against 4, fresh seeds.
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/layernorm.h"
#include "fss/gates/sigma/linear.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

namespace {

constexpr int kBits = 50, kFrac = 12;
constexpr std::size_t kCols = 768;
// Three grains' worth of rows and more: the loops split into several ranges on 4 threads.
constexpr std::size_t kRows = (3 * Dealer::kGrain) / kCols + 5;
constexpr std::size_t kN = kRows * kCols;

struct Dealt {
  std::vector<std::uint8_t> keys[2];
  std::vector<u64> masks;  // every gate's output masks, one after the other
};

std::vector<std::uint8_t> drain(KeyBuffer& b) {
  const std::span<const std::uint8_t> v = b.consume_view(b.available());
  return {v.begin(), v.end()};
}

Dealt deal(Block seed, std::span<const u64> r_x, std::span<const u64> r_y,
           std::span<const u64> r_row, int threads) {
  auto b0 = std::make_shared<KeyBuffer>(), b1 = std::make_shared<KeyBuffer>();
  KeyWriter w0 = KeyWriter::memory(b0), w1 = KeyWriter::memory(b1);
  Dealer d(make_ring(kBits), kFrac, seed, w0, w1);
  d.set_threads(threads);
  Dealt out;
  std::vector<u64> z(kN);
  sigma::mul_keygen(d, r_x, r_y, z);
  out.masks.insert(out.masks.end(), z.begin(), z.end());
  sigma::mul_rowwise_keygen(d, kCols, r_x, r_row, z);
  out.masks.insert(out.masks.end(), z.begin(), z.end());
  GateArgs args;
  args.cols = kCols;
  sigma::sumsq_keygen(d, args, r_x, z);
  out.masks.insert(out.masks.end(), z.begin(), z.end());
  sigma::drelu_keygen(d, r_y, z);
  out.masks.insert(out.masks.end(), z.begin(), z.end());
  out.keys[0] = drain(*b0);
  out.keys[1] = drain(*b1);
  return out;
}

}  // namespace

TEST_CASE("sigma keygen loops on the dealer's threads: the same keys for 1 and 4 threads",
          "[gates][sigma][dealer]") {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) | rd());
  const u64 mask = ring_mask(kBits);
  std::vector<u64> r_x(kN), r_y(kN), r_row(kRows);
  for (u64& v : r_x) v = gen() & mask;
  for (u64& v : r_y) v = gen() & mask;
  for (u64& v : r_row) v = gen() & mask;
  // The ring's edges: 0, 2^n - 1 and the sign boundary, where the products wrap.
  r_x[0] = 0;
  r_x[1] = mask;
  r_y[2] = u64{1} << (kBits - 1);
  r_y[3] = (u64{1} << (kBits - 1)) - 1;
  r_row[0] = mask;
  const Block seed{gen(), gen()};
  const Dealt one = deal(seed, r_x, r_y, r_row, 1);
  const Dealt four = deal(seed, r_x, r_y, r_row, 4);
  REQUIRE(!one.keys[0].empty());
  CHECK(one.keys[0] == four.keys[0]);
  CHECK(one.keys[1] == four.keys[1]);
  CHECK(one.masks == four.masks);
}
