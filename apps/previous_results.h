// A new run never destroys the results of an earlier one before it has its own: result files of
// a completed earlier run (status "ok") are renamed NAME.previous.EXT when a run starts writing
// into the same --out, and removed once the new run has completed. A failed or interrupted run
// thus leaves the good results beside its own failed logs.
#pragma once

#include <filesystem>
#include <vector>

namespace secinfer::apps {

// "out/p0.json" -> "out/p0.previous.json".
std::filesystem::path previous_path(const std::filesystem::path& file);

// If `log` (a party log, merged breakdown or summary with a "status" field) exists with status
// "ok", renames it and each existing `companions` file (e.g. the merged .csv) to previous_path(),
// replacing older ones, and logs where they went. Returns true if it did. A log that is missing,
// unreadable or not ok is left alone (the run overwrites it; any earlier ok copy stays in
// previous_path()). Never throws: a rename that fails is logged and the run goes on.
bool keep_previous_results(const std::filesystem::path& log,
                           const std::vector<std::filesystem::path>& companions = {});

// After the new run has written its own complete results: removes previous_path() of `log` and
// of `companions`.
void drop_previous_results(const std::filesystem::path& log,
                           const std::vector<std::filesystem::path>& companions = {});

}  // namespace secinfer::apps
