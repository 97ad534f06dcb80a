// Never lose data: a result file is either its old content or its complete new content.
#pragma once

#include <filesystem>
#include <string_view>

namespace secinfer::apps {

// Writes FILE.tmp.<pid>, flushes it, then renames it over FILE (creating the parent folder).
// Throws std::runtime_error naming the file and the OS error.
void write_file_atomic(const std::filesystem::path& file, std::string_view content);

}  // namespace secinfer::apps
