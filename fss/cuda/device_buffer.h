// RAII owners of GPU memory (DeviceBuffer, cudaMalloc) and page-locked host memory (PinnedBuffer,
// cudaMallocHost: what crosses the network is staged there so copies run at full PCIe speed and
// can overlap). Move-only; sizes in elements; a zero size allocates nothing.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "fss/cuda/cuda_check.h"

namespace secinfer::fss::cuda {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) : n_(n) {
    if (n == 0) return;
    void* p = nullptr;
    CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)), "DeviceBuffer of " + std::to_string(n) +
                                                  " elements of " + std::to_string(sizeof(T)) +
                                                  " bytes");
    p_ = static_cast<T*>(p);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }

  T* data() { return p_; }
  const T* data() const { return p_; }
  std::size_t size() const { return n_; }
  std::size_t bytes() const { return n_ * sizeof(T); }

  // Host -> device (synchronous unless a stream is given; then `src` must stay alive and, for
  // overlap, be pinned).
  void upload(std::span<const T> src, cudaStream_t stream = nullptr) {
    check_fits(src.size(), "upload");
    if (src.empty()) return;
    CUDA_CHECK(
        cudaMemcpyAsync(p_, src.data(), src.size() * sizeof(T), cudaMemcpyHostToDevice, stream),
        std::to_string(src.size() * sizeof(T)) + " bytes");
    if (stream == nullptr) CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  void download(std::span<T> dst, cudaStream_t stream = nullptr) const {
    check_fits(dst.size(), "download");
    if (dst.empty()) return;
    CUDA_CHECK(
        cudaMemcpyAsync(dst.data(), p_, dst.size() * sizeof(T), cudaMemcpyDeviceToHost, stream),
        std::to_string(dst.size() * sizeof(T)) + " bytes");
    if (stream == nullptr) CUDA_CHECK(cudaStreamSynchronize(stream));
  }

 private:
  void check_fits(std::size_t n, const char* what) const {
    if (n > n_)
      throw std::invalid_argument(std::string("DeviceBuffer::") + what + ": " + std::to_string(n) +
                                  " elements do not fit a buffer of " + std::to_string(n_));
  }
  void release() noexcept {
    if (p_ != nullptr) cudaFree(p_);  // an error here cannot be reported from a destructor
    p_ = nullptr;
    n_ = 0;
  }
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  explicit PinnedBuffer(std::size_t n) : n_(n) {
    if (n == 0) return;
    void* p = nullptr;
    CUDA_CHECK(cudaMallocHost(&p, n * sizeof(T)),
               "PinnedBuffer of " + std::to_string(n * sizeof(T)) + " bytes");
    p_ = static_cast<T*>(p);
  }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  PinnedBuffer(PinnedBuffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  PinnedBuffer& operator=(PinnedBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~PinnedBuffer() { release(); }

  T* data() { return p_; }
  const T* data() const { return p_; }
  std::size_t size() const { return n_; }
  std::span<T> span() { return {p_, n_}; }
  std::span<const T> span() const { return {p_, n_}; }

 private:
  void release() noexcept {
    if (p_ != nullptr) cudaFreeHost(p_);
    p_ = nullptr;
    n_ = 0;
  }
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

// A stream owned for its lifetime (the convenience functions run on one and wait for it).
class Stream {
 public:
  Stream() { CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (s_ != nullptr) cudaStreamDestroy(s_);
  }
  cudaStream_t get() const { return s_; }
  void sync() const { CUDA_CHECK(cudaStreamSynchronize(s_)); }

 private:
  cudaStream_t s_ = nullptr;
};

// `count` elements of T in stream-ordered device memory (cudaMallocAsync / cudaFreeAsync on
// `stream`, from the device's default pool, which CudaAccelerator sets to keep freed blocks:
// allocating the same sizes again costs no driver call). The release is queued after the work
// queued before the destructor, without a synchronisation. The caller keeps the stream alive for
// the array's lifetime (AsyncBlock holds it); `what` names the memory in an allocation error. A
// zero count allocates nothing.
template <class T>
class StreamArray {
 public:
  StreamArray(std::size_t count, cudaStream_t stream, const std::string& what) : stream_(stream) {
    void* p = nullptr;
    if (count != 0)
      CUDA_CHECK(cudaMallocAsync(&p, count * sizeof(T), stream),
                 std::to_string(count * sizeof(T)) + " bytes of " + what);
    p_ = static_cast<T*>(p);
  }
  StreamArray(const StreamArray&) = delete;
  StreamArray& operator=(const StreamArray&) = delete;
  ~StreamArray() {
    if (p_ != nullptr) cudaFreeAsync(p_, stream_);  // cannot report from a destructor
  }
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
  cudaStream_t stream_;
};

// A StreamArray of bytes that holds its stream, so that the stream outlives the allocation.
class AsyncBlock {
 public:
  AsyncBlock(std::shared_ptr<Stream> stream, std::size_t bytes, const char* what)
      : stream_(std::move(stream)), bytes_(bytes, stream_->get(), what) {}
  std::uint8_t* data() const { return bytes_.get(); }

 private:
  std::shared_ptr<Stream> stream_;  // declared first: destroyed after the array
  StreamArray<std::uint8_t> bytes_;
};

// A host array's copy in a new device buffer, queued on `stream`. V: a contiguous container
// (std::vector, UninitVector).
template <class V, class T = typename V::value_type>
DeviceBuffer<T> to_device(const V& v, cudaStream_t stream) {
  DeviceBuffer<T> d(v.size());
  d.upload(std::span<const T>(v), stream);
  return d;
}

// `out` resized to n elements and filled from the device array p, queued on `stream` (the caller
// synchronises before reading it).
template <class V, class T = typename V::value_type>
void to_host(V& out, const T* p, std::size_t n, cudaStream_t stream) {
  out.resize(n);
  if (n != 0)
    CUDA_CHECK(cudaMemcpyAsync(out.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost, stream),
               std::to_string(n * sizeof(T)) + " bytes");
}

}  // namespace secinfer::fss::cuda
