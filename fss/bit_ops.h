// Bit counts of a 64-bit word for the host and the GPU (one intrinsic each side), shared by the
// tree codes that walk leaves and depths (fss/dpf_et_core.h, fss/cuda/dpf_core.h,
// fss/cuda/sigma_dcf_core.h).
#pragma once

#include "fss/ring.h"  // u64, SECINFER_HD

namespace secinfer::fss {

// Set bits of v.
SECINFER_HD int popc64(u64 v) {
#if defined(__CUDA_ARCH__)
  return __popcll(v);
#else
  return __builtin_popcountll(v);
#endif
}

// Trailing zero bits of a non-zero x.
SECINFER_HD int ctz64(u64 x) {
#if defined(__CUDA_ARCH__)
  return __ffsll(static_cast<long long>(x)) - 1;
#else
  return __builtin_ctzll(x);
#endif
}

// Index of the highest set bit of a non-zero x.
SECINFER_HD int msb64(u64 x) {
#if defined(__CUDA_ARCH__)
  return 63 - __clzll(static_cast<long long>(x));
#else
  return 63 - __builtin_clzll(x);
#endif
}

}  // namespace secinfer::fss
