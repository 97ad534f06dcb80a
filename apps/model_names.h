// The one place where the CLI learns which model names exist. Switch this over to the models/
// registry (models/registry.h) once it exists: only model_names.cpp changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace secinfer::apps {

// Canonical names accepted by --model, in display order.
std::vector<std::string> known_model_names();

// Resolves aliases ("bert" -> "bert-base", case-insensitive) and returns the canonical name;
// throws std::invalid_argument naming the bad name and listing the known ones.
std::string canonical_model_name(std::string_view name);

}  // namespace secinfer::apps
