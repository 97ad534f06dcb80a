// The models' tensor helpers on values left in a vector Space (fss/engine/tensor_values.h) give
// the host helpers' results bit for bit.
#include "models/tensor_utils.h"

#include <algorithm>
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

TEST_CASE("slice_rows and concat_rows: a chunk of each block's rows, and back",
          "[models][tensor]") {
  fss::ThreadPool pool(2);
  const fss::vec::HostSpace sp(pool, {});
  std::mt19937_64 rng(Catch::rngSeed());
  const std::size_t blocks = 3, rows = 5, cols = 4;
  std::vector<u64> words(blocks * rows * cols);
  for (auto& w : words) w = rng();
  const Tensor host{{blocks * rows, cols}, words};
  const Tensor resident{{blocks * rows, cols}, TensorValues::resident(sp.upload(words))};
  const Tensor mid = models::slice_rows(host, blocks, rows, cols, 1, 2);
  CHECK(mid.shape == std::vector<std::size_t>{blocks * 2, cols});
  for (std::size_t b = 0; b < blocks; ++b)
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < cols; ++j)
        CHECK(mid.data[(b * 2 + i) * cols + j] == words[(b * rows + 1 + i) * cols + j]);
  CHECK(models::slice_rows(resident, blocks, rows, cols, 1, 2).data.host() == mid.data.host());
  // One block of resident values: a view of its range, no copy to the host.
  const Tensor one{
      {rows, cols},
      TensorValues::resident(sp.upload(std::vector<u64>(words.begin(), words.begin() + 20)))};
  const Tensor view = models::slice_rows(one, 1, rows, cols, 2, 3);
  CHECK(view.data.resident());
  CHECK(view.data.host() == std::vector<u64>(words.begin() + 8, words.begin() + 20));
  // The chunks of one block, concatenated, are the block.
  const Tensor block{{rows, cols}, std::vector<u64>(words.begin(), words.begin() + 20)};
  std::vector<Tensor> parts;
  for (std::size_t r0 = 0; r0 < rows; r0 += 2)
    parts.push_back(
        models::slice_rows(block, 1, rows, cols, r0, std::min<std::size_t>(2, rows - r0)));
  const Tensor back = models::concat_rows(parts, cols);
  CHECK(back.shape == std::vector<std::size_t>{rows, cols});
  CHECK(back.data.host() == block.data.host());
  // Shape-only tensors (models/trace_ops.h) stay shape-only; bad ranges are refused.
  const Tensor shape_only{{blocks * rows, cols}, {}};
  CHECK(models::slice_rows(shape_only, blocks, rows, cols, 0, 2).data.empty());
  CHECK(models::concat_rows({shape_only, shape_only}, cols).shape ==
        std::vector<std::size_t>{2 * blocks * rows, cols});
  CHECK_THROWS_WITH(models::slice_rows(host, blocks, rows, cols, 4, 2), Catch::Contains("outside"));
  CHECK_THROWS_WITH(models::concat_rows({block, shape_only}, cols),
                    Catch::Contains("with and without values"));
}
