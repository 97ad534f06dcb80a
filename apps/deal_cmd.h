// `secinfer deal`: the separate dealer process (docs/design/separate-dealer.md). Writes both
// parties' key files of a model run into --key-dir (models::deal_model_keys) and deal.json beside
// them (what was dealt, how the seed was chosen; never the seed of a CSPRNG deal).
#pragma once

#include <cstdint>

#include "apps/options.h"
#include "fss/block.h"

namespace secinfer::apps {

// 16 bytes of the OS CSPRNG (getrandom(2), else /dev/urandom); throws std::runtime_error if
// neither gives them (never a weaker source).
fss::Block os_random_block();

// The subcommand; returns the exit status (apps/exit_codes.h).
int run_deal(const RunOptions& o);

}  // namespace secinfer::apps
