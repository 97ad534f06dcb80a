#include "apps/progress.h"

#include <cmath>
#include <cstdio>

namespace secinfer::apps {

std::string duration_text(double seconds) {
  char buf[48];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 3600) {
    const long s = std::lround(seconds);
    std::snprintf(buf, sizeof buf, "%ld min %ld s", s / 60, s % 60);
  } else {
    const long m = std::lround(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ld h %ld min", m / 60, m % 60);
  }
  return buf;
}

Progress::Progress(Clock::time_point start, std::chrono::milliseconds every)
    : start_(start), every_(every) {}

std::optional<std::string> Progress::step_done(const models::StepDone& s, Clock::time_point now) {
  const bool run_end = s.step + 1 == s.steps;
  if (!run_end && last_line_ && now - *last_line_ < every_) return std::nullopt;
  last_line_ = now;
  std::string line = "progress: run " + std::to_string(s.run + 1) + " of " +
                     std::to_string(s.runs) + (s.warmup ? " (warm-up)" : "") + ", ";
  if (s.step == 0) {
    line += "embedding";
  } else if (s.step <= s.layers) {
    line += "layer " + std::to_string(s.step) + " of " + std::to_string(s.layers);
  } else {
    line += "output head";
  }
  line += " done";
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double done =
      static_cast<double>(s.run) * static_cast<double>(s.steps) + static_cast<double>(s.step + 1);
  const double total = static_cast<double>(s.runs) * static_cast<double>(s.steps);
  line += "; " + duration_text(elapsed) + " elapsed";
  if (done < total) line += ", about " + duration_text(elapsed / done * (total - done)) + " left";
  return line;
}

}  // namespace secinfer::apps
