// gpu_check: runs the GPU equivalence checks (gpu_check.h) on one generator seeded once, group
// after group. Prints one line per check and last exactly `P passed, F failed` (scripts read it);
// exits 1 on any failure or where no GPU is usable, 2 on bad arguments.
//   gpu_check [--n LOG2N] [--seed S] [--only GROUP]...   (GROUP: core, dpf-et, multipoint,
//                                                        sigma-dcf, fused-act, vec, ring-matmul,
//                                                        masked-matmul, dealer; default: all)
// The same checks as Catch2 cases: tests/fss/cuda/gpu_equivalence_test.cpp.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/gpu_check.h"

using namespace secinfer::fss::cuda::tools;

int main(int argc, char** argv) {
  int log2n = 20;
  std::uint64_t seed = random_check_seed();
  const std::vector<std::string>& groups = gpu_check_groups();
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--n" && i + 1 < argc) {
      log2n = std::atoi(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--only" && i + 1 < argc &&
               std::find(groups.begin(), groups.end(), argv[i + 1]) != groups.end()) {
      only.emplace_back(argv[++i]);
    } else {
      std::string names;
      for (const std::string& group : groups) names += (names.empty() ? "" : "|") + group;
      std::fprintf(stderr, "usage: gpu_check [--n LOG2N (default 20)] [--seed S] [--only %s]...\n",
                   names.c_str());
      return 2;
    }
  }
  try {
    std::printf("gpu_check: %s, N = 2^%d, seed %llu\n", gpu_check_device().c_str(), log2n,
                static_cast<unsigned long long>(seed));
  } catch (const std::exception& e) {
    std::printf("[FAIL] no usable GPU: %s\n0 passed, 1 failed\n", e.what());
    return 1;
  }
  std::mt19937_64 g(seed);
  Tally t;
  for (const std::string& group : groups)
    if (only.empty() || std::find(only.begin(), only.end(), group) != only.end())
      run_gpu_check_group(group, t, g, std::size_t{1} << log2n);
  std::printf("%d passed, %d failed\n", t.passed(), t.failed());
  return t.failed() == 0 ? 0 : 1;
}
