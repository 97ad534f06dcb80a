// CudaSpace (vec_space_cuda.h).
#include "fss/cuda/vec_space_cuda.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/pack_cuda.h"
#include "fss/cuda/ring_vec_cuda.h"
#include "fss/vec/combine_core.h"

namespace secinfer::fss::cuda {
namespace {

// Throws std::invalid_argument unless `bytes` is the packing of n elements of `bits` bits.
void check_packed(std::size_t bytes, std::size_t n, int bits, const char* what) {
  if (bytes != packed_bytes(n, bits))
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(bytes) + " bytes for " +
                                std::to_string(n) + " elements of " + std::to_string(bits) +
                                " bits");
}

// True for page-locked host memory (cudaMallocHost's: host_bytes), which copies read and write in
// place.
bool page_locked(const void* p) {
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    cudaGetLastError();  // not an error of the stream: clear it
    return false;
  }
  return a.type == cudaMemoryTypeHost;
}

// An event pair around kernels whose time is read once the stream has passed them.
struct EventPair {
  cudaEvent_t start = nullptr, stop = nullptr;
};

}  // namespace

struct CudaSpace::State {
  std::shared_ptr<Stream> stream;
  int device = 0;
  std::mutex mu;
  PinnedBuffer<std::uint8_t> staging;
  std::size_t used = 0;               // staging bytes handed out since the last settle
  std::shared_ptr<AsyncBlock> bytes;  // packed openings on the device
  std::size_t bytes_size = 0;
  // Event pairs of kernels not yet counted, and spare ones.
  std::vector<EventPair> pending, spare;

  cudaStream_t s() const { return stream->get(); }
  void bind() const { CUDA_CHECK(cudaSetDevice(device), "device " + std::to_string(device)); }

  // `n` bytes of staging for a copy on the stream: a bump allocation, reset when the stream is
  // settled (every earlier copy out of or into it has then finished); full, it settles first.
  std::uint8_t* stage(std::size_t n, const CudaAccelerator& accel) {
    const std::size_t want = (n + 255) / 256 * 256;
    if (used + want > staging.size()) {
      settle(accel);
      if (want > staging.size()) {
        staging = PinnedBuffer<std::uint8_t>();
        staging = PinnedBuffer<std::uint8_t>(std::max(want, std::size_t{1} << 26));
      }
    }
    std::uint8_t* p = staging.data() + used;
    used += want;
    return p;
  }
  std::uint8_t* device_bytes(std::size_t n) {
    if (n > bytes_size) {
      bytes = std::make_shared<AsyncBlock>(stream, n, "packed openings");
      bytes_size = n;
    }
    return bytes->data();
  }
  // launch() between an event pair, counted at the next settle().
  template <class F>
  void timed(F&& launch) {
    EventPair e;
    if (!spare.empty()) {
      e = spare.back();
      spare.pop_back();
    } else {
      CUDA_CHECK(cudaEventCreate(&e.start));
      CUDA_CHECK(cudaEventCreate(&e.stop));
    }
    CUDA_CHECK(cudaEventRecord(e.start, s()));
    launch();
    CUDA_CHECK(cudaEventRecord(e.stop, s()));
    pending.push_back(e);
  }
  // Waits for the stream; the pending pairs' time onto the accelerator's kernel clock; the
  // staging memory free again.
  void settle(const CudaAccelerator& accel) {
    stream->sync();
    used = 0;
    std::uint64_t ns = 0;
    for (const EventPair& e : pending) {
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, e.start, e.stop));
      ns += static_cast<std::uint64_t>(static_cast<double>(ms) * 1e6);
      spare.push_back(e);
    }
    pending.clear();
    if (ns != 0) accel.add_kernel_ns(ns);
  }
  ~State() {
    for (auto* list : {&pending, &spare})
      for (const EventPair& e : *list) {
        cudaEventDestroy(e.start);
        cudaEventDestroy(e.stop);
      }
  }
};

CudaSpace::CudaSpace(const CudaAccelerator& accel) : accel_(&accel), s_(std::make_unique<State>()) {
  s_->stream = accel.stream();
  s_->device = accel.device();
}

CudaSpace::~CudaSpace() = default;

std::string CudaSpace::describe() const {
  return "cuda:" + std::to_string(s_->device);
}

