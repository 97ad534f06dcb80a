// The one place where the CLI asks which models exist (backed by models/registry.h).
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

// Refuses a shape the model cannot run (seq above its maximum positions, ...) before any work;
// throws std::invalid_argument naming the limit and the fix.
void validate_model_run(std::string_view name, long long seq, long long batch);

}  // namespace secinfer::apps
