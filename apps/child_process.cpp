#include "apps/child_process.h"

#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace secinfer::apps {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;
constexpr std::array<int, 3> kStopSignals = {SIGINT, SIGTERM, SIGHUP};
std::array<struct sigaction, 3> g_previous{};

extern "C" void record_stop_signal(int sig) {
  if (g_stop_signal == 0) g_stop_signal = sig;
}

}  // namespace

StopSignals::StopSignals() {
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = record_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    ::sigaction(kStopSignals[i], &sa, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (std::size_t i = 0; i < kStopSignals.size(); ++i)
    ::sigaction(kStopSignals[i], &g_previous[i], nullptr);
}

int stop_signal() {
  return g_stop_signal;
}

void stop_with_parent() {
  const char* parent = std::getenv(kParentPidVariable);
  if (parent == nullptr) return;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl: then we were reparented already.
  if (std::to_string(::getppid()) != parent) ::raise(SIGTERM);
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string prefix = std::string(kParentPidVariable) + "=";
  std::vector<std::string> env_text = {prefix + std::to_string(::getpid())};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env_text.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);  // stdout: the table only
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

int wait_children(std::array<Child, 2>& kids) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kGrace = std::chrono::seconds(5);
  std::optional<Clock::time_point> first_failure;
  int first_failed = -1;
  bool termed = false;
  bool stopping = false;
  while (!kids[0].done || !kids[1].done) {
    if (stop_signal() != 0 && !stopping) {  // told to stop: both parties now, SIGKILL later
      stopping = true;
      for (auto& k : kids)
        if (!k.done) ::kill(k.pid, SIGTERM);
      termed = true;
      first_failure = Clock::now();
    }
    for (int p = 0; p < 2; ++p) {
      Child& k = kids[p];
      int st = 0;
      if (k.done || ::waitpid(k.pid, &st, WNOHANG) != k.pid) continue;
      k.done = true;
      if (WIFEXITED(st)) {
        k.code = WEXITSTATUS(st);
        k.how = "exit status " + std::to_string(k.code);
      } else {
        const int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        k.code = 128 + sig;
        k.how = "killed by signal " + std::to_string(sig);
      }
      if (k.code != 0 && first_failed < 0) {
        if (!first_failure) first_failure = Clock::now();
        first_failed = p;
      }
    }
    if (first_failure && Clock::now() - *first_failure > kGrace) {
      for (auto& k : kids)
        if (!k.done) ::kill(k.pid, termed ? SIGKILL : SIGTERM);
      if (!termed) first_failure = Clock::now();  // SIGKILL after another grace period
      termed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return first_failed;
}

void kill_children(std::array<Child, 2>& kids) {
  for (auto& k : kids) {
    if (k.pid > 0 && !k.done) {
      ::kill(k.pid, SIGKILL);
      ::waitpid(k.pid, nullptr, 0);
      k.done = true;
    }
  }
}

}  // namespace secinfer::apps
