#include "apps/model_names.h"

#include "models/registry.h"

namespace secinfer::apps {

std::vector<std::string> known_model_names() {
  return models::model_names();
}

std::string canonical_model_name(std::string_view name) {
  return models::find_model(name).name;
}

void validate_model_run(std::string_view name, long long seq, long long batch) {
  models::validate_run(models::find_model(name), seq, batch);
}

}  // namespace secinfer::apps
