// Bit-packing of n-bit ring elements for the wire on the GPU, byte-identical to fss::pack_bits /
// fss::unpack_bits (ring.h): element i occupies bits [i n, (i + 1) n) of a little-endian byte
// string of fss::packed_bytes(count, n) bytes, the last byte zero-padded. Inputs are reduced mod
// 2^n on the way in.
//   PinnedBuffer<std::uint8_t> wire(packed_bytes(count, bits));
//   pack_bits_device(d_shares, count, bits, d_wire, stream);
//   cudaMemcpyAsync(wire.data(), d_wire, wire.size(), cudaMemcpyDeviceToHost, stream);
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <span>

#include "fss/ring.h"

namespace secinfer::fss::cuda {

// out: packed_bytes(count, bits) bytes.
void pack_bits_device(const u64* in, std::size_t count, int bits, std::uint8_t* out,
                      cudaStream_t stream);
void unpack_bits_device(const std::uint8_t* in, std::size_t count, int bits, u64* out,
                        cudaStream_t stream);

// Host spans, synchronous; the same size checks as the CPU functions.
void pack_bits_cuda(std::span<const u64> in, int bits, std::span<std::uint8_t> out);
void unpack_bits_cuda(std::span<const std::uint8_t> in, int bits, std::span<u64> out);

}  // namespace secinfer::fss::cuda
