// mps_daemon_running reads a /proc-like process table: a fake one here.
#include "apps/gpu_sharing.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace fs = std::filesystem;
using secinfer::apps::gpu_sharing_note;
using secinfer::apps::mps_daemon_running;

namespace {

// A fresh folder under the system's temporary folder, removed with the object.
struct FakeProc {
  fs::path root;
  FakeProc() {
    root = fs::temp_directory_path() /
           ("secinfer-fake-proc-" + std::to_string(std::random_device{}()));
    fs::create_directories(root);
  }
  ~FakeProc() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void process(const std::string& pid, const std::string& comm) const {
    fs::create_directories(root / pid);
    std::ofstream(root / pid / "comm") << comm << "\n";
  }
};

}  // namespace

TEST_CASE("mps_daemon_running finds MPS's processes by name in the process table", "[apps]") {
  const FakeProc proc;
  proc.process("1", "systemd");
  proc.process("4242", "secinfer");
  CHECK_FALSE(mps_daemon_running(proc.root));
  SECTION("the control daemon or its server, as the kernel cuts their names") {
    proc.process("5100", "nvidia-cuda-mps");
    CHECK(mps_daemon_running(proc.root));
  }
  SECTION("a folder that is no process is not read") {
    fs::create_directories(proc.root / "self");
    std::ofstream(proc.root / "self" / "comm") << "nvidia-cuda-mps\n";
    CHECK_FALSE(mps_daemon_running(proc.root));
  }
  SECTION("a process without a readable name is skipped") {
    fs::create_directories(proc.root / "77");
    CHECK_FALSE(mps_daemon_running(proc.root));
  }
}

TEST_CASE("mps_daemon_running: no process table, no daemon", "[apps]") {
  CHECK_FALSE(mps_daemon_running("/nonexistent/secinfer-proc"));
}

TEST_CASE("gpu_sharing_note says which way two parties share one GPU", "[apps]") {
  CHECK(gpu_sharing_note(true).starts_with("MPS:"));
  CHECK(gpu_sharing_note(false).find("take turns") != std::string::npos);
}
