#include "profiling/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace secinfer::profiling {

void write_file_atomic(const std::filesystem::path& file, std::string_view content) {
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("cannot write " + file.string() + ": " + what + ": " +
                             std::strerror(errno) + " (check the folder and free disk space)");
  };
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("cannot create the folder " + file.parent_path().string() + " for " +
                             file.string() + ": " + ec.message());
  }
  const std::filesystem::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + tmp.string());
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail("flush");
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("rename");
  }
}

}  // namespace secinfer::profiling
