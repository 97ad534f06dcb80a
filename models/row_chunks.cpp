#include "models/row_chunks.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/tensor_utils.h"

namespace secinfer::models {

std::size_t RowChunkedLayer::units_for(std::size_t seq, std::size_t chunk_rows) {
  if (chunk_rows == 0 || chunk_rows >= seq) return 1;
  return 1 + (seq + chunk_rows - 1) / chunk_rows;
}

RowChunkedLayer::RowChunkedLayer(const Transformer& t, std::size_t layer, std::size_t chunk_rows)
    : t_(t), layer_(layer), chunk_rows_(chunk_rows), units_(units_for(t.seq(), chunk_rows)) {
  if (units_ > 1 && t.batch() != 1)
    throw std::invalid_argument("row chunks of " + std::to_string(chunk_rows) +
                                " rows need one sequence at a time, not a batch of " +
                                std::to_string(t.batch()));
}

void RowChunkedLayer::run(Ops& ops, std::size_t u, const LayerParams& p, const Tensor& x) {
  if (u != next_ || u >= units_)
    throw std::logic_error("RowChunkedLayer: unit " + std::to_string(u) +
                           " run out of order (next " + std::to_string(next_) + " of " +
                           std::to_string(units_) + ")");
  ++next_;
  if (units_ == 1) {
    parts_.push_back(t_.layer(ops, layer_, p, x));
    return;
  }
  if (u == 0) {
    in_ = t_.attention_inputs(ops, p, x);
    return;
  }
  const std::size_t r0 = (u - 1) * chunk_rows_, r1 = std::min(t_.seq(), r0 + chunk_rows_);
  parts_.push_back(t_.layer_rows(ops, layer_, p, x, in_, r0, r1));
}

Tensor RowChunkedLayer::output() {
  if (next_ != units_)
    throw std::logic_error("RowChunkedLayer: output after " + std::to_string(next_) + " of " +
                           std::to_string(units_) + " units");
  in_ = {};
  if (parts_.size() == 1) return std::move(parts_.front());
  return concat_rows(parts_, t_.config().hidden);
}

}  // namespace secinfer::models
