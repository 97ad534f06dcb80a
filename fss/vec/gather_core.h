// Space::gather's element, written once for the host and the GPU (fss/vec/host_space.cpp,
// fss/cuda/ring_vec.cu) and for Ops::gather on host values (fss/engine/ops_base.cpp), so that
// every path selects the same way.
#pragma once

#include <cstddef>

#include "fss/ring.h"

namespace secinfer::fss::vec {

// Element j of a (na elements) and b (nb) side by side, a's first; 0 past them.
SECINFER_HD u64 gather_one(const u64* a, std::size_t na, const u64* b, std::size_t nb, u64 j) {
  return j < na ? a[j] : j - na < nb ? b[j - na] : 0;
}

}  // namespace secinfer::fss::vec
