// The models' tensor helpers on values left in a vector Space (fss/engine/tensor_values.h) give
// the host helpers' results bit for bit.
#include "models/tensor_utils.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "fss/thread_pool.h"
#include "fss/vec/host_space.h"

using namespace secinfer;
using fss::u64;
using fss::engine::Tensor;
using fss::engine::TensorValues;

TEST_CASE("slice_cols of a resident tensor equals the host slice", "[models][tensor]") {
  fss::ThreadPool pool(2);
  const fss::vec::HostSpace sp(pool, {});
  std::mt19937_64 rng(Catch::rngSeed());
  const std::size_t rows = 7, cols = 12;
  std::vector<u64> words(rows * cols);
  for (auto& w : words) w = rng();
  const Tensor host{{rows, cols}, words};
  const Tensor resident{{rows, cols}, TensorValues::resident(sp.upload(words))};
  for (const std::size_t count : {1, 3, 4, 5, 12}) {
    for (std::size_t begin = 0; begin + count <= cols; begin += count) {
      INFO("columns [" << begin << ", " << begin + count << ")");
      const Tensor want = models::slice_cols(host, rows, cols, begin, count);
      const Tensor got = models::slice_cols(resident, rows, cols, begin, count);
      CHECK(got.shape == want.shape);
      CHECK(got.data.resident() == (cols % count == 0));
      CHECK(got.data.host() == want.data.host());
    }
  }
}
