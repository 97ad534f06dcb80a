#include "apps/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace secinfer::apps {

void setup_logging(const std::string& tag, const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>(
      tag, std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void warn_padding_off() {
  spdlog::warn("****************************************************************************");
  spdlog::warn("* --padding off: gate shapes depend on the masks, which LEAKS information.  *");
  spdlog::warn("* This mode is INSECURE and exists only for the padding ablation; the logs  *");
  spdlog::warn("* record padding \"off\". Never use it to protect real data.                  *");
  spdlog::warn("****************************************************************************");
}

}  // namespace secinfer::apps
