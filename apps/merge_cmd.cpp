#include "apps/merge_cmd.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/exit_codes.h"
#include "profiling/atomic_file.h"
#include "profiling/merge.h"

namespace secinfer::apps {

nlohmann::json merge_and_write(const std::filesystem::path& p0, const std::filesystem::path& p1,
                               const std::filesystem::path& out) {
  const nlohmann::json merged =
      profiling::merge_party_logs(profiling::read_json_file(p0), profiling::read_json_file(p1));
  std::filesystem::path csv = out;
  csv.replace_extension(".csv");
  profiling::write_file_atomic(out, merged.dump(2) + "\n");
  profiling::write_file_atomic(csv, profiling::format_breakdown_csv(merged));
  return merged;
}

int run_merge(const MergeOptions& m) {
  try {
    const nlohmann::json merged = merge_and_write(m.p0, m.p1, m.out);
    std::cout << profiling::format_breakdown_table(merged);
    std::filesystem::path csv = m.out;
    csv.replace_extension(".csv");
    std::cout << "merged: " << m.out.string() << " (+ " << csv.string() << ")\n";
    std::cout.flush();
    if (merged.value("status", "failed") != "ok") {
      spdlog::error("the merged run has status {}: see the reasons above and the party logs",
                    merged.value("status", "failed"));
      return merged.value("status", "") == "oom" ? kExitOom : kExitFailed;
    }
    return kExitOk;
  } catch (const profiling::MergeError& e) {
    spdlog::error("merge refused: {}", e.what());
    return kExitMerge;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
}

}  // namespace secinfer::apps
