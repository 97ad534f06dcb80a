// The GPU equivalence checks of gpu_check (fss/cuda/tools/gpu_check.h) as Catch2 cases, one a
// group, tagged [cuda] and hidden ([.]): the binary (test_cuda_equivalence, built only where CUDA
// is, not registered with ctest) runs nothing without arguments; scripts/gpu_check.sh runs it on
// the device with "[cuda]". Each case seeds its own generator from SECINFER_GPU_CHECK_SEED (else a
// random seed) at N = 2^SECINFER_GPU_CHECK_LOG2N (default 16) and prints both, so that a failing
// case replays here or as `gpu_check --only GROUP --n LOG2N --seed S` (same inputs).
#include <algorithm>
#include <catch2/catch.hpp>
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

namespace {

std::string case_name(const std::string& group) {
  return "GPU " + group + " checks equal the CPU path";
}

// The groups that no TEST_CASE below runs (a group added to gpu_check needs a case here).
std::vector<std::string> groups_without_case() {
  std::vector<std::string> names;
  for (const Catch::TestCase& tc : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    names.push_back(tc.name);
  std::vector<std::string> missing;
  for (const std::string& group : gpu_check_groups())
    if (std::find(names.begin(), names.end(), case_name(group)) == names.end())
      missing.push_back(group);
  return missing;
}

void run_group(const std::string& group) {
  CHECK(groups_without_case() == std::vector<std::string>{});
  const char* seed_env = std::getenv("SECINFER_GPU_CHECK_SEED");
  const char* log2n_env = std::getenv("SECINFER_GPU_CHECK_LOG2N");
  const std::uint64_t seed =
      seed_env != nullptr ? std::strtoull(seed_env, nullptr, 0) : random_check_seed();
  const int log2n = log2n_env != nullptr ? std::atoi(log2n_env) : 16;
  // The smallest check takes N / 256 elements (the LUT over 2^16 entries); past 2^30, a typo.
  if (log2n < 8 || log2n > 30) FAIL("SECINFER_GPU_CHECK_LOG2N=" << log2n << ": want 8 to 30");
  std::string device;
  try {
    device = gpu_check_device();
  } catch (const std::exception& e) {
    FAIL("no usable GPU: " << e.what());
  }
  std::printf("GPU %s checks: %s, N = 2^%d, seed %llu (replay: SECINFER_GPU_CHECK_SEED=%llu)\n",
              group.c_str(), device.c_str(), log2n, static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 g(seed);
  Tally t;
  run_gpu_check_group(group, t, g, std::size_t{1} << log2n);
  std::printf("GPU %s checks: %d passed, %d failed\n", group.c_str(), t.passed(), t.failed());
  std::fflush(stdout);
  INFO("replay: SECINFER_GPU_CHECK_SEED=" << seed << " SECINFER_GPU_CHECK_LOG2N=" << log2n
                                          << ", or gpu_check --only " << group << " --n " << log2n
                                          << " --seed " << seed);
  INFO(t.failed() << " of " << t.passed() + t.failed()
                  << " checks failed (their [FAIL] lines are printed above)");
  REQUIRE(t.failed() == 0);
}

}  // namespace

TEST_CASE("GPU core checks equal the CPU path", "[cuda][.][core]") {
  run_group("core");
}
TEST_CASE("GPU dpf-et checks equal the CPU path", "[cuda][.][dpf-et]") {
  run_group("dpf-et");
}
TEST_CASE("GPU multipoint checks equal the CPU path", "[cuda][.][multipoint]") {
  run_group("multipoint");
}
TEST_CASE("GPU sigma-dcf checks equal the CPU path", "[cuda][.][sigma-dcf]") {
  run_group("sigma-dcf");
}
TEST_CASE("GPU fused-act checks equal the CPU path", "[cuda][.][fused-act]") {
  run_group("fused-act");
}
TEST_CASE("GPU vec checks equal the CPU path", "[cuda][.][vec]") {
  run_group("vec");
}
TEST_CASE("GPU ring-matmul checks equal the CPU path", "[cuda][.][ring-matmul]") {
  run_group("ring-matmul");
}
TEST_CASE("GPU masked-matmul checks equal the CPU path", "[cuda][.][masked-matmul]") {
  run_group("masked-matmul");
}
TEST_CASE("GPU dealer checks equal the CPU path", "[cuda][.][dealer]") {
  run_group("dealer");
}
