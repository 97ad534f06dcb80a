#include "apps/model_names.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace secinfer::apps {

namespace {

// TODO(lead): replace with the models/ registry when it lands (SPEC section 2 lists the models).
const std::vector<std::string>& names() {
  static const std::vector<std::string> kNames = {
      "bert-tiny", "bert-base", "bert-large", "gpt2", "gpt-neo-125m", "gpt-neo-1.3b", "llama-block"};
  return kNames;
}

const std::vector<std::pair<std::string, std::string>>& aliases() {
  static const std::vector<std::pair<std::string, std::string>> kAliases = {
      {"bert", "bert-base"},       {"gpt-2", "gpt2"},         {"gpt2-small", "gpt2"},
      {"gpt-neo", "gpt-neo-125m"}, {"llama", "llama-block"}};
  return kAliases;
}

}  // namespace

std::vector<std::string> known_model_names() { return names(); }

std::string canonical_model_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& n : names()) {
    if (n == lower) return n;
  }
  for (const auto& [alias, target] : aliases()) {
    if (alias == lower) return target;
  }
  std::string list;
  for (const auto& n : names()) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown model \"" + std::string(name) + "\": choose one of " +
                              list + " (\"bert\" means bert-base)");
}

}  // namespace secinfer::apps
