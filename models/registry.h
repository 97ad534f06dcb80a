// The models secinfer knows, by name (docs/design/product-spec.md "Models and references"), with
// their public shapes.
//
//   const ModelConfig& c = find_model("bert");   // alias of bert-base; case-insensitive
//   for (auto& n : model_names()) ...            // canonical names in display order
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/config.h"

namespace secinfer::models {

// Canonical names, in display order (bert-tiny, bert-base, ..., gpt2-2l).
std::vector<std::string> model_names();

// Aliases accepted by find_model, as (alias, canonical) pairs: bert -> bert-base, gpt-2 -> gpt2.
std::vector<std::pair<std::string, std::string>> model_aliases();

// The config for a canonical name or an alias (case-insensitive). Throws std::invalid_argument
// naming the unknown model and listing the valid names.
const ModelConfig& find_model(std::string_view name);

}  // namespace secinfer::models
