// Error checks for every CUDA runtime call and kernel launch: a failure throws std::runtime_error
// naming the call (or kernel), the sizes involved, the CUDA error and where it happened.
//   CUDA_CHECK(cudaMalloc(&p, bytes), "bytes=" + std::to_string(bytes));
//   my_kernel<<<g, b, 0, stream>>>(...);
//   CUDA_CHECK_LAUNCH("my_kernel", "n=" + std::to_string(n));
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace secinfer::fss::cuda {

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* call,
                                          const std::string& info, const char* file, int line) {
  std::string msg = std::string("CUDA error in ") + call;
  if (!info.empty()) msg += " (" + info + ")";
  msg += ": " + std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err) + " at " +
         file + ":" + std::to_string(line);
  throw std::runtime_error(msg);
}

inline void check_cuda(cudaError_t err, const char* call, const std::string& info, const char* file,
                       int line) {
  if (err != cudaSuccess) throw_cuda_error(err, call, info, file, line);
}

}  // namespace secinfer::fss::cuda

// CUDA_CHECK(call) or CUDA_CHECK(call, info): info is a std::string-convertible description of
// the sizes, evaluated only on failure.
#define SECINFER_CUDA_CHECK_2(call, info)                                                        \
  do {                                                                                           \
    const cudaError_t secinfer_err_ = (call);                                                    \
    if (secinfer_err_ != cudaSuccess)                                                            \
      ::secinfer::fss::cuda::throw_cuda_error(secinfer_err_, #call, (info), __FILE__, __LINE__); \
  } while (0)
#define SECINFER_CUDA_CHECK_1(call) SECINFER_CUDA_CHECK_2(call, std::string())
#define SECINFER_CUDA_CHECK_PICK(_1, _2, NAME, ...) NAME
#define CUDA_CHECK(...)                                                                       \
  SECINFER_CUDA_CHECK_PICK(__VA_ARGS__, SECINFER_CUDA_CHECK_2, SECINFER_CUDA_CHECK_1, unused) \
  (__VA_ARGS__)

// After a <<<...>>> launch: the launch error (bad configuration, missing kernel image) at once.
#define CUDA_CHECK_LAUNCH(kernel_name, info)                                                   \
  do {                                                                                         \
    const cudaError_t secinfer_err_ = cudaGetLastError();                                      \
    if (secinfer_err_ != cudaSuccess)                                                          \
      ::secinfer::fss::cuda::throw_cuda_error(secinfer_err_, "launch of " kernel_name, (info), \
                                              __FILE__, __LINE__);                             \
  } while (0)
