// A full disk, simulated in a test: while a FileSizeLimit lives, this process (and every process
// it starts) may not write a file past `bytes`; the write fails with EFBIG (SIGXFSZ is ignored),
// as one fails with ENOSPC on a full disk.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <cstddef>

namespace secinfer::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::size_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    struct rlimit small = old_;
    small.rlim_cur = bytes;
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    ::setrlimit(RLIMIT_FSIZE, &small);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  struct rlimit old_ {};
  void (*previous_)(int) = SIG_DFL;
};

}  // namespace secinfer::testing
