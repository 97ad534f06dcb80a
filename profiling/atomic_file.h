// Never lose data: a result file is either its old content or its complete new content.
#pragma once

#include <filesystem>
#include <string_view>

namespace secinfer::profiling {

// Writes FILE.tmp.<pid>, flushes it to the disk (fsync), then renames it over FILE (creating the
// parent folder). On any failure (disk full, no permission, FILE a folder) the temporary file is
// removed and FILE keeps its old content. Throws std::runtime_error naming the file and the OS
// error. Used for party logs, merged breakdowns and summaries alike.
void write_file_atomic(const std::filesystem::path& file, std::string_view content);

}  // namespace secinfer::profiling
