// Small helpers shared by the Ops implementations (not part of the public interface).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/ops.h"

namespace secinfer::fss::engine {

// Shape of a per-row result of a rows x cols tensor: shape[:-1] when the last dim is cols, else
// {rows}.
inline std::vector<std::size_t> rows_shape(const Tensor& a, std::size_t cols) {
  if (cols == 0 || a.size() % cols != 0) {
    throw std::invalid_argument("row op: " + std::to_string(a.size()) +
                                " elements are not whole rows of " + std::to_string(cols));
  }
  if (a.shape.size() >= 2 && a.shape.back() == cols)
    return std::vector<std::size_t>(a.shape.begin(), a.shape.end() - 1);
  return {a.size() / cols};
}

}  // namespace secinfer::fss::engine
