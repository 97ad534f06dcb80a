#include "apps/build_features.h"

#ifdef SECINFER_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace secinfer::apps {

bool cuda_built() {
#ifdef SECINFER_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#ifdef SECINFER_HAVE_CUDA
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver / no device" error
    return 0;
  }
  return n;
#else
  return 0;
#endif
}

}  // namespace secinfer::apps