vec::Vec CudaSpace::make(std::size_t n) const {
  std::lock_guard lock(s_->mu);
  s_->bind();
  auto words = std::make_shared<AsyncBlock>(s_->stream, n * sizeof(u64), "a device vector");
  u64* d = reinterpret_cast<u64*>(words->data());
  return vec::Vec(this, d, n, std::move(words));
}

vec::Vec CudaSpace::upload(std::span<const u64> values) const {
  vec::Vec v = make(values.size());
  if (values.empty()) return v;
  std::lock_guard lock(s_->mu);
  s_->bind();
  std::uint8_t* h = s_->stage(values.size_bytes(), *accel_);
  std::memcpy(h, values.data(), values.size_bytes());
  CUDA_CHECK(cudaMemcpyAsync(v.data(), h, values.size_bytes(), cudaMemcpyHostToDevice, s_->s()),
             std::to_string(values.size_bytes()) + " bytes of a vector up");
  accel_->count_transfer(values.size_bytes(), 0);
  return v;
}

std::optional<vec::Vec> CudaSpace::adopt(const ShareBatch& batch) const {
  const u64* d = accel_->resident_values(batch);
  if (d == nullptr) return std::nullopt;
  // The batch's device copy, kept alive by the vector (read-only by the contract of adopt).
  std::shared_ptr<void> keep = std::const_pointer_cast<ResidentKeys>(batch.resident);
  return vec::Vec(this, const_cast<u64*>(d), batch.count, std::move(keep));
}

void CudaSpace::download(const vec::Vec& v, std::span<u64> out) const {
  check(v, out.size(), "vec::download");
  if (out.empty()) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  std::uint8_t* h = s_->stage(out.size_bytes(), *accel_);
  CUDA_CHECK(cudaMemcpyAsync(h, v.data(), out.size_bytes(), cudaMemcpyDeviceToHost, s_->s()),
             std::to_string(out.size_bytes()) + " bytes of a vector down");
  s_->settle(*accel_);
  std::memcpy(out.data(), h, out.size_bytes());
  accel_->count_transfer(0, out.size_bytes());
}

void CudaSpace::combine(vec::Vec& out, int bits, u64 constant,
                        std::span<const vec::Term> terms) const {
  check_combine(out, bits, terms);
  if (out.empty()) return;
  const vec::CombineParams p = vec::combine_params(bits, constant, terms);
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] { combine_device(p, out.data(), out.size(), s_->s()); });
}

void CudaSpace::row_sums(const vec::Vec& v, std::size_t cols, int bits, vec::Vec& out) const {
  check_row_sums(v, cols, bits, out);
  if (out.empty()) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] { row_sums_device(v.data(), out.size(), cols, bits, out.data(), s_->s()); });
}

void CudaSpace::swap_axes(const vec::Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                          std::size_t inner, vec::Vec& out) const {
  check_swap_axes(in, outer, rows, cols, inner, out);
  if (out.empty()) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] { swap_axes_device(in.data(), outer, rows, cols, inner, out.data(), s_->s()); });
}

void CudaSpace::gather(const vec::Vec& a, const vec::Vec& b, const vec::Vec& index,
                       vec::Vec& out) const {
  check_gather(a, b, index, out);
  if (out.empty()) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] {
    gather_device(a.data(), a.size(), b.data(), b.size(), index.data(), out.size(), out.data(),
                  s_->s());
  });
}

void CudaSpace::dcf_eval(const DcfKeys& keys, const vec::Vec& x, vec::Vec& out) const {
  check(x, keys.count, "vec::dcf_eval (points)");
  check(out, keys.count, "vec::dcf_eval (output)");
  if (keys.count == 0) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] { accel_->dcf_launch_on_device(keys, x.data(), out.data()); });
}

void CudaSpace::dpf_et_lut_eval(const DpfEtKeys& keys, const vec::Vec& idx,
                                std::span<const u64> table, int out_bits, vec::Vec& sum,
                                vec::Vec& count, u64 index_xor_mask) const {
  check(idx, keys.count, "vec::dpf_et_lut_eval (indices)");
  check(sum, keys.count, "vec::dpf_et_lut_eval (sums)");
  check(count, keys.count, "vec::dpf_et_lut_eval (counts)");
  if (keys.count == 0) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  s_->timed([&] {
    accel_->dpf_et_lut_launch_on_device(keys, idx.data(), table, out_bits, sum.data(), count.data(),
                                        index_xor_mask);
  });
}

