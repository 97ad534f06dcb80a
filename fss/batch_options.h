// How a batch FSS call runs (never what it computes: outputs are identical for every setting).
#pragma once

#include "fss/prg.h"

namespace secinfer::fss {

class Accelerator;   // fss/accelerator.h
class ResidentKeys;  // fss/accelerator.h
class ThreadPool;    // fss/thread_pool.h

struct BatchOptions {
  AesImpl aes = AesImpl::kAuto;  // AES path for G_j (kAesNi throws where the CPU lacks it)
  int threads = 0;               // 0 = std::thread::hardware_concurrency(); 1 = calling thread only
  // Evaluations run there when set; so does key generation (dcf_gen, dpf_gen), whose keys are
  // then resident in its memory (fss/accelerator.h). Non-owning, must outlive the call.
  const Accelerator* accel = nullptr;
  // The caller's started workers for the host's passes over a call's inputs (the generators'
  // range checks of alpha and beta, which an accelerated call would otherwise make on one
  // thread); null: the calling thread. Non-owning, must outlive the call.
  ThreadPool* pool = nullptr;
};

}  // namespace secinfer::fss
