// CudaAccelerator (accelerator_cuda.h): grow-only device arrays, key upload in its own scope,
// event pairs around the kernels.
#include "fss/cuda/accelerator_cuda.h"

#include <cuda_runtime.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>

#include "fss/cuda/cuda_check.h"
#include "fss/cuda/dcf_cuda.h"
#include "fss/cuda/device_buffer.h"
#include "fss/cuda/dpf_cuda.h"
#include "fss/cuda/keys_cuda.h"
#include "fss/cuda/multipoint_dcf_cuda.h"
#include "profiling/scope.h"

namespace secinfer::fss::cuda {
namespace {

// A device array that only grows: reallocated (old one freed first) when a call needs more.
template <class T>
class GrowBuffer {
 public:
  T* fit(std::size_t n) {
    if (n > buf_.size()) {
      buf_ = DeviceBuffer<T>();  // free before allocating the larger one
      buf_ = DeviceBuffer<T>(n);
    }
    return buf_.data();
  }
  // Copies `src` up on `stream` (asynchronous for the device; `src` must stay alive until the
  // stream is synchronised) and returns the device pointer.
  const T* put(std::span<const T> src, cudaStream_t stream) {
    T* d = fit(src.size());
    if (!src.empty())
      CUDA_CHECK(cudaMemcpyAsync(d, src.data(), src.size_bytes(), cudaMemcpyHostToDevice, stream),
                 std::to_string(src.size_bytes()) + " bytes up");
    return d;
  }
  std::size_t bytes() const { return buf_.bytes(); }

 private:
  DeviceBuffer<T> buf_;
};

int visible_devices() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the "no driver / no device" error
    return 0;
  }
  return n;
}

}  // namespace

struct CudaAccelerator::State {
  explicit State(int dev, KernelConfig c) : device(dev), cfg(c) {}
  ~State() {
    if (start != nullptr) cudaEventDestroy(start);
    if (stop != nullptr) cudaEventDestroy(stop);
  }

  int device;
  KernelConfig cfg;
  std::unique_ptr<Stream> stream;  // created once the device is current
  cudaEvent_t start = nullptr, stop = nullptr;
  std::string description;

  std::mutex mu;
  GrowBuffer<Block> root, cw_seed;
  GrowBuffer<std::uint8_t> cw_t;
  GrowBuffer<u64> cw_v, cw_final, cw_out;  // DCF payload words / DPF output word
  GrowBuffer<u64> in, table, out;
  // Atomics, read without the mutex: CudaEventTimer reads kernel_ns from the scopes that a call
  // opens while it holds the mutex ("KeyTransfer").
  std::atomic<std::uint64_t> kernel_ns{0}, calls{0}, key_bytes{0};

  cudaStream_t s() const { return stream->get(); }

  // Every call: the device may differ from the calling thread's current one.
  void bind() const { CUDA_CHECK(cudaSetDevice(device), "device " + std::to_string(device)); }

  // The keys' arrays up, in their own scope, waiting for the copies so that the scope's wall time
  // is the transfer's.
  DcfKeysView upload(const DcfKeys& k) {
    profiling::Scope sc("KeyTransfer");
    DcfKeysView v{k.shape, k.party, k.count};
    v.root = root.put(std::span<const Block>(k.root), s());
    v.cw_seed = cw_seed.put(std::span<const Block>(k.cw_seed), s());
    v.cw_t = cw_t.put(std::span<const std::uint8_t>(k.cw_t), s());
    v.cw_v = cw_v.put(std::span<const u64>(k.cw_v), s());
    v.cw_final = cw_final.put(std::span<const u64>(k.cw_final), s());
    stream->sync();
    key_bytes += (k.root.size() + k.cw_seed.size()) * sizeof(Block) + k.cw_t.size() +
                 (k.cw_v.size() + k.cw_final.size()) * sizeof(u64);
    return v;
  }
  DpfKeysView upload(const DpfKeys& k) {
    profiling::Scope sc("KeyTransfer");
    DpfKeysView v{k.shape, k.party, k.count};
    v.root = root.put(std::span<const Block>(k.root), s());
    v.cw_seed = cw_seed.put(std::span<const Block>(k.cw_seed), s());
    v.cw_t = cw_t.put(std::span<const std::uint8_t>(k.cw_t), s());
    v.cw_out = cw_out.put(std::span<const u64>(k.cw_out), s());
    stream->sync();
    key_bytes += (k.root.size() + k.cw_seed.size()) * sizeof(Block) + k.cw_t.size() +
                 k.cw_out.size() * sizeof(u64);
    return v;
  }

