// The shape of one exact ring matrix product, shared by the CPU kernels
// (fss/gates/sigma/ring_matmul.h), the GPU ones (fss/cuda/ring_matmul_cuda.h) and the accelerator
// interface (fss/accelerator.h): C[b] = A[b] B[b] mod 2^bits, b < batches, row-major; A is m x k,
// B is k x n (n x k when transpose_b; one B for every batch when shared_b); with causal only
// C[i][j], j <= i, is computed (m == n).
#pragma once

#include <cstddef>

namespace secinfer::fss {

struct RingMatmulShape {
  int bits = 64;
  std::size_t batches = 1, m = 0, k = 0, n = 0;
  bool transpose_b = false;  // B[b] is stored n x k
  bool shared_b = false;     // one B for every batch
  bool causal = false;       // only C[i][j] with j <= i (m == n)
};

}  // namespace secinfer::fss
