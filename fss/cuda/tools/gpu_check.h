// The GPU equivalence checks (gpu_check.cpp): the CPU FSS core and the CUDA backend on the same
// seeds and inputs, in named groups. Two drivers run them: the gpu_check program
// (gpu_check_main.cpp: all groups or --only some, one shared generator) and the Catch2 cases
// tagged [cuda] (tests/fss/cuda/gpu_equivalence_test.cpp: one case a group, a generator each), both
// run on the device by scripts/gpu_check.sh. A group run alone with seed S at N draws the same
// inputs in either driver:
//   Tally t;
//   std::mt19937_64 g(seed);
//   run_gpu_check_group("dealer", t, g, std::size_t{1} << 18);   // [PASS] / [FAIL] lines
//   bool ok = t.failed() == 0;
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fss/cuda/tools/check_util.h"

namespace secinfer::fss::cuda::tools {

// Every group, in the order gpu_check runs them: core, dpf-et, multipoint, sigma-dcf, fused-act,
// vec, ring-matmul, masked-matmul, dealer.
const std::vector<std::string>& gpu_check_groups();

// Runs one group's checks into t, drawing the inputs from g: N elements (a check over a larger
// domain takes fewer and says so in its name; ring-matmul and masked-matmul have fixed shapes).
// Mismatches and exceptions inside a check are counted in t, never thrown. Throws
// std::invalid_argument for a group not in gpu_check_groups().
void run_gpu_check_group(const std::string& group, Tally& t, std::mt19937_64& g, std::size_t N);

// Device 0 and the CPU's AES path, e.g. "NVIDIA H200 (sm_90, 132 SMs), CPU AES AES-NI". Throws
// std::runtime_error naming the CUDA error where no GPU is usable.
std::string gpu_check_device();

// A fresh 64-bit seed from std::random_device, for when none is given (print it: it replays).
std::uint64_t random_check_seed();

}  // namespace secinfer::fss::cuda::tools
