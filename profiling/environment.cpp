// default_environment(): what a log records about the machine and the build.
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "profiling/build_info.h"
#include "profiling/recorder.h"

namespace secinfer::profiling {
namespace {

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

std::string os_name() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) break;
      auto first = line.find_first_not_of(" \t", colon + 1);
      return first == std::string::npos ? "" : line.substr(first);
    }
  }
  return "unknown";
}

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

}  // namespace

nlohmann::json default_environment(int threads) {
  return {{"host", host_name()},
          {"os", os_name()},
          {"cpu", cpu_model()},
          {"cpu_cores", std::thread::hardware_concurrency()},
          {"compiler", compiler()},
          {"git_commit", std::string(build_commit())},
          {"version", std::string(build_version())},
#ifdef NDEBUG
          {"build", "release"},
#else
          {"build", "debug"},
#endif
          {"time_utc", utc_now()},
          {"threads", threads}};
}

}  // namespace secinfer::profiling
