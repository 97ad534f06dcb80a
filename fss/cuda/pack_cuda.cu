// Pack: one thread per output 32-bit word (the elements overlapping its 32 bits, at most 33 when
// n = 1); unpack: one thread per element (at most 9 bytes); pack_core.h. Both read only what they
// need and write disjoint outputs, so no atomics.
#include <stdexcept>
#include <string>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/pack_core.h"
#include "fss/cuda/pack_cuda.h"

namespace secinfer::fss::cuda {
namespace {

__device__ __forceinline__ std::size_t gthread() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::size_t gstride() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

// Word w covers bits [32 w, 32 w + 32); bytes past `nbytes` are not written.
__global__ void pack_kernel(const u64* in, std::size_t count, int bits, std::uint8_t* out,
                            std::size_t nbytes) {
  const std::size_t words = (nbytes + 3) / 4;
  const bool aligned = (reinterpret_cast<std::uintptr_t>(out) & 3) == 0;
  for (std::size_t w = gthread(); w < words; w += gstride()) {
    const std::uint32_t wv = pack_word(in, count, bits, w);
    const std::size_t b0 = w * 4;
    if (aligned && b0 + 4 <= nbytes) {
      reinterpret_cast<std::uint32_t*>(out)[w] = wv;
    } else {
      for (int i = 0; i < 4 && b0 + i < nbytes; ++i)
        out[b0 + i] = static_cast<std::uint8_t>(wv >> (8 * i));
    }
  }
}

__global__ void unpack_kernel(const std::uint8_t* in, std::size_t count, int bits, u64* out,
                              std::size_t nbytes) {
  for (std::size_t e = gthread(); e < count; e += gstride())
    out[e] = unpack_element(in, nbytes, bits, e);
}

void check_bits(const char* what, int bits) {
  if (bits < 1 || bits > 64)
    throw std::invalid_argument(std::string(what) + ": bit width " + std::to_string(bits) +
                                " is outside [1, 64]");
}

unsigned grid_of(std::size_t items) {
  const std::size_t g = (items + 255) / 256;
  return static_cast<unsigned>(g < 1 ? 1 : (g > 65535 ? 65535 : g));
}

}  // namespace

void pack_bits_device(const u64* in, std::size_t count, int bits, std::uint8_t* out,
                      cudaStream_t stream) {
  check_bits("pack_bits_device", bits);
  const std::size_t nbytes = packed_bytes(count, bits);
  if (nbytes == 0) return;
  pack_kernel<<<grid_of((nbytes + 3) / 4), 256, 0, stream>>>(in, count, bits, out, nbytes);
  CUDA_CHECK_LAUNCH("pack_kernel", "count=" + std::to_string(count) + " bits=" +
                                       std::to_string(bits) + " bytes=" + std::to_string(nbytes));
}

void unpack_bits_device(const std::uint8_t* in, std::size_t count, int bits, u64* out,
                        cudaStream_t stream) {
  check_bits("unpack_bits_device", bits);
  if (count == 0) return;
  const std::size_t nbytes = packed_bytes(count, bits);
  unpack_kernel<<<grid_of(count), 256, 0, stream>>>(in, count, bits, out, nbytes);
  CUDA_CHECK_LAUNCH("unpack_kernel", "count=" + std::to_string(count) + " bits=" +
                                         std::to_string(bits) + " bytes=" + std::to_string(nbytes));
}

void pack_bits_cuda(std::span<const u64> in, int bits, std::span<std::uint8_t> out) {
  check_bits("pack_bits_cuda", bits);
  const std::size_t need = packed_bytes(in.size(), bits);
  if (out.size() < need)
    throw std::invalid_argument("pack_bits_cuda: output holds " + std::to_string(out.size()) +
                                " bytes, " + std::to_string(need) + " needed for " +
                                std::to_string(in.size()) + " elements of " + std::to_string(bits) +
                                " bits");
  Stream s;
  DeviceBuffer<u64> din(in.size());
  DeviceBuffer<std::uint8_t> dout(need);
  din.upload(in, s.get());
  pack_bits_device(din.data(), in.size(), bits, dout.data(), s.get());
  dout.download(out.first(need), s.get());
  s.sync();
}

void unpack_bits_cuda(std::span<const std::uint8_t> in, int bits, std::span<u64> out) {
  check_bits("unpack_bits_cuda", bits);
  const std::size_t need = packed_bytes(out.size(), bits);
  if (in.size() < need)
    throw std::invalid_argument("unpack_bits_cuda: input holds " + std::to_string(in.size()) +
                                " bytes, " + std::to_string(need) + " needed for " +
                                std::to_string(out.size()) + " elements of " +
                                std::to_string(bits) + " bits");
  Stream s;
  DeviceBuffer<std::uint8_t> din(need);
  DeviceBuffer<u64> dout(out.size());
  din.upload(in.first(need), s.get());
  unpack_bits_device(din.data(), out.size(), bits, dout.data(), s.get());
  dout.download(out, s.get());
  s.sync();
}

}  // namespace secinfer::fss::cuda
