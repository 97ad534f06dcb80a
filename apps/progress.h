// Progress lines of a long model run (info level): which run and layer are done, the time since
// the run started, and an estimate of what is left, so that a slow run is not taken for a hang.
//
//   Progress p(Clock::now());
//   models_options.on_step = [&](const models::StepDone& s) {
//     if (auto line = p.step_done(s, Clock::now())) spdlog::info("{}", *line);
//   };
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "models/runner.h"

namespace secinfer::apps {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // `every`: at most one line per this interval, except the line that ends a run (always shown).
  explicit Progress(Clock::time_point start,
                    std::chrono::milliseconds every = std::chrono::seconds(5));

  // The line for step `s` done at `now`, or nullopt when it is too soon after the last one. E.g.
  // "progress: run 2 of 6 (measured 1 of 5), layer 3 of 12 done; 41.2 s elapsed, about 3 min 5 s
  // left". The estimate assumes every step of every run takes the mean time of those done.
  std::optional<std::string> step_done(const models::StepDone& s, Clock::time_point now);

 private:
  Clock::time_point start_;
  std::chrono::milliseconds every_;
  std::optional<Clock::time_point> last_line_;
};

// "0.8 s", "41.2 s", "3 min 5 s", "2 h 4 min".
std::string duration_text(double seconds);

}  // namespace secinfer::apps