void CudaSpace::sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                               std::span<vec::Vec* const> bits) const {
  check_sigma_dcf(keys, points, bits);
  const std::size_t n = keys.count, P = points.size();
  if (n == 0) return;
  const vec::Vec x = make(n * P);
  VecPtrs ptrs;
  for (std::size_t j = 0; j < P; ++j) {
    ptrs.in[j] = points[j].x->data();
    ptrs.add[j] = points[j].add;
    ptrs.out[j] = bits[j]->data();
  }
  std::lock_guard lock(s_->mu);
  s_->bind();
  const AsyncBlock b(s_->stream, n * P,
                     "SIGMA DCF bits");  // freed in stream order, after the kernels
  std::uint8_t* d8 = b.data();
  s_->timed([&] {
    interleave_device(ptrs, static_cast<int>(P), n, ring_mask(keys.in_bits), x.data(), s_->s());
    accel_->sigma_dcf_launch_on_device(keys, P, x.data(), d8);
    deinterleave_bits_device(d8, static_cast<int>(P), n, ptrs, s_->s());
  });
}

void CudaSpace::pack(const vec::Vec& v, int bits, std::span<std::uint8_t> out) const {
  check(v, v.size(), "vec::pack");
  check_packed(out.size(), v.size(), bits, "vec::pack");
  if (out.empty()) return;
  std::lock_guard lock(s_->mu);
  s_->bind();
  std::uint8_t* d = s_->device_bytes(out.size());
  s_->timed([&] { pack_bits_device(v.data(), v.size(), bits, d, s_->s()); });
  // Into page-locked memory (host_bytes) directly, else through the staging memory.
  const bool direct = page_locked(out.data());
  std::uint8_t* h = direct ? out.data() : s_->stage(out.size(), *accel_);
  CUDA_CHECK(cudaMemcpyAsync(h, d, out.size(), cudaMemcpyDeviceToHost, s_->s()),
             std::to_string(out.size()) + " packed bytes down");
  s_->settle(*accel_);
  if (!direct) std::memcpy(out.data(), h, out.size());
  accel_->count_transfer(0, out.size());
}

void CudaSpace::unpack_add(std::span<const std::uint8_t> in, int bits, vec::Vec& v) const {
  check(v, v.size(), "vec::unpack_add");
  check_packed(in.size(), v.size(), bits, "vec::unpack_add");
  if (v.empty()) return;
  vec::Vec theirs = make(v.size());
  std::lock_guard lock(s_->mu);
  s_->bind();
  // From page-locked memory (host_bytes) directly, waited for here so the caller may write `in`
  // again when this returns; else through the staging memory.
  const bool direct = page_locked(in.data());
  const std::uint8_t* h = in.data();
  if (!direct) {
    std::uint8_t* staged = s_->stage(in.size(), *accel_);
    std::memcpy(staged, in.data(), in.size());
    h = staged;
  }
  std::uint8_t* d = s_->device_bytes(in.size());
  CUDA_CHECK(cudaMemcpyAsync(d, h, in.size(), cudaMemcpyHostToDevice, s_->s()),
             std::to_string(in.size()) + " packed bytes up");
  if (direct) s_->settle(*accel_);
  const vec::Term sum[2] = {{.v = &v}, {.v = &theirs}};
  const vec::CombineParams p = vec::combine_params(bits, 0, sum);
  s_->timed([&] {
    unpack_bits_device(d, v.size(), bits, theirs.data(), s_->s());
    combine_device(p, v.data(), v.size(), s_->s());
  });
  accel_->count_transfer(in.size(), 0);
}

vec::HostBytes CudaSpace::host_bytes(std::size_t n) const {
  if (n == 0) return vec::HostBytes();
  std::lock_guard lock(s_->mu);
  s_->bind();
  void* p = nullptr;
  CUDA_CHECK(cudaMallocHost(&p, n), std::to_string(n) + " page-locked bytes for messages");
  return vec::HostBytes(static_cast<std::uint8_t*>(p), n, [](std::uint8_t* q) { cudaFreeHost(q); });
}

}  // namespace secinfer::fss::cuda
