#include "apps/previous_results.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace secinfer::apps {

namespace {

bool finished_ok(const std::filesystem::path& log) {
  std::ifstream in(log, std::ios::binary);
  if (!in) return false;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.value("status", std::string()) == "ok";
}

}  // namespace

std::filesystem::path previous_path(const std::filesystem::path& file) {
  std::filesystem::path p = file;
  p.replace_filename(file.stem().string() + ".previous" + file.extension().string());
  return p;
}

bool keep_previous_results(const std::filesystem::path& log,
                           const std::vector<std::filesystem::path>& companions) {
  if (!finished_ok(log)) return false;
  std::vector<std::filesystem::path> files = {log};
  files.insert(files.end(), companions.begin(), companions.end());
  for (const auto& f : files) {
    std::error_code ec;
    if (!std::filesystem::exists(f, ec)) continue;
    std::filesystem::rename(f, previous_path(f), ec);
    if (ec) {
      spdlog::warn("could not keep the earlier result {} as {}: {}", f.string(),
                   previous_path(f).string(), ec.message());
    }
  }
  spdlog::info("{} holds the results of an earlier run: kept as {} until this run completes",
               log.string(), previous_path(log).string());
  return true;
}

void drop_previous_results(const std::filesystem::path& log,
                           const std::vector<std::filesystem::path>& companions) {
  std::error_code ec;
  std::filesystem::remove(previous_path(log), ec);
  for (const auto& f : companions) std::filesystem::remove(previous_path(f), ec);
}

}  // namespace secinfer::apps
