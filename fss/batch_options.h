// How a batch FSS call runs (never what it computes: outputs are identical for every setting).
#pragma once

#include "fss/prg.h"

namespace secinfer::fss {

struct BatchOptions {
  AesImpl aes = AesImpl::kAuto;  // AES path for G_j (kAesNi throws where the CPU lacks it)
  int threads = 0;               // 0 = std::thread::hardware_concurrency(); 1 = calling thread only
};

}  // namespace secinfer::fss