  // launch() between the event pair, then `result` down, then the pair's time added.
  template <class F>
  void run(F&& launch, std::span<u64> result) {
    u64* d = out.fit(result.size());
    CUDA_CHECK(cudaEventRecord(start, s()));
    launch(d);
    CUDA_CHECK(cudaEventRecord(stop, s()));
    if (!result.empty())
      CUDA_CHECK(
          cudaMemcpyAsync(result.data(), d, result.size_bytes(), cudaMemcpyDeviceToHost, s()),
          std::to_string(result.size_bytes()) + " bytes down");
    stream->sync();
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    kernel_ns += static_cast<std::uint64_t>(std::llround(static_cast<double>(ms) * 1e6));
    ++calls;
  }
};

CudaAccelerator::CudaAccelerator(int device, KernelConfig cfg)
    : s_(std::make_unique<State>(device, cfg)) {
  const int n = visible_devices();
  if (device < 0 || device >= n)
    throw std::invalid_argument(
        "CudaAccelerator: CUDA device " + std::to_string(device) + " is not visible (" +
        std::to_string(n) +
        " device(s) found): check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES, or run with "
        "--backend cpu");
  s_->bind();
  s_->stream = std::make_unique<Stream>();
  CUDA_CHECK(cudaEventCreate(&s_->start));
  CUDA_CHECK(cudaEventCreate(&s_->stop));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  int driver = 0, runtime = 0;
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  const auto ver = [](int v) {
    return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
  };
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.1f GiB",
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  s_->description = "cuda:" + std::to_string(device) + " " + prop.name + " (sm_" +
                    std::to_string(prop.major) + std::to_string(prop.minor) + ", " + mem +
                    ", driver " + ver(driver) + ", runtime " + ver(runtime) + ")";
}

CudaAccelerator::~CudaAccelerator() = default;

std::string CudaAccelerator::describe() const {
  return s_->description;
}

int CudaAccelerator::device() const {
  return s_->device;
}

void CudaAccelerator::dcf_eval(const DcfKeys& keys, std::span<const u64> x,
                               std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  s.bind();
  const DcfKeysView v = s.upload(keys);
  const u64* dx = s.in.put(x, s.s());
  s.run([&](u64* d) { dcf_eval_device(v, dx, d, s.s(), s.cfg); }, out);
}

void CudaAccelerator::dpf_eval(const DpfKeys& keys, std::span<const u64> x,
                               std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  s.bind();
  const DpfKeysView v = s.upload(keys);
  const u64* dx = s.in.put(x, s.s());
  s.run([&](u64* d) { dpf_eval_device(v, dx, d, s.s(), s.cfg); }, out);
}

void CudaAccelerator::dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat,
                                   std::span<const u64> table, std::span<u64> out) const {
  if (keys.count == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  s.bind();
  const DpfKeysView v = s.upload(keys);
  const u64* dx = s.in.put(xhat, s.s());
  const u64* dt = s.table.put(table, s.s());
  s.run([&](u64* d) { dpf_lut_eval_device(v, dx, dt, d, s.s(), s.cfg); }, out);
}

void CudaAccelerator::dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                                          std::span<const u64> points, std::span<u64> out) const {
  if (keys.count == 0 || points_per_key == 0) return;
  State& s = *s_;
  std::lock_guard lock(s.mu);
  s.bind();
  const DcfKeysView v = s.upload(keys);
  const u64* dp = s.in.put(points, s.s());
  s.run(
      [&](u64* d) {
        dcf_eval_multipoint_device(v, points_per_key, dp, d, s.s(), s.cfg, MultipointWalk::kAuto);
      },
      out);
}

std::uint64_t CudaAccelerator::kernel_ns() const {
  return s_->kernel_ns.load();
}

std::uint64_t CudaAccelerator::calls() const {
  return s_->calls.load();
}

std::uint64_t CudaAccelerator::key_bytes_uploaded() const {
  return s_->key_bytes.load();
}

std::uint64_t CudaAccelerator::device_bytes() const {
  std::lock_guard lock(s_->mu);
  const State& s = *s_;
  return s.root.bytes() + s.cw_seed.bytes() + s.cw_t.bytes() + s.cw_v.bytes() + s.cw_final.bytes() +
         s.cw_out.bytes() + s.in.bytes() + s.table.bytes() + s.out.bytes();
}

}  // namespace secinfer::fss::cuda
