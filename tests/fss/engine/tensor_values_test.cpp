// A tensor's values left in a vector Space (tensor_values.h): host reads see the same values as
// a host tensor, a write makes the host copy the only one, and the local ops on resident tensors
// (run in the Space) give the host ops' results bit for bit.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/engine/clear_ops.h"
#include "fss/engine/ops.h"
#include "fss/gates/sigma/suite.h"
#include "fss/thread_pool.h"
#include "fss/vec/host_space.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

namespace {

std::vector<u64> random_words(std::size_t n, std::mt19937_64& rng) {
  std::vector<u64> v(n);
  for (auto& x : v) x = rng();
  return v;
}

Tensor resident(const vec::Space& sp, const Tensor& t) {
  return Tensor{t.shape, TensorValues::resident(sp.upload(t.data.host()))};
}

}  // namespace

TEST_CASE("TensorValues: host reads of a resident tensor, and writes", "[engine][tensor]") {
  ThreadPool pool(2);
  const vec::HostSpace sp(pool, {});
  std::mt19937_64 rng(Catch::rngSeed());
  const std::vector<u64> words = random_words(1000, rng);
  TensorValues t = TensorValues::resident(sp.upload(words));
  CHECK(t.resident());
  CHECK(t.size() == words.size());
  CHECK(t.host() == words);
  const TensorValues copy = t;  // shares the vector, keeps the host copy
  CHECK(copy.resident());
  CHECK(copy == t);
  t[3] = 0;  // a write: the host copy is the only one now
  CHECK_FALSE(t.resident());
  CHECK(t[3] == 0);
  CHECK(copy[3] == words[3]);
  CHECK(copy.vec() != nullptr);
  // Both copies at once (PartyOps::input): the host words uploaded, still valid.
  TensorValues both(words);
  both.upload_to(sp);
  CHECK(both.resident());
  CHECK(both.host() == words);
  std::vector<u64> down(words.size());
  sp.download(*both.vec(), down);
  CHECK(down == words);
}

TEST_CASE("OpsBase local ops on resident tensors equal the host ops", "[engine][tensor]") {
  ThreadPool pool(3);
  const vec::HostSpace sp(pool, {});
  std::mt19937_64 rng(Catch::rngSeed());
  const int bits = GENERATE(37, 50, 64);
  INFO("ring bits " << bits);
  ClearOps ops(make_ring(bits), 12, sigma::suite());
  const std::size_t batch = 2, seq = 5, heads = 3, dim = 4, cols = heads * dim;
  const u64 m = ring_mask(bits);
  auto masked = [&](std::size_t n) {
    std::vector<u64> v = random_words(n, rng);
    for (auto& x : v) x &= m;
    return v;
  };
  const Tensor a{{batch * seq, cols}, masked(batch * seq * cols)};
  const Tensor b{{batch * seq, cols}, masked(batch * seq * cols)};
  const Tensor bias{{cols}, masked(cols)};
  const Tensor ra = resident(sp, a), rb = resident(sp, b);

  const auto same = [](const Tensor& got, const Tensor& want) {
    CHECK(got.data.resident());
    CHECK(got.shape == want.shape);
    CHECK(got.data.host() == want.data.host());
  };
  same(ops.add(ra, rb), ops.add(a, b));
  same(ops.sub(ra, rb), ops.sub(a, b));
  same(ops.mul_const(ra, 0x9e3779b97f4a7c15ULL), ops.mul_const(a, 0x9e3779b97f4a7c15ULL));
  same(ops.add_bias(ra, bias), ops.add_bias(a, bias));
  same(ops.sum_last(ra), ops.sum_last(a));
  same(ops.broadcast_rows(ops.sum_last(ra), cols), ops.broadcast_rows(ops.sum_last(a), cols));
  for (const bool inverse : {false, true})
    same(ops.transpose_heads(ra, batch, seq, heads, dim, inverse),
         ops.transpose_heads(a, batch, seq, heads, dim, inverse));
  // A host operand with a resident one, either way round: the op in the Space, the host operand
  // uploaded, the result resident.
  same(ops.add(ra, b), ops.add(a, b));
  same(ops.add(a, rb), ops.add(a, b));
  same(ops.sub(ra, b), ops.sub(a, b));
  same(ops.sub(a, rb), ops.sub(a, b));
}
