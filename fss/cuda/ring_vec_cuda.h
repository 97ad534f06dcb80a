// Elementwise ring arithmetic on device arrays (the party-local vector steps of a gate that run
// between its GPU products and evaluations, so that their operands stay on the device).
#pragma once

#include <cstddef>

#include "fss/ring.h"
#include "fss/ring_matmul_shape.h"
#include "fss/vec/combine_core.h"

struct CUstream_st;  // cudaStream_t is CUstream_st* (driver_types.h)

namespace secinfer::fss::cuda {

// out[i] = (a ? a[i] : 0) - b[i] mod 2^bits, for i < n (out may alias a or b); asynchronous on
// `stream`, the launch checked (std::runtime_error).
void ring_sub_device(const u64* a, const u64* b, u64* out, std::size_t n, int bits,
                     CUstream_st* stream);

// out[i] = vec::combine_one(p, i) for i < n (fss/vec/combine_core.h: the host Space's
// expression); asynchronous on `stream`, the launch checked.
void combine_device(const vec::CombineParams& p, u64* out, std::size_t n, CUstream_st* stream);

// out[r] = (sum over j < cols of v[r * cols + j]) mod 2^bits for r < rows (vec::Space::row_sums);
// asynchronous on `stream`, the launch checked.
void row_sums_device(const u64* v, std::size_t rows, std::size_t cols, int bits, u64* out,
                     CUstream_st* stream);

// out[((o * cols + c) * rows + r) * inner + i] = in[((o * rows + r) * cols + c) * inner + i]
// (vec::Space::swap_axes; in and out do not overlap); asynchronous on `stream`, the launch
// checked.
void swap_axes_device(const u64* in, std::size_t outer, std::size_t rows, std::size_t cols,
                      std::size_t inner, u64* out, CUstream_st* stream);

// The live entries of a ring product c of `shape` (fss/ring_matmul_shape.h: all, or each batch's
// lower triangle when causal), in order, plus `add`: out[l] = c[e] + add[l] (mod 2^64) where e is
// the l-th live entry. The sigma suite's matmul correlation r_A r_B + r_C
// (fss/gates/sigma/linear.h) made where the product is; asynchronous on `stream`, the launch
// checked.
void live_entries_add_device(const RingMatmulShape& shape, const u64* c, const u64* add, u64* out,
                             CUstream_st* stream);

// out[i] = element idx[i] of a (na elements) and b (nb) side by side, 0 past them, for i < n
// (vec::Space::gather).
void gather_device(const u64* a, std::size_t na, const u64* b, std::size_t nb, const u64* idx,
                   std::size_t n, u64* out, CUstream_st* stream);

// Up to four vectors of n elements side by side and back (SIGMA's DCF reads key i's P points at
// i * P + j and writes its bits there): dst[i * P + j] = (src[j][i] + add[j]) & mask, and
// bits[j][i] = b[i * P + j].
struct VecPtrs {
  const u64* in[4] = {};
  u64 add[4] = {};
  u64* out[4] = {};
};
void interleave_device(const VecPtrs& src, int P, std::size_t n, u64 mask, u64* dst,
                       CUstream_st* stream);
void deinterleave_bits_device(const std::uint8_t* b, int P, std::size_t n, const VecPtrs& dst,
                              CUstream_st* stream);

}  // namespace secinfer::fss::cuda
