#include "apps/model_workload.h"

#include <stdexcept>

namespace secinfer::apps {

// TODO(lead): call the model runner of models/ here once it exists.
void run_model_workload(const RunOptions& opt, net::Channel& /*ch*/, profiling::Recorder& /*rec*/) {
  throw std::runtime_error("model workload not built yet: this build has no model runner for \"" +
                           opt.model +
                           "\" (models/ is not wired into apps/model_workload.cpp); use "
                           "--workload netbench to test the network path");
}

}  // namespace secinfer::apps
